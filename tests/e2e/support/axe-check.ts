// axe-core on the page as it is (WCAG 2.x A and AA, and axe's best practices — the rules the public
// pages are held to in public-site.spec.ts), in the normal mode and in the elderly mode (适老化:
// the cc_elderly cookie makes the host mark <html class="elderly"> on every page, console included).
import AxeBuilder from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';

export interface Finding {
  path: string;
  rule: string;
  nodes: string[];
}

/** axe's findings on the page now: rule and the first few elements with why. */
export async function axeFindings(page: Page): Promise<Finding[]> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  const path = new URL(page.url()).pathname;
  return results.violations.map((v) => ({
    path,
    rule: `${v.id}: ${v.help}`,
    nodes: v.nodes.slice(0, 5).map((n) => `${n.target.join(' ')} — ${n.failureSummary ?? ''}`),
  }));
}

/** Turns the elderly mode on or off for this browser context (the host's own switch). */
export async function setElderly(page: Page, on: boolean): Promise<void> {
  await page.goto(`/elderly?on=${on ? 1 : 0}&next=/`);
  const html = page.locator('html');
  if (on) await expect(html).toHaveClass(/\belderly\b/);
  else await expect(html).not.toHaveClass(/\belderly\b/);
}

/** axe's findings on each of `paths`, in the normal mode and then in the elderly mode (left off again). */
export async function axeFindingsInBothModes(
  page: Page,
  paths: readonly string[],
  ready?: (page: Page) => Promise<void>,
): Promise<Finding[]> {
  const found: Finding[] = [];
  for (const elderly of [false, true]) {
    await setElderly(page, elderly);
    for (const path of paths) {
      const response = await page.goto(path);
      expect(response?.status(), path).toBe(200);
      if (ready) await ready(page);
      found.push(...(await axeFindings(page)).map((f) => ({ ...f, path: `${f.path}${elderly ? '（长者模式）' : ''}` })));
    }
  }
  await setElderly(page, false);
  return found;
}
