// The public pages as residents meet them (issue 6). Accessibility: axe-core finds no violation (WCAG 2.x A and AA, and
// axe's best practices) on the home, report, track, ads, notice, units, unit and statistics pages, in the
// normal mode and in the elderly mode (适老化, the cc_elderly cookie), at the phone viewport of
// 360 px — where no page may scroll sideways either. The notice and unit pages are real: a notice
// with a unit's public response is published through the staff API and the worker's rebuild is
// awaited, as an official would see it go live. Search: Pagefind's static index finds that notice.
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';
import { expectNoAxeViolations } from './support/axe.ts';
import { apiReport, ensureStaff, expectNoSideways, staffApiAs } from './support/staff.ts';

interface PublishedNotice {
  slug: string;
  trackingCode: string;
}

/** A ticket, a published notice about it and the unit's reviewed response; resolves once the notice page is live. */
async function publishNoticeWithResponse(page: Page): Promise<PublishedNotice> {
  ensureStaff();
  const trackingCode = await apiReport(page, '西关集贸市场东门口垃圾堆放好几天了，没人清运，气味很大，请尽快处理。');
  const office = await staffApiAs('office');
  const unit = await staffApiAs('zhujian');
  try {
    const draft = await office.mutate<{ id: number }>('staff.notices.saveDraft', {
      trackingCodes: [trackingCode],
      title: '西关集贸市场垃圾长期无人清运',
      body: '经查，西关集贸市场东门口垃圾堆放多日无人清运，群众反映强烈。责任单位未按时整改，现予曝光，限期整改并公开回应。',
      unitCode: 'zhujianju',
      responseDueAt: new Date(Date.now() + 7 * 86_400_000).toISOString(),
    });
    const published = await office.mutate<{ slug: string }>('staff.notices.publish', { id: draft.id });
    await unit.mutate('staff.notices.response.submit', {
      noticeId: draft.id,
      body: '我局已于当日组织环卫力量清运垃圾，并在市场东门增设垃圾桶两处，安排专人每日巡查保洁。',
    });
    await office.mutate('staff.notices.response.review', { noticeId: draft.id, decision: 'publish' });
    const slug = published.slug;
    // The worker rebuilds the site in the background; a real Astro build takes a while on two cores.
    await expect
      .poll(async () => (await page.request.get(`/notices/${slug}/`)).status(), { timeout: 180_000, intervals: [2_000] })
      .toBe(200);
    await expect
      .poll(async () => (await (await page.request.get(`/notices/${slug}/`)).text()).includes('增设垃圾桶两处'), {
        timeout: 180_000,
        intervals: [2_000],
      })
      .toBe(true);
    return { slug, trackingCode };
  } finally {
    await office.dispose();
    await unit.dispose();
  }
}

/** axe's findings on one page (rule, impact, the first few elements and why), after it was checked for sideways scrolling. */
async function violationsOn(
  page: Page,
  path: string,
  mode: 'normal' | 'elderly',
): Promise<Array<{ path: string; rule: string; impact: string; nodes: string[] }>> {
  const response = await page.goto(path);
  expect(response?.status(), path).toBe(200);
  if (mode === 'elderly') await expect(page.locator('html'), path).toHaveClass(/\belderly\b/);
  await expectNoSideways(page);
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  return results.violations.map((v) => ({
    path,
    rule: `${v.id}: ${v.help}`,
    impact: v.impact ?? '',
    nodes: v.nodes.slice(0, 5).map((n) => `${n.target.join(' ')} — ${n.failureSummary ?? ''}`),
  }));
}

test.describe.configure({ mode: 'serial' });

let notice: PublishedNotice;

test.beforeAll(async ({ browser }) => {
  test.setTimeout(240_000);
  const page = await browser.newPage();
  notice = await publishNoticeWithResponse(page);
  await page.close();
});

const PAGES = (n: PublishedNotice) => [
  '/',
  '/report',
  '/track',
  `/track?code=${encodeURIComponent(n.trackingCode)}`,
  '/ads/',
  '/ads/liran-banmaxian/',
  '/notices/',
  `/notices/${n.slug}/`,
  '/units/',
  '/units/zhujianju/',
  '/stats/',
  '/search/',
  '/bulletins/',
];

