// Exposure notices as the office and the exposed unit use them (issue 12, items 1 and 6), through
// the real console, worker and mail (the e2e server writes mail as .eml files to DATA_DIR/mail-out):
//   1. the office (1280×720) ticks two photos and captions them, and 预览并发布 shows what will go
//      public before 确认发布 publishes exactly that — photos and captions included; the status
//      reads "已发布 · 编号 …";
//   2. a refused preview keeps what was ticked and typed; a confirmation made stale by a colleague's
//      edit is refused and says so;
//   3. the unit (on a phone, 360 px) is told by mail and at the top of its inbox, and captions its
//      after-photo before its response can be submitted;
//   4. the office is told of the submitted response by mail and on the notices page, and approves it;
//   5. residents (360 px) see the unit's own caption under its photo.
// axe finds nothing on the pages touched, in the normal and the elderly (长者模式) mode.
import fs from 'node:fs';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { simpleParser } from 'mailparser';
import { expect, jpegPhoto, test } from './fixtures.ts';
import { ensureStaff, expectNoSideways, loginAs, staffApiAs } from './support/staff.ts';

test.describe.configure({ mode: 'serial' });
test.use({ viewport: { width: 1280, height: 720 } });
test.beforeAll(() => ensureStaff());

/** Up to two real builds one after the other (the one running, then ours). */
const TWO_BUILDS_MS = 4 * 60_000;
/** A worker pass (every 5 s in the e2e server, playwright.config.ts) delivers the mail queued before it; generous for a busy machine. */
const MAIL_MS = 3 * 60_000;
const RUN = Date.now().toString(36).slice(-5).toUpperCase();
const TITLE = `西关集贸市场东门口纸箱垃圾长期堆放（${RUN}）`;
const BODY = `群众反映，西关集贸市场东门口纸箱和生活垃圾长期堆放，占用通道，气味难闻。经创城办督导组现场核实，情况属实，责任单位未按期整改，现予曝光。\n\n请责任单位立即清理，落实长效保洁措施，并在期限内公开回应。编号${RUN}。`;
const UNIT = '临城县住房和城乡建设局';
const BEFORE_CAPTIONS = ['市场东门口纸箱堆放', '东门通道被垃圾占用'];
const AFTER_CAPTION = '东门口纸箱已清走，地面已冲洗干净';
const RESPONSE = `我局已于当日组织清运西关集贸市场东门口的纸箱和垃圾，增设垃圾桶两处，安排专人每日巡查保洁。编号${RUN}。`;

let code = '';
let noticePath = '';
let slug = '';

/** A resident's report with two photos, through the public upload and report API. */
async function reportWithPhotos(page: Page, description: string): Promise<string> {
  const photoIds: string[] = [];
  for (const colour of [
    { r: 180, g: 120, b: 60 },
    { r: 90, g: 90, b: 150 },
  ]) {
    const response = await page.request.post('/api/uploads', {
      multipart: { file: { name: 'photo.jpg', mimeType: 'image/jpeg', buffer: await jpegPhoto(colour) } },
    });
    expect(response.ok(), await response.text()).toBe(true);
    photoIds.push(((await response.json()) as { id: string }).id);
  }
  const response = await page.request.post('/api/trpc/report.submit', {
    data: { description, photoIds, idempotencyKey: crypto.randomUUID() },
    headers: { 'content-type': 'application/json' },
  });
  expect(response.ok(), await response.text()).toBe(true);
  return ((await response.json()) as { result: { data: { trackingCode: string } } }).result.data.trackingCode;
}

