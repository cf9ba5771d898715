// A unit's clerk works on site, on a phone 360 px wide (issue 12, item 7): signs in, acknowledges
// (签收) a ticket from the inbox, reports the rectification of another from its ticket page with
// the action panel (text and an after-photo), and writes the public response to an exposure
// notice — and no page scrolls sideways, every button is on the screen. axe finds nothing on the
// unit's pages at 360 px, in the normal and the elderly mode (a phone set to 长者模式 for the
// public site carries the mode into the console too).
//
// playwright.config.ts runs this file in its own project at the phone viewport (360×740, touch).
import AxeBuilder from '@axe-core/playwright';
import type { Locator, Page } from '@playwright/test';
import { expect, jpegPhoto, test } from './fixtures.ts';
import { apiReport, ensureStaff, expectNoSideways, loginAs, staffApiAs, waitForIslands } from './support/staff.ts';

test.describe.configure({ mode: 'serial' });

let toAcknowledge = '';
let toRectify = '';
let noticeId = 0;
/** This month in China time: the scores of the month the notice above was published in. */
const thisMonth = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 7);

/** Every part of `target` is inside the phone's screen width. */
async function expectOnScreen(page: Page, target: Locator): Promise<void> {
  const box = await target.boundingBox();
  const width = page.viewportSize()!.width;
  expect(box, 'not rendered').not.toBeNull();
  expect(box!.x, 'starts left of the screen').toBeGreaterThanOrEqual(0);
  expect(box!.x + box!.width, 'runs off the right of the screen').toBeLessThanOrEqual(width);
}

test.beforeAll(async ({ browser }) => {
  ensureStaff();
  const page = await browser.newPage();
  const office = await staffApiAs('office');
  const unit = await staffApiAs('jiaojing');
  try {
    const dispatch = async (description: string) => {
      const code = await apiReport(page, description);
      const ticket = await office.query<{ status: string }>('staff.tickets.get', { trackingCode: code });
      if (ticket.status !== 'dispatched')
        await office.mutate('staff.tickets.act', { trackingCode: code, act: { action: 'dispatch', unitCode: 'jiaojing' } });
      return code;
    };
    toAcknowledge = await dispatch('中兴大街与建设路交叉口的信号灯坏了两天，早高峰车和行人抢行，非常危险，请尽快修好。');
    toRectify = await dispatch('建设路与东街路口，机动车经过斑马线从不礼让行人，电动车逆行闯红灯，接送孩子时特别危险。');
    await unit.mutate('staff.tickets.act', { trackingCode: toRectify, act: { action: 'accept' } });
    const draft = await office.mutate<{ id: number }>('staff.notices.saveDraft', {
      trackingCodes: [toRectify],
      title: '建设路东街路口机动车不礼让行人问题曝光',
      body: '经查，建设路与东街路口机动车不礼让行人、电动车逆行问题突出，群众反映强烈，现予曝光，请责任单位限期整改并公开回应。',
      unitCode: 'jiaojing',
      responseDueAt: new Date(Date.now() + 7 * 86_400_000).toISOString(),
    });
    await office.mutate('staff.notices.publish', { id: draft.id });
    noticeId = draft.id;
  } finally {
    await office.dispose();
    await unit.dispose();
    await page.close();
  }
});

test('the unit acknowledges a ticket from its inbox on a phone', async ({ page }, testInfo) => {
  await page.goto('/console/login');
  await expectNoSideways(page);
  await loginAs(page, 'jiaojing');
  await expect(page).toHaveURL(/\/console\/inbox$/);
  await expectNoSideways(page);
  await page.screenshot({ path: testInfo.outputPath('inbox-360.png'), fullPage: true });

  const row = page.locator(`[data-group="acknowledge"] tr[data-code="${toAcknowledge}"]`);
  await expect(row).toContainText('信号灯坏了两天');
  const acknowledge = row.getByRole('button', { name: `签收 工单 ${toAcknowledge}` });
  await expectOnScreen(page, acknowledge);
  await expectOnScreen(page, row.getByRole('link', { name: `查看 工单 ${toAcknowledge}` }));
  await expectOnScreen(
    page,
    page.locator(`[data-group="rectify"] tr[data-code="${toRectify}"]`).getByRole('link', { name: `办理 工单 ${toRectify}` }),
  );
  await acknowledge.tap();
  await expect(page.getByTestId('done-notice')).toContainText(`已签收工单 ${toAcknowledge}`);
  await expect(page.locator(`[data-group="rectify"] tr[data-code="${toAcknowledge}"]`)).toBeVisible();
  await expectNoSideways(page);
});

