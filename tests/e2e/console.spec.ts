// The staff console at 1280 px: a resident's report carried by the office and a unit from
// dispatch to 销号 (with the resident's tracking page following each step), a return (退单) and
// an extension (延期) round trip, unit isolation, read-only leaders, sign-in by keyboard alone,
// and user management.
import type { Page } from '@playwright/test';
import { expect, jpegPhoto, tabTo, test, waitForIsland } from './fixtures.ts';
import { apiReport, ensureStaff, loginAs, STAFF, STAFF_PASSWORD, waitForIslands } from './support/staff.ts';

// The router is unsure (market order or street trading?): the report waits in the office's queue.
const TRIAGE_REPORT = '西关农贸市场门口的垃圾堆了好几天没人清理，气味很大，摊位也占到了路上。';
// The router is sure: dispatched to the traffic police at once.
const CROSSING_REPORT = '人民路和府前街交叉口，机动车经过斑马线从来不礼让行人，老人过马路太危险了';

test.beforeAll(() => ensureStaff());

async function openTicket(page: Page, code: string): Promise<void> {
  await page.goto(`/console/tickets/${code}`);
  await expect(page.getByRole('heading', { level: 1 })).toContainText(code);
  await waitForIslands(page);
}

function actionPanel(page: Page) {
  return page.getByRole('complementary', { name: '办理' });
}

/** The China-time calendar date of a date input value, as the pages print it ("12月20日"). */
function monthDay(date: string): string {
  const [, m, d] = date.split('-');
  return `${Number(m)}月${Number(d)}日`;
}

test('a logged-out visit to the console goes to the sign-in page and comes back after it', async ({ page }) => {
  await page.context().clearCookies();
  await page.goto('/console/units');
  await expect(page).toHaveURL(/\/console\/login\?next=%2Fconsole%2Funits$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('工作人员登录');
  await expect(page.getByRole('status')).toContainText('请先登录');
  await page.getByLabel('用户名').fill(STAFF.office.username);
  await page.getByLabel('密码').fill(STAFF_PASSWORD);
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page).toHaveURL(/\/console\/units$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('责任单位');
  await expect(page.locator('.console-nav')).toContainText('办件队列');
  await expect(page.locator('.console-nav')).not.toContainText('用户管理');

  await page.getByRole('button', { name: '退出登录' }).click();
  await expect(page).toHaveURL(/\/console\/login\?out=1$/);
  await expect(page.getByRole('status')).toContainText('您已退出登录');
  await page.goto('/console');
  await expect(page).toHaveURL(/\/console\/login\?next=%2Fconsole$/);
});

test('keyboard only: Tab, type and Enter sign a unit in, straight to its inbox', async ({ page }) => {
  await page.context().clearCookies();
  await page.goto('/console/login');
  if (!(await page.evaluate(() => document.activeElement?.id === 'username'))) await tabTo(page, '#username');
  await page.keyboard.type(STAFF.jiaojing.username);
  await page.keyboard.press('Tab');
  await expect(page.locator('#password')).toBeFocused();
  await page.keyboard.type(STAFF_PASSWORD);
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/console\/inbox$/);
  await expect(page.getByTestId('console-user-name')).toHaveText(STAFF.jiaojing.name);
  await expect(page.locator('.console-user')).toContainText('临城县公安局交通警察大队');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('本单位待办');
});

test('a wrong password gets a Chinese message and the username is kept', async ({ page, consoleErrors }) => {
  consoleErrors.allow(/status of 400/);
  await page.context().clearCookies();
  await page.goto('/console/login');
  await page.getByLabel('用户名').fill(STAFF.leader.username);
  await page.getByLabel('密码').fill('not-the-password-1');
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page.getByRole('alert')).toContainText('用户名或密码不正确');
  await expect(page.getByLabel('用户名')).toHaveValue(STAFF.leader.username);
  await expect(page.getByLabel('密码')).toBeFocused();
});

