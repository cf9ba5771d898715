// Residents on a phone, 360 px wide, in the normal and the elderly mode (issue 12, items 7 and 10):
// the shared header is one short bar whose navigation opens from a 菜单 button — with a finger,
// by keyboard, and without JavaScript — while a wide screen keeps the links in view; /units gives
// each unit's name a line of its own; /stats draws its month chart on a whole-number axis with
// the month on one line, and a site with no report yet says so instead of drawing a 0–1 axis.
import AxeBuilder from '@axe-core/playwright';
import fs from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';
import { apiReport, ensureStaff, expectNoSideways, staffApiAs } from './support/staff.ts';

type Mode = 'normal' | 'elderly';
const MODES: Mode[] = ['normal', 'elderly'];

/** The elderly mode is a cookie set by the host (ADR 006). */
async function useMode(page: Page, mode: Mode): Promise<void> {
  await page.goto(`/elderly?on=${mode === 'elderly' ? 1 : 0}&next=/`);
  await expect(page.locator('html')).toHaveClass(mode === 'elderly' ? /\belderly\b/ : /^(?!.*\belderly\b)/);
}

const mainNav = (page: Page) => page.getByRole('navigation', { name: '主导航' });
const menuButton = (page: Page) => page.locator('header summary', { hasText: '菜单' });

/** How many lines the element's text takes on screen. */
async function lineCount(target: Locator): Promise<number> {
  return target.evaluate((el) => {
    const range = document.createRange();
    range.selectNodeContents(el);
    return new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top))).size;
  });
}

/** Waits until the worker's first build of the public site is live (it lists the units). */
async function liveSiteListsUnits(page: Page): Promise<void> {
  await expect
    .poll(async () => (await (await page.request.get('/units/')).text()).includes('临城县住房和城乡建设局'), {
      timeout: 180_000,
      intervals: [2_000],
    })
    .toBe(true);
}

for (const mode of MODES) {
  test(`the header is one short bar and the navigation opens from 菜单 (${mode} mode)`, async ({ page }, testInfo) => {
    await useMode(page, mode);
    // Three rows were ≈ 240 px (≈ 430 px, 55 % of the screen, in the elderly mode).
    const limit = mode === 'normal' ? 80 : 170;
    for (const path of ['/', '/report', '/track', '/notices/']) {
      await page.goto(path);
      const header = await page.locator('header.site-header').boundingBox();
      expect(header?.height, `header of ${path}`).toBeLessThanOrEqual(limit);
      await expect(page.getByRole('link', { name: mode === 'normal' ? '长者模式' : '退出长者模式', exact: true })).toBeVisible();
      await expect(mainNav(page).getByRole('link', { name: '曝光通报' })).toBeHidden();
      await expectNoSideways(page);
    }
    await page.goto('/');
    await page.screenshot({ path: testInfo.outputPath(`header-${mode}-closed.png`) });

    await menuButton(page).tap();
    const nav = mainNav(page);
    for (const name of ['首页', '我要反映', '查询进度', '曝光通报', '单位整改', '统计', '公益广告', '搜索']) {
      const link = nav.getByRole('link', { name, exact: true });
      await expect(link).toBeVisible();
      await expect(link).toBeInViewport();
      // A finger's width: 44 px, 56 px in the elderly mode.
      expect((await link.boundingBox())?.height).toBeGreaterThanOrEqual(mode === 'normal' ? 44 : 56);
    }
    await expect(nav.getByRole('link', { name: '首页', exact: true })).toHaveAttribute('aria-current', 'page');
    await page.screenshot({ path: testInfo.outputPath(`header-${mode}-open.png`) });
    // The open menu passes axe too (closed, its links are hidden and not checked).
    const axe = await new AxeBuilder({ page })
      .include('header')
      .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'])
      .analyze();
    expect(axe.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
    await nav.getByRole('link', { name: '单位整改' }).tap();
    await expect(page).toHaveURL(/\/units\/$/);
    await expect(mainNav(page).getByRole('link', { name: '单位整改' })).toBeHidden();

    // By keyboard: Tab reaches the button, Enter opens it, the next Tab is the first link.
    await page.goto('/track');
    await menuButton(page).focus();
    await page.keyboard.press('Enter');
    await expect(mainNav(page).getByRole('link', { name: '查询进度' })).toHaveAttribute('aria-current', 'page');
    await page.keyboard.press('Tab');
    await expect(mainNav(page).getByRole('link', { name: '首页', exact: true })).toBeFocused();
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Enter');
    await expect(mainNav(page).getByRole('link', { name: '首页', exact: true })).toBeHidden();
  });
}

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('the menu opens and its links work on the public site and on the report form', async ({ page }) => {
    for (const [from, to, expected] of [
      ['/', '查询进度', /\/track$/],
      ['/report', '公益广告', /\/ads\/$/],
    ] as const) {
      await page.goto(from);
      await expect(mainNav(page).getByRole('link', { name: to })).toBeHidden();
      await menuButton(page).tap();
      await mainNav(page).getByRole('link', { name: to }).tap();
      await expect(page).toHaveURL(expected);
    }
  });
});

test.describe('on a wide screen', () => {
  test.use({ viewport: { width: 1280, height: 720 }, isMobile: false, hasTouch: false, deviceScaleFactor: 1 });

  test('the links stay in a bar of their own, without a menu button', async ({ page }, testInfo) => {
    for (const mode of MODES) {
      await useMode(page, mode);
      await expect(menuButton(page)).toBeHidden();
      await expect(mainNav(page).getByRole('link', { name: '公益广告' })).toBeVisible();
      await expect(mainNav(page).getByRole('link', { name: '首页', exact: true })).toHaveAttribute('aria-current', 'page');
      await page.screenshot({ path: testInfo.outputPath(`header-${mode}-1280.png`) });
    }
  });
});