/** The mail the worker delivered (an .eml file in the e2e server's DATA_DIR/mail-out) with this subject. */
async function deliveredMail(subject: string): Promise<{ to: string; text: string }> {
  const dir = path.join(process.env['E2E_DATA_DIR'] ?? '', 'mail-out');
  let found: { to: string; text: string } | null = null;
  await expect
    .poll(
      async () => {
        for (const file of fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.eml')) : []) {
          const mail = await simpleParser(fs.readFileSync(path.join(dir, file)));
          if (mail.subject !== subject) continue;
          const to = Array.isArray(mail.to) ? mail.to.map((a) => a.text).join(', ') : (mail.to?.text ?? '');
          found = { to, text: mail.text ?? '' };
          return true;
        }
        return false;
      },
      { timeout: MAIL_MS, intervals: [3_000], message: `a mail "${subject}" in ${dir}` },
    )
    .toBe(true);
  return found!;
}

/** axe's findings (WCAG 2.x A/AA and best practices) on the page as it is now. */
async function axeFindings(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  return results.violations.map((v) => `${page.url()} — ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join('; ')})`);
}

/** axe on `url` in the normal mode and in the elderly mode (长者模式, the cc_elderly cookie), which is switched off again. */
async function expectAxeCleanInBothModes(page: Page, url: string): Promise<void> {
  await page.goto(url);
  const found = await axeFindings(page);
  await page.goto(`/elderly?on=1&next=${encodeURIComponent(url)}`);
  await expect(page.locator('html')).toHaveClass(/\belderly\b/);
  found.push(...(await axeFindings(page)));
  await page.goto(`/elderly?on=0&next=${encodeURIComponent(url)}`);
  await expect(page.locator('html')).not.toHaveClass(/\belderly\b/);
  expect(found, 'axe violations').toEqual([]);
}