test('the unit reports a rectification with an after-photo from the ticket page on a phone', async ({ page }, testInfo) => {
  await loginAs(page, 'jiaojing');
  await page.goto(`/console/tickets/${toRectify}`);
  await waitForIslands(page);
  await expectNoSideways(page);
  await expect(page.getByTestId('ticket-description')).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('ticket-360.png'), fullPage: true });

  const panel = page.getByRole('complementary', { name: '办理' });
  const report = panel.getByRole('button', { name: '反馈整改结果', exact: true });
  await expectOnScreen(page, report);
  await report.tap();
  const text = panel.getByLabel('整改情况');
  await expectOnScreen(page, text);
  await text.fill('已在路口增设礼让行人提示牌，安排警力早晚高峰值守，抓拍不礼让行人的车辆。');
  const chooser = page.waitForEvent('filechooser');
  await panel.getByRole('button', { name: '添加整改后照片' }).tap();
  await (await chooser).setFiles({ name: 'after.jpg', mimeType: 'image/jpeg', buffer: await jpegPhoto({ r: 40, g: 150, b: 70 }) });
  await expect(panel.getByText('✓ 已上传')).toHaveCount(1);
  await expectNoSideways(page);
  await page.screenshot({ path: testInfo.outputPath('ticket-360-rectify.png'), fullPage: true });
  const submit = panel.getByRole('button', { name: '提交整改结果' });
  await expectOnScreen(page, submit);
  await submit.tap();
  await expect(page.getByTestId('done-notice')).toBeVisible();
  await expect(page.getByTestId('ticket-status')).toContainText('待核验');
  await expectNoSideways(page);
});

test('the unit writes its public response to an exposure notice on a phone', async ({ page }, testInfo) => {
  await loginAs(page, 'jiaojing');
  await page.goto('/console/notices');
  await expectNoSideways(page);
  // Listed twice: among the exposures still to answer, and in the table of all.
  await page.getByTestId('notices-awaiting').getByRole('link', { name: '建设路东街路口机动车不礼让行人问题曝光' }).tap();
  await expect(page).toHaveURL(new RegExp(`/console/notices/${noticeId}$`));
  await expectNoSideways(page);
  const body = page.getByLabel('回应内容（整改情况、长效措施）');
  await expectOnScreen(page, body);
  await body.fill('我大队已在建设路与东街路口增设礼让行人提示牌和电子抓拍设备，早晚高峰安排民警值守，不礼让行人的车辆依法处罚。');
  await expectOnScreen(page, page.getByLabel(/上传整改后照片/));
  const save = page.getByRole('button', { name: '保存草稿' });
  await expectOnScreen(page, save);
  await expectOnScreen(page, page.getByRole('button', { name: '提交审核' }));
  await save.tap();
  await expect(page.locator('#notice-message')).toHaveText('回应已保存（尚未提交）。');
  await expectNoSideways(page);
  await page.screenshot({ path: testInfo.outputPath('notice-360.png'), fullPage: true });
});

for (const mode of ['normal', 'elderly'] as const) {
  test(`the unit's pages have no axe violations and no sideways scrolling at 360 px (${mode} mode)`, async ({ page }, testInfo) => {
    test.setTimeout(120_000);
    await loginAs(page, 'jiaojing');
    if (mode === 'elderly') {
      await page.goto('/elderly?on=1&next=/console/inbox');
      await expect(page.locator('html')).toHaveClass(/\belderly\b/);
    }
    const found = [];
    for (const path of [
      '/console/inbox',
      `/console/tickets/${toAcknowledge}`,
      `/console/tickets/${toRectify}`,
      '/console/notices',
      `/console/notices/${noticeId}`,
      '/console/ledgers/problems',
      '/console/escalations',
      `/console/scores?period=${thisMonth}`,
      '/console/scores/jiaojing',
    ]) {
      const response = await page.goto(path);
      expect(response?.status(), path).toBe(200);
      await waitForIslands(page);
      await expectNoSideways(page);
      await page.screenshot({ path: testInfo.outputPath(`${mode}${path.replaceAll('/', '-')}.png`), fullPage: true });
      const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
      found.push(
        ...results.violations.map((v) => ({
          path,
          rule: `${v.id}: ${v.help}`,
          nodes: v.nodes.slice(0, 5).map((n) => `${n.target.join(' ')} — ${n.failureSummary ?? ''}`),
        })),
      );
    }
    expect(found, 'axe violations').toEqual([]);
  });
}
