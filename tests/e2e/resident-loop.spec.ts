// Issue 15, done when: the resident's loop closed, end to end on phones (360 px). A resident
// reports on the form with a mobile number and a photo → the acceptance text with the code is in
// the SMS outbox file → a second resident at the same point sees the open problem (never its
// description) and joins it with 我也遇到了 → the office dispatches, the unit rectifies with an
// after-photo, the office verifies, rewriting the summary residents will read → the closing text
// links to the tracking page → it shows the summary, the before and after photos and the closing
// date → the resident answers "没有解决, 不满意" → the ticket is back in the office's queue and
// the unit's satisfaction in this month's report counts the answer. Its own point and category:
// 建设路商业街 (frontage-jianshe), 门前卫生（包净化）.
import type { Page } from '@playwright/test';
import { expect, jpegPhoto, test, waitForIsland } from './fixtures.ts';
import { expectNoAxeViolations } from './support/axe.ts';
import { smsLines, type SmsLine } from './support/sms-outbox.ts';
import { ensureStaff, expectNoSideways, loginAs, rectifyThroughApi, STAFF, staffApiAs } from './support/staff.ts';

test.beforeAll(() => ensureStaff());

const POINT = 'frontage-jianshe';
const CATEGORY = 'frontage.cleanliness';
const PHONE_A = '13900135790';
const PHONE_B = '13900135791';
const DESCRIPTION = '建设路商业街“老王烟酒”门口堆了好几天的纸箱和垃圾，店主王建国说没人来收，路过都得绕着走。';
const UNIT_TEXT = '已督促商户王建国清理门前纸箱垃圾，并签订门前五包责任书，联系电话13700002580。';
const PUBLIC_TEXT = '已督促商户清理门前纸箱和垃圾，并签订门前五包责任书。';

interface FollowUpRow {
  unit: { code: string } | null;
  reached: number;
  satisfied: number;
  fair: number;
  unsatisfied: number;
  online: number;
  satisfactionRate: number | null;
}

async function pickCategoryAndPoint(page: Page): Promise<void> {
  await page.getByLabel('问题类别').selectOption(CATEGORY);
  await page.getByLabel('选择附近的点位').selectOption(POINT);
}

/** The outbox line of this kind for the code, once the worker has sent it. */
async function smsFor(code: string, kind: string, to: string): Promise<SmsLine> {
  const find = () => smsLines().find((l) => l.trackingCode === code && l.kind === kind && l.to === to) ?? null;
  await expect.poll(find, { timeout: 30_000 }).not.toBeNull();
  return find()!;
}

