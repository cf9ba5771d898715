// The three ledgers (三本帐) and the monthly report (工作月报) at 1280 px: a report handled from
// dispatch to 销号 (with a send-back on the way) shows in the problem, rectification and point
// ledgers; the office filters the problem ledger by unit and downloads it as a real .xlsx (read
// back with read-excel-file: Chinese headers, the row, only that unit); a unit sees its own rows
// only, whatever the address asks for; bad filters get the schemas' Chinese messages; the
// monthly report renders for the office and is refused to units.
//
// playwright.config.ts gives the desktop project only console*.spec.ts, so this file sets the
// desktop viewport itself (1280×800, no touch) wherever it runs.
import fs from 'node:fs';
import type { Page } from '@playwright/test';
import { readSheet } from 'read-excel-file/node';
import { expect, jpegPhoto, test } from './fixtures.ts';
import { apiReport, ensureStaff, expectNoSideways, loginAs, waitForIslands } from './support/staff.ts';

test.use({ viewport: { width: 1280, height: 800 }, isMobile: false, hasTouch: false, deviceScaleFactor: 1 });
test.describe.configure({ mode: 'serial' });

// At an intersection point: the router sends it straight to the traffic police (县交警大队).
const POINT_ID = 'intersection-zhongxing-jianshe';
const POINT_NAME = '中兴大街与建设路交叉口';
const CROSSING_REPORT = '中兴大街和建设路交叉口，机动车经过斑马线从来不礼让行人，电动车还经常闯红灯逆行，接孩子放学很危险';
// The router is unsure: it waits in the office's queue, with no unit.
const TRIAGE_REPORT = '西关农贸市场门口的垃圾堆了好几天没人清理，气味很大，摊位也占到了路上。';

let handled = '';
let waiting = '';

test.beforeAll(() => ensureStaff());

async function reportAtPoint(page: Page, description: string, pointId: string): Promise<string> {
  const response = await page.request.post('/api/trpc/report.submit', {
    data: { description, pointId, idempotencyKey: crypto.randomUUID() },
    headers: { 'content-type': 'application/json' },
  });
  expect(response.ok(), await response.text()).toBe(true);
  return ((await response.json()) as { result: { data: { trackingCode: string } } }).result.data.trackingCode;
}

/** The unit reports its rectification on the ticket page, with an after-photo or saying why it has none. */
async function reportRectification(page: Page, code: string, text: string, withPhoto: boolean): Promise<void> {
  await page.goto(`/console/tickets/${code}`);
  await waitForIslands(page);
  const panel = page.getByRole('complementary', { name: '办理' });
  await panel.getByRole('button', { name: '反馈整改结果', exact: true }).click();
  await panel.getByLabel('整改情况').fill(text);
  if (withPhoto) {
    const chooser = page.waitForEvent('filechooser');
    await panel.getByRole('button', { name: '添加整改后照片' }).click();
    await (await chooser).setFiles({ name: 'after.jpg', mimeType: 'image/jpeg', buffer: await jpegPhoto({ r: 40, g: 150, b: 70 }) });
    await expect(panel.getByText('✓ 已上传')).toHaveCount(1);
  } else {
    await panel.getByLabel('确实拍不了整改后照片').check();
    await panel.getByLabel('拍不了照片的原因').fill('违规只在早晚高峰出现，现场没有能拍出来的变化。');
  }
  await panel.getByRole('button', { name: '提交整改结果' }).click();
  await expect(page.getByTestId('done-notice')).toContainText('整改结果已提交');
}

/** Every value of one column of the ledger table on screen. */
async function column(page: Page, index: number): Promise<string[]> {
  return page.locator(`table.ledger-table tbody tr td:nth-child(${index})`).allInnerTexts();
}