test('report → office dispatches on the suggestion → unit 签收 and reports with a photo → office 销号; the resident sees each step', async ({
  page,
}, testInfo) => {
  // A resident reports on the public form, with a photo and a name.
  await page.context().clearCookies();
  await page.goto('/report');
  await waitForIsland(page);
  await page.getByLabel('问题描述').fill(TRIAGE_REPORT);
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: '添加照片' }).click();
  await (await chooser).setFiles({ name: 'market.jpg', mimeType: 'image/jpeg', buffer: await jpegPhoto({ r: 160, g: 60, b: 40 }) });
  await expect(page.getByText('✓ 已上传')).toHaveCount(1);
  await page.getByLabel('姓名或称呼').fill('王大爷');
  await page.getByRole('button', { name: '提交反映' }).click();
  await page.waitForURL(/\/track\?code=/);
  const code = ((await page.getByTestId('new-tracking-code').textContent()) ?? '').trim();
  expect(code).not.toBe('');

  // The office finds it waiting for dispatch, with the router's category.
  await loginAs(page, 'office');
  await expect(page).toHaveURL(/\/console$/);
  const row = page.locator(`tr[data-code="${code}"]`);
  await expect(row).toContainText('已受理，待分派');
  await expect(row).toContainText('市场经营秩序');
  await expect(row).toContainText(/匹配度 \d+%/);
  await page.screenshot({ path: testInfo.outputPath('queue-1280.png'), fullPage: true });

  await row.getByRole('link', { name: code }).click();
  await waitForIslands(page);
  await expect(page.getByRole('region', { name: '反映人' })).toContainText('王大爷');
  await expect(page.getByTestId('photos-before').locator('img')).toHaveCount(1);
  const panel = actionPanel(page);
  await expect(panel.getByRole('button', { name: '派单', exact: true })).toHaveAttribute('aria-pressed', 'true');
  await expect(panel.getByTestId('dispatch-suggestion')).toContainText('临城县发展和改革局');
  await expect(panel.getByLabel('责任单位（牵头）')).toHaveValue('fagaiju');
  await page.screenshot({ path: testInfo.outputPath('ticket-dispatch-1280.png'), fullPage: true });
  await panel.getByRole('button', { name: '采纳系统建议并派单' }).click();

  await expect(page.getByTestId('done-notice')).toContainText('已派单');
  await expect(page.getByTestId('ticket-status')).toHaveText('已转交责任单位');
  await expect(page.getByTestId('ticket-unit')).toHaveText('临城县发展和改革局');
  const dispatched = page.locator('.staff-timeline li[data-action="dispatch"]');
  await expect(dispatched).toContainText(STAFF.office.name);
  await expect(dispatched).toContainText('派往');
  await expect(dispatched).toContainText('系统建议');

  // The unit acknowledges from its inbox and reports the rectification with an after-photo.
  await loginAs(page, 'fagai');
  await expect(page).toHaveURL(/\/console\/inbox$/);
  const waiting = page.locator(`[data-group="acknowledge"] tr[data-code="${code}"]`);
  await expect(waiting).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('inbox-1280.png'), fullPage: true });
  await waiting.getByRole('button', { name: `签收 工单 ${code}` }).click();
  await expect(page.getByTestId('done-notice')).toContainText(`已签收工单 ${code}`);
  const rectifying = page.locator(`[data-group="rectify"] tr[data-code="${code}"]`);
  await expect(rectifying).toContainText(/还剩\d+天/);
  await rectifying.getByRole('link', { name: `办理 工单 ${code}` }).click();
  await waitForIslands(page);
  await expect(page.getByRole('region', { name: '反映人' })).toHaveCount(0);
  await expect(page.locator('body')).not.toContainText('王大爷');

  const unitPanel = actionPanel(page);
  await expect(unitPanel.getByRole('button', { name: '反馈整改结果', exact: true })).toHaveAttribute('aria-pressed', 'true');
  await expect(unitPanel.getByRole('button', { name: '退单', exact: true })).toBeVisible();
  await expect(unitPanel.getByRole('button', { name: '派单', exact: true })).toHaveCount(0);
  await unitPanel.getByRole('button', { name: '提交整改结果' }).click();
  await expect(unitPanel.locator('#reportRectification-text-error')).toContainText('至少5个字');
  await unitPanel.getByLabel('整改情况').fill('已组织人员清运市场门口垃圾，摊位全部退回市场内经营，安排专人每日巡查。');
  const afterChooser = page.waitForEvent('filechooser');
  await unitPanel.getByRole('button', { name: '添加整改后照片' }).click();
  await (await afterChooser).setFiles({ name: 'after.jpg', mimeType: 'image/jpeg', buffer: await jpegPhoto({ r: 40, g: 150, b: 70 }) });
  await expect(unitPanel.getByText('✓ 已上传')).toHaveCount(1);
  await page.screenshot({ path: testInfo.outputPath('ticket-rectify-1280.png'), fullPage: true });
  await unitPanel.getByRole('button', { name: '提交整改结果' }).click();
  await expect(page.getByTestId('done-notice')).toContainText('整改结果已提交');
  await expect(page.getByTestId('ticket-status')).toHaveText('已整改，待核验');
  await expect(page.getByTestId('photos-after').locator('img')).toHaveCount(1);
  await expect(page.locator('.staff-timeline li[data-action="reportRectification"]')).toContainText('摊位全部退回市场内经营');

  // The office verifies on the verification page, before- and after-photos side by side.
  await loginAs(page, 'office');
  await page.goto('/console/verify');
  const card = page.locator(`.verify-card[data-code="${code}"]`);
  await expect(card).toContainText('摊位全部退回市场内经营');
  await expect(card.getByTestId('verify-after').locator('img')).toHaveCount(1);
  for (const img of await card.locator('img').all()) {
    await expect.poll(() => img.evaluate((i: HTMLImageElement) => i.naturalWidth)).toBeGreaterThan(0);
  }
  await page.screenshot({ path: testInfo.outputPath('verify-1280.png'), fullPage: true });
  await card.getByRole('button', { name: `核验通过，销号：工单 ${code}` }).click();
  await expect(page.getByTestId('done-notice')).toContainText(`工单 ${code} 已核验销号`);
  await expect(page.locator(`.verify-card[data-code="${code}"]`)).toHaveCount(0);

  await openTicket(page, code);
  await expect(page.getByTestId('ticket-status')).toHaveText('已办结');
  await expect(page.locator('.staff-timeline > li')).toHaveCount(5);

  // The resident's tracking page tells each step.
  await page.context().clearCookies();
  await page.goto(`/track?code=${code}`);
  await expect(page.locator('.status-badge')).toHaveText('已办结');
  const steps = page.locator('.timeline');
  await expect(steps).toContainText('已转交临城县发展和改革局办理');
  await expect(steps).toContainText('责任单位已签收');
  await expect(steps).toContainText('责任单位已反馈整改结果');
  await expect(steps).toContainText('问题已办结');
});

