// axe-core on the page as it is now (after the test has brought it into the state to check: an
// open list, an error shown), with the rules public-site.spec.ts runs on the public pages: WCAG 2.x
// A and AA and axe's best practices.
import AxeBuilder from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';

export async function expectNoAxeViolations(page: Page, what: string): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  const found = results.violations.map((v) => ({
    rule: `${v.id}: ${v.help}`,
    impact: v.impact ?? '',
    nodes: v.nodes.slice(0, 5).map((n) => `${n.target.join(' ')} — ${n.failureSummary ?? ''}`),
  }));
  expect(found, `axe violations on ${what}`).toEqual([]);
}