test('a report handled to 销号 (sent back once) shows in the three ledgers', async ({ page }, testInfo) => {
  handled = await reportAtPoint(page, CROSSING_REPORT, POINT_ID);
  waiting = await apiReport(page, TRIAGE_REPORT);

  // While it is open, the point ledger lists it at its point.
  await loginAs(page, 'office');
  await page.getByRole('navigation', { name: '工作台导航' }).getByRole('link', { name: '三本帐' }).click();
  await expect(page).toHaveURL(/\/console\/ledgers\/problems$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('问题台帐');
  await page.getByRole('navigation', { name: '三本帐' }).getByRole('link', { name: '点位台帐' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('点位台帐');
  const point = page.locator(`tr[data-point="${POINT_ID}"]`);
  await expect(point).toContainText(POINT_NAME);
  await expect(point).toContainText('交通路口');
  await expect(point).toContainText('县交警大队');
  await expect(point.getByRole('link', { name: handled })).toHaveAttribute('href', `/console/tickets/${handled}`);
  await page.getByLabel('未办结问题', { exact: true }).selectOption('yes');
  await page.getByRole('button', { name: '筛选' }).click();
  await expect(page).toHaveURL(/hasOpenProblems=yes/);
  await expect(point).toBeVisible();
  // A point no e2e test reports at (the tests share one server): filtered out.
  await expect(page.locator('tr[data-point="compound-nantai-village"]')).toHaveCount(0);
  await expectNoSideways(page);
  await page.screenshot({ path: testInfo.outputPath('point-ledger-1280.png'), fullPage: true });

  // The traffic police rectify; the office sends it back once, then strikes it off.
  await loginAs(page, 'jiaojing');
  await page
    .locator(`[data-group="acknowledge"] tr[data-code="${handled}"]`)
    .getByRole('button', { name: `签收 工单 ${handled}` })
    .click();
  await expect(page.getByTestId('done-notice')).toContainText(`已签收工单 ${handled}`);
  await reportRectification(page, handled, '已在路口增设礼让行人提示牌，安排交警早晚高峰在路口执勤。', false);
  await loginAs(page, 'office');
  await page.goto('/console/verify');
  const card = page.locator(`.verify-card[data-code="${handled}"]`);
  await card.getByLabel('退回理由').fill('没有整改后的照片，无法核实提示牌已安装，请补充照片');
  await card.getByRole('button', { name: `退回重新整改：工单 ${handled}` }).click();
  await expect(page.getByTestId('done-notice')).toContainText(`工单 ${handled} 已退回责任单位重新整改`);
  await loginAs(page, 'jiaojing');
  await reportRectification(page, handled, '提示牌已安装到位，斑马线已重新施划，附整改后照片。', true);
  await loginAs(page, 'office');
  await page.goto('/console/verify');
  await page
    .locator(`.verify-card[data-code="${handled}"]`)
    .getByRole('button', { name: `核验通过，销号：工单 ${handled}` })
    .click();
  await expect(page.getByTestId('done-notice')).toContainText(`工单 ${handled} 已核验销号`);

  // The problem ledger: the ticket, closed, with its point and unit; the triage one without a unit.
  await page.goto('/console/ledgers/problems');
  const row = page.locator(`tr[data-code="${handled}"]`);
  await expect(row).toContainText('已办结');
  await expect(row).toContainText(POINT_NAME);
  await expect(row).toContainText('县交警大队');
  await expect(row.getByRole('link', { name: handled })).toHaveAttribute('href', `/console/tickets/${handled}`);
  await expect(page.locator(`tr[data-code="${waiting}"]`)).toContainText('待分派');
  await expectNoSideways(page);
  await page.screenshot({ path: testInfo.outputPath('problem-ledger-1280.png'), fullPage: true });

  // The rectification ledger: two reports, the first sent back with its reason, the second struck off.
  await page.getByRole('navigation', { name: '三本帐' }).getByRole('link', { name: '整改台帐' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('整改台帐');
  const first = page.locator(`tr[data-code="${handled}"][data-round="1"]`);
  const second = page.locator(`tr[data-code="${handled}"][data-round="2"]`);
  await expect(first).toContainText('已退回');
  await expect(first).toContainText('理由：没有整改后的照片');
  await expect(first).toContainText('无');
  await expect(first).toContainText('按期');
  await expect(second).toContainText('已销号');
  await expect(second).toContainText('1 张');
  await expect(second).toContainText('斑马线已重新施划');
  await page.getByLabel('核验结果', { exact: true }).selectOption('verified');
  await page.getByRole('button', { name: '筛选' }).click();
  await expect(second).toBeVisible();
  await expect(first).toHaveCount(0);
  await page.getByLabel('核验结果', { exact: true }).selectOption('');
  await page.getByRole('button', { name: '筛选' }).click();
  await expectNoSideways(page);
  await page.screenshot({ path: testInfo.outputPath('rectification-ledger-1280.png'), fullPage: true });

  // Struck off, it has left the point's open problems.
  await page.goto(`/console/ledgers/points?typeCode=intersection`);
  await expect(page.locator(`tr[data-point="${POINT_ID}"]`)).not.toContainText(handled);
});

test('the office filters the problem ledger by unit and downloads it as a real .xlsx', async ({ page }) => {
  await loginAs(page, 'office');
  await page.goto('/console/ledgers/problems');
  await expect(page.locator(`tr[data-code="${waiting}"]`)).toBeVisible();
  await page.getByLabel('牵头单位', { exact: true }).selectOption('jiaojing');
  await page.getByRole('button', { name: '筛选' }).click();
  await expect(page).toHaveURL(/unitCode=jiaojing/);
  await expect(page.getByLabel('牵头单位', { exact: true })).toHaveValue('jiaojing');
  await expect(page.locator(`tr[data-code="${handled}"]`)).toBeVisible();
  await expect(page.locator(`tr[data-code="${waiting}"]`)).toHaveCount(0);
  const units = await column(page, 4);
  expect(units.length).toBeGreaterThan(0);
  for (const unit of units) expect(unit).toMatch(/^县交警大队/);
  const total = Number(/共 (\d+) 件/.exec((await page.getByTestId('ledger-total').textContent()) ?? '')?.[1]);
  expect(total).toBeGreaterThanOrEqual(1);

  const xlsx = page.getByRole('link', { name: '导出Excel' });
  expect(decodeURIComponent((await xlsx.getAttribute('href')) ?? '')).toBe('/api/ledgers/problems.xlsx?filter={"unitCode":"jiaojing"}');
  expect(decodeURIComponent((await page.getByRole('link', { name: '导出CSV' }).getAttribute('href')) ?? '')).toBe(
    '/api/ledgers/problems.csv?filter={"unitCode":"jiaojing"}',
  );
  const downloading = page.waitForEvent('download');
  await xlsx.click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^问题台帐-\d{4}-\d{2}-\d{2}\.xlsx$/);
  const rows = await readSheet(fs.readFileSync(await download.path()));
  const header = rows[0]!.map(String);
  expect(header).toEqual(expect.arrayContaining(['查询码', '受理时间', '问题类别', '办理状态', '牵头单位', '整改期限', '是否逾期']));
  const codeAt = header.indexOf('查询码');
  const unitAt = header.indexOf('牵头单位');
  const statusAt = header.indexOf('办理状态');
  const receivedAt = header.indexOf('受理时间');
  const body = rows.slice(1);
  expect(body).toHaveLength(total);
  const mine = body.find((r) => r[codeAt] === handled);
  expect(mine, `${handled} in the spreadsheet`).toBeDefined();
  expect(mine![statusAt]).toBe('已办结');
  expect(mine![receivedAt]).toBeInstanceOf(Date);
  for (const r of body) expect(r[unitAt]).toBe('县交警大队');
  expect(body.some((r) => r[codeAt] === waiting)).toBe(false);
});

test('a unit sees only its own unit’s rows, whatever the address asks for', async ({ page }) => {
  await loginAs(page, 'jiaojing');
  await page.getByRole('navigation', { name: '工作台导航' }).getByRole('link', { name: '三本帐' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('问题台帐');
  await expect(page.getByRole('navigation', { name: '工作台导航' }).getByRole('link', { name: '工作月报' })).toHaveCount(0);
  await expect(page.getByLabel('牵头单位', { exact: true })).toHaveCount(0);
  await expect(page.locator('.filter-scope')).toContainText('临城县公安局交通警察大队');
  await expect(page.locator(`tr[data-code="${handled}"]`)).toBeVisible();
  await expect(page.locator(`tr[data-code="${waiting}"]`)).toHaveCount(0);
  for (const unit of await column(page, 4)) expect(unit).toMatch(/^县交警大队/);

  // Asking for another unit in the address changes nothing: the server keeps the unit's own.
  await page.goto('/console/ledgers/problems?unitCode=fagaiju');
  await expect(page.locator(`tr[data-code="${handled}"]`)).toBeVisible();
  for (const unit of await column(page, 4)) expect(unit).toMatch(/^县交警大队/);
  const response = await page.request.get(
    '/api/ledgers/problems.xlsx?filter=' + encodeURIComponent(JSON.stringify({ unitCode: 'fagaiju' })),
  );
  expect(response.ok()).toBe(true);
  const rows = await readSheet(await response.body());
  const unitAt = rows[0]!.map(String).indexOf('牵头单位');
  expect(rows.length).toBeGreaterThan(1);
  for (const r of rows.slice(1)) expect(r[unitAt]).toBe('县交警大队');

  // The unit's points and its rectifications only.
  await page.goto('/console/ledgers/points');
  for (const unit of await column(page, 3)) expect(unit).toBe('县交警大队');
  await expect(page.locator(`tr[data-point="${POINT_ID}"]`)).toBeVisible();
  await page.goto('/console/ledgers/rectifications');
  await expect(page.locator(`tr[data-code="${handled}"]`)).toHaveCount(2);

  // Another unit does not see the traffic police's ticket at all.
  await loginAs(page, 'zhujian');
  await page.goto('/console/ledgers/problems');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('问题台帐');
  await expect(page.locator(`tr[data-code="${handled}"]`)).toHaveCount(0);
  await page.goto('/console/ledgers/rectifications');
  await expect(page.locator(`tr[data-code="${handled}"]`)).toHaveCount(0);
});

test('a bad filter gets the schema’s Chinese message, and no table', async ({ page, consoleErrors }) => {
  consoleErrors.allow(/status of 400/);
  await loginAs(page, 'office');
  const response = await page.goto('/console/ledgers/problems?dateFrom=2026-12-01&dateTo=2026-11-01');
  expect(response?.status()).toBe(400);
  const summary = page.getByTestId('filter-errors');
  await expect(summary).toContainText('结束日期：开始日期不能晚于结束日期');
  await expect(page.locator('#lf-dateTo')).toHaveValue('2026-11-01');
  await expect(page.locator('.field.has-error')).toContainText('开始日期不能晚于结束日期');
  await expect(page.locator('table.ledger-table')).toHaveCount(0);
  await expect(page.getByRole('link', { name: '导出Excel' })).toHaveCount(0);

  await page.goto('/console/ledgers/rectifications?outcome=lost&dateFrom=2026-02-30x');
  await expect(page.getByTestId('filter-errors')).toContainText('核验结果不正确');
  await expect(page.getByTestId('filter-errors')).toContainText('日期格式应为 2026-11-30');
  await page.goto('/console/ledgers/problems?page=0');
  await expect(page.getByTestId('filter-errors')).toContainText('页码从 1 开始');
});

test('the monthly report renders for the office and leaders, and is refused to units', async ({ page, consoleErrors }, testInfo) => {
  consoleErrors.allow(/status of 403/);
  consoleErrors.allow(/status of 400/);
  const month = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 7);
  const [y, m] = month.split('-').map(Number) as [number, number];
  const previous = m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;

  await loginAs(page, 'office');
  await page.getByRole('navigation', { name: '工作台导航' }).getByRole('link', { name: '工作月报' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('工作月报');
  // Owed by the 5th: it opens on the previous month.
  await expect(page.getByLabel('月份', { exact: true })).toHaveValue(previous);
  await expect(page.locator('#report-title')).toHaveText(`${previous.slice(0, 4)}年${Number(previous.slice(5))}月工作月报`);

  await page.getByLabel('月份', { exact: true }).fill(month);
  await page.getByRole('button', { name: '查看' }).click();
  await expect(page).toHaveURL(new RegExp(`month=${month}$`));
  await expect(page.locator('.monthly-report .notice')).toContainText('本月尚未结束');
  const figures = page.getByTestId('report-figures');
  await expect(figures).toContainText('受理问题');
  await expect(figures).toContainText('按期整改率');
  await expect(page.getByTestId('by-unit').locator('tbody tr', { hasText: '县交警大队' })).toBeVisible();
  await expect(page.getByTestId('by-category')).toContainText('合计');
  await expect(page.getByTestId('report-closed').locator(`tr[data-code="${handled}"]`)).toContainText('县交警大队');
  await expectNoSideways(page);
  await page.screenshot({ path: testInfo.outputPath('monthly-report-1280.png'), fullPage: true });

  const xlsx = page.getByRole('link', { name: '导出Excel' });
  await expect(xlsx).toHaveAttribute('href', `/api/ledgers/monthly-report/${month}.xlsx`);
  const downloading = page.waitForEvent('download');
  await xlsx.click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe(`工作月报-${month}.xlsx`);
  const overview = await readSheet(fs.readFileSync(await download.path()));
  expect(overview[0]).toEqual(['项目', '数值']);
  expect(overview.map((r) => r[0])).toEqual(expect.arrayContaining(['受理问题', '办结问题', '按期整改率', '月末逾期']));

  // A month not begun, or not a month, is explained in Chinese.
  await page.goto('/console/monthly-report?month=2999-01');
  await expect(page.locator('#month-error')).toContainText('该月份尚未开始');
  await page.goto('/console/monthly-report?month=2026-13');
  await expect(page.locator('#month-error')).toContainText('月份格式应为 2026-11');

  await loginAs(page, 'leader');
  await page.goto(`/console/monthly-report?month=${month}`);
  await expect(page.locator('#report-title')).toBeVisible();

  await loginAs(page, 'jiaojing');
  const refused = await page.goto('/console/monthly-report');
  expect(refused?.status()).toBe(403);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('无权访问');
});
