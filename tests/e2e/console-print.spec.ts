// Printing from the console at 1280×720 (issue 12, item 8): the monthly report, a ticket and the
// three ledgers each have a 打印 button; printed (Chromium's print media and a real PDF, read back
// with poppler's pdftotext and pdfinfo) they are A4 documents — portrait, the ledgers landscape —
// headed with the office's name, who printed and when, without the console's navigation, forms
// or buttons (a ledger's filter prints as its conditions), and a ledger longer than a page repeats
// its column headings on every page and never breaks a row across two. The first pages of each
// PDF are also rendered (pdftoppm) into the test's output for a person to look at.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import type { Page, TestInfo } from '@playwright/test';
import site from '../../content/site.json' with { type: 'json' };
import { chinaDate } from '../../server/china-time.ts';
import { expect, test } from './fixtures.ts';
import { apiReport, closeTicketThroughApi, ensureStaff, loginAs, waitForIslands } from './support/staff.ts';

test.use({ viewport: { width: 1280, height: 720 }, isMobile: false, hasTouch: false, deviceScaleFactor: 1 });
test.describe.configure({ mode: 'serial' });

const RUN = Date.now().toString(36).slice(-5).toUpperCase();
let closed = '';

test.beforeAll(async ({ browser }) => {
  test.setTimeout(120_000);
  ensureStaff();
  const page = await browser.newPage();
  try {
    // Enough open problems for the problem ledger to run over several pages.
    for (let i = 1; i <= 45; i++)
      await apiReport(page, `台帐样例${RUN}-${i}：西关农贸市场东门口垃圾堆了好几天没人清运，摊位也占到了马路上，早上根本走不过去。`);
    closed = await apiReport(page, `台帐样例${RUN}：建设路与东街路口机动车经过斑马线不礼让行人，早晚高峰特别危险。`);
    await closeTicketThroughApi(closed, 'jiaojing', '已在路口增设礼让行人提示牌，安排交警早晚高峰执勤。');
  } finally {
    await page.close();
  }
});

/** The 打印 button opens the browser's print dialog (window.print, stubbed to count the calls). */
async function printButtonPrints(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { print: () => void; printed: number };
    w.printed = 0;
    w.print = () => void (w.printed += 1);
  });
  const button = page.getByRole('button', { name: '打印', exact: true });
  await expect(button).toHaveCount(1);
  await button.click();
  expect(await page.evaluate(() => (window as unknown as { printed: number }).printed)).toBe(1);
}

interface Printed {
  text: string;
  pages: string[];
  size: string;
}

/** The page as Chromium prints it: checked in print media, then saved as a PDF and read back. */
async function print(page: Page, testInfo: TestInfo, name: string): Promise<Printed> {
  await page.screenshot({ path: testInfo.outputPath(`${name}-screen.png`) });
  await page.emulateMedia({ media: 'print' });
  await expect(page.getByRole('navigation', { name: '工作台导航' })).toBeHidden();
  await expect(page.locator('button:visible, a.button:visible, input:visible, select:visible, textarea:visible')).toHaveCount(0);
  const header = page.locator('.print-header');
  await expect(header).toBeVisible();
  await expect(header).toContainText(site.officeName);
  await expect(header).toContainText(/打印时间：\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}/);
  const file = testInfo.outputPath(`${name}.pdf`);
  await page.pdf({ path: file, preferCSSPageSize: true, printBackground: true });
  await page.emulateMedia({ media: 'screen' });
  execFileSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '2', file, testInfo.outputPath(name)]);
  const info = execFileSync('pdfinfo', [file], { encoding: 'utf8' });
  const count = Number(/Pages:\s+(\d+)/.exec(info)?.[1]);
  const pages = Array.from({ length: count }, (_, i) =>
    execFileSync('pdftotext', ['-layout', '-f', String(i + 1), '-l', String(i + 1), file, '-'], { encoding: 'utf8' }),
  );
  return { text: pages.join('\n'), pages, size: /Page size:\s+([^\n]+)/.exec(info)?.[1] ?? '' };
}

