// The console on a portrait tablet (820×1180): the queue, a ticket with its action panel and a
// unit's inbox fit the width (tables scroll in their own box, never the page), and the action
// panel works by touch.
import { expect, test } from './fixtures.ts';
import { apiReport, ensureStaff, expectNoSideways, loginAs, waitForIslands } from './support/staff.ts';

test.beforeAll(() => ensureStaff());

test('queue, ticket page and inbox on a tablet', async ({ page }, testInfo) => {
  const triage = await apiReport(page, '东关农贸市场周边有商贩把摊位摆到马路上，电动车也停得到处都是，早上根本走不过去。');
  const crossing = await apiReport(page, '建设路与东街路口，机动车经过斑马线不礼让行人，早晚高峰特别危险，希望交警管一管。');

  await loginAs(page, 'office');
  await expect(page.locator(`tr[data-code="${triage}"]`)).toBeVisible();
  await expectNoSideways(page);
  await page.screenshot({ path: testInfo.outputPath('queue-tablet.png'), fullPage: true });

  await page.goto(`/console/tickets/${triage}`);
  await waitForIslands(page);
  await expectNoSideways(page);
  await page.screenshot({ path: testInfo.outputPath('ticket-dispatch-tablet.png'), fullPage: true });
  const panel = page.getByRole('complementary', { name: '办理' });
  await panel.getByRole('button', { name: '不予受理', exact: true }).tap();
  await expect(panel.getByLabel('不予受理的理由')).toBeVisible();
  await panel.getByRole('button', { name: '派单', exact: true }).tap();
  await panel.getByLabel('责任单位（牵头）').selectOption('zhujianju');
  await panel.getByRole('button', { name: '确认派单' }).tap();
  await expect(page.getByTestId('ticket-unit')).toHaveText('临城县住房和城乡建设局');

  await loginAs(page, 'jiaojing');
  await expect(page.locator(`[data-group="acknowledge"] tr[data-code="${crossing}"]`)).toBeVisible();
  await expectNoSideways(page);
  await page.screenshot({ path: testInfo.outputPath('inbox-tablet.png'), fullPage: true });
  await page.goto(`/console/tickets/${crossing}`);
  await waitForIslands(page);
  await expectNoSideways(page);
  await page.screenshot({ path: testInfo.outputPath('ticket-unit-tablet.png'), fullPage: true });
});
