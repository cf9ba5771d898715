// The second factor on a phone (issue 18 item 5): a dispatcher enrols an authenticator app from
// the QR code's secret (the code computed here with otpauth, as the app would), keeps the recovery
// codes, and signs in again with password and code. REQUIRE_2FA is off in this server, so the
// account enrols by choice; the forced enrolment and every refusal are in tests/integration/accounts.test.ts.
import { TOTP } from 'otpauth';
import { expect, test } from './fixtures.ts';
import { createStaffAccount, expectNoSideways, STAFF_PASSWORD } from './support/staff.ts';

test('a dispatcher enrols a second factor on a phone and signs in with the app’s code', async ({ page, consoleErrors }) => {
  consoleErrors.allow(/status of 400/);
  const username = `e2e-2fa-${Date.now().toString(36)}`;
  createStaffAccount({ username, name: '调度员韩梅', role: 'dispatcher' });

  await page.goto('/console/login');
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码').fill(STAFF_PASSWORD);
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page.getByTestId('console-user-name')).toHaveText('调度员韩梅');

  await page.getByRole('link', { name: '账号安全' }).click();
  await page.getByRole('link', { name: '两步验证（身份验证器应用）' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('两步验证');
  await expect(page.getByRole('img', { name: '两步验证二维码' }).locator('svg')).toBeVisible();
  await expectNoSideways(page);
  const secret = (await page.getByTestId('enrol-secret').innerText()).replaceAll(/\s/g, '');
  const app = new TOTP({ secret });

  await page.getByLabel('验证码').fill('000000');
  await page.getByRole('button', { name: '启用两步验证' }).click();
  await expect(page.getByRole('alert')).toContainText('验证码不正确');
  await page.getByLabel('验证码').fill(app.generate());
  await page.getByRole('button', { name: '启用两步验证' }).click();
  await expect(page.getByTestId('recovery-codes').locator('li')).toHaveCount(10);
  await expectNoSideways(page);
  await page.getByRole('link', { name: '我已保存恢复码，继续' }).click();
  await expect(page).toHaveURL(/\/console$/);

  await page.context().clearCookies();
  await page.goto('/console/login');
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码').fill(STAFF_PASSWORD);
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page).toHaveURL(/\/console\/login\/code$/);
  await expectNoSideways(page);
  // The enrolment used this time step's code; the app's next code (one step ahead is accepted) signs in.
  await page.getByLabel('验证码').fill(app.generate({ timestamp: Date.now() + 30_000 }));
  await page.getByRole('button', { name: '验证并登录' }).click();
  await expect(page).toHaveURL(/\/console$/);
  await expect(page.getByTestId('console-user-name')).toHaveText('调度员韩梅');
});
