// "我也遇到了" on a phone (issue 15 item 4): resident A reports a broken facility at a village
// compound with a photo; resident B, picking the same category and point, sees A's problem —
// category, point, date, status, photo, never A's description or code — and joins it, getting A's
// tracking code; the office's ticket page then says 2人反映. Resident C sees the same problem but
// files a separate report. Its own point and category: compound-dongjie-village, compound.facilities.
import type { Page } from '@playwright/test';
import { expect, jpegPhoto, test, waitForIsland } from './fixtures.ts';
import { expectNoAxeViolations } from './support/axe.ts';
import { ensureStaff, expectNoSideways, loginAs } from './support/staff.ts';

const POINT = 'compound-dongjie-village';
const CATEGORY = 'compound.facilities';
const A_TEXT = '东街村新民居小区3号楼前的健身器材断了一根扶手，张桂兰大妈差点摔倒，很危险';

async function pickCategoryAndPoint(page: Page): Promise<void> {
  await page.getByLabel('问题类别').selectOption(CATEGORY);
  await page.getByLabel('选择附近的点位').selectOption(POINT);
}

test('resident B joins resident A report with 我也遇到了 and gets its code; the office sees 2人反映', async ({
  browser,
  page,
}, testInfo) => {
  ensureStaff();

  // Resident A reports, with a photo and a phone number.
  await page.goto('/report');
  await waitForIsland(page);
  await page.getByLabel('问题描述').fill(A_TEXT);
  await pickCategoryAndPoint(page);
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: '添加照片' }).click();
  await (await chooser).setFiles([{ name: 'fitness.jpg', mimeType: 'image/jpeg', buffer: await jpegPhoto({ r: 60, g: 140, b: 60 }) }]);
  await expect(page.getByText('✓ 已上传')).toHaveCount(1);
  await page.getByLabel('手机或电话').fill('13800138001');
  await page.getByRole('button', { name: '提交反映' }).click();
  await page.waitForURL(/\/track\?code=[^&]+&new=1$/);
  const codeA = (await page.getByTestId('new-tracking-code').textContent())?.trim() ?? '';
  expect(codeA).not.toBe('');

  // Resident B, on another phone.
  const phoneB = await browser.newContext({ viewport: page.viewportSize()! });
  const b = await phoneB.newPage();
  await b.goto('/report');
  await waitForIsland(b);
  await pickCategoryAndPoint(b);
  const section = b.getByRole('region', { name: '附近已有人反映了同类问题' });
  await expect(section).toBeVisible();
  const item = section.getByRole('listitem');
  await expect(item).toHaveCount(1);
  await expect(item).toContainText('小区设施损坏');
  await expect(item).toContainText('临城镇东街村新民居小区');
  await expect(item).toContainText('1人反映');
  const thumb = item.locator('img');
  await expect(thumb).toHaveCount(1);
  await thumb.scrollIntoViewIfNeeded();
  await expect.poll(() => thumb.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
  // Nothing of A: not the description (it names a neighbour), not the code, not the number.
  const body = b.locator('body');
  await expect(body).not.toContainText('健身器材断了');
  await expect(body).not.toContainText('张桂兰');
  await expect(body).not.toContainText(codeA);
  await expect(body).not.toContainText('13800138001');
  await expectNoSideways(b);
  await expectNoAxeViolations(b, 'the report form with the nearby list');

  await item.getByRole('button', { name: '我也遇到了' }).click();
  await expect(item.getByRole('button', { name: '确认，我也遇到了' })).toBeFocused();
  await item.getByLabel(/手机号码/).fill('139 0013 9002');
  await expectNoAxeViolations(b, 'the me-too confirmation');
  await b.screenshot({ path: testInfo.outputPath('me-too-360.png'), fullPage: true });
  await item.getByRole('button', { name: '确认，我也遇到了' }).click();
  await b.waitForURL(/\/track\?code=[^&]+&new=1&joined=1$/);
  await expect(b.getByRole('heading', { name: '已加入这条反映！请记下查询码' })).toBeVisible();
  await expect(b.getByTestId('new-tracking-code')).toHaveText(codeA);
  await expect(b.getByTestId('joined-existing')).toBeVisible();
  await expectNoAxeViolations(b, 'the tracking page after joining');
  await phoneB.close();

  // Resident C sees the same problem, says it is another, and files a new report.
  const phoneC = await browser.newContext({ viewport: page.viewportSize()! });
  const c = await phoneC.newPage();
  await c.goto('/report');
  await waitForIsland(c);
  await c.getByLabel('问题描述').fill('东街村新民居小区门口的路灯不亮了，晚上很黑');
  await pickCategoryAndPoint(c);
  const seen = c.getByRole('region', { name: '附近已有人反映了同类问题' });
  await expect(seen.getByRole('listitem')).toContainText('2人反映');
  await seen.getByRole('button', { name: '不是同一个问题，继续提交新反映' }).click();
  await expect(seen).toBeHidden();
  await c.getByRole('button', { name: '提交反映' }).click();
  await c.waitForURL(/\/track\?code=[^&]+&new=1$/);
  await expect(c.getByRole('heading', { name: '提交成功！请记下您的查询码' })).toBeVisible();
  await expect(c.getByTestId('new-tracking-code')).not.toHaveText(codeA);
  await phoneC.close();

  // The office sees how many reported A's problem.
  await loginAs(page, 'office');
  await page.goto(`/console/tickets/${codeA}`);
  await expect(page.getByTestId('report-count')).toHaveText('2人反映');
});
