// A resident who leaves a mobile number hears by text message (issue 15, item 1): with no SMS
// provider set, the worker writes the acceptance with the tracking code as a line of
// DATA_DIR/sms-out/outbox.jsonl — the number in it, never on the public page — and the office
// reads on the ticket's 通知记录 that the resident was told, with the number masked.
import { expect, test, waitForIsland } from './fixtures.ts';
import { smsLines } from './support/sms-outbox.ts';
import { ensureStaff, loginAs } from './support/staff.ts';

test.beforeAll(() => ensureStaff());

test('a report with a mobile number gives an SMS line with the tracking code', async ({ page }) => {
  await page.goto('/report');
  await waitForIsland(page);
  await page.getByLabel('问题描述').fill('东关小学北门外的人行道上有一个井盖松动了，踩上去会响，孩子们放学经过很危险。');
  await page.getByLabel('手机或电话').fill('139 0000 7788');
  await page.getByRole('button', { name: '提交反映' }).click();
  await page.waitForURL(/\/track\?code=/);
  const code = (await page.getByTestId('new-tracking-code').textContent())?.trim() ?? '';
  expect(code).not.toBe('');
  await expect(page.locator('body')).not.toContainText('7788');

  await expect
    .poll(() => smsLines().find((l) => l.trackingCode === code && l.kind === 'reporter-accepted') ?? null, { timeout: 30_000 })
    .toMatchObject({ to: '13900007788', template: 'reporter-accepted', params: { code } });
  const line = smsLines().find((l) => l.trackingCode === code && l.kind === 'reporter-accepted')!;
  expect(line.text).toMatch(new RegExp(`^【.+】您反映的问题已受理，查询码${code}，可在http.+/track\\?code=${code}查询办理进度。$`));

  await loginAs(page, 'office');
  await page.goto(`/console/tickets/${code}`);
  const notices = page.getByTestId('ticket-notices');
  await expect(notices).toContainText(/已短信告知 139\*\*\*\*7788，\d+月\d+日 \d\d:\d\d/);
  await expect(notices).not.toContainText('13900007788');
  await expect(page.getByTestId('reporter-not-told')).toHaveCount(0);
});