test('report with a mobile → SMS → me too → rectified and verified → "没有解决, 不满意" reopens it and counts for the unit', async ({
  browser,
  page,
  consoleErrors,
}, testInfo) => {
  test.setTimeout(180_000);
  consoleErrors.allow(/status of 400/);

  // 1. Resident A reports on the form, with a photo and a mobile number.
  await page.goto('/report');
  await waitForIsland(page);
  await page.getByLabel('问题描述').fill(DESCRIPTION);
  await pickCategoryAndPoint(page);
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: '添加照片' }).click();
  await (await chooser).setFiles([{ name: 'boxes.jpg', mimeType: 'image/jpeg', buffer: await jpegPhoto({ r: 150, g: 110, b: 70 }) }]);
  await expect(page.getByText('✓ 已上传')).toHaveCount(1);
  await page.getByLabel('手机或电话').fill('139 0013 5790');
  await page.getByRole('button', { name: '提交反映' }).click();
  await page.waitForURL(/\/track\?code=[^&]+&new=1$/);
  const code = (await page.getByTestId('new-tracking-code').textContent())?.trim() ?? '';
  expect(code).not.toBe('');

  // 2. The acceptance text with the code, in the outbox file.
  const accepted = await smsFor(code, 'reporter-accepted', PHONE_A);
  expect(accepted.text).toContain(`查询码${code}`);

  // 3. Resident B at the same point sees the open problem and joins it.
  const phoneB = await browser.newContext({ viewport: page.viewportSize()!, isMobile: true, hasTouch: true });
  const b = await phoneB.newPage();
  await b.goto('/report');
  await waitForIsland(b);
  await pickCategoryAndPoint(b);
  const nearby = b.getByRole('region', { name: '附近已有人反映了同类问题' });
  const item = nearby.getByRole('listitem');
  await expect(item).toHaveCount(1);
  await expect(item).toContainText('建设路商业街');
  await expect(b.locator('body')).not.toContainText('王建国');
  await expect(b.locator('body')).not.toContainText(code);
  await expectNoSideways(b);
  await item.getByRole('button', { name: '我也遇到了' }).click();
  await item.getByLabel(/手机号码/).fill(PHONE_B);
  await item.getByRole('button', { name: '确认，我也遇到了' }).click();
  await b.waitForURL(/\/track\?code=[^&]+&new=1&joined=1$/);
  await expect(b.getByTestId('new-tracking-code')).toHaveText(code);
  await phoneB.close();

  // 4. The office dispatches to 住建局; the unit rectifies with an after-photo.
  await rectifyThroughApi(code, 'zhujian', UNIT_TEXT, await jpegPhoto({ r: 70, g: 170, b: 100 }));
  const office = await staffApiAs('office');

  // 5. The office verifies on the verification page, rewriting what residents read.
  const officePhone = await browser.newContext({ viewport: page.viewportSize()!, isMobile: true, hasTouch: true });
  const o = await officePhone.newPage();
  await loginAs(o, 'office');
  await o.goto('/console/verify');
  const card = o.locator(`.verify-card[data-code="${code}"]`);
  const summary = card.getByLabel('向群众公开的整改情况');
  await expect(summary).toHaveValue(UNIT_TEXT);
  await summary.fill(PUBLIC_TEXT);
  await card.getByRole('button', { name: `核验通过，销号：工单 ${code}` }).tap();
  await expect(o.getByTestId('done-notice')).toContainText(`工单 ${code} 已核验销号`);
  await officePhone.close();

  // 6. The closing text links to the tracking page; both residents are told.
  const closed = await smsFor(code, 'reporter-closed', PHONE_A);
  await smsFor(code, 'reporter-closed', PHONE_B);
  const link = new URL(closed.params['link'] ?? '');
  expect(link.pathname + link.search).toBe(`/track?code=${code}`);

  const month = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' }).format(new Date());
  const unitFollowUps = async () =>
    (await office.query<{ followUps: FollowUpRow[] }>('ledgers.monthlyReport', { month })).followUps.find(
      (f) => f.unit?.code === 'zhujianju',
    );
  const before = await unitFollowUps();

  // 7. The resident follows the link: summary, before and after photos, closing date — nothing personal.
  await page.context().clearCookies();
  await page.goto(link.pathname + link.search);
  const outcome = page.getByTestId('outcome');
  await expect(outcome.getByTestId('outcome-summary')).toHaveText(PUBLIC_TEXT);
  await expect(outcome).toContainText(/办结日期：\d{4}年\d{1,2}月\d{1,2}日/);
  await expect(outcome.getByTestId('outcome-before').locator('img')).toHaveCount(1);
  await expect(outcome.getByTestId('outcome-after').locator('img')).toHaveCount(1);
  for (const img of await outcome.locator('img').all())
    await expect.poll(() => img.evaluate((i: HTMLImageElement) => i.naturalWidth)).toBeGreaterThan(0);
  const text = await page.locator('body').innerText();
  for (const personal of ['王建国', '13700002580', PHONE_A, PHONE_B, STAFF.office.name]) expect(text).not.toContain(personal);
  await expectNoSideways(page);
  await expectNoAxeViolations(page, 'the tracking page of a closed ticket');

  // 8. "没有解决, 不满意".
  const form = page.getByTestId('follow-up');
  await form.getByLabel('没有解决').check();
  await form.getByLabel('不满意', { exact: true }).check();
  await form.getByLabel('您的意见').fill('纸箱又堆起来了。');
  await form.getByLabel('手机号码后四位').fill(PHONE_A.slice(-4));
  await form.getByRole('button', { name: '提交回答' }).tap();
  await expect(page.getByTestId('answer-done')).toContainText('已经转回创城办重新办理');
  await page.screenshot({ path: testInfo.outputPath('resident-loop-answered-360.png'), fullPage: true });

  // 9. Back in the office's queue; the unit's satisfaction counts the online answer.
  try {
    const queue = await office.query<{ items: Array<{ trackingCode: string }> }>('staff.tickets.list', { statuses: ['reopened'] });
    expect(queue.items.map((i) => i.trackingCode)).toContain(code);
    const now = await unitFollowUps();
    expect(now?.reached).toBe((before?.reached ?? 0) + 1);
    expect(now?.unsatisfied).toBe((before?.unsatisfied ?? 0) + 1);
    expect(now?.online).toBe((before?.online ?? 0) + 1);
    const rate = (r: FollowUpRow) => (r.satisfied + r.fair) / r.reached;
    expect(now?.satisfactionRate).toBeCloseTo(rate(now!), 6);
    if (before && before.reached > 0 && before.satisfied + before.fair > 0)
      expect(now!.satisfactionRate!).toBeLessThan(before.satisfactionRate!);
    if (!before || before.reached === 0) expect(now?.satisfactionRate).toBe(0);
  } finally {
    await office.dispose();
  }
});
