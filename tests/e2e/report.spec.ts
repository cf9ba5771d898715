// What a resident does on a phone: report a problem (with photos, without JavaScript, by
// keyboard alone), get a tracking code, and look the report up again.
import { generateTrackingCode } from '../../server/tickets/tracking-code.ts';
import { expect, jpegPhoto, tabTo, test, waitForIsland } from './fixtures.ts';
import { expectNoAxeViolations } from './support/axe.ts';
import { expectNoSideways } from './support/staff.ts';

const TRACK_URL = /\/track\?code=[^&]+&new=1$/;

test('report with two photos → tracking code → the track page shows status and both photos', async ({ page }, testInfo) => {
  await page.goto('/report');
  await waitForIsland(page);
  await page.screenshot({ path: testInfo.outputPath('report-360.png'), fullPage: true });
  // The retention the notice promises is the purge's (PERSONAL_DATA_RETENTION_DAYS, 730 days by default).
  await expect(page.locator('.privacy')).toContainText('问题办结后保存2年，然后删除');

  await page.getByLabel('问题描述').fill('西关农贸市场门口的垃圾堆了好几天没人清理，气味很大，摊位也占到了路上。');
  await expect(page.locator('.suggestion')).toContainText(/将由.+(办理|分派)/);
  await page.getByRole('button', { name: '采用建议的类别' }).click();
  await expect(page.getByLabel('问题类别')).not.toHaveValue('');
  await expect(page.locator('.suggestion')).toContainText(/您选择的“.+”将由.+办理/);

  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: '添加照片' }).click();
  await (
    await chooser
  ).setFiles([
    { name: 'market-gate.jpg', mimeType: 'image/jpeg', buffer: await jpegPhoto({ r: 180, g: 40, b: 40 }) },
    { name: 'market-street.jpg', mimeType: 'image/jpeg', buffer: await jpegPhoto({ r: 40, g: 90, b: 160 }) },
  ]);
  await expect(page.getByText('✓ 已上传')).toHaveCount(2);
  await expect(page.getByRole('button', { name: '添加照片' })).toBeEnabled();
  await page.screenshot({ path: testInfo.outputPath('report-360-photos.png'), fullPage: true });

  await page.getByLabel('姓名或称呼').fill('王大爷');
  await page.getByLabel('手机或电话').fill('138 1234 5678');
  await page.getByRole('button', { name: '提交反映' }).click();

  await page.waitForURL(TRACK_URL);
  await expect(page.getByRole('heading', { name: '提交成功！请记下您的查询码' })).toBeVisible();
  const code = (await page.getByTestId('new-tracking-code').textContent())?.trim() ?? '';
  expect(code).toMatch(/^[0-9A-Z]+(-[0-9A-Z]+)*$/);
  // The suggested category has a lead unit, so the report is dispatched on submission.
  await expect(page.locator('.status-badge')).toHaveText('已转交责任单位');
  const thumbs = page.locator('.photo-grid img');
  await expect(thumbs).toHaveCount(2);
  for (const thumb of await thumbs.all()) {
    await thumb.scrollIntoViewIfNeeded();
    await expect.poll(() => thumb.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
  }
  await expect(page.locator('.timeline li').first()).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('track-360-new.png'), fullPage: true });
  // The public page never shows who reported.
  await expect(page.locator('body')).not.toContainText('王大爷');
  await expect(page.locator('body')).not.toContainText('5678');

  // Later, typed in lower case without dashes.
  await page.goto('/track');
  await page.getByLabel('查询码').fill(code.toLowerCase().replaceAll('-', ''));
  await page.getByRole('button', { name: '查询', exact: true }).click();
  await expect(page.locator('.tracking-code')).toHaveText(code);
  await expect(page.locator('.photo-grid img')).toHaveCount(2);
});

test('photos picked before the page finished loading are uploaded, not dropped', async ({ page }) => {
  // A slow phone: the form is there, its script is not yet. Hold the scripts until a photo is picked.
  const held: Array<() => Promise<void>> = [];
  await page.route('**/_astro/*.js', (route) => void held.push(() => route.continue()));
  await page.goto('/report', { waitUntil: 'domcontentloaded' });
  await page
    .locator('input#photos')
    .setInputFiles([{ name: 'early.jpg', mimeType: 'image/jpeg', buffer: await jpegPhoto({ r: 90, g: 140, b: 60 }) }]);
  await Promise.all(held.map((go) => go()));
  await page.unroute('**/_astro/*.js');
  await waitForIsland(page);
  await expect(page.getByText('✓ 已上传')).toHaveCount(1);
});