test('退单: the unit returns a ticket with its reason and hint → the office sees it in 待分派 and re-dispatches', async ({ page }) => {
  const code = await apiReport(page, CROSSING_REPORT);
  await loginAs(page, 'jiaojing');
  await expect(page.locator(`[data-group="acknowledge"] tr[data-code="${code}"]`)).toBeVisible();
  await openTicket(page, code);
  const panel = actionPanel(page);
  await panel.getByRole('button', { name: '退单', exact: true }).click();
  await panel.getByRole('button', { name: '确认退单' }).click();
  await expect(panel.locator('#return-reason-error')).toContainText('请填写理由');
  await expect(panel.getByLabel('退单理由')).toBeFocused();
  await panel.getByLabel('建议改由哪个单位办理').selectOption('zhujianju');
  await panel.getByLabel('退单理由').fill('该路口正在进行道路改造施工，斑马线和标志由住建局负责恢复');
  await panel.getByRole('button', { name: '确认退单' }).click();
  await expect(page).toHaveURL(/\/console\/inbox\?done=return/);
  await expect(page.getByTestId('done-notice')).toContainText(`已将工单 ${code} 退回创城办`);
  await expect(page.locator(`tr[data-code="${code}"]`)).toHaveCount(0);

  await loginAs(page, 'office');
  const row = page.locator(`tr[data-code="${code}"]`);
  await expect(row).toContainText('重新分派中');
  await row.getByRole('link', { name: code }).click();
  await waitForIslands(page);
  const returned = page.locator('.staff-timeline li[data-action="return"]');
  await expect(returned).toContainText('道路改造施工');
  await expect(returned).toContainText('建议改派');
  await expect(returned).toContainText('临城县住房和城乡建设局');
  const office = actionPanel(page);
  await expect(office.getByText('退单单位认为应由临城县住房和城乡建设局办理')).toBeVisible();
  await office.getByRole('button', { name: '选择临城县住房和城乡建设局' }).click();
  await expect(office.getByLabel('责任单位（牵头）')).toHaveValue('zhujianju');
  await office.getByRole('button', { name: '确认派单' }).click();
  await expect(page.getByTestId('ticket-unit')).toHaveText('临城县住房和城乡建设局');
  await expect(page.locator('.staff-timeline li[data-action="dispatch"]').last()).toContainText('与系统建议不同');

  await loginAs(page, 'zhujian');
  await expect(page.locator(`[data-group="acknowledge"] tr[data-code="${code}"]`)).toBeVisible();
});