for (const mode of ['normal', 'elderly'] as const) {
  test(`public pages have no axe violations at 360 px (${mode} mode)`, async ({ page }) => {
    test.setTimeout(120_000);
    if (mode === 'elderly') await page.goto('/elderly?on=1&next=/');
    const found = [];
    for (const path of PAGES(notice)) found.push(...(await violationsOn(page, path, mode)));
    expect(found, 'axe violations').toEqual([]);
  });
}

test('search finds the published notice by a word of its text, and the address keeps the query', async ({ page }) => {
  await page.goto('/search/');
  await page.getByLabel('搜索关键词').fill('清运');
  await page.getByRole('button', { name: '搜索' }).click();
  await expect(page.getByRole('status')).toContainText(/找到 \d+ 条相关内容/);
  const hit = page.locator(`#search-results a[href="/notices/${notice.slug}/"]`);
  await expect(hit).toHaveText('西关集贸市场垃圾长期无人清运');
  await expect(page).toHaveURL(/[?&]q=%E6%B8%85%E8%BF%90/);
  await page.reload();
  await expect(page.getByLabel('搜索关键词')).toHaveValue('清运');
  await expect(hit).toBeVisible();

  await page.getByLabel('搜索关键词').fill('xyzzyqw');
  await page.getByRole('button', { name: '搜索' }).click();
  await expect(page.getByRole('status')).toHaveText('没有找到与“xyzzyqw”相关的内容，请换个关键词试试。');
  await expect(page.locator('#search-results li')).toHaveCount(0);
});

test('search excerpts read as Chinese is written: no ". " between Chinese blocks, a term and its value joined by "："', async ({
  page,
}, testInfo) => {
  await page.goto(`/search/?q=${encodeURIComponent('清运')}`);
  const excerpt = page.locator(`#search-results li:has(a[href="/notices/${notice.slug}/"]) p`);
  await expect(excerpt.locator('mark').first()).toHaveText('清运');
  const text = await excerpt.innerText();
  // Pagefind ends each block with ". "; between Chinese blocks that is "。", with no space after.
  expect(text).not.toMatch(/\p{Script=Han}\.|\.\s*\p{Script=Han}/u);
  expect(text).not.toMatch(/[。，：；] /u);
  expect(text).not.toContain('\u200b');
  expect(text).toContain('。');
  await page.goto(`/search/?q=${encodeURIComponent('斑马线')}`);
  const ad = page.locator('#search-results li:has(a[href="/ads/liran-banmaxian/"]) p');
  await expect(ad).toContainText('主题：文明交通。投放时间：');
  await expect(ad).not.toContainText('首页');
  await page.screenshot({ path: testInfo.outputPath('search-excerpt-360.png'), fullPage: true });
  await expectNoAxeViolations(page, 'search results');

  await page.goto(`/elderly?on=1&next=${encodeURIComponent(`/search/?q=${encodeURIComponent('斑马线')}`)}`);
  await expect(page.locator('html')).toHaveClass(/\belderly\b/);
  await expect(ad).toContainText('主题：文明交通。');
  await expectNoSideways(page);
  await page.screenshot({ path: testInfo.outputPath('search-excerpt-360-elderly.png'), fullPage: true });
  await expectNoAxeViolations(page, 'search results, elderly mode');
});

test('the feed links a unit’s response to its heading on the notice page, without a slash after the anchor', async ({ page }) => {
  const feed = await (await page.request.get('/feed.xml')).text();
  const links = [...feed.matchAll(/<link>([^<]*)<\/link>/g)].map((m) => m[1]!);
  const response = links.find((l) => l.includes(`/notices/${notice.slug}/#`));
  expect(response).toMatch(new RegExp(`/notices/${notice.slug}/#response-heading$`));
  await page.goto(new URL(response!).pathname + new URL(response!).hash);
  await expect(page.locator('#response-heading')).toHaveText('责任单位公开回应');
  await expect(page.locator('#response-heading')).toBeInViewport();
});
