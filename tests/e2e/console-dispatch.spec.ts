// The office at its desk (1280×720, keyboard and mouse), issue 12: after a dispatch the ticket
// waits for its unit — no 签收 offered to the office, nothing opened first; 代为签收 is its own
// recorded action with a reason, and the resident's tracking page does not read it as the unit's
// 签收 (item 2). The queue dispatches several tickets to one unit at once, each its own event,
// with 交办意见 that reach the ticket page and the dispatch mail (item 9). The console's words
// read plainly (item 10). axe finds nothing on these pages, in both modes.
import fs from 'node:fs';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';
import { axeFindingsInBothModes } from './support/axe-check.ts';
import { apiReport, ensureStaff, loginAs, STAFF, staffApiAs, waitForIslands } from './support/staff.ts';

test.use({ viewport: { width: 1280, height: 720 } });
test.beforeAll(() => ensureStaff());

// The router is sure: dispatched to the traffic police at once.
const CROSSING_REPORT = '府前街与人民路口，机动车经过斑马线不礼让行人，早上送孩子上学的时候特别危险。';
// The router is not sure: these wait in the office's queue (待分派).
const TRIAGE_REPORTS = [
  '小区里有人养狗不拴绳，早上遛狗吓着孩子，物业也不管。',
  '工地晚上十一点还在施工，噪音太大，影响周围居民休息。',
  '楼下烧烤店油烟太大，每天晚上熏得窗户都不敢开。',
  '我家楼上邻居天天半夜唱歌，吵得睡不着觉，说了好几次也不听。',
];

function actionPanel(page: Page) {
  return page.getByRole('complementary', { name: '办理' });
}

async function openTicket(page: Page, code: string): Promise<void> {
  await page.goto(`/console/tickets/${code}`);
  await expect(page.getByRole('heading', { level: 1 })).toContainText(code);
  await waitForIslands(page);
}

/** The dispatch mails written so far (SMTP unset: .eml files under the server's DATA_DIR/mail-out). */
async function dispatchMailsAbout(code: string): Promise<Array<{ to: string; text: string }>> {
  const dir = path.join(process.env['E2E_DATA_DIR'] ?? '', 'mail-out');
  if (!fs.existsSync(dir)) return [];
  const mails = await Promise.all(fs.readdirSync(dir).map(async (f) => simpleParser(fs.readFileSync(path.join(dir, f)))));
  return mails
    .filter((m) => (m.subject ?? '').startsWith('【新问题交办】') && (m.subject ?? '').includes(code))
    .map((m) => ({
      to: [m.to ?? []]
        .flat()
        .map((a) => a.text)
        .join(', '),
      text: m.text ?? '',
    }));
}

