// After an inspection round, in the real console (issue 14, item 3): a round planned and worked
// through the API (two failed items at two points of two units, one with a photo) and closed;
// then the office prints the supervision cards — one A4 page per unit, read back from a real PDF
// with pdftotext — and downloads them as .docx (read back: the rows); a unit's staff see only
// their own card; the office reads the bulletin and publishes its public version, which is live on
// the public site after the worker's rebuild, without the inspector's note. axe finds nothing on
// the two console pages and the public bulletin (at 360 px).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import AxeBuilder from '@axe-core/playwright';
import { request as requestContext, type APIRequestContext, type Page, type TestInfo } from '@playwright/test';
import { strFromU8, unzipSync } from 'fflate';
import { expect, jpegPhoto, test } from './fixtures.ts';
import { createStaffAccount, ensureStaff, expectNoSideways, loginAs, STAFF_PASSWORD, staffAccountId, staffApiAs } from './support/staff.ts';

test.use({ viewport: { width: 1280, height: 720 }, isMobile: false, hasTouch: false, deviceScaleFactor: 1 });
test.describe.configure({ mode: 'serial' });

const RUN = Date.now().toString(36).slice(-5).toUpperCase();
const ROUND = `第${RUN}轮督导`;
const NOTE = `东侧摊位占道经营，摊主老周说下午就收（${RUN}）`;
/** Up to two real builds one after the other (the one running, then ours). */
const TWO_BUILDS_MS = 4 * 60_000;
/** Today in China: the round's one day, and the year of the cards' numbers. */
const TODAY = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
let roundId = 0;
const codes: string[] = [];

/** An inspector account made by the administrator, signed in in a request context of its own. */
async function inspectorApi(baseURL: string): Promise<{ id: number; context: APIRequestContext }> {
  const username = `e2e-insp-${RUN.toLowerCase()}`;
  createStaffAccount({ username, name: '督导员张明远', role: 'inspector' });
  const user = { id: await staffAccountId(username) };
  const context = await requestContext.newContext({ baseURL });
  const login = await context.post('/api/trpc/auth.login', { data: { username, password: STAFF_PASSWORD } });
  expect(login.ok(), await login.text()).toBe(true);
  return { id: user.id, context };
}

async function mutate<T>(context: APIRequestContext, path: string, input: unknown): Promise<T> {
  const response = await context.post(`/api/trpc/${path}`, { data: input });
  const text = await response.text();
  expect(response.ok(), `${path}: ${text}`).toBe(true);
  return (JSON.parse(text) as { result: { data: T } }).result.data;
}

test.beforeAll(async () => {
  test.setTimeout(120_000);
  ensureStaff();
  const baseURL = test.info().project.use.baseURL!;
  const { id: inspectorId, context: inspector } = await inspectorApi(baseURL);
  const office = await staffApiAs('office');
  try {
    roundId = (
      await office.mutate<{ id: number }>('inspection.plan', {
        name: ROUND,
        startsOn: TODAY,
        endsOn: TODAY,
        pointIds: ['market-xiguan', 'compound-jinxiu'],
        inspectorIds: [inspectorId],
      })
    ).id;
    const upload = await inspector.post('/api/uploads', {
      multipart: { file: { name: 'photo.jpg', mimeType: 'image/jpeg', buffer: await jpegPhoto({ r: 200, g: 120, b: 40 }) } },
    });
    expect(upload.ok(), await upload.text()).toBe(true);
    const photoId = ((await upload.json()) as { id: string }).id;
    const record = (pointId: string, itemCode: string, more: object) =>
      mutate<{ trackingCode: string }>(inspector, 'inspection.recordItem', {
        roundId,
        pointId,
        itemCode,
        verdict: 'fail',
        observedAt: new Date().toISOString(),
        idempotencyKey: `e2e-${RUN}-${pointId}-${itemCode}`,
        ...more,
      });
    codes.push((await record('market-xiguan', 'stalls', { note: NOTE, photoIds: [photoId] })).trackingCode);
    codes.push((await record('compound-jinxiu', 'stairwells', {})).trackingCode);
    await office.mutate('inspection.close', { roundId });
  } finally {
    await office.dispose();
    await inspector.dispose();
  }
});

interface Printed {
  text: string;
  pages: string[];
  size: string;
}

/** The page as Chromium prints it, saved as a PDF and read back (poppler). */
async function print(page: Page, testInfo: TestInfo, name: string): Promise<Printed> {
  await page.emulateMedia({ media: 'print' });
  await expect(page.getByRole('navigation', { name: '工作台导航' })).toBeHidden();
  const file = testInfo.outputPath(`${name}.pdf`);
  await page.pdf({ path: file, preferCSSPageSize: true, printBackground: true });
  await page.emulateMedia({ media: 'screen' });
  execFileSync('pdftoppm', ['-png', '-r', '60', file, testInfo.outputPath(name)]);
  const info = execFileSync('pdfinfo', [file], { encoding: 'utf8' });
  const count = Number(/Pages:\s+(\d+)/.exec(info)?.[1]);
  const pages = Array.from({ length: count }, (_, i) =>
    execFileSync('pdftotext', ['-layout', '-f', String(i + 1), '-l', String(i + 1), file, '-'], { encoding: 'utf8' }),
  );
  return { text: pages.join('\n'), pages, size: /Page size:\s+([^\n]+)/.exec(info)?.[1] ?? '' };
}

