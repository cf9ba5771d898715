// Issue 14's first "Done when", at a phone's 360 px: the office plans a round over three points;
// an inspector signs in on a phone and works it — one point with the network cut (Playwright's
// offline mode) and restored — failing two items with photos and passing the rest; the page says
// what waits while offline and "全部已发送" after; exactly two tickets appear, routed to the
// points' units with channel `inspection`, none twice. The office closes the round, reads the
// supervision card (.docx) back and publishes the bulletin; a re-inspection round re-checks the
// two problems: one fixed (with a photo), one not fixed, which is back with its unit as rework.
//
// Service workers are blocked here: Playwright's offline mode does not reach a service worker's
// own requests (ADR 012), and the outbox (IndexedDB) must be shown to work on its own.
import { strFromU8, unzipSync } from 'fflate';
import { request, type Locator, type Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';
import { RED, BLUE, solidPhoto } from '../fixtures/photos/make-photos.ts';
import {
  createStaffAccount,
  ensureStaff,
  expectNoSideways,
  loginAs,
  staffApiAs,
  STAFF,
  STAFF_PASSWORD,
  waitForIslands,
} from './support/staff.ts';

test.describe.configure({ mode: 'serial' });
test.use({ serviceWorkers: 'block' });

/**
 * Three points of three units with small checklists (psa-board: intact, current, present;
 * park-square: clean, behaviour, psa), which no other browser test inspects: the re-inspection
 * re-checks every problem earlier rounds found at its points.
 */
const POINTS = {
  school: { id: 'psa-yizhong-gate', name: '县一中门口公益广告栏', unit: 'jiaoyuju', items: ['intact', 'current', 'present'] },
  bus: { id: 'psa-bus-station', name: '汽车站公益广告围挡', unit: 'jiaotongju', items: ['intact', 'current', 'present'] },
  park: { id: 'park-zhihe', name: '泜河公园', unit: 'zhujianju', items: ['clean', 'behaviour', 'psa'] },
} as const;

interface TicketRow {
  trackingCode: string;
  status: string;
  channel: string;
  unit: { code: string; name: string } | null;
  pointId: string | null;
}

let roundId = 0;
const failed: Record<'school' | 'park', string> = { school: '', park: '' };

async function inspectionTickets(): Promise<TicketRow[]> {
  const office = await staffApiAs('office');
  try {
    const list = await office.query<{ items: TicketRow[] }>('staff.tickets.list', { channel: 'inspection', limit: 500 });
    return list.items;
  } finally {
    await office.dispose();
  }
}

/** The office plans a round on its page (/console/inspection): name, dates, points, the inspector; the new round's id. */
async function planRound(page: Page, name: string, points: ReadonlyArray<{ name: string }>, recheck: boolean): Promise<number> {
  await loginAs(page, 'office');
  await page.goto('/console/inspection');
  await page.getByLabel('名称').fill(name);
  await page.getByLabel('开始日期').fill('2026-12-07');
  await page.getByLabel('结束日期').fill('2026-12-18');
  for (const p of points) await page.getByLabel(p.name, { exact: false }).check();
  await page.getByLabel(STAFF.inspector.name, { exact: false }).check();
  if (recheck) await page.getByLabel(/^复查/).check();
  await page.getByRole('button', { name: '安排督导' }).tap();
  await expect(page).toHaveURL(/\/console\/inspection\/\d+\?done=plan$/);
  return Number(/\/console\/inspection\/(\d+)/.exec(page.url())![1]);
}

function point(page: Page, id: string): Locator {
  return page.locator(`[data-point="${id}"]`);
}

async function answer(page: Page, pointId: string, itemCode: string, verdict: '合格' | '不合格'): Promise<Locator> {
  const item = point(page, pointId).locator(`[data-item="${itemCode}"]`);
  const button = item.getByRole('button', { name: verdict, exact: true });
  await button.tap();
  await expect(button).toHaveAttribute('aria-pressed', 'true');
  return item;
}

/** Fails an item with a note and a photo taken with the camera, and confirms it. */
async function failWithPhoto(page: Page, pointId: string, itemCode: string, note: string, colour: typeof RED): Promise<void> {
  const item = await answer(page, pointId, itemCode, '不合格');
  await item.getByLabel('问题说明（选填）').fill(note);
  const chooser = page.waitForEvent('filechooser');
  await item.getByRole('button', { name: /^拍照/ }).tap();
  await (await chooser).setFiles({ name: `${itemCode}.jpg`, mimeType: 'image/jpeg', buffer: await solidPhoto('jpeg', 640, 480, colour) });
  await expect(item.getByRole('img', { name: '第1张照片' })).toBeVisible();
  await item.getByRole('button', { name: '确认不合格' }).tap();
}

test.beforeAll(() => {
  // The first browser test of a run creates the shared accounts, one admin command each.
  test.setTimeout(120_000);
  ensureStaff();
});

test('the office plans a round over three points', async ({ page }) => {
  roundId = await planRound(page, '第49周公益广告和公园督导', Object.values(POINTS), false);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('第49周公益广告和公园督导');
  for (const p of Object.values(POINTS)) await expect(page.locator('.round-points')).toContainText(p.name);
});

test('an inspector works the round on a phone, one point offline, and every answer arrives once', async ({
  page,
  context,
  consoleErrors,
}, testInfo) => {
  // The browser's own line for each request tried while offline (the outbox tries, stops, waits).
  consoleErrors.allow(/net::ERR_INTERNET_DISCONNECTED/);
  const before = new Set((await inspectionTickets()).map((t) => t.trackingCode));

  // Signs in on the phone and lands on the rounds.
  await page.goto('/console/login');
  await page.getByLabel('用户名').fill(STAFF.inspector.username);
  await page.getByLabel('密码').fill(STAFF_PASSWORD);
  await page.getByRole('button', { name: '登录' }).tap();
  await expect(page).toHaveURL(/\/console\/inspect$/);
  await page.getByRole('link', { name: /第49周公益广告和公园督导/ }).tap();
  await expect(page).toHaveURL(new RegExp(`/console/inspect/${roundId}$`));
  await waitForIslands(page);
  const status = page.getByTestId('outbox-status');
  await expect(status).toHaveText('全部已发送');
  await expectNoSideways(page);

  // The first point with signal: one failed item with a photo, the rest passed.
  await failWithPhoto(page, POINTS.school.id, 'intact', '广告牌右下角破损，画面脱落一块', RED);
  await answer(page, POINTS.school.id, 'current', '合格');
  await answer(page, POINTS.school.id, 'present', '合格');
  await expect(status).toHaveText('全部已发送');
  await expect(point(page, POINTS.school.id).getByTestId('point-progress')).toHaveText('已查 3/3 项 ✓');

  // The second point in a dead spot: everything stays on the phone and the page says so.
  await context.setOffline(true);
  await failWithPhoto(page, POINTS.park.id, 'clean', '湖边步道两侧积存垃圾，无人清扫', BLUE);
  await answer(page, POINTS.park.id, 'behaviour', '合格');
  await answer(page, POINTS.park.id, 'psa', '合格');
  await expect(status).toHaveText('有 3 项尚未发送，联网后自动发送');
  await expect(page.getByRole('button', { name: '立即发送' })).toBeVisible();
  await expect(point(page, POINTS.park.id).getByText('已保存在手机上，等待发送')).toHaveCount(3);
  await page.screenshot({ path: testInfo.outputPath('round-offline-360.png'), fullPage: true });
  await expectNoSideways(page);

  // Signal again: the page sends by itself.
  await context.setOffline(false);
  await expect(status).toHaveText('全部已发送');

  // The third point: all passed.
  for (const code of POINTS.bus.items) await answer(page, POINTS.bus.id, code, '合格');
  await expect(status).toHaveText('全部已发送');
  await expect(page.getByTestId('round-progress')).toContainText('已查 3/3 个点位');

  // Exactly two new tickets, of channel inspection, each routed to its point's unit.
  const created = (await inspectionTickets()).filter((t) => !before.has(t.trackingCode));
  expect(created.map((t) => [t.pointId, t.unit?.code, t.channel]).sort()).toEqual([
    [POINTS.park.id, POINTS.park.unit, 'inspection'],
    [POINTS.school.id, POINTS.school.unit, 'inspection'],
  ]);
  failed.school = created.find((t) => t.pointId === POINTS.school.id)!.trackingCode;
  failed.park = created.find((t) => t.pointId === POINTS.park.id)!.trackingCode;

  // A reload shows what the server has: the failed items with their tickets.
  await page.reload();
  await waitForIslands(page);
  await expect(point(page, POINTS.park.id).locator('[data-item="clean"]')).toContainText(`不合格已上报，工单 ${failed.park}`);
  await expect(status).toHaveText('全部已发送');
});

test('the office closes the round, reads the supervision cards back and publishes the bulletin', async ({ page }) => {
  await loginAs(page, 'office');
  await page.goto(`/console/inspection/${roundId}`);
  await page.getByTestId('close-round').tap();
  await expect(page.getByTestId('close-round')).toHaveCount(0);
  const office = await staffApiAs('office');
  try {
    const rounds = await office.query<Array<{ id: number; status: string; failedItems: number }>>('inspection.list', {});
    expect(rounds.find((r) => r.id === roundId)).toMatchObject({ status: 'closed', failedItems: 2 });
  } finally {
    await office.dispose();
  }

  // The cards as .docx: one card per unit with a problem, each row the point, the standard, the photo and the ticket.
  const download = await page.request.get(`/api/inspection/rounds/${roundId}/cards.docx`);
  expect(download.status()).toBe(200);
  const xml = strFromU8(unzipSync(new Uint8Array(await download.body()))['word/document.xml']!);
  const rows = [...xml.matchAll(/<w:tr[ >][\s\S]*?<\/w:tr>/g)].map((m) => ({
    text: [...m[0].matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)].map((t) => t[1]).join('|'),
    photo: m[0].includes('<w:drawing>'),
  }));
  const problems = rows.filter((r) => /^\d+\|/.test(r.text));
  expect(
    problems.map((r) =>
      r.text
        .split('|')
        .slice(0, 3)
        .concat(r.text.includes(failed.school) ? failed.school : failed.park),
    ),
  ).toEqual(
    expect.arrayContaining([
      ['1', POINTS.school.name, '画面完好，无破损、褪色、遮挡', failed.school],
      ['1', '泜河公园', '地面、水面干净，设施完好', failed.park],
    ]),
  );
  expect(problems).toHaveLength(2);
  expect(problems.every((r) => r.photo)).toBe(true);
  expect(xml).toContain('临城县教育局');
  expect(xml).toContain('临城县住房和城乡建设局');

  // The bulletin's public version, published from the office's page.
  await page.goto(`/console/inspection/${roundId}/bulletin`);
  await page.getByRole('button', { name: '发布公开版通报' }).tap();
  await expect(page.getByTestId('bulletin-published')).toContainText('已于');
});

