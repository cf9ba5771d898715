// Staff accounts for the console's browser tests, created through the real admin command
// (`node scripts/admin.ts create-user`, what the office runs for its first administrator) against
// the e2e server's data directory (E2E_DATA_DIR, set in playwright.config.ts), and signing in as
// one of them through the login form. With E2E_REUSE_SERVER=1, set E2E_DATA_DIR to that server's
// DATA_DIR, or the accounts land in another database.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { expect, request, test, type APIRequestContext, type Page } from '@playwright/test';

export const STAFF_PASSWORD = 'e2e-console-pass-42';

export const STAFF = {
  admin: { username: 'e2e-admin', name: '管理员陈静', role: 'admin', unit: null },
  office: { username: 'e2e-office', name: '调度员王芳', role: 'dispatcher', unit: null },
  leader: { username: 'e2e-leader', name: '领导赵刚', role: 'leader', unit: null },
  fagai: { username: 'e2e-fagai', name: '发改局李明', role: 'unit', unit: 'fagaiju' },
  zhujian: { username: 'e2e-zhujian', name: '住建局孙丽', role: 'unit', unit: 'zhujianju' },
  jiaojing: { username: 'e2e-jiaojing', name: '交警大队周强', role: 'unit', unit: 'jiaojing' },
  operator: { username: 'e2e-operator', name: '话务员刘洋', role: 'operator', unit: null },
  patrol: { username: 'e2e-patrol', name: '巡访员张秀英', role: 'patrol', unit: null },
  inspector: { username: 'e2e-inspector', name: '督导员马琳', role: 'inspector', unit: null },
} as const;
export type StaffKey = keyof typeof STAFF;

/** Node 24 (the project's): the runner's own when started through npx, else node_modules/.bin/node. */
function projectNode(): string {
  if (Number(process.versions.node.split('.')[0]) >= 24) return process.execPath;
  const local = path.resolve('node_modules', '.bin', 'node');
  if (fs.existsSync(local)) return local;
  throw new Error('Node 24 is needed to run scripts/admin.ts: run the tests through `npx playwright test`.');
}

/** The run's log file (playwright.config.ts): the commands' server logs are audited with the server's. */
function logFile(): { LOG_FILE?: string } {
  const file = process.env['E2E_LOG_FILE'];
  return file ? { LOG_FILE: file } : {};
}

