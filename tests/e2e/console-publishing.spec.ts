// Publishing the public site end to end (issue 6), through the real console, the real worker and
// real `astro build --root site` builds of the e2e server (a build takes 20–60 s here, so the
// tests wait for conditions with generous timeouts):
//   1. the office composes a notice from a ticket and publishes it → after the rebuild it is live
//      on the public site and listed;
//   2. the exposed unit writes a public response → a rebuild the office asks for by hand
//      (重新生成网站) still leaves it off the public page → the office approves it → after the
//      rebuild it shows on the notice page with its date;
//   3. an ad whose image is missing, saved into the server's content folder (E2E_CONTENT_DIR, its
//      own copy of content/), breaks the build → the console shows the failure with its error and
//      the public site keeps serving the previous build → the file removed, the site builds again
//      and the failure clears.
// The tests build on each other (serial).
import fs from 'node:fs';
import path from 'node:path';
import type { APIRequestContext, Page } from '@playwright/test';
import { formatDate } from '../../src/lib/format-date.ts';
import { expect, test } from './fixtures.ts';
import { apiReport, ensureStaff, loginAs } from './support/staff.ts';

test.describe.configure({ mode: 'serial' });
test.beforeAll(() => ensureStaff());

/** Up to two real builds one after the other (the one running, then ours). */
const TWO_BUILDS_MS = 4 * 60_000;
const RUN = Date.now().toString(36).slice(-5).toUpperCase();
const TITLE = `建设路商业街店铺门口乱堆纸箱问题曝光（${RUN}）`;
const BODY = `经查，建设路商业街多家店铺门口长期乱堆纸箱，垃圾无人清扫，责任单位未按期整改，现予曝光。编号${RUN}。`;
const RESPONSE = `我局已组织清理建设路商业街店铺门口的纸箱和垃圾，并落实门前五包责任，每日巡查。编号${RUN}。`;
const BROKEN_AD = 'e2e-broken';

let noticePath = '';
let slug = '';

function contentDir(): string {
  const dir = process.env['E2E_CONTENT_DIR'];
  if (!dir) throw new Error('E2E_CONTENT_DIR is not set: run the tests through playwright.config.ts');
  return dir;
}

/** The public page's HTML, or its status when it does not answer 200. */
async function publicPage(request: APIRequestContext, url: string): Promise<string> {
  const response = await request.get(url);
  return response.status() === 200 ? await response.text() : `HTTP ${response.status()}`;
}

/** Reloads the console's publishing page until `check` passes. */
async function untilPublishing(page: Page, check: () => Promise<void>, timeout = TWO_BUILDS_MS): Promise<void> {
  await expect(async () => {
    await page.goto('/console/publishing');
    await check();
  }).toPass({ timeout, intervals: [2_000] });
}