test('a refused photo gets its own Chinese message, and the report waits until it is removed', async ({ page, consoleErrors }) => {
  consoleErrors.allow(/status of 415/);
  await page.goto('/report');
  await waitForIsland(page);
  await page.getByLabel('问题描述').fill('东街公益广告牌被风刮坏了一半，字都看不清了。');

  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: '添加照片' }).click();
  await (await chooser).setFiles({ name: 'not-a-photo.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('这不是照片') });
  const row = page.locator('.photo-item');
  await expect(row.locator('.field-error')).toContainText('照片');
  await expect(row.getByRole('button', { name: '重试上传第1张照片' })).toBeVisible();

  await page.getByRole('button', { name: '提交反映' }).click();
  await expect(page.locator('#photos-error')).toContainText('有照片没有上传成功');
  await expect(page).toHaveURL(/\/report$/);

  await row.getByRole('button', { name: '删除第1张照片' }).click();
  await expect(row).toHaveCount(0);
  await expect(page.getByRole('button', { name: '添加照片' })).toBeFocused();
  await page.getByRole('button', { name: '提交反映' }).click();
  await page.waitForURL(TRACK_URL);
});

test('a submit lost on the way back is retried with the same key and gives the same ticket', async ({ page, consoleErrors }) => {
  consoleErrors.allow(/net::ERR_CONNECTION_RESET/);
  await page.goto('/report');
  await waitForIsland(page);
  await page.getByLabel('问题描述').fill('锦绣小区3号楼楼道里堆满了杂物，消防通道被堵。');

  // The first submit reaches the server, but the answer never reaches the phone.
  let firstCode = '';
  await page.route(
    '**/api/trpc/report.submit',
    async (route) => {
      const response = await route.fetch();
      firstCode = ((await response.json()) as { result: { data: { trackingCode: string } } }).result.data.trackingCode;
      await route.abort('connectionreset');
    },
    { times: 1 },
  );
  await page.getByRole('button', { name: '提交反映' }).click();
  await expect(page.locator('.error-summary')).toContainText('网络连接失败');
  await expect(page.getByLabel('问题描述')).toHaveValue('锦绣小区3号楼楼道里堆满了杂物，消防通道被堵。');
  expect(firstCode).not.toBe('');

  await page.getByRole('button', { name: '提交反映' }).click();
  await page.waitForURL(TRACK_URL);
  await expect(page.getByTestId('new-tracking-code')).toHaveText(firstCode);
});

test.describe('location', () => {
  test.use({ geolocation: { latitude: 37.4452, longitude: 114.4921, accuracy: 25 }, permissions: ['geolocation'] });

  test('"使用我的位置" fills in the position and a point can be picked', async ({ page }) => {
    await page.goto('/report');
    await waitForIsland(page);
    await page.getByLabel('问题描述').fill('市场门口的下水道井盖丢了，晚上很危险。');
    await page.getByRole('button', { name: '使用我的位置' }).click();
    await expect(page.getByRole('status').filter({ hasText: '已获取您的位置' })).toContainText('误差约25米');
    await expect(page.locator('input[name=lat]')).toHaveValue('37.445200');

    const points = page.getByLabel('选择附近的点位');
    const firstPoint = await points.locator('option:not([value=""])').first().getAttribute('value');
    await points.selectOption(firstPoint ?? '');
    await page.getByRole('button', { name: '提交反映' }).click();
    await page.waitForURL(TRACK_URL);
  });
});