test('the office ticks and captions two photos; 预览并发布 shows what goes public, and 确认发布 publishes exactly that', async ({
  page,
}, testInfo) => {
  test.setTimeout(180_000);
  code = await reportWithPhotos(page, `西关集贸市场东门口纸箱和垃圾堆了好几天，没人清理，通道都堵了（${RUN}）`);
  await loginAs(page, 'office');
  await page.goto(`/console/notices?tickets=${code}`);
  await page.getByLabel('标题', { exact: true }).fill(TITLE);
  await page.getByLabel('曝光内容（段落之间空一行）').fill(BODY);
  await page.getByLabel('被曝光单位').selectOption('zhujianju');
  await page.getByRole('button', { name: '保存草稿' }).click();
  await expect(page).toHaveURL(/\/console\/notices\/\d+\?saved=1#notice-message$/);
  noticePath = new URL(page.url()).pathname;

  // The caption fields start empty: nothing typed into them is doubled.
  const picker = page.getByRole('group', { name: /^照片/ });
  const boxes = picker.getByRole('checkbox');
  const captions = picker.getByRole('textbox');
  await expect(boxes).toHaveCount(2);
  await expect(captions.nth(0)).toHaveValue('');
  await expect(captions.nth(1)).toHaveValue('');
  await boxes.nth(0).check();
  await captions.nth(0).fill(`整改前：${BEFORE_CAPTIONS[0]}`);
  await boxes.nth(1).check();
  await captions.nth(1).fill(BEFORE_CAPTIONS[1]!);
  await expectAxeCleanInBothModes(page, noticePath);
  // (the axe round trip reloaded the page: the ticks above were not saved yet)
  await boxes.nth(0).check();
  await captions.nth(0).fill(`整改前：${BEFORE_CAPTIONS[0]}`);
  await boxes.nth(1).check();
  await captions.nth(1).fill(BEFORE_CAPTIONS[1]!);

  // 预览并发布 saves what is on the screen and shows what will go public; nothing is public yet.
  await page.getByRole('button', { name: '预览并发布' }).click();
  await expect(page).toHaveURL(new RegExp(`${noticePath}\\?confirm=1#publish-confirm$`));
  const confirm = page.getByRole('region', { name: /^确认发布/ });
  await expect(confirm.getByRole('heading', { level: 2 })).toHaveText('确认发布：以下内容将在公开网站公开');
  await expect(confirm.getByTestId('confirm-title')).toHaveText(TITLE);
  await expect(confirm.getByTestId('confirm-unit')).toHaveText(UNIT);
  await expect(confirm.getByTestId('confirm-excerpt')).toContainText('群众反映，西关集贸市场东门口纸箱和生活垃圾长期堆放');
  await expect(confirm.locator('figcaption')).toHaveText(BEFORE_CAPTIONS.map((c) => `整改前 ${c}`));
  await expect(confirm.getByRole('img')).toHaveCount(2);
  await expect(page.locator('dd[data-status]')).toHaveText('草稿');
  await expect(page.getByRole('heading', { name: '编辑' }), 'the editor is out of the way while confirming').toHaveCount(0);
  await page.screenshot({ path: testInfo.outputPath('notice-confirm-1280.png'), fullPage: true });
  await expectAxeCleanInBothModes(page, `${noticePath}?confirm=1`);

  await confirm.getByRole('button', { name: '确认发布' }).click();
  await expect(page.locator('#notice-message')).toHaveText(
    '已发布，公开网站将在重新生成后显示这条曝光；被曝光单位会在工作台和邮件中收到通知。',
  );
  const status = page.locator('dd[data-status="published"]');
  await expect(status).toHaveText(/^已发布 · 编号 \d{4}-\d{2}-\d{3}$/);
  slug = /编号 (\S+)$/.exec((await status.textContent()) ?? '')![1]!;
  const photos = page.getByRole('region', { name: '曝光照片' });
  await expect(photos.locator('li .sub')).toHaveText(BEFORE_CAPTIONS.map((c) => `整改前：${c}`));
  await page.screenshot({ path: testInfo.outputPath('notice-published-1280.png'), fullPage: true });
  await expectAxeCleanInBothModes(page, noticePath);
});

test('a refused preview keeps every tick and word; a confirmation a colleague made stale is refused and says so', async ({
  page,
  consoleErrors,
}) => {
  test.setTimeout(120_000);
  const office = await staffApiAs('office');
  let id: number;
  try {
    const draft = await office.mutate<{ id: number }>('staff.notices.saveDraft', {
      trackingCodes: [code],
      title: `西关集贸市场东门口占道经营（${RUN}）`,
      body: '经查，西关集贸市场东门口商贩占道经营，影响通行，现予曝光。',
      unitCode: 'zhujianju',
      responseDueAt: new Date(Date.now() + 7 * 86_400_000).toISOString(),
    });
    id = draft.id;
  } finally {
    await office.dispose();
  }
  await loginAs(page, 'office');
  await page.goto(`/console/notices/${id}`);
  const picker = page.getByRole('group', { name: /^照片/ });

  // A ticked photo without its caption: refused, and the ticks, the caption typed and the new title stay.
  consoleErrors.allow(/status of 400/);
  await page.getByLabel('标题', { exact: true }).fill(`西关集贸市场东门口占道经营问题曝光（${RUN}）`);
  await picker.getByRole('checkbox').nth(0).check();
  await picker.getByRole('checkbox').nth(1).check();
  await picker.getByRole('textbox').nth(1).fill('东门口摊位占道');
  await page.getByRole('button', { name: '预览并发布' }).click();
  await expect(page.locator('#notice-error')).toContainText('请为每张照片填写说明文字');
  await expect(page.getByLabel('标题', { exact: true })).toHaveValue(`西关集贸市场东门口占道经营问题曝光（${RUN}）`);
  await expect(picker.getByRole('checkbox').nth(0)).toBeChecked();
  await expect(picker.getByRole('checkbox').nth(1)).toBeChecked();
  await expect(picker.getByRole('textbox').nth(0)).toHaveAttribute('aria-invalid', 'true');
  await expect(picker.locator('.field-error')).toHaveText(['请为每张照片填写说明文字（至少2个字，供读屏软件朗读）']);
  await expect(picker.getByRole('textbox').nth(1)).toHaveValue('东门口摊位占道');

  await picker.getByRole('textbox').nth(0).fill('东门口纸箱堆放');
  await page.getByRole('button', { name: '预览并发布' }).click();
  const confirm = page.getByRole('region', { name: /^确认发布/ });
  await expect(confirm.getByTestId('confirm-title')).toHaveText(`西关集贸市场东门口占道经营问题曝光（${RUN}）`);

  // Meanwhile a colleague changes the text: 确认发布 refuses, says why, and shows the notice as it is now.
  const colleague = await staffApiAs('admin');
  try {
    const now = await colleague.query<{ photos: Array<{ id: string; kind: string; alt: string }> }>('staff.notices.get', { id });
    await colleague.mutate('staff.notices.saveDraft', {
      id,
      trackingCodes: [code],
      title: `西关集贸市场东门口占道经营问题曝光（${RUN}）`,
      body: '经查，西关集贸市场东门口商贩长期占道经营，早晚高峰影响通行，现予曝光。',
      unitCode: 'zhujianju',
      responseDueAt: new Date(Date.now() + 7 * 86_400_000).toISOString(),
      photos: now.photos.map((p) => ({ id: p.id, kind: p.kind, alt: p.alt })),
    });
  } finally {
    await colleague.dispose();
  }
  await confirm.getByRole('button', { name: '确认发布' }).click();
  await expect(page.locator('#notice-error')).toHaveText(
    '这条曝光在您确认之后又被修改过，没有发布。请重新核对要公开的内容，确认无误后再发布',
  );
  await expect(page.locator('dd[data-status]')).toHaveText('草稿');
  await expect(confirm.getByTestId('confirm-excerpt')).toContainText('早晚高峰影响通行');
  await confirm.getByRole('button', { name: '确认发布' }).click();
  await expect(page.locator('dd[data-status="published"]')).toHaveText(/^已发布 · 编号 /);
});

test.describe('the exposed unit, on a phone', () => {
  test.use({ viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });

  test('is told by mail and at the top of its inbox, and captions its after-photo before the response can be submitted', async ({
    page,
    consoleErrors,
  }, testInfo) => {
    test.setTimeout(MAIL_MS + 180_000);
    const mail = await deliveredMail(`【曝光通报】${TITLE}（编号 ${slug}）`);
    expect(mail.to).toContain('zhujianju@lincheng.example.cn');
    expect(mail.text).toContain(`${UNIT}：`);
    expect(mail.text).toContain(noticePath);

    await loginAs(page, 'zhujian');
    const exposures = page.getByRole('region', { name: /^曝光待回应/ });
    await expect(exposures.getByRole('link', { name: TITLE })).toHaveAttribute('href', noticePath);
    await expect(exposures.locator(`li:has(a[href="${noticePath}"]) .sub`)).toContainText(`编号 ${slug} · 回应期限`);
    await expectNoSideways(page);
    await page.screenshot({ path: testInfo.outputPath('inbox-exposure-360.png'), fullPage: true });
    await expectAxeCleanInBothModes(page, '/console/inbox');

    await exposures.getByRole('link', { name: TITLE }).click();
    await expect(page.locator('dd[data-status="published"]')).toHaveText(`已发布 · 编号 ${slug}`);
    await page.getByLabel('回应内容（整改情况、长效措施）').fill(RESPONSE);
    await page.getByLabel(/^上传整改后照片/).setInputFiles({
      name: 'after.jpg',
      mimeType: 'image/jpeg',
      buffer: await jpegPhoto({ r: 60, g: 170, b: 90 }),
    });
    // Submitted straight away: the photo is kept, the response saved, and the caption asked for.
    consoleErrors.allow(/status of 400/);
    await page.getByRole('button', { name: '提交审核' }).click();
    await expect(page.locator('#notice-error')).toHaveText(
      '回应已保存，但尚未提交：还有1张整改后照片没有填写说明，请为每张照片填写说明后再提交审核',
    );
    const kept = page.getByRole('group', { name: /^已上传的整改后照片/ });
    const caption = kept.getByRole('textbox', { name: /^照片说明/ });
    await expect(caption).toHaveValue('');
    await expect(caption).toHaveAttribute('aria-invalid', 'true');
    await expect(page.getByLabel('回应内容（整改情况、长效措施）')).toHaveValue(RESPONSE);
    await expectNoSideways(page);
    await page.screenshot({ path: testInfo.outputPath('response-caption-360.png'), fullPage: true });
    await expectAxeCleanInBothModes(page, noticePath);

    await caption.fill(AFTER_CAPTION);
    await page.getByRole('button', { name: '提交审核' }).click();
    await expect(page.locator('#notice-message')).toHaveText('回应已提交创城办审核，审核结果会在工作台和邮件中通知本单位。');
    await expect(page.locator('[data-response-status="submitted"] li .sub')).toHaveText(`整改后：${AFTER_CAPTION}`);
    await expectNoSideways(page);
    await page.goto('/console/inbox');
    await expect(page.locator(`[data-testid="inbox-exposures"] a[href="${noticePath}"]`)).toHaveCount(0);
  });
});

test('the office is told of the response by mail and on the notices page, and approves it', async ({ page }, testInfo) => {
  test.setTimeout(MAIL_MS + 120_000);
  const mail = await deliveredMail(`【回应待审核】${UNIT}：${TITLE}`);
  expect(mail.to).toContain('chuangchengban@lincheng.example.cn');
  expect(mail.text).toContain(RESPONSE);
  expect(mail.text).toContain('整改后照片：1张');

  await loginAs(page, 'office');
  await page.goto('/console/notices');
  const awaiting = page.getByRole('region', { name: /^待审核的公开回应/ });
  await expect(awaiting.getByRole('link', { name: TITLE })).toHaveAttribute('href', noticePath);
  await page.screenshot({ path: testInfo.outputPath('notices-awaiting-1280.png'), fullPage: true });
  await expectAxeCleanInBothModes(page, '/console/notices');
  await awaiting.getByRole('link', { name: TITLE }).click();
  await expect(page.locator('[data-response-status="submitted"] li .sub')).toHaveText(`整改后：${AFTER_CAPTION}`);
  await page.getByRole('button', { name: '审核通过并公开' }).click();
  await expect(page.locator('#notice-message')).toHaveText('回应已公开，公开网站将在重新生成后显示。');
  await page.goto('/console/notices');
  await expect(page.getByTestId('notices-awaiting')).toHaveCount(0);
});

test.describe('residents, on a phone', () => {
  test.use({ viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });

  test("see the unit's own caption under its response photo, not the notice's title", async ({ page }, testInfo) => {
    test.setTimeout(TWO_BUILDS_MS + 120_000);
    await expect
      .poll(async () => (await (await page.request.get(`/notices/${slug}/`)).text()).includes(RESPONSE), {
        timeout: TWO_BUILDS_MS,
        intervals: [3_000],
      })
      .toBe(true);
    await page.goto(`/notices/${slug}/`);
    const response = page.locator('.notice-response');
    await expect(response.locator('figcaption')).toHaveText(`整改后 ${AFTER_CAPTION}`);
    await expect(response.getByRole('img')).toHaveAttribute('alt', AFTER_CAPTION);
    await expect(page.locator('.notice-article > .notice-photos figcaption')).toHaveText(BEFORE_CAPTIONS.map((c) => `整改前 ${c}`));
    await expect(page.locator('body')).not.toContainText(`${TITLE}（1）`);
    await expectNoSideways(page);
    await page.screenshot({ path: testInfo.outputPath('public-notice-360.png'), fullPage: true });
    await expectAxeCleanInBothModes(page, `/notices/${slug}/`);
  });
});