async function expectAxeClean(page: Page): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join('; ')})`)).toEqual([]);
}

test('the office prints the supervision cards, one A4 page per unit, and downloads them as .docx', async ({ page }, testInfo) => {
  await loginAs(page, 'office');
  await page.goto(`/console/inspection/${roundId}/cards`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`督办交办卡 · ${ROUND}`);
  await expect(page.locator('article.supervision-card')).toHaveCount(2);
  await expect(page.locator('article.supervision-card img')).toHaveCount(1);
  await expectAxeClean(page);

  const printed = await print(page, testInfo, 'supervision-cards');
  expect(printed.size).toMatch(/^59[45]\.\d+ x 841\.\d+ pts \(A4\)/);
  expect(printed.pages).toHaveLength(2);
  const [first, second] = printed.pages as [string, string];
  expect(first).toContain(`督办〔${TODAY.slice(0, 4)}〕第${roundId}-1号`);
  expect(first).toContain('临城县住房和城乡建设局');
  expect(first).toContain(codes[1]);
  expect(first).not.toContain('临城县发展和改革局');
  expect(second).toContain(`第${roundId}-2号`);
  expect(second).toContain('临城县发展和改革局');
  expect(second).toContain(codes[0]);
  for (const text of ['签收人', '整改时限、反馈要求']) expect(second).toContain(text);
  expect(printed.text).not.toContain('下载Word文档');

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-cards').click()]);
  expect(download.suggestedFilename()).toBe(`督办交办卡-${ROUND}-全部单位.docx`);
  const xml = strFromU8(unzipSync(new Uint8Array(fs.readFileSync(await download.path())))['word/document.xml']!);
  const rows = [...xml.matchAll(/<w:tr[ >][\s\S]*?<\/w:tr>/g)].map((r) =>
    [...r[0].matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)].map((t) => t[1]).join('|'),
  );
  expect(rows.filter((r) => r.startsWith('1|'))).toEqual([
    expect.stringContaining(`锦绣家园小区|楼道无堆物，无飞线充电|不符合检查标准|无照片|${codes[1]}|`),
    expect.stringContaining(`临城县西关集贸市场|摊位划行归市、摆放整齐，无店外经营和占道经营|${NOTE}|${codes[0]}|`),
  ]);
});

test('a unit’s staff see only their own card', async ({ page, consoleErrors }) => {
  await loginAs(page, 'zhujian');
  await page.goto(`/console/inspection/${roundId}/cards`);
  await expect(page.locator('article.supervision-card')).toHaveCount(1);
  await expect(page.locator('article.supervision-card .card-unit')).toHaveText('临城县住房和城乡建设局');
  // Unit clerks work on site: at a phone's width the card's table scrolls in its own box.
  await page.setViewportSize({ width: 360, height: 740 });
  await expectNoSideways(page);
  await expectAxeClean(page);
  consoleErrors.allow(/status of 403/);
  const refused = await page.goto(`/console/inspection/${roundId}/cards?unit=fagaiju`);
  expect(refused?.status()).toBe(403);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('无权访问');
});

test('the office reads the bulletin and publishes its public version, live after the rebuild without the note', async ({
  page,
  request,
}) => {
  test.setTimeout(TWO_BUILDS_MS + 60_000);
  await loginAs(page, 'office');
  await page.goto(`/console/inspection/${roundId}/bulletin`);
  await expect(page.getByTestId('bulletin-failed')).toHaveText('2');
  await expect(page.getByTestId('bulletin-by-unit').locator('tbody tr')).toHaveCount(2);
  await expectAxeClean(page);
  await page.getByRole('button', { name: '发布公开版通报' }).click();
  await expect(page.getByRole('status')).toContainText('已发布公开版通报');
  const link = page.getByTestId('bulletin-published').getByRole('link');
  await expect(link).toHaveAttribute('href', `/bulletins/round-${roundId}/`);

  const publicPage = async () => {
    const response = await request.get(`/bulletins/round-${roundId}/`);
    return response.status() === 200 ? await response.text() : `HTTP ${response.status()}`;
  };
  await expect.poll(publicPage, { timeout: TWO_BUILDS_MS, intervals: [2_000] }).toContain(`关于${ROUND}情况的通报`);
  const html = await publicPage();
  expect(html).toContain('摊位划行归市、摆放整齐，无店外经营和占道经营');
  for (const secret of [NOTE, '老周', '张明远', ...codes]) expect(html).not.toContain(secret);
  expect(await (await request.get('/bulletins/')).text()).toContain(`/bulletins/round-${roundId}/`);

  // The public page at a phone's width: no sideways scrolling, no axe finding.
  await page.setViewportSize({ width: 360, height: 740 });
  await page.goto(`/bulletins/round-${roundId}/`);
  await expectNoSideways(page);
  await expectAxeClean(page);
});