/** The school's unit (县教育局) has no account among the shared ones: the administrator makes one for this test. */
const JIAOYU = { username: 'e2e-inspection-jiaoyu', displayName: '教育局吴敏', role: 'unit', unitCode: 'jiaoyuju' } as const;

async function ensureJiaoyuAccount(): Promise<void> {
  const admin = await staffApiAs('admin');
  try {
    const users = await admin.query<Array<{ username: string }>>('staff.users.list');
    if (!users.some((u) => u.username === JIAOYU.username))
      createStaffAccount({ username: JIAOYU.username, name: JIAOYU.displayName, role: JIAOYU.role, unit: JIAOYU.unitCode });
  } finally {
    await admin.dispose();
  }
}

/** The API signed in as `username`, in a request context of its own. */
async function apiAs(username: string): Promise<{ mutate(path: string, input: unknown): Promise<void>; dispose(): Promise<void> }> {
  const baseURL = test.info().project.use.baseURL;
  const context = await request.newContext({ ...(baseURL && { baseURL }) });
  const login = await context.post('/api/trpc/auth.login', { data: { username, password: STAFF_PASSWORD } });
  expect(login.ok(), await login.text()).toBe(true);
  return {
    mutate: async (path, input) => {
      const response = await context.post(`/api/trpc/${path}`, { data: input });
      expect(response.ok(), `${path}: ${await response.text()}`).toBe(true);
    },
    dispose: () => context.dispose(),
  };
}