function admin(args: string[]): string {
  const dataDir = process.env['E2E_DATA_DIR'];
  if (!dataDir) throw new Error('E2E_DATA_DIR is not set: run the tests through playwright.config.ts');
  return execFileSync(projectNode(), ['scripts/admin.ts', ...args], {
    env: { ...process.env, DATA_DIR: dataDir, ADMIN_PASSWORD: STAFF_PASSWORD, ...logFile() },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Mail into the e2e server's database through the real import command (`npm run mail:import`); its JSON lines. */
export function importMail(files: string[]): Array<{ outcome: string; reason?: string; trackingCode?: string }> {
  const dataDir = process.env['E2E_DATA_DIR'];
  if (!dataDir) throw new Error('E2E_DATA_DIR is not set: run the tests through playwright.config.ts');
  const out = execFileSync(projectNode(), ['scripts/mail-import.ts', ...files], {
    env: { ...process.env, DATA_DIR: dataDir, ...logFile() },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return out
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { outcome: string; reason?: string; trackingCode?: string });
}

let ensured = false;

/** Creates the accounts this run has not created yet (each test file calls it; it runs once). */
export function ensureStaff(): void {
  if (ensured) return;
  const existing = new Set(
    admin(['list-users'])
      .split('\n')
      .map((line) => line.split('\t')[1])
      .filter(Boolean),
  );
  for (const s of Object.values(STAFF)) {
    if (existing.has(s.username)) continue;
    admin(['create-user', '--username', s.username, '--name', s.name, '--role', s.role, ...(s.unit ? ['--unit', s.unit] : [])]);
  }
  ensured = true;
}

/**
 * One more account through the real admin command (STAFF_PASSWORD), as the county's operator makes
 * them: not a temporary password (an account the office makes on /console/users is one, and its
 * person must change it at the first sign-in — tests/e2e/console.spec.ts shows that).
 */
export function createStaffAccount(a: { username: string; name: string; role: string; unit?: string | null }): void {
  admin(['create-user', '--username', a.username, '--name', a.name, '--role', a.role, ...(a.unit ? ['--unit', a.unit] : [])]);
}

/** The id of an account, by its username. */
export async function staffAccountId(username: string): Promise<number> {
  const api = await staffApiAs('admin');
  try {
    const users = await api.query<Array<{ id: number; username: string }>>('staff.users.list');
    const user = users.find((u) => u.username === username);
    if (!user) throw new Error(`no account ${username}`);
    return user.id;
  } finally {
    await api.dispose();
  }
}

/** Signs in through the login form as `who` (after signing out whoever was signed in). */
export async function loginAs(page: Page, who: StaffKey): Promise<void> {
  await page.context().clearCookies();
  await page.goto('/console/login');
  await page.getByLabel('用户名').fill(STAFF[who].username);
  await page.getByLabel('密码').fill(STAFF_PASSWORD);
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page.getByTestId('console-user-name')).toHaveText(STAFF[who].name);
}

/** Waits until every island on the page has hydrated (Astro drops the `ssr` attribute then). */
export async function waitForIslands(page: Page): Promise<void> {
  await expect(page.locator('astro-island[ssr]')).toHaveCount(0);
}

/** A report through the public API (the form itself is exercised in the first console test). */
export async function apiReport(page: Page, description: string): Promise<string> {
  const response = await page.request.post('/api/trpc/report.submit', {
    data: { description, idempotencyKey: crypto.randomUUID() },
    headers: { 'content-type': 'application/json' },
  });
  expect(response.ok(), await response.text()).toBe(true);
  const body = (await response.json()) as { result: { data: { trackingCode: string } } };
  return body.result.data.trackingCode;
}

/**
 * The page itself never scrolls sideways (wide tables scroll inside their own box): nothing reaches
 * past the device's width. (A phone browser zooms out to show a page that is too wide, so the
 * window's own width would grow with the page.) On failure the message names the outermost
 * elements that reach past the right edge, and how far.
 */
export async function expectNoSideways(page: Page): Promise<void> {
  const device = page.viewportSize()?.width ?? 0;
  const found = await page.evaluate((view) => {
    const right = (el: Element) => el.getBoundingClientRect().right + window.scrollX;
    const clipped = (el: Element) => {
      for (let a = el.parentElement; a && a !== document.body; a = a.parentElement)
        if (getComputedStyle(a).overflowX !== 'visible') return true;
      return false;
    };
    const tooWide = [...document.body.querySelectorAll('*')]
      .filter((el) => right(el) > view + 0.5 && !(el.parentElement && right(el.parentElement) > view + 0.5) && !clipped(el))
      .slice(0, 5)
      .map(
        (el) =>
          `${el.tagName.toLowerCase()}${typeof el.className === 'string' && el.className.trim() ? `.${el.className.trim().replaceAll(/\s+/g, '.')}` : ''} → ${Math.round(right(el))} px`,
      );
    return { page: document.documentElement.scrollWidth, tooWide };
  }, device);
  expect(found.page, `the page scrolls sideways: ${found.tooWide.join('; ')}`).toBeLessThanOrEqual(device);
}

/** The staff API signed in as one account, in a request context of its own (the page's session is left alone). */
export interface StaffApi {
  query<T>(path: string, input?: unknown): Promise<T>;
  mutate<T>(path: string, input: unknown): Promise<T>;
  /** Uploads a JPEG photo (POST /api/uploads?purpose=…); its id. */
  upload(jpeg: Buffer, purpose: 'report' | 'rectification'): Promise<string>;
  dispose(): Promise<void>;
}

async function answer<T>(response: Awaited<ReturnType<APIRequestContext['get']>>, what: string): Promise<T> {
  const text = await response.text();
  expect(response.ok(), `${what}: ${text}`).toBe(true);
  return (JSON.parse(text) as { result: { data: T } }).result.data;
}

export async function staffApiAs(who: StaffKey): Promise<StaffApi> {
  const baseURL = test.info().project.use.baseURL;
  const context = await request.newContext({ ...(baseURL && { baseURL }) });
  const login = await context.post('/api/trpc/auth.login', { data: { username: STAFF[who].username, password: STAFF_PASSWORD } });
  await answer(login, `sign-in of ${who}`);
  return {
    query: async <T>(path: string, input?: unknown) =>
      answer<T>(
        await context.get(`/api/trpc/${path}${input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`}`),
        path,
      ),
    mutate: async <T>(path: string, input: unknown) => answer<T>(await context.post(`/api/trpc/${path}`, { data: input }), path),
    upload: async (jpeg, purpose) => {
      const response = await context.post(`/api/uploads?purpose=${purpose}`, {
        multipart: { file: { name: 'photo.jpg', mimeType: 'image/jpeg', buffer: jpeg } },
      });
      const text = await response.text();
      expect(response.ok(), `upload: ${text}`).toBe(true);
      return (JSON.parse(text) as { id: string }).id;
    },
    dispose: () => context.dispose(),
  };
}

/**
 * Carries a ticket through the API to 待核验 (rectified): the office hands it to `unit` (dispatches
 * it from the queue, or reassigns it when routing chose another unit), the unit 签收 and reports the
 * rectification with `text` and the after-photo `afterPhoto`.
 */
export async function rectifyThroughApi(trackingCode: string, unit: StaffKey, text: string, afterPhoto: Buffer): Promise<void> {
  const unitCode = STAFF[unit].unit;
  const office = await staffApiAs('office');
  const staff = await staffApiAs(unit);
  try {
    const ticket = await office.query<{ status: string; unit: { code: string } | null }>('staff.tickets.get', { trackingCode });
    if (ticket.status === 'received') {
      await office.mutate('staff.tickets.act', { trackingCode, act: { action: 'dispatch', unitCode } });
    } else if (ticket.unit?.code !== unitCode) {
      await office.mutate('staff.tickets.act', {
        trackingCode,
        act: { action: 'reassign', unitCode, reason: `改由${STAFF[unit].name.slice(0, 3)}办理` },
      });
    }
    await staff.mutate('staff.tickets.act', { trackingCode, act: { action: 'accept' } });
    const photoId = await staff.upload(afterPhoto, 'rectification');
    await staff.mutate('staff.tickets.act', { trackingCode, act: { action: 'reportRectification', text, photoIds: [photoId] } });
  } finally {
    await office.dispose();
    await staff.dispose();
  }
}

/**
 * Carries a ticket through the API to 销号 (closed): the office dispatches it to `unit` when it
 * waits in the queue, the unit 签收 and reports the rectification, the office verifies.
 */
export async function closeTicketThroughApi(trackingCode: string, unit: StaffKey, rectification: string): Promise<void> {
  const office = await staffApiAs('office');
  const staff = await staffApiAs(unit);
  try {
    const ticket = await office.query<{ status: string }>('staff.tickets.get', { trackingCode });
    if (ticket.status === 'received' || ticket.status === 'returned' || ticket.status === 'reopened') {
      await office.mutate('staff.tickets.act', { trackingCode, act: { action: 'dispatch', unitCode: STAFF[unit].unit } });
    }
    await staff.mutate('staff.tickets.act', { trackingCode, act: { action: 'accept' } });
    await staff.mutate('staff.tickets.act', {
      trackingCode,
      act: { action: 'reportRectification', text: rectification, photoIds: [], noPhotoReason: '问题只在夜间出现，白天拍不到' },
    });
    await office.mutate('staff.tickets.act', { trackingCode, act: { action: 'verify' } });
    const closed = await office.query<{ status: string }>('staff.tickets.get', { trackingCode });
    expect(closed.status).toBe('closed');
  } finally {
    await office.dispose();
    await staff.dispose();
  }
}