test('the office publishes a notice from a ticket; after the rebuild it is live on the public site and listed', async ({
  page,
  request,
}) => {
  test.setTimeout(TWO_BUILDS_MS + 60_000);
  await loginAs(page, 'office');
  const code = await apiReport(page, `建设路商业街的店铺门口乱堆纸箱，垃圾没人扫（${RUN}）`);

  // From the ticket's page: the compose form starts with the ticket.
  await page.goto(`/console/tickets/${code}`);
  await page.getByRole('link', { name: '据此起草曝光' }).click();
  await expect(page).toHaveURL(/\/console\/notices\?tickets=/);
  await expect(page.getByLabel('工单查询码（每行一个，可多件）')).toHaveValue(code);
  await page.getByLabel('标题', { exact: true }).fill(TITLE);
  await page.getByLabel('曝光内容（段落之间空一行）').fill(BODY);
  await page.getByLabel('被曝光单位').selectOption('zhujianju');
  await page.getByRole('button', { name: '保存草稿' }).click();
  await expect(page).toHaveURL(/\/console\/notices\/\d+\?saved=1#notice-message$/);
  noticePath = new URL(page.url()).pathname;

  await page.getByRole('button', { name: '预览并发布' }).click();
  await page.getByRole('button', { name: '确认发布' }).click();
  await expect(page.locator('#notice-message')).toHaveText(
    '已发布，公开网站将在重新生成后显示这条曝光；被曝光单位会在工作台和邮件中收到通知。',
  );
  const number = await page.locator('dd[data-status="published"] .sub').textContent();
  slug = /编号 (\d{4}-\d{2}-\d{3})/.exec(number ?? '')?.[1] ?? '';
  expect(slug, `the notice's number in "${number}"`).not.toBe('');

  await expect.poll(() => publicPage(request, `/notices/${slug}/`), { timeout: TWO_BUILDS_MS, intervals: [2_000] }).toContain(TITLE);
  await page.goto(`/notices/${slug}/`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(TITLE);
  await expect(page.getByText(BODY)).toBeVisible();
  await expect(page.locator('.notice-facts')).toContainText('临城县住房和城乡建设局');
  await page.goto('/notices/');
  await expect(page.getByRole('link', { name: TITLE })).toHaveAttribute('href', `/notices/${slug}/`);
});

test("the unit's response is public only after the office approves it, with its date", async ({ page, request }) => {
  test.setTimeout(2 * TWO_BUILDS_MS + 60_000);
  await loginAs(page, 'zhujian');
  await page.goto(noticePath);
  await page.getByLabel('回应内容（整改情况、长效措施）').fill(RESPONSE);
  await page.getByRole('button', { name: '提交审核' }).click();
  await expect(page.locator('#notice-message')).toHaveText('回应已提交创城办审核，审核结果会在工作台和邮件中通知本单位。');

  // A rebuild now (asked for by hand) still leaves the response out: it is not reviewed yet.
  await loginAs(page, 'office');
  await page.goto('/console/publishing');
  await page.getByRole('button', { name: '重新生成网站' }).click();
  await expect(page).toHaveURL(/\/console\/publishing\?rebuild=queued$/);
  await expect(page.locator('#publishing-message')).toHaveText('已请求重新生成公开网站，后台生成完成后自动上线。');
  await untilPublishing(page, async () => {
    const newest = page.locator('#recent-builds tbody tr').first();
    await expect(newest, 'the manual build is live').toHaveAttribute('data-status', 'live', { timeout: 1_000 });
    await expect(newest).toContainText('创城办手动重新生成', { timeout: 1_000 });
  });
  const beforeReview = await publicPage(request, `/notices/${slug}/`);
  expect(beforeReview).toContain(TITLE);
  expect(beforeReview).toContain('回应发布后显示在这里');
  expect(beforeReview).not.toContain(RESPONSE);

  await page.goto(noticePath);
  const approvedFrom = Date.now();
  await page.getByRole('button', { name: '审核通过并公开' }).click();
  await expect(page.locator('#notice-message')).toHaveText('回应已公开，公开网站将在重新生成后显示。');
  const approvedBy = Date.now();

  await expect.poll(() => publicPage(request, `/notices/${slug}/`), { timeout: TWO_BUILDS_MS, intervals: [2_000] }).toContain(RESPONSE);
  await page.goto(`/notices/${slug}/`);
  const response = page.locator('.notice-response');
  await expect(response.getByText(RESPONSE)).toBeVisible();
  const date = response.locator('.meta time');
  const published = Date.parse((await date.getAttribute('datetime')) ?? '');
  expect(published).toBeGreaterThanOrEqual(approvedFrom - 1_000);
  expect(published).toBeLessThanOrEqual(approvedBy + 1_000);
  await expect(date).toHaveText(formatDate(new Date(published).toISOString()));
  await expect(response.locator('.meta')).toContainText('临城县住房和城乡建设局');
});

test('an ad that breaks the build leaves the old site serving and shows in the console; removing it heals the site', async ({
  page,
  request,
}) => {
  test.setTimeout(TWO_BUILDS_MS + 60_000);
  const served = await publicPage(request, `/notices/${slug}/`);
  expect(served).toContain(RESPONSE);
  const adFile = path.join(contentDir(), 'ads', `${BROKEN_AD}.md`);
  fs.writeFileSync(
    adFile,
    [
      '---',
      'title: 图片缺失的公益广告',
      'theme: 文明风尚',
      'summary: 它引用的图片不存在，网站生成会失败。',
      'images:',
      '  - src: ./images/e2e-missing.jpg',
      '    alt: 不存在的图片',
      'placements:',
      '  - point: market-xiguan',
      '    quantity: 1',
      'startDate: 2026-11-20',
      '---',
      '这条公益广告的图片不存在。',
      '',
    ].join('\n'),
  );
  try {
    await loginAs(page, 'office');
    await untilPublishing(page, async () => {
      await expect(page.locator('#last-failure'), 'the failure is shown').toBeVisible({ timeout: 1_000 });
    });
    const failure = page.locator('#last-failure');
    await expect(failure.getByRole('alert')).toContainText(`公益广告 ${BROKEN_AD} 发布`);
    await expect(failure.getByRole('alert')).toContainText('公开网站仍显示');
    await expect(failure.locator('.error-output')).toContainText('e2e-missing.jpg');
    await expect(page.locator('#recent-builds tbody tr').first()).toHaveAttribute('data-status', 'failed');

    // The public site still serves the previous build, byte for byte; the broken ad is not on it.
    expect(await publicPage(request, `/notices/${slug}/`)).toBe(served);
    expect(await publicPage(request, `/ads/${BROKEN_AD}/`)).toBe('HTTP 404');
  } finally {
    fs.rmSync(adFile, { force: true });
  }

  await untilPublishing(page, async () => {
    await expect(page.locator('#last-failure'), 'the failure has cleared').toHaveCount(0, { timeout: 1_000 });
    const newest = page.locator('#recent-builds tbody tr').first();
    await expect(newest).toHaveAttribute('data-status', 'live', { timeout: 1_000 });
    await expect(newest).toContainText(`公益广告 ${BROKEN_AD} 撤回`, { timeout: 1_000 });
  });
  const healed = await publicPage(request, `/notices/${slug}/`);
  expect(healed).toContain(TITLE);
  expect(healed).toContain(RESPONSE);
});

test('the office withdraws the notice with a reason: kept in the console, and the page leaves the public site', async ({
  page,
  request,
  consoleErrors,
}) => {
  test.setTimeout(TWO_BUILDS_MS + 60_000);
  await loginAs(page, 'office');
  await page.goto(noticePath);
  // Too short a reason comes back with the field's message and the text kept.
  consoleErrors.allow(/status of 400/);
  await page.getByLabel(/^撤回原因/).fill('撤回');
  await page.getByLabel(/^撤回原因/).evaluate((el: HTMLTextAreaElement) => el.removeAttribute('minlength'));
  await page.getByRole('button', { name: '撤回', exact: true }).click();
  await expect(page.locator('#withdraw-reason-error')).toHaveText('请填写撤回原因（至少4个字），例如：核实有误、单位已整改到位');
  await expect(page.getByLabel(/^撤回原因/)).toHaveValue('撤回');

  const reason = `单位已整改到位并公开回应，曝光期满撤回（${RUN}）`;
  await page.getByLabel(/^撤回原因/).fill(reason);
  await page.getByRole('button', { name: '撤回', exact: true }).click();
  await expect(page.locator('#notice-message')).toHaveText('已撤回，公开网站将在重新生成后不再显示这条曝光。');
  await expect(page.getByTestId('notice-withdrawal')).toContainText(reason);
  await expect(page.getByTestId('notice-withdrawal')).toContainText('调度员王芳');

  await expect.poll(() => publicPage(request, `/notices/${slug}/`), { timeout: TWO_BUILDS_MS, intervals: [2_000] }).toBe('HTTP 404');
  expect(await publicPage(request, '/notices/')).not.toContain(TITLE);
  // The reason is the office's own record: never on the public site.
  expect(await publicPage(request, '/')).not.toContain(RUN);
});
