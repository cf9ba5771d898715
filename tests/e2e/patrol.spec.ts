// A citizen patrol member (社会巡访监督员) on a phone 360 px wide (issue 14 item 5): signs in and
// lands on their own page, reports a problem with a photo, sees it in "我反映的问题" with its
// tracking code and state, records a persuasion (劝导) — no page scrolls sideways, and axe finds
// nothing on the page.
//
// playwright.config.ts runs this file in its own project at the phone viewport (360×740, touch).
import { expect, jpegPhoto, test } from './fixtures.ts';
import { axeFindings } from './support/axe-check.ts';
import { ensureStaff, expectNoSideways, loginAs, waitForIslands } from './support/staff.ts';

test.beforeAll(() => ensureStaff());

test('a patrol member reports a problem with a photo and sees it in their list', async ({ page }) => {
  await loginAs(page, 'patrol');
  await expect(page).toHaveURL(/\/console\/patrol$/);
  await waitForIslands(page);
  await expectNoSideways(page);
  expect(await axeFindings(page)).toEqual([]);

  await page.getByLabel('看到了什么问题').fill('人民路和府前街交叉口，机动车经过斑马线从来不礼让行人，老人过马路太危险了');
  await page.getByLabel('地址或位置描述').fill('人民路与府前街交叉口');
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: '＋ 拍照或选择照片' }).tap();
  await (await chooser).setFiles({ name: 'crossing.jpg', mimeType: 'image/jpeg', buffer: await jpegPhoto({ r: 200, g: 60, b: 40 }) });
  await expect(page.getByText('✓ 已上传')).toHaveCount(1);
  await page.getByRole('button', { name: '提交反映' }).tap();

  const notice = page.getByTestId('reported-notice');
  await expect(notice).toBeVisible();
  const code = (await notice.locator('strong').textContent())!.trim();
  expect(code).toMatch(/^[0-9A-Z]{3}-[0-9A-Z]{3}-[0-9A-Z]{3}$/);
  const mine = page.getByTestId('my-reports').locator('li').filter({ hasText: code });
  await expect(mine).toContainText('已转交责任单位');
  await expectNoSideways(page);
  expect(await axeFindings(page)).toEqual([]);

  await page.getByLabel('地点').fill('人民路与府前街路口');
  await page.getByLabel('闯红灯、不礼让行人').check();
  await page.getByLabel('劝导人数').fill('3');
  await page.getByRole('button', { name: '记录劝导' }).tap();
  await expect(page.getByText('劝导3人。')).toBeVisible();
  await expectNoSideways(page);
});
