// The resident's loop closed (issue 15 items 2 and 3), on a phone (360 px): once the office has
// verified the rectification — rewriting at 销号 what residents read, since the unit wrote a phone
// number — the tracking page shows that summary, the after-photo beside the resident's photo and
// the closing date; the resident answers "没有解决, 不满意" with the last four digits of the phone
// given, a plain form, and the ticket is back in the office's queue. Own point and category:
// 民主街胡同, 背街小巷环境.
import { expect, jpegPhoto, test } from './fixtures.ts';
import { axeFindingsInBothModes } from './support/axe-check.ts';
import { ensureStaff, loginAs, rectifyThroughApi, STAFF, staffApiAs } from './support/staff.ts';

test.beforeAll(() => ensureStaff());

const PHONE = '13900002468';
const DESCRIPTION = '民主街胡同口的垃圾桶满了好几天没人清，垃圾撒了一地，味道很大。';
const UNIT_TEXT = '已清运胡同口垃圾并增设垃圾桶一个，联系人刘建华 13700001357。';
const PUBLIC_TEXT = '已清运胡同口垃圾，并增设垃圾桶一个。';
const EDITED_TEXT = '已清运胡同口垃圾，增设垃圾桶一个，每天早晚各清运一次。';

test('a closed ticket shows what was done, and "没有解决, 不满意" puts it back with the office', async ({
  page,
  consoleErrors,
}, testInfo) => {
  test.setTimeout(120_000);
  // The wrong last four digits re-render the page with status 400.
  consoleErrors.allow(/status of 400/);

  // The resident's report with a photo and a phone number, through the public API.
  const upload = await page.request.post('/api/uploads', {
    multipart: { file: { name: 'before.jpg', mimeType: 'image/jpeg', buffer: await jpegPhoto({ r: 120, g: 100, b: 60 }) } },
  });
  expect(upload.ok(), await upload.text()).toBe(true);
  const beforeId = ((await upload.json()) as { id: string }).id;
  const submitted = await page.request.post('/api/trpc/report.submit', {
    data: {
      description: DESCRIPTION,
      category: 'backstreet.environment',
      pointId: 'backstreet-minzhu-hutong',
      reporter: { phone: PHONE },
      photoIds: [beforeId],
      idempotencyKey: crypto.randomUUID(),
    },
  });
  expect(submitted.ok(), await submitted.text()).toBe(true);
  const code = ((await submitted.json()) as { result: { data: { trackingCode: string } } }).result.data.trackingCode;

  // The office hands it to 住建局, which reports the rectification with an after-photo.
  await rectifyThroughApi(code, 'zhujian', UNIT_TEXT, await jpegPhoto({ r: 60, g: 160, b: 90 }));
  const office = await staffApiAs('office');

  // Before verification the public page shows nothing of the unit's text.
  await page.goto(`/track?code=${code}`);
  await expect(page.getByTestId('outcome')).toHaveCount(0);
  await expect(page.locator('body')).not.toContainText('刘建华');

  // The office verifies on the verification page, rewriting what residents will read.
  await loginAs(page, 'office');
  await page.goto('/console/verify');
  const card = page.locator(`.verify-card[data-code="${code}"]`);
  const summary = card.getByLabel('向群众公开的整改情况');
  await expect(summary).toHaveValue(UNIT_TEXT);
  await summary.fill(PUBLIC_TEXT);
  await card.getByRole('button', { name: `核验通过，销号：工单 ${code}` }).tap();
  await expect(page.getByTestId('done-notice')).toContainText(`工单 ${code} 已核验销号`);

  // Later, on the ticket's page, the office edits it once more (recorded in the timeline).
  await page.goto(`/console/tickets/${code}`);
  const edit = page.getByTestId('public-summary');
  await expect(edit.getByLabel(/向群众公开的整改情况/)).toHaveValue(PUBLIC_TEXT);
  await edit.getByLabel(/向群众公开的整改情况/).fill(EDITED_TEXT);
  await edit.getByRole('button', { name: '保存修改' }).tap();
  await expect(page.getByTestId('public-summary')).toContainText('已保存');
  await expect(page.locator('.staff-timeline li[data-action="editPublicSummary"]')).toHaveCount(1);

  // The resident, signed out, follows the closing message's link.
  await page.context().clearCookies();
  await page.goto(`/track?code=${code}`);
  const outcome = page.getByTestId('outcome');
  await expect(outcome.getByTestId('outcome-summary')).toHaveText(EDITED_TEXT);
  await expect(outcome).toContainText(/办结日期：\d{4}年\d{1,2}月\d{1,2}日/);
  await expect(outcome.getByTestId('outcome-before').locator('img')).toHaveCount(1);
  await expect(outcome.getByTestId('outcome-after').locator('img')).toHaveCount(1);
  for (const img of await outcome.locator('img').all())
    await expect.poll(() => img.evaluate((i: HTMLImageElement) => i.naturalWidth)).toBeGreaterThan(0);
  const body = await page.locator('body').innerText();
  for (const personal of ['刘建华', '13700001357', PHONE, '2468', STAFF.office.name]) expect(body).not.toContain(personal);
  await page.screenshot({ path: testInfo.outputPath('track-closed-360.png'), fullPage: true });
  expect(await axeFindingsInBothModes(page, [`/track?code=${code}`]), 'axe violations').toEqual([]);
  await page.goto(`/track?code=${code}`);

  // "Fixed?" — a wrong last four first, then the right ones: 没有解决, 不满意.
  const form = page.getByTestId('follow-up');
  await page.getByRole('link', { name: '问题解决了吗？请告诉我们 ↓' }).tap();
  await form.getByLabel('没有解决').check();
  await form.getByLabel('不满意', { exact: true }).check();
  await form.getByLabel('您的意见').fill('垃圾桶又满了，还是没人清。');
  await form.getByLabel('手机号码后四位').fill('1111');
  await form.getByRole('button', { name: '提交回答' }).tap();
  await expect(page.getByTestId('answer-problem')).toContainText('手机号码后四位不对');
  await expect(form.getByLabel('没有解决')).toBeChecked();
  await form.getByLabel('手机号码后四位').fill(PHONE.slice(-4));
  await form.getByRole('button', { name: '提交回答' }).tap();
  await expect(page.getByTestId('answer-done')).toContainText('已经转回创城办重新办理');
  await expect(page.locator('.status-badge')).toHaveText('重新办理中');
  await page.screenshot({ path: testInfo.outputPath('track-answered-360.png'), fullPage: true });

  // Back in the office's queue, the resident's words in the follow-up record.
  try {
    const detail = await office.query<{ status: string; followUps: Array<{ channel: string; comment: string | null }> }>(
      'staff.tickets.get',
      {
        trackingCode: code,
      },
    );
    expect(detail.status).toBe('reopened');
    expect(detail.followUps).toEqual([expect.objectContaining({ channel: 'online', comment: '垃圾桶又满了，还是没人清。' })]);
    const queue = await office.query<{ items: Array<{ trackingCode: string }> }>('staff.tickets.list', { statuses: ['reopened'] });
    expect(queue.items.map((i) => i.trackingCode)).toContain(code);
    // The unit's satisfaction in this month's report counts the online answer (网上回访).
    const month = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' }).format(new Date());
    const report = await office.query<{
      followUps: Array<{ unit: { code: string } | null; online: number; unsatisfied: number; reached: number }>;
    }>('ledgers.monthlyReport', { month });
    const zhujian = report.followUps.find((f) => f.unit?.code === 'zhujianju');
    expect(zhujian?.online).toBeGreaterThanOrEqual(1);
    expect(zhujian?.unsatisfied).toBeGreaterThanOrEqual(1);
  } finally {
    await office.dispose();
  }
});