for (const mode of MODES) {
  test(`/units gives each unit's name a line of its own, its figures below (${mode} mode)`, async ({ page }, testInfo) => {
    test.setTimeout(240_000);
    await liveSiteListsUnits(page);
    await useMode(page, mode);
    await page.goto('/units/');
    await expectNoSideways(page);
    const table = page.getByRole('table', { name: '各单位整改情况' });
    const tableBox = (await table.boundingBox())!;
    const scroll = await table.evaluate((t) => ({ width: t.parentElement!.scrollWidth, client: t.parentElement!.clientWidth }));
    expect(scroll.width, 'the table scrolls sideways').toBeLessThanOrEqual(scroll.client);
    const rows = table.locator('tbody tr');
    expect(await rows.count()).toBeGreaterThan(10);
    for (const row of await rows.all()) {
      const name = row.locator('th[scope="row"] a');
      const nameBox = (await row.locator('th[scope="row"]').boundingBox())!;
      // The name has the row's whole width (it was a column two characters wide).
      expect(nameBox.width, await name.innerText()).toBeGreaterThan(tableBox.width * 0.9);
      expect(await lineCount(name), await name.innerText()).toBeLessThanOrEqual(mode === 'normal' ? 1 : 2);
      // The four figures sit below the name, each under its heading.
      for (const cell of await row.locator('td').all()) {
        const box = (await cell.boundingBox())!;
        expect(box.y).toBeGreaterThanOrEqual(nameBox.y + nameBox.height - 1);
        expect(box.x + box.width).toBeLessThanOrEqual(tableBox.x + tableBox.width + 1);
        const label = await cell.evaluate((td) => getComputedStyle(td, '::before').content);
        expect(label).toContain(await cell.getAttribute('data-label'));
      }
    }
    await page.screenshot({ path: testInfo.outputPath(`units-${mode}.png`), fullPage: true });
  });
}

/** The public site as `npm run build` makes it before any report (dist/public), served at its own origin. */
async function openFirstBuild(page: Page, pathname: string): Promise<void> {
  const root = path.resolve('dist', 'public');
  const origin = 'http://first-build.invalid';
  const types: Record<string, string> = {
    '.html': 'text/html; charset=utf-8',
    '.css': 'text/css',
    '.js': 'text/javascript',
    '.svg': 'image/svg+xml',
  };
  await page.route(`${origin}/**`, async (route) => {
    let file = path.join(root, decodeURIComponent(new URL(route.request().url()).pathname));
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
    if (!file.startsWith(root) || !fs.existsSync(file)) return route.fulfill({ status: 404, body: '' });
    return route.fulfill({ path: file, contentType: types[path.extname(file)] ?? 'application/octet-stream' });
  });
  await page.goto(`${origin}${pathname}`);
}

test('before the first report /stats says there is nothing yet instead of drawing a 0–1 axis', async ({ page }, testInfo) => {
  await openFirstBuild(page, '/stats/');
  await expect(page.getByRole('heading', { name: '统计数据', level: 1 })).toBeVisible();
  await expect(page.getByTestId('months-empty')).toHaveText(/还没有受理过问题。受理第一件问题后，这里按月显示/);
  await expect(page.locator('figure.chart')).toHaveCount(0);
  await expect(page.getByRole('table')).toHaveCount(0);
  await page.screenshot({ path: testInfo.outputPath('stats-empty.png'), fullPage: true });
});

test('with reports, the month chart counts in whole numbers and each month reads on one line', async ({ page }, testInfo) => {
  test.setTimeout(300_000);
  ensureStaff();
  await liveSiteListsUnits(page);
  for (const text of [
    '西关集贸市场东门口垃圾堆放好几天了，没人清运，气味很大，请尽快处理。',
    '建设路与东街路口，机动车经过斑马线不礼让行人，早晚高峰特别危险。',
    '人民广场东侧的公益广告牌被风刮破了一半，耷拉下来，路过的人都怕砸着。',
  ])
    await apiReport(page, text);
  const office = await staffApiAs('office');
  try {
    await office.mutate('staff.publishing.rebuild', {});
  } finally {
    await office.dispose();
  }
  await expect
    .poll(async () => (await (await page.request.get('/stats/')).text()).includes('每月受理、办结和按期整改'), {
      timeout: 240_000,
      intervals: [2_000],
    })
    .toBe(true);

  for (const mode of MODES) {
    await useMode(page, mode);
    await page.goto('/stats/');
    await expectNoSideways(page);
    const ticks = await page.locator('figure.chart:not(.bar-chart) svg text').allTextContents();
    const values = ticks.filter((t) => /^\d+$/.test(t.trim())).map(Number);
    expect(values.length, `axis ${ticks.join(',')}`).toBeGreaterThanOrEqual(2);
    expect(new Set(values).size, `axis ${values.join(',')}`).toBe(values.length);
    const steps = values.slice(1).map((v, i) => v - values[i]!);
    expect(new Set(steps).size, `axis ${values.join(',')}`).toBe(1);
    const table = page.getByRole('table', { name: '每月受理、办结和按期整改' });
    expect(await lineCount(table.locator('tbody th[scope="row"]').first()), 'the month wraps').toBe(1);
    expect(await lineCount(table.locator('caption')), 'the caption wraps').toBe(1);
    await page.screenshot({ path: testInfo.outputPath(`stats-${mode}.png`), fullPage: true });
  }

  await page.setViewportSize({ width: 1280, height: 720 });
  await useMode(page, 'elderly');
  await page.goto('/stats/');
  expect(await lineCount(page.getByRole('columnheader', { name: '月份' })), '月份 wraps').toBe(1);
});