test('after dispatch the office is offered no 签收; 代为签收 needs a reason, is the office’s in the timeline, and the resident does not read 责任单位已签收', async ({
  page,
}, testInfo) => {
  const code = await apiReport(page, CROSSING_REPORT);
  await loginAs(page, 'admin');
  await openTicket(page, code);
  await expect(page.getByTestId('ticket-status')).toHaveText('已转交责任单位');
  const panel = actionPanel(page);
  // The ticket waits for its unit: nothing is opened first, and 签收 is not the office's.
  await expect(panel.getByTestId('waiting-note')).toHaveText('工单已派给责任单位，正等单位签收。以下操作只在需要时使用。');
  await expect(panel.getByRole('button', { name: '签收', exact: true })).toHaveCount(0);
  await expect(panel.getByRole('button', { pressed: true })).toHaveCount(0);
  await expect(panel.locator('form')).toHaveCount(0);
  await expect(panel.getByRole('group', { name: '选择要办理的事项' }).getByRole('button')).toHaveText(['改派', '代为签收', '合并']);
  await page.screenshot({ path: testInfo.outputPath('ticket-dispatched-office-1280.png'), fullPage: true });

  // The server refuses the plain 签收 from the office too, and says what to do instead.
  const refused = await page.request.post('/api/trpc/staff.tickets.act', { data: { trackingCode: code, act: { action: 'accept' } } });
  expect(refused.status()).toBe(409);
  expect(((await refused.json()) as { error: { message: string } }).error.message).toBe(
    '签收只能由责任单位办理；单位已用别的方式确认承办的，请用“代为签收”并写明理由。',
  );

  // 代为签收 asks why, and records it as the office's.
  await panel.getByRole('button', { name: '代为签收', exact: true }).click();
  await expect(panel.getByRole('button', { name: '代为签收', exact: true })).toHaveAttribute('aria-pressed', 'true');
  await expect(panel).toContainText('签收应由责任单位在工作台办理');
  await panel.getByRole('button', { name: '确认代为签收' }).click();
  await expect(panel.locator('#acceptOnBehalf-reason-error')).toHaveText('请填写理由（至少2个字）');
  await expect(panel.getByLabel('代为签收的理由')).toBeFocused();
  await panel.getByLabel('代为签收的理由').fill('交警大队在12月3日视频点评会上当场认领');
  await page.screenshot({ path: testInfo.outputPath('ticket-accept-on-behalf-1280.png'), fullPage: true });
  await panel.getByRole('button', { name: '确认代为签收' }).click();

  await expect(page.getByTestId('done-notice')).toHaveText('已代责任单位签收。单位在工作台能看到，登记了邮箱的还会收到邮件告知。');
  await expect(page.getByTestId('ticket-status')).toHaveText('创城办已代责任单位签收');
  const entry = page.locator('.staff-timeline li[data-action="acceptOnBehalf"]');
  await expect(entry).toContainText('代为签收');
  await expect(entry).toContainText(STAFF.admin.name);
  await expect(entry).toContainText('理由：交警大队在12月3日视频点评会上当场认领');
  await expect(entry).toContainText('临城县公安局交通警察大队');
  await expect(entry).toContainText('→ 创城办已代责任单位签收');
  await expect(page.locator('.staff-timeline li[data-action="accept"]')).toHaveCount(0);
  // The unit's turn now; the office waits again.
  await expect(panel.getByTestId('waiting-note')).toHaveText('工单已签收，正等责任单位整改。以下操作只在需要时使用。');

  // The resident's page (on a phone) tells who acknowledged.
  await page.context().clearCookies();
  await page.setViewportSize({ width: 360, height: 740 });
  await page.goto(`/track?code=${code}`);
  await expect(page.locator('.status-badge')).toHaveText('创城办已代责任单位签收');
  const steps = page.locator('.timeline');
  await expect(steps).toContainText('创城办已代临城县公安局交通警察大队签收');
  await expect(steps).not.toContainText('责任单位已签收');
  await page.screenshot({ path: testInfo.outputPath('track-accept-on-behalf-360.png'), fullPage: true });
  expect(await axeFindingsInBothModes(page, [`/track?code=${code}`]), 'axe violations').toEqual([]);
});