/** The unit 签收 and reports the problem fixed, through the API (the unit's pages have tests of their own). */
async function reportFixed(trackingCode: string, username: string): Promise<void> {
  const staff = await apiAs(username);
  try {
    await staff.mutate('staff.tickets.act', { trackingCode, act: { action: 'accept' } });
    await staff.mutate('staff.tickets.act', {
      trackingCode,
      act: { action: 'reportRectification', text: '已按要求整改完毕，请复查。', photoIds: [], noPhotoReason: '整改照片另行报送创城办' },
    });
  } finally {
    await staff.dispose();
  }
}

test('a re-inspection finds one problem fixed and one not: that one is back with its unit, as rework', async ({ page }) => {
  await ensureJiaoyuAccount();
  await reportFixed(failed.school, JIAOYU.username);
  await reportFixed(failed.park, STAFF.zhujian.username);
  const recheckRound = await planRound(page, '第50周复查', [POINTS.school, POINTS.park], true);
  await expect(page.getByTestId('done-notice')).toContainText('已安排本轮督导');

  await loginAs(page, 'inspector');
  await page.goto(`/console/inspect/${recheckRound}`);
  await waitForIslands(page);
  const status = page.getByTestId('outbox-status');
  await expect(page.locator('[data-recheck]')).toHaveCount(2);

  const fixed = point(page, POINTS.school.id).locator(`[data-recheck="${failed.school}"]`);
  await fixed.getByRole('button', { name: '已整改', exact: true }).tap();
  await expect(fixed.getByRole('button', { name: '确认已整改' })).toBeDisabled();
  const chooser = page.waitForEvent('filechooser');
  await fixed.getByRole('button', { name: /^拍照/ }).tap();
  await (await chooser).setFiles({ name: 'after.jpg', mimeType: 'image/jpeg', buffer: await solidPhoto('jpeg', 640, 480, BLUE) });
  await fixed.getByRole('button', { name: '确认已整改' }).tap();

  const notFixed = point(page, POINTS.park.id).locator(`[data-recheck="${failed.park}"]`);
  await notFixed.getByRole('button', { name: '未整改', exact: true }).tap();
  await expect(notFixed.getByRole('button', { name: '确认未整改' })).toBeDisabled();
  await notFixed.getByLabel('未整改的情况（必填）').fill('湖边步道仍有垃圾堆积，没有清理');
  await notFixed.getByRole('button', { name: '确认未整改' }).tap();

  await expect(status).toHaveText('全部已发送');
  await expect(fixed).toContainText('已整改已记录');
  await expect(notFixed).toContainText('未整改已记录');

  // The fixed one is closed; the other is back with its unit, rectifying again, and counted as rework.
  const api = await staffApiAs('office');
  try {
    const closedTicket = await api.query<{ status: string }>('staff.tickets.get', { trackingCode: failed.school });
    expect(closedTicket.status).toBe('closed');
    const back = await api.query<{ status: string; unit: { code: string } | null }>('staff.tickets.get', { trackingCode: failed.park });
    expect({ status: back.status, unit: back.unit?.code }).toEqual({ status: 'rectifying', unit: POINTS.park.unit });
  } finally {
    await api.dispose();
  }
  await loginAs(page, 'office');
  await page.goto(`/console/inspection/${recheckRound}/bulletin`);
  const rechecks = page.getByTestId('bulletin-rechecks');
  await expect(rechecks.getByRole('row', { name: /临城县住房和城乡建设局/ })).toHaveText(/临城县住房和城乡建设局\s*0\s*1\s*1\s*0/);
  await expect(rechecks.getByRole('row', { name: /临城县教育局/ })).toHaveText(/临城县教育局\s*1\s*0\s*0\s*0/);
});
