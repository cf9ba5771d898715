// 账号操作记录 (安全审计, issue 18 item 6): an administrator reads the account actions from the user
// management page — newest first, with the source address — and one account's alone; a wrong
// password shows on the account it was tried on. Others may not open the page.
import { expect, test } from './fixtures.ts';
import { axeFindings } from './support/axe-check.ts';
import { ensureStaff, loginAs, STAFF } from './support/staff.ts';

test.describe.configure({ mode: 'serial' });
test.beforeAll(() => ensureStaff());

test('the administrator reads the account actions, and one account’s alone', async ({ page, consoleErrors }) => {
  consoleErrors.allow(/status of 400/);
  // A wrong password for the leader's account.
  await page.goto('/console/login');
  await page.getByLabel('用户名').fill(STAFF.leader.username);
  await page.getByLabel('密码').fill('not-the-leaders-password');
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page.getByRole('alert')).toContainText('用户名或密码不正确');

  await loginAs(page, 'admin');
  await page.getByRole('navigation').getByRole('link', { name: '用户管理', exact: true }).click();
  await page.getByRole('link', { name: '账号操作记录', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('账号操作记录');
  // The administrator's own sign-in is among the newest, with the address it came from.
  const signIn = page.locator('#account-events tbody tr[data-action="signed-in"]', { hasText: STAFF.admin.username }).first();
  await expect(signIn).toContainText('凭密码');
  await expect(signIn.locator('td').nth(5)).not.toHaveText('—');
  expect(await axeFindings(page)).toEqual([]);

  await page.getByLabel('账号', { exact: true }).selectOption({ label: `${STAFF.leader.username}（${STAFF.leader.name}）` });
  await page.getByRole('button', { name: '查看' }).click();
  await expect(page).toHaveURL(/\/console\/users\/events\?user=\d+/);
  await expect(page.getByRole('heading', { level: 1 })).toContainText(STAFF.leader.username);
  const rows = page.locator('#account-events tbody tr');
  await expect(rows.first()).toBeVisible();
  for (const cell of await rows.locator('td:nth-child(3)').allTextContents()) expect(cell).toBe(STAFF.leader.username);
  const failed = page.locator('#account-events tbody tr[data-action="sign-in-failed"]').first();
  await expect(failed).toContainText('登录失败');
  await expect(failed).toContainText('密码错误');
});

test('the office may not open the account actions', async ({ page, consoleErrors }) => {
  consoleErrors.allow(/status of 403/);
  await loginAs(page, 'office');
  const response = await page.goto('/console/users/events');
  expect(response?.status()).toBe(403);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('无权访问');
});
