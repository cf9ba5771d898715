// 我的反映 and 凭手机号查询 (issue 15, item 5) on a phone, 360 px: the tracking page lists the codes
// submitted from this browser (localStorage), each removable; a resident who lost the code gets
// a one-time code by SMS (read here from the outbox) and sees the number's reports — also
// without JavaScript. Its own numbers and reports, no point or category of the other specs.
import { expect, test, waitForIsland } from './fixtures.ts';
import { expectNoAxeViolations } from './support/axe.ts';
import { lookupCodeCount, nextLookupCode } from './support/sms-outbox.ts';
import { expectNoSideways } from './support/staff.ts';

const TRACK_URL = /\/track\?code=[^&]+&new=1$/;
const MOBILE = '13904517788';
const FAKE_CODE = 'ZZ9-ZZ9-ZZ9';

test('a report from this phone is listed on the tracking page, removable; the lookup by number finds it', async ({
  page,
  consoleErrors,
}, testInfo) => {
  await page.goto('/report');
  await waitForIsland(page);
  await page.getByLabel('问题描述').fill('文昌路小学东门外的人行道上共享单车倒了一大片，学生上学只能绕到马路上走。');
  await page.getByLabel('手机或电话').fill('139 0451 7788');
  await page.getByRole('button', { name: '提交反映' }).click();
  await page.waitForURL(TRACK_URL);
  const code = (await page.getByTestId('new-tracking-code').textContent())?.trim() ?? '';
  expect(code).toMatch(/^[0-9A-Z]+(-[0-9A-Z]+)*$/);

  // Remembered on the success page, with the date.
  const mine = page.getByRole('region', { name: '本机提交过的反映' });
  await expect(mine.getByRole('link', { name: code })).toBeVisible();
  await expect(mine).toContainText(/\d{4}年\d{1,2}月\d{1,2}日提交/);

  // Still there on the tracking page later; another entry (from an earlier report) beside it.
  await page.evaluate((fake) => {
    const entries = JSON.parse(localStorage.getItem('chuangcheng.my-reports') ?? '[]') as unknown[];
    localStorage.setItem('chuangcheng.my-reports', JSON.stringify([...entries, { code: fake, at: '2026-11-02T03:00:00.000Z' }]));
  }, FAKE_CODE);
  await page.goto('/track');
  await expect(mine.getByRole('listitem')).toHaveCount(2);
  await expect(mine.getByRole('listitem').nth(1)).toContainText('2026年11月2日提交');
  await expectNoSideways(page);
  await expectNoAxeViolations(page, '/track with the list of this phone’s reports');
  await page.screenshot({ path: testInfo.outputPath('track-my-reports-360.png'), fullPage: true });

  // A link opens the report (only now is anything asked of the server).
  await mine.getByRole('link', { name: code }).click();
  await expect(page).toHaveURL(new RegExp(`/track\\?code=${code}$`));
  await expect(page.locator('.tracking-code').first()).toHaveText(code);

  // Remove one; the other stays, also after a reload.
  await page.goto('/track');
  await mine.getByRole('button', { name: `从本机清单中删除 ${FAKE_CODE}` }).click();
  await expect(mine.getByRole('listitem')).toHaveCount(1);
  await page.reload();
  await expect(mine.getByRole('link', { name: code })).toBeVisible();
  await expect(mine.getByRole('link', { name: FAKE_CODE })).toHaveCount(0);

  // 全部清除: the list goes away.
  await mine.getByRole('button', { name: '全部清除' }).click();
  await expect(mine).toBeHidden();
  await page.reload();
  await expect(page.getByRole('heading', { name: '本机提交过的反映' })).toBeHidden();

  // The code is gone from this phone: look it up by the number.
  await page.getByRole('link', { name: '忘了查询码？用手机号查询' }).click();
  await expect(page).toHaveURL(/\/track\/phone$/);
  const before = lookupCodeCount(MOBILE);
  await page.getByLabel('提交反映时留下的手机号码').fill('+86 139-0451-7788');
  await page.getByRole('button', { name: '获取验证码' }).click();
  await expect(page.getByRole('status')).toHaveText('如果这个号码反映过问题，验证码已经发到这个手机上，10分钟内有效。');
  await expect(page.getByText('手机号码：139****7788')).toBeVisible();
  await expectNoSideways(page);
  await expectNoAxeViolations(page, '/track/phone, step 2');
  const sms = await nextLookupCode(MOBILE, before);
  expect(sms).toMatch(/^\d{6}$/);

  // A wrong code first: said in Chinese, with the tries left.
  // The wrong-code answer is a 400 page, which the browser logs.
  consoleErrors.allow(/status of 400/);
  await page.getByLabel('短信里的6位验证码').fill(String((Number(sms) + 1) % 1_000_000).padStart(6, '0'));
  await page.getByRole('button', { name: '查询我的反映' }).click();
  await expect(page.locator('#code-error')).toHaveText('验证码不对，请对照短信重新填写（还可以再试4次）');

  await page.getByLabel('短信里的6位验证码').fill(sms);
  await page.getByRole('button', { name: '查询我的反映' }).click();
  await expect(page.getByRole('heading', { name: '139****7788 反映过的问题（1件）' })).toBeVisible();
  const list = page.getByTestId('lookup-list');
  await expect(list.getByRole('listitem')).toHaveCount(1);
  await expect(list).toContainText('已');
  await expect(page.locator('body')).not.toContainText('文昌路小学');
  await expectNoSideways(page);
  await expectNoAxeViolations(page, '/track/phone, the list');
  await page.screenshot({ path: testInfo.outputPath('track-phone-list-360.png'), fullPage: true });
  await list.getByRole('link', { name: code }).click();
  await expect(page.locator('.tracking-code').first()).toHaveText(code);
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('the lookup by number works with plain forms; the tracking page works without the list', async ({ page }) => {
    const phone = '13904518899';
    const response = await page.request.post('/api/trpc/report.submit', {
      data: {
        description: '文昌路菜鸟驿站门口的快递箱堆在盲道上，拄拐杖的老人过不去。',
        reporter: { phone: '139-0451-8899' },
        idempotencyKey: crypto.randomUUID(),
      },
      headers: { 'content-type': 'application/json' },
    });
    expect(response.ok(), await response.text()).toBe(true);
    const code = ((await response.json()) as { result: { data: { trackingCode: string } } }).result.data.trackingCode;

    await page.goto('/track');
    await expect(page.getByRole('heading', { name: '本机提交过的反映' })).toBeHidden();
    await page.getByRole('link', { name: '忘了查询码？用手机号查询' }).click();

    const before = lookupCodeCount(phone);
    await page.getByLabel('提交反映时留下的手机号码').fill(phone);
    await page.getByRole('button', { name: '获取验证码' }).click();
    await expect(page.getByRole('status')).toContainText('验证码已经发到这个手机上');
    const sms = await nextLookupCode(phone, before);
    await page.getByLabel('短信里的6位验证码').fill(sms);
    await page.getByRole('button', { name: '查询我的反映' }).click();
    await expect(page.getByTestId('lookup-list').getByRole('link', { name: code })).toBeVisible();

    // The code was used: the same form posted again with it is refused, and says what to do.
    const again = await page.request.post('/track/phone', {
      form: { step: 'verify', phone, code: sms },
      headers: { origin: new URL(page.url()).origin },
    });
    expect(again.status()).toBe(409);
    expect(await again.text()).toContain('每个验证码只能查询一次。请重新获取验证码。');
    // A form posted from another site sends nothing.
    const crossSite = await page.request.post('/track/phone', {
      form: { step: 'request', phone },
      headers: { origin: 'https://example.org' },
    });
    expect(crossSite.status()).toBe(403);
    expect(lookupCodeCount(phone)).toBe(before + 1);
  });
});
