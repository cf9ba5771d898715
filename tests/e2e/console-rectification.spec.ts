// A unit's clerk on site, on a phone (360 px), issue 12: the office's 交办意见 stand in the inbox
// and on the ticket page (item 9); a rectification is reported with at least one after-photo, or
// with the unit's reason why none can be taken, which the office reads when it verifies (item 3).
// axe finds nothing on the inbox, the ticket page and the verification page, in both modes.
import type { Page } from '@playwright/test';
import { expect, jpegPhoto, test } from './fixtures.ts';
import { axeFindingsInBothModes } from './support/axe-check.ts';
import { apiReport, ensureStaff, loginAs, staffApiAs, waitForIslands } from './support/staff.ts';

test.use({ viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
test.beforeAll(() => ensureStaff());

const REMARKS = '请早晚高峰派人到路口劝导，三日内反馈。';
const NO_PHOTO_REASON = '违规只在早晚高峰出现，整改是安排民警值守劝导，现场没有能拍出来的变化。';

function actionPanel(page: Page) {
  return page.getByRole('complementary', { name: '办理' });
}

/** A report the router leaves to the office, dispatched by the office to the traffic police with 交办意见. */
async function dispatchedWithRemarks(page: Page, text: string): Promise<string> {
  const code = await apiReport(page, text);
  const office = await staffApiAs('office');
  try {
    await office.mutate('staff.tickets.act', { trackingCode: code, act: { action: 'dispatch', unitCode: 'jiaojing', remarks: REMARKS } });
  } finally {
    await office.dispose();
  }
  return code;
}

test('a unit on a phone cannot report a rectification without an after-photo unless it says why, and the office reads why at verification', async ({
  page,
}, testInfo) => {
  test.setTimeout(120_000);
  const code = await dispatchedWithRemarks(page, '小区里有人养狗不拴绳，早上遛狗吓着孩子，物业也不管。');

  await loginAs(page, 'jiaojing');
  await page
    .locator(`[data-group="acknowledge"] tr[data-code="${code}"]`)
    .getByRole('button', { name: `签收 工单 ${code}` })
    .tap();
  await expect(page.getByTestId('done-notice')).toContainText(`已签收工单 ${code}`);
  await page.goto(`/console/tickets/${code}`);
  await waitForIslands(page);
  const panel = actionPanel(page);
  await expect(panel.getByRole('button', { name: '反馈整改结果', exact: true })).toHaveAttribute('aria-pressed', 'true');
  await panel.getByLabel('整改情况').fill('已安排民警早晚高峰在路口值守，劝导机动车礼让行人。');

  // No photo, no reason: refused on the spot, the add-photo button focused.
  await panel.getByRole('button', { name: '提交整改结果' }).tap();
  await expect(panel.locator('#reportRectification-photoIds-error')).toHaveText('请至少上传一张整改后照片；确实拍不了的，请写明原因。');
  await expect(panel.getByRole('button', { name: '添加整改后照片' })).toBeFocused();
  await expect(page.getByTestId('ticket-status')).toHaveText('责任单位已签收');
  await page.screenshot({ path: testInfo.outputPath('rectify-no-photo-360.png'), fullPage: true });

  // "I cannot take one" asks why — an empty reason is not one.
  await panel.getByLabel('确实拍不了整改后照片').check();
  await expect(panel.locator('#reportRectification-photoIds-error')).toHaveCount(0);
  await panel.getByRole('button', { name: '提交整改结果' }).tap();
  await expect(panel.locator('#reportRectification-noPhotoReason-error')).toHaveText('请写清楚为什么拍不了整改后照片（至少4个字）。');
  await expect(panel.getByLabel('拍不了照片的原因')).toBeFocused();
  await panel.getByLabel('拍不了照片的原因').fill(NO_PHOTO_REASON);
  await page.screenshot({ path: testInfo.outputPath('rectify-no-photo-reason-360.png'), fullPage: true });
  await panel.getByRole('button', { name: '提交整改结果' }).tap();

  await expect(page.getByTestId('done-notice')).toHaveText('整改结果已提交，请等创城办核验。');
  await expect(page.getByTestId('ticket-status')).toHaveText('已整改，待核验');
  await expect(page.locator('.staff-timeline li[data-action="reportRectification"]')).toContainText(`拍不了照片的原因${NO_PHOTO_REASON}`);

  expect(
    await axeFindingsInBothModes(page, ['/console/inbox', `/console/tickets/${code}`], async (p) => {
      if (p.url().includes('/tickets/')) await waitForIslands(p);
    }),
    'axe violations',
  ).toEqual([]);

  // The office, at its desk, reads the reason beside the (missing) after-photos.
  await page.setViewportSize({ width: 1280, height: 720 });
  await loginAs(page, 'office');
  await page.goto('/console/verify');
  const card = page.locator(`.verify-card[data-code="${code}"]`);
  await expect(card).toContainText('这次反馈没有附照片。');
  await expect(card.getByTestId('no-photo-reason')).toHaveText(`单位说明拍不了照片的原因：${NO_PHOTO_REASON}`);
  await page.screenshot({ path: testInfo.outputPath('verify-no-photo-reason-1280.png'), fullPage: true });
  expect(await axeFindingsInBothModes(page, ['/console/verify']), 'axe violations').toEqual([]);
});

test('a unit on a phone reads the office’s 交办意见 in its inbox and on the ticket, and reports with an after-photo', async ({
  page,
}, testInfo) => {
  const code = await dispatchedWithRemarks(page, '工地晚上十一点还在施工，噪音太大，影响周围居民休息。');
  await loginAs(page, 'jiaojing');
  const row = page.locator(`[data-group="acknowledge"] tr[data-code="${code}"]`);
  await expect(row.getByTestId('dispatch-remarks')).toHaveText(`交办意见：${REMARKS}`);
  await page.screenshot({ path: testInfo.outputPath('inbox-remarks-360.png'), fullPage: true });
  await row.getByRole('button', { name: `签收 工单 ${code}` }).tap();
  await expect(page.getByTestId('done-notice')).toBeVisible();
  await expect(page.locator(`[data-group="rectify"] tr[data-code="${code}"]`).getByTestId('dispatch-remarks')).toHaveText(
    `交办意见：${REMARKS}`,
  );

  await page.goto(`/console/tickets/${code}`);
  await waitForIslands(page);
  await expect(page.getByTestId('dispatch-remarks')).toHaveText(`创城办交办意见${REMARKS}`);
  await expect(page.locator('.staff-timeline li[data-action="dispatch"]')).toContainText(`交办意见${REMARKS}`);
  const panel = actionPanel(page);
  await panel.getByLabel('整改情况').fill('已责令工地夜间停工，施工单位已书面承诺不再夜间施工。');
  await expect(panel.getByLabel('确实拍不了整改后照片')).toBeVisible();
  const chooser = page.waitForEvent('filechooser');
  await panel.getByRole('button', { name: '添加整改后照片' }).tap();
  await (await chooser).setFiles({ name: 'after.jpg', mimeType: 'image/jpeg', buffer: await jpegPhoto({ r: 40, g: 150, b: 70 }) });
  await expect(panel.getByText('✓ 已上传')).toHaveCount(1);
  // With a photo there is nothing to explain.
  await expect(panel.getByLabel('确实拍不了整改后照片')).toHaveCount(0);
  await panel.getByRole('button', { name: '提交整改结果' }).tap();
  await expect(page.getByTestId('done-notice')).toHaveText('整改结果已提交，请等创城办核验。');
  await expect(page.getByTestId('photos-after').locator('img')).toHaveCount(1);
});