/** pdfinfo's page size of A4 (210 × 297 mm), upright or turned. */
const A4_PORTRAIT = /^59[45]\.\d+ x 841\.\d+ pts \(A4\)/;
const A4_LANDSCAPE = /^841\.\d+ x 59[45]\.\d+ pts/;
/** What only the screen has: navigation, sign-out, filters, downloads, paging, actions. */
const CONTROLS = ['办件队列', '退出登录', '跳到主要内容', '导出Excel', '导出CSV', '清除筛选', '每页', '上一月', '下一页', '据此起草曝光'];

function expectDocument(printed: Printed, title: string, size: RegExp): void {
  expect(printed.size).toMatch(size);
  expect(printed.pages[0]).toContain(site.officeName);
  expect(printed.pages[0]).toContain('打印人：调度员王芳');
  expect(printed.pages[0]).toContain(title);
  for (const control of CONTROLS) expect(printed.text, `the printout shows “${control}”`).not.toContain(control);
  expect(printed.text.replaceAll('打印人', '').replaceAll('打印时间', '')).not.toContain('打印');
  expect(printed.text.replaceAll('筛选条件', '')).not.toContain('筛选');
}

test('the monthly report prints as an A4 document with the office’s name and the date', async ({ page }, testInfo) => {
  await loginAs(page, 'office');
  const month = chinaDate(new Date()).slice(0, 7);
  await page.goto(`/console/monthly-report?month=${month}`);
  await printButtonPrints(page);
  const printed = await print(page, testInfo, 'monthly-report');
  expectDocument(printed, '工作月报', A4_PORTRAIT);
  expect(printed.text).toContain('一、总体情况');
  expect(printed.text).toContain('二、各责任单位情况');
  expect(printed.text).toContain(closed);
});

test('a ticket prints with its facts and timeline, without the action panel', async ({ page }, testInfo) => {
  await loginAs(page, 'office');
  await page.goto(`/console/tickets/${closed}`);
  await waitForIslands(page);
  await printButtonPrints(page);
  const printed = await print(page, testInfo, 'ticket');
  expectDocument(printed, `工单 ${closed}`, A4_PORTRAIT);
  for (const text of ['责任单位', '临城县公安局交通警察大队', '办理经过', '核验销号', '已在路口增设礼让行人提示牌'])
    expect(printed.text).toContain(text);
  await page.emulateMedia({ media: 'print' });
  await expect(page.getByRole('complementary', { name: '办理' })).toBeHidden();
});

test('the three ledgers print landscape; a long one repeats its headings and never splits a row', async ({ page }, testInfo) => {
  await loginAs(page, 'office');
  await page.goto('/console/ledgers/problems?pageSize=500&statuses=received');
  await printButtonPrints(page);
  // In print, a row never breaks across pages and the headings repeat.
  await page.emulateMedia({ media: 'print' });
  const style = await page.locator('table.ledger-table').evaluate((table) => ({
    row: getComputedStyle(table.querySelector('tbody tr')!).breakInside,
    head: getComputedStyle(table.querySelector('thead')!).display,
    clamp: getComputedStyle(table.querySelector('.desc')!).overflow,
  }));
  expect(style).toEqual({ row: 'avoid', head: 'table-header-group', clamp: 'visible' });
  const problems = await print(page, testInfo, 'problem-ledger');
  expectDocument(problems, '问题台帐', A4_LANDSCAPE);
  // The filter form prints as its conditions.
  expect(problems.pages[0]).toMatch(/筛选条件：\s*办理状态：已受理，待分派/);
  expect(problems.pages.length, 'the ledger fits on one page: no page break is tested').toBeGreaterThan(1);
  for (const [i, text] of problems.pages.entries()) expect(text, `page ${i + 1} repeats the headings`).toContain('查询码 / 状态');
  for (let i = 1; i <= 45; i++) {
    const hits = problems.text.split(`台帐样例${RUN}-${i}：`).length - 1;
    expect(hits, `report ${i} printed once, whole`).toBe(1);
  }

  for (const [path, title, name] of [
    ['/console/ledgers/rectifications', '整改台帐', 'rectification-ledger'],
    ['/console/ledgers/points', '点位台帐', 'point-ledger'],
  ] as const) {
    await page.goto(path);
    await printButtonPrints(page);
    const printed = await print(page, testInfo, name);
    expectDocument(printed, title, A4_LANDSCAPE);
    expect(printed.text, 'an unfiltered ledger prints no conditions').not.toContain('筛选条件');
  }
  expect(fs.existsSync(testInfo.outputPath('problem-ledger-1.png'))).toBe(true);
});