test('延期: the unit asks for more time, the office approves, the new deadline shows everywhere', async ({ page }) => {
  const code = await apiReport(page, CROSSING_REPORT);
  await loginAs(page, 'jiaojing');
  await page
    .locator(`[data-group="acknowledge"] tr[data-code="${code}"]`)
    .getByRole('button', { name: `签收 工单 ${code}` })
    .click();
  await expect(page.getByTestId('done-notice')).toBeVisible();
  await openTicket(page, code);
  const panel = actionPanel(page);
  await panel.getByRole('button', { name: '申请延期', exact: true }).click();
  const dateInput = panel.getByLabel('申请延至');
  const min = (await dateInput.getAttribute('min')) ?? '';
  expect(min).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  const requested = new Date(Date.parse(`${min}T00:00:00Z`) + 10 * 86_400_000).toISOString().slice(0, 10);
  await dateInput.fill(requested);
  await panel.getByLabel('延期理由').fill('需要定制安装新的礼让行人提示牌，厂家供货需要两周');
  await panel.getByRole('button', { name: '提交延期申请' }).click();
  await expect(page.getByTestId('ticket-status')).toHaveText('整改中（申请延期）');
  await expect(page.locator('.staff-timeline li[data-action="requestExtension"]')).toContainText(`申请延至`);

  await loginAs(page, 'office');
  await page.goto('/console?status=extension_requested');
  await page.locator(`tr[data-code="${code}"]`).getByRole('link', { name: code }).click();
  await waitForIslands(page);
  const office = actionPanel(page);
  await expect(office.getByRole('button', { name: '批准延期', exact: true })).toHaveAttribute('aria-pressed', 'true');
  await expect(office).toContainText('厂家供货需要两周');
  await expect(office.getByLabel('新的整改期限')).toHaveValue(requested);
  await office.getByRole('button', { name: '批准延期申请' }).click();
  await expect(page.getByTestId('done-notice')).toContainText('已批准延期');
  await expect(page.getByTestId('ticket-status')).toHaveText('整改中');
  await expect(page.getByTestId('ticket-deadline')).toContainText(monthDay(requested));
  await expect(page.locator('.staff-timeline li[data-action="approveExtension"]')).toContainText('新的整改期限');

  await page.context().clearCookies();
  await page.goto(`/track?code=${code}`);
  await expect(page.locator('.timeline')).toContainText(`延期申请已批准，整改期限至${requested.slice(0, 4)}年${monthDay(requested)}`);
});

test('a unit opening another unit’s ticket gets the not-found page; a leader reads without buttons', async ({ page, consoleErrors }) => {
  consoleErrors.allow(/status of 404/);
  consoleErrors.allow(/status of 403/);
  const code = await apiReport(page, CROSSING_REPORT);
  await loginAs(page, 'zhujian');
  const response = await page.goto(`/console/tickets/${code}`);
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('没有找到工单');
  await expect(page.locator('body')).not.toContainText('斑马线');

  const forbidden = await page.goto('/console/users');
  expect(forbidden?.status()).toBe(403);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('无权访问');

  await loginAs(page, 'leader');
  await openTicket(page, code);
  await expect(page.getByTestId('no-actions')).toContainText('只读账号');
  await expect(page.getByRole('region', { name: '反映人' })).toHaveCount(0);
});

test('the administrator creates a unit user, sees the server’s Chinese message, and the user signs in and sets their own password', async ({
  page,
  consoleErrors,
}) => {
  consoleErrors.allow(/status of 400/);
  const username = `e2e-new-${Date.now().toString(36)}`;
  await loginAs(page, 'admin');
  await page.getByRole('link', { name: '用户管理' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('用户管理');
  const form = page.locator('form.form-grid');
  await form.getByLabel('用户名').fill(username);
  await form.getByLabel('姓名').fill('东镇镇刘洋');
  await form.getByLabel('角色').selectOption('unit');
  await form.getByLabel('初始密码').fill('short');
  await form.getByRole('button', { name: '创建用户' }).click();
  await expect(page.getByRole('alert')).toContainText('责任单位工作人员必须选择所属单位');
  await expect(form.getByLabel('用户名')).toHaveValue(username);

  await form.getByLabel('所属单位').selectOption('dongzhenzhen');
  await form.getByLabel('初始密码').fill('short');
  await form.getByRole('button', { name: '创建用户' }).click();
  await expect(page.getByRole('alert')).toContainText('密码至少需要8个字符');
  await form.getByLabel('初始密码').fill('dongzhen-2026-pass');
  await form.getByRole('button', { name: '创建用户' }).click();
  await expect(page.getByTestId('done-notice')).toContainText(`已创建用户 ${username}`);
  await expect(page.locator(`tr[data-username="${username}"]`)).toContainText('东镇镇');

  await page.context().clearCookies();
  await page.goto('/console/login');
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码').fill('dongzhen-2026-pass');
  await page.getByRole('button', { name: '登录' }).click();
  // The password the administrator chose is changed at the first sign-in, before anything else opens.
  await expect(page).toHaveURL(/\/console\/account\/password$/);
  await page.goto('/console/inbox');
  await expect(page).toHaveURL(/\/console\/account\/password\?next=%2Fconsole%2Finbox$/);
  await page.getByLabel('当前密码').fill('dongzhen-2026-pass');
  await page.getByLabel('新密码', { exact: true }).fill('Dongzhen-own-42');
  await page.getByLabel('再次输入新密码').fill('Dongzhen-own-42');
  await page.getByRole('button', { name: '修改密码' }).click();
  await expect(page).toHaveURL(/\/console\/inbox$/);
  await expect(page.locator('.console-user')).toContainText('东镇镇');
});