test('批量派单: the office ticks tickets in the queue and sends them to one unit with 交办意见, each its own event; one changed meanwhile is named and left alone', async ({
  page,
}, testInfo) => {
  test.setTimeout(240_000);
  const codes: string[] = [];
  for (const text of TRIAGE_REPORTS) codes.push(await apiReport(page, text));
  const [first, second, third, taken] = codes as [string, string, string, string];
  const remarks = '请三日内到现场核实，涉及噪音和油烟的会同社区和环保部门一起处理。';

  await loginAs(page, 'office');
  await page.goto('/console?status=triage');
  const bulk = page.getByRole('form', { name: '批量派单' });
  await expect(bulk).toBeVisible();
  await expect(bulk).toContainText('还没有勾选工单。');
  for (const code of codes) await page.getByRole('checkbox', { name: `勾选工单 ${code}` }).check();
  await expect(bulk).toContainText('已勾选 4 件工单。');
  await bulk.getByLabel('责任单位（牵头）').selectOption('zhujianju');
  await bulk.getByLabel('交办意见').fill(remarks);
  await page.screenshot({ path: testInfo.outputPath('queue-bulk-dispatch-1280.png'), fullPage: true });

  // Meanwhile a colleague dispatches one of them from its own page.
  const colleague = await staffApiAs('admin');
  await colleague.mutate('staff.tickets.act', { trackingCode: taken, act: { action: 'dispatch', unitCode: 'jiaojing' } });
  await colleague.dispose();

  await bulk.getByRole('button', { name: '派出勾选的工单' }).click();
  const ok = page.getByTestId('done-notice');
  await expect(ok).toContainText('已把 3 件工单派给临城县住房和城乡建设局：');
  for (const code of [first, second, third]) await expect(ok).toContainText(code);
  await expect(ok).not.toContainText(taken);
  const refused = page.getByTestId('bulk-refused');
  await expect(refused).toContainText('以下 1 件没有派出，仍保持原样：');
  await expect(refused).toContainText(`${taken}：`);
  await expect(page.getByRole('checkbox', { name: `勾选工单 ${taken}` })).toHaveCount(0); // no longer waiting for dispatch
  for (const code of [first, second, third]) await expect(page.locator(`tr[data-code="${code}"]`)).toHaveCount(0);
  await page.screenshot({ path: testInfo.outputPath('queue-bulk-dispatched-1280.png'), fullPage: true });

  // Each ticket: one dispatch event of its own, by the office, with the 交办意见 for the unit.
  for (const code of [first, second, third]) {
    await openTicket(page, code);
    await expect(page.getByTestId('ticket-unit')).toHaveText('临城县住房和城乡建设局');
    await expect(page.getByTestId('dispatch-remarks')).toContainText(remarks);
    const dispatched = page.locator('.staff-timeline li[data-action="dispatch"]');
    await expect(dispatched).toHaveCount(1);
    await expect(dispatched).toContainText(STAFF.office.name);
    await expect(dispatched).toContainText(`交办意见${remarks}`);
  }
  await page.screenshot({ path: testInfo.outputPath('ticket-with-remarks-1280.png'), fullPage: true });

  // The worker tells the unit, one mail per ticket, with the 交办意见.
  await expect.poll(async () => (await dispatchMailsAbout(first)).length, { timeout: 150_000, intervals: [2_000] }).toBeGreaterThan(0);
  const [mail] = await dispatchMailsAbout(first);
  expect(mail!.to).toContain('zhujianju@lincheng.example.cn');
  expect(mail!.text).toContain('交办意见');
  expect(mail!.text).toContain(remarks);

  expect(
    await axeFindingsInBothModes(page, ['/console?status=all', `/console/tickets/${first}`], async (p) => {
      if (p.url().includes('/tickets/')) await waitForIslands(p);
    }),
    'axe violations',
  ).toEqual([]);
});

test('the dispatch form on the ticket page sends 交办意见 with the chosen unit; the console reads 匹配度 and plain notices', async ({
  page,
}) => {
  const code = await apiReport(page, '西关农贸市场门口的垃圾堆了好几天没人清理，气味很大，摊位也占到了路上。');
  await loginAs(page, 'office');
  await expect(page.locator(`tr[data-code="${code}"]`)).toContainText(/匹配度 \d+%/);
  await expect(page.locator('main')).not.toContainText('把握');
  await openTicket(page, code);
  const panel = actionPanel(page);
  await expect(panel.getByTestId('dispatch-suggestion')).toContainText(/匹配度 \d+%/);
  await expect(page.locator('main')).not.toContainText('把握');
  await panel.getByLabel('交办意见').fill('市场门口垃圾请当天清运，摊位退回市场内。');
  await panel.getByRole('button', { name: '采纳系统建议并派单' }).click();
  await expect(page.getByTestId('done-notice')).toHaveText(
    '已派单。责任单位在工作台就能看到这件工单，登记了邮箱的还会收到邮件，登记了值班手机的还会收到短信。',
  );
  await expect(page.getByTestId('dispatch-remarks')).toContainText('市场门口垃圾请当天清运，摊位退回市场内。');
});