// A public-service ad page links "report a damaged or missing ad" to the form with its point and
// category; the form starts with both chosen and the point named, with or without JavaScript.
test.describe('opened from a public-service ad', () => {
  const AD_LINK = '/report?point=psa-renmin-square&category=psa.damaged';
  const CHOSEN = '已选择点位：人民广场公益广告牌（临城县人民广场南侧）';

  test('the point and the category are chosen, the point named, and the report keeps them', async ({ page }, testInfo) => {
    await page.goto(AD_LINK);
    await waitForIsland(page);
    await expect(page.getByLabel('问题类别')).toHaveValue('psa.damaged');
    await expect(page.getByLabel('选择附近的点位')).toHaveValue('psa-renmin-square');
    await expect(page.locator('#pointId-chosen')).toHaveText(CHOSEN);
    await expect(page.getByLabel('选择附近的点位')).toHaveAttribute('aria-describedby', /pointId-chosen/);
    await page.screenshot({ path: testInfo.outputPath('report-360-from-ad.png'), fullPage: true });

    await page.getByLabel('问题描述').fill('广场南侧的公益广告牌被风刮破了，画面掉了一半。');
    await page.getByRole('button', { name: '提交反映' }).click();
    await page.waitForURL(TRACK_URL);
    await expect(page.locator('dd').filter({ hasText: '公益广告破损' })).toBeVisible();
  });

  test('another point picked on the page replaces the named one', async ({ page }) => {
    await page.goto(AD_LINK);
    await waitForIsland(page);
    await page.getByLabel('选择附近的点位').selectOption('psa-bus-station');
    await expect(page.locator('#pointId-chosen')).toHaveText('已选择点位：汽车站公益广告围挡（临城县汽车站东侧围挡）');
  });

  test('values the catalog does not know are ignored silently', async ({ page }) => {
    const response = await page.goto('/report?point=no-such-point&category=no.such.category');
    expect(response?.status()).toBe(200);
    await waitForIsland(page);
    await expect(page.getByLabel('问题类别')).toHaveValue('');
    await expect(page.getByLabel('选择附近的点位')).toHaveValue('');
    await expect(page.locator('#pointId-chosen')).toHaveCount(0);
    await expect(page.locator('.error-summary')).toHaveCount(0);
  });

  test.describe('without JavaScript', () => {
    test.use({ javaScriptEnabled: false });

    test('the plain form starts with the point and the category and posts them', async ({ page }) => {
      await page.goto(AD_LINK);
      await expect(page.getByLabel('问题类别')).toHaveValue('psa.damaged');
      await expect(page.getByLabel('选择附近的点位')).toHaveValue('psa-renmin-square');
      await expect(page.locator('#pointId-chosen')).toHaveText(CHOSEN);
      await page.getByLabel('问题描述').fill('人民广场的公益广告牌不见了，只剩下空架子。');
      await page.getByRole('button', { name: '提交反映' }).click();
      await page.waitForURL(TRACK_URL);
      await expect(page.locator('dd').filter({ hasText: '公益广告破损' })).toBeVisible();
    });
  });
});

test('a refused position gets a clear Chinese message', async ({ page }) => {
  await page.goto('/report');
  await waitForIsland(page);
  await page.getByRole('button', { name: '使用我的位置' }).click();
  await expect(page.locator('.location-status')).toContainText(/没有允许|无法确定|超时/);
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('the plain form posts, uploads the photo and redirects to the tracking code', async ({ page }) => {
    await page.goto('/report');
    await page.getByLabel('问题描述').fill('建设路与东街路口早晚高峰电动车逆行很多，非常危险。');
    await page.getByLabel('选择照片').setInputFiles({
      name: 'crossing.jpg',
      mimeType: 'image/jpeg',
      buffer: await jpegPhoto({ r: 30, g: 120, b: 60 }),
    });
    await page.getByLabel('姓名或称呼').fill('张女士');
    await page.getByRole('button', { name: '提交反映' }).click();

    await page.waitForURL(TRACK_URL);
    await expect(page.getByRole('heading', { name: '提交成功！请记下您的查询码' })).toBeVisible();
    await expect(page.getByTestId('new-tracking-code')).toHaveText(/^[0-9A-Z]+(-[0-9A-Z]+)*$/);
    await expect(page.locator('.photo-grid img')).toHaveCount(1);
    await expect(page.locator('body')).not.toContainText('张女士');
  });

  test('a too-short description comes back with the Chinese message and the typed values kept', async ({ page, consoleErrors }) => {
    consoleErrors.allow(/status of 400/);
    await page.goto('/report');
    await page.getByLabel('问题描述').fill('脏');
    await page.getByLabel('姓名或称呼').fill('李阿姨');
    await page.getByRole('button', { name: '提交反映' }).click();

    await expect(page).toHaveTitle(/^提交未成功/);
    await expect(page.locator('.error-summary')).toContainText('问题描述');
    await expect(page.locator('#description-error')).toContainText('至少5个字');
    await expect(page.getByLabel('问题描述')).toHaveValue('脏');
    await expect(page.getByLabel('姓名或称呼')).toHaveValue('李阿姨');
  });
});

test('a too-short description shows the Chinese message next to the field', async ({ page }, testInfo) => {
  await page.goto('/report');
  await waitForIsland(page);
  await page.getByLabel('问题描述').fill('脏乱');
  await page.getByRole('button', { name: '提交反映' }).click();

  const message = page.locator('#description-error');
  await expect(message).toHaveText(/请把问题说得具体一些（至少5个字）/);
  await expect(page.locator('.error-summary')).toBeFocused();
  await page.screenshot({ path: testInfo.outputPath('report-360-error.png'), fullPage: true });
  await expect(page.getByLabel('问题描述')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByLabel('问题描述')).toHaveAttribute('aria-describedby', /description-error/);
  // Nothing was sent: still on the form, the text kept.
  await expect(page).toHaveURL(/\/report$/);
  await expect(page.getByLabel('问题描述')).toHaveValue('脏乱');
});

