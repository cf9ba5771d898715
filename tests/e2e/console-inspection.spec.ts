// The office's inspection pages (督导检查, issue 14) on a phone 360 px wide and on the desktop:
// the plan form refuses a plan with its messages beside the fields, then plans a round over three
// points; the round's page lists them in walking order; after an inspector fails an item through
// the API, the page links the ticket it became; the office closes the round. No page scrolls
// sideways, and axe finds nothing on either page.
import { request } from '@playwright/test';
import { expect, test } from './fixtures.ts';
import { expectNoAxeViolations } from './support/axe.ts';
import { createStaffAccount, ensureStaff, expectNoSideways, loginAs, STAFF_PASSWORD, staffAccountId, staffApiAs } from './support/staff.ts';

test.describe.configure({ mode: 'serial' });
test.use({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });

const INSPECTOR = { username: 'e2e-rounds-inspector', displayName: '督导员韩梅' };
let inspectorId = 0;

test.beforeAll(async () => {
  ensureStaff();
  const admin = await staffApiAs('admin');
  let exists: boolean;
  try {
    exists = (await admin.query<Array<{ username: string }>>('staff.users.list')).some((u) => u.username === INSPECTOR.username);
  } finally {
    await admin.dispose();
  }
  if (!exists) createStaffAccount({ username: INSPECTOR.username, name: INSPECTOR.displayName, role: 'inspector' });
  inspectorId = await staffAccountId(INSPECTOR.username);
});

test('the office plans a round, follows it and closes it', async ({ page, consoleErrors }) => {
  consoleErrors.allow(/status of 400/);
  await loginAs(page, 'office');
  await page.getByRole('navigation').getByRole('link', { name: '督导检查' }).first().click();
  await expect(page).toHaveURL(/\/console\/inspection$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('督导检查');
  await expectNoSideways(page);
  await expectNoAxeViolations(page, 'the inspection rounds page at 360 px');

  // Nothing chosen: each field says what is missing.
  await page.getByRole('button', { name: '安排督导' }).click();
  await expect(page.locator('.field-error')).toContainText(['请填写本轮督导的名称']);
  await page.getByLabel('名称').fill('第49周创城督导检查');
  await page.getByRole('button', { name: '安排督导' }).click();
  await expect(page.getByRole('alert')).toContainText('请至少选择一名督导员');
  await expectNoAxeViolations(page, 'the plan form with an error at 360 px');

  await page.getByLabel(INSPECTOR.displayName).check();
  for (const name of ['中兴大街与建设路交叉口', '人民广场公益广告牌', '临城县西关集贸市场'])
    await page.getByLabel(name, { exact: false }).check();
  await page.getByRole('button', { name: '安排督导' }).click();
  await expect(page).toHaveURL(/\/console\/inspection\/\d+\?done=plan$/);
  await expect(page.getByTestId('done-notice')).toContainText('已安排本轮督导');
  const roundId = Number(/inspection\/(\d+)/.exec(page.url())![1]);
  await expect(page.locator('.round-point h3')).toHaveText(['1. 临城县西关集贸市场', '2. 人民广场公益广告牌', '3. 中兴大街与建设路交叉口']);
  await expect(page.getByRole('link', { name: '督办交办卡（按责任单位）' })).toHaveAttribute(
    'href',
    `/console/inspection/${roundId}/cards`,
  );
  await expectNoSideways(page);
  await expectNoAxeViolations(page, 'a round’s page at 360 px');

  // An inspector fails an item (through the API, as the phone page sends it).
  const baseURL = test.info().project.use.baseURL;
  const inspector = await request.newContext({ ...(baseURL && { baseURL }) });
  try {
    const login = await inspector.post('/api/trpc/auth.login', { data: { username: INSPECTOR.username, password: STAFF_PASSWORD } });
    expect(login.ok(), await login.text()).toBe(true);
    const sent = await inspector.post('/api/trpc/inspection.recordItem', {
      data: {
        roundId,
        pointId: 'market-xiguan',
        itemCode: 'ground',
        verdict: 'fail',
        note: '北侧排水沟堵塞',
        observedAt: new Date().toISOString(),
        idempotencyKey: `e2e-rounds-${roundId}-ground`,
      },
    });
    expect(sent.ok(), await sent.text()).toBe(true);
    const { trackingCode } = ((await sent.json()) as { result: { data: { trackingCode: string } } }).result.data;
    await page.reload();
    const market = page.locator('[data-point="market-xiguan"]');
    await expect(market).toContainText('北侧排水沟堵塞');
    await expect(market.getByRole('link', { name: trackingCode })).toHaveAttribute('href', `/console/tickets/${trackingCode}`);
  } finally {
    await inspector.dispose();
  }

  await page.getByTestId('close-round').click();
  await expect(page.getByTestId('done-notice')).toContainText('本轮督导已结束');
  await expect(page.getByTestId('round-status')).toHaveText('已结束');
  await expect(page.getByTestId('close-round')).toHaveCount(0);

  await page.goto('/console/inspection');
  const row = page.locator(`tr[data-round="${roundId}"]`);
  await expect(row).toContainText('第49周创城督导检查');
  await expect(row).toContainText('已结束');
  await expect(row).toContainText(INSPECTOR.displayName);
  expect(inspectorId).toBeGreaterThan(0);
});

test('leaders read the rounds without the plan form', async ({ page }) => {
  await loginAs(page, 'leader');
  await page.goto('/console/inspection');
  await expect(page.getByTestId('rounds-table')).toBeVisible();
  await expect(page.getByRole('button', { name: '安排督导' })).toHaveCount(0);
  await expectNoSideways(page);
});