test('keyboard only: Tab, type, Space and Enter submit a report', async ({ page }) => {
  await page.goto('/report');
  await waitForIsland(page);

  await tabTo(page, '#description');
  await page.keyboard.type('路灯');
  await tabTo(page, 'button[type=submit]');
  await page.keyboard.press('Enter');
  // The error summary takes focus; its link leads back to the field.
  await expect(page.locator('.error-summary')).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(page.locator('.error-summary a')).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.locator('#description')).toBeFocused();
  await page.keyboard.type('不亮了，东街小区门口一到晚上漆黑一片。');

  await tabTo(page, '#anonymous');
  await page.keyboard.press('Space');
  await expect(page.locator('#anonymous')).toBeChecked();
  await expect(page.locator('#phone')).toBeHidden();

  await tabTo(page, 'button[type=submit]');
  await page.keyboard.press('Enter');
  await page.waitForURL(TRACK_URL);
  await expect(page.getByRole('heading', { name: '提交成功！请记下您的查询码' })).toBeVisible();
});

test('an unknown tracking code gets a clear Chinese answer', async ({ page, consoleErrors }) => {
  consoleErrors.allow(/status of 404/);
  const code = generateTrackingCode();
  await page.goto('/track');
  await page.getByLabel('查询码').fill(code);
  await page.getByRole('button', { name: '查询', exact: true }).click();

  await expect(page.getByRole('alert')).toContainText(`没有找到查询码为“${code}”的反映`);
  await expect(page.getByRole('alert')).toContainText('请核对查询码');
  await expect(page.getByLabel('查询码')).toHaveValue(code);
});

test('a tracking code that is too short says how many characters are missing', async ({ page, consoleErrors }) => {
  consoleErrors.allow(/status of 400/);
  await page.goto('/track?code=ABC');
  await expect(page.getByRole('alert').getByRole('heading')).toHaveText('“ABC”：查询码应有9位（不算横线），这里只有3位，可能漏写了');
});

test('a code with one wrong character is told so, once — not that it must be nine letters and digits', async ({
  page,
  consoleErrors,
}, testInfo) => {
  consoleErrors.allow(/status of 400/);
  const code = generateTrackingCode();
  // Nine possible symbols, but the last one miscopied: the check character catches it.
  const miscopied = code.slice(0, -1) + (code.endsWith('X') ? 'Y' : 'X');
  await page.goto('/track');
  await page.getByLabel('查询码').fill(miscopied);
  await page.getByRole('button', { name: '查询', exact: true }).click();

  const alert = page.getByRole('alert');
  await expect(alert.getByRole('heading')).toHaveText(`“${miscopied}”：查询码有误，可能有一位抄错了，或有两位前后颠倒了`);
  const said = await alert.innerText();
  expect(said.match(/有误|不正确|格式/g), said).toHaveLength(1);
  expect(said).not.toMatch(/9位|共9|数字和字母组成/);
  await expect(alert).toContainText('逐位核对');
  await expect(page.getByLabel('查询码')).toHaveValue(miscopied);
  await page.screenshot({ path: testInfo.outputPath('track-miscopied-360.png'), fullPage: true });
  await expectNoAxeViolations(page, 'the track page with a miscopied code');

  await page.goto(`/elderly?on=1&next=${encodeURIComponent(`/track?code=${miscopied}`)}`);
  await expect(page.locator('html')).toHaveClass(/\belderly\b/);
  await expect(page.getByRole('alert').getByRole('heading')).toContainText('查询码有误');
  await expectNoSideways(page);
  await page.screenshot({ path: testInfo.outputPath('track-miscopied-360-elderly.png'), fullPage: true });
  await expectNoAxeViolations(page, 'the track page with a miscopied code, elderly mode');
});

test('home (the public site) and 404 pages are in Chinese', async ({ page, consoleErrors }, testInfo) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('文明创城 人人参与');
  await page.screenshot({ path: testInfo.outputPath('home-360.png'), fullPage: true });
  await expect(page.getByRole('link', { name: '我要反映问题' })).toHaveAttribute('href', '/report');

  consoleErrors.allow(/status of 404/);
  const response = await page.goto('/no-such-page');
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('抱歉，没有找到这个页面');
});
