// Throttles that hold (issue 11, items 1–3): login, tracking guesses, report submissions and
// uploads are counted in the database, checked and counted in one step, so a tRPC batch,
// simultaneous requests, a restart or a second web process multiply nothing. On SQLite and
// PostgreSQL; the last block starts two portal processes on one PostgreSQL database.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { TRPCError } from '@trpc/server';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPortal } from '../../server/app.ts';
import { rawMail } from '../support/raw-mail.ts';
import { databaseKinds, postgresDatabase, type TestDatabase } from '../support/databases.ts';
import { serveTestPortal, type TestHost } from '../support/http-host.ts';
import { CONTENT_DIR, startTestPortal, type TestPortal } from '../support/portal.ts';
import { createStaffUser } from '../support/staff-accounts.ts';

const kinds = await databaseKinds();
const PASSWORD = 'right-pass-2026';
const REPORT = { description: '人民路和府前街交叉口，机动车经过斑马线从来不礼让行人，老人过马路太危险了' };

async function outcome(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    if (error instanceof TRPCError) return error.code;
    if (error instanceof Error && error.name === 'TooManyRequestsError') return 'TOO_MANY_REQUESTS';
    throw error;
  }
}

function tally(outcomes: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const o of outcomes) counts[o] = (counts[o] ?? 0) + 1;
  return counts;
}

async function post(base: string, procedure: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}/api/trpc/${procedure}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as any };
}

describe.each(kinds)('throttles on %s', (kind) => {
  let t: TestPortal;
  let host: TestHost;
  beforeAll(async () => {
    // The defaults of server/throttle/throttles.ts, not the raised limits of the other test files.
    t = await startTestPortal(kind, CONTENT_DIR, {});
    host = await serveTestPortal(t, { trustProxy: 1 });
    await createStaffUser(t, { username: 'operator', role: 'operator', password: PASSWORD });
    await createStaffUser(t, { username: 'dispatcher', role: 'dispatcher', password: PASSWORD });
  });
  afterAll(async () => {
    await host?.close();
    await t?.close();
  });

  it('refuses a batch of logins whole (200 passwords in one request), counting none of them', async () => {
    const calls = Array.from({ length: 200 }, (_, i) => ({ username: 'operator', password: i === 199 ? PASSWORD : `guess-${i}` }));
    const res = await fetch(`${host.base}/api/trpc/${calls.map(() => 'auth.login').join(',')}?batch=1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '198.51.100.60' },
      body: JSON.stringify(Object.fromEntries(calls.map((c, i) => [String(i), c]))),
    });
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toContain('不支持批量调用');
    expect(res.headers.get('set-cookie')).toBeNull();
    // Nothing was counted: the right password works at once.
    const single = await post(
      host.base,
      'auth.login',
      { username: 'operator', password: PASSWORD },
      { 'x-forwarded-for': '198.51.100.60' },
    );
    expect(single.status).toBe(200);
  });

  it('of 200 simultaneous guesses checks five passwords; past the limit even the right one is refused until the window slides on', async () => {
    const guesser = t.caller({ ip: '198.51.100.61', sameOrigin: true });
    const guesses = await Promise.all(
      Array.from({ length: 200 }, (_, i) => outcome(guesser.auth.login({ username: 'dispatcher', password: `guess-${i}` }))),
    );
    expect(tally(guesses)).toEqual({ BAD_REQUEST: 5, TOO_MANY_REQUESTS: 195 });
    const right = await guesser.auth.login({ username: 'dispatcher', password: PASSWORD }).catch((e: TRPCError) => e);
    expect(right).toBeInstanceOf(TRPCError);
    expect(right).toMatchObject({ code: 'TOO_MANY_REQUESTS', message: expect.stringMatching(/^登录失败次数过多，请\d+分钟后再试$/) });
    // The account is protected from every address, not only the guesser's.
    expect(
      await outcome(t.caller({ ip: '198.51.100.62', sameOrigin: true }).auth.login({ username: 'dispatcher', password: PASSWORD })),
    ).toBe('TOO_MANY_REQUESTS');
    // Over HTTP the refusal is a 429 with Retry-After.
    const http = await post(
      host.base,
      'auth.login',
      { username: 'dispatcher', password: PASSWORD },
      { 'x-forwarded-for': '198.51.100.63' },
    );
    expect(http.status).toBe(429);
    expect(Number(http.retryAfter)).toBeGreaterThan(0);
    expect(http.body.error.data.retryAfterSeconds).toBe(Number(http.retryAfter));
    // A restarted portal (a new process on the same database) remembers.
    const restarted = await createPortal({
      databaseUrl: t.database.url,
      dataDir: t.database.dataDir,
      dataKey: t.database.dataKey,
      contentDir: CONTENT_DIR,
      clock: t.clock,
    });
    try {
      await expect(restarted.services.accounts.login('dispatcher', PASSWORD, { ip: '198.51.100.64' })).rejects.toMatchObject({
        name: 'TooManyRequestsError',
      });
    } finally {
      await restarted.close();
    }
    t.clock.advance(31 * 60_000);
    await expect(guesser.auth.login({ username: 'dispatcher', password: PASSWORD })).resolves.toMatchObject({
      user: { username: 'dispatcher' },
    });
  });

  it('counts failures per address across accounts, and a successful login gives its count back', async () => {
    const from = t.caller({ ip: '198.51.100.65', sameOrigin: true });
    // Successes do not count: 21 of them from one address leave its allowance whole.
    for (let i = 0; i < 21; i++) await from.auth.login({ username: 'operator', password: PASSWORD });
    // Twenty failures over many (missing) accounts, then the address is refused for any account.
    const failures = await Promise.all(
      Array.from({ length: 20 }, (_, i) => outcome(from.auth.login({ username: `nobody${i}`, password: 'x' }))),
    );
    expect(tally(failures)).toEqual({ BAD_REQUEST: 20 });
    expect(await outcome(from.auth.login({ username: 'operator', password: PASSWORD }))).toBe('TOO_MANY_REQUESTS');
    t.clock.advance(31 * 60_000);
  });

  it('shows an administrator who is refused and for how long, and lifts one block', async () => {
    const from = t.caller({ ip: '198.51.100.66', sameOrigin: true });
    for (let i = 0; i < 5; i++) await outcome(from.auth.login({ username: 'Operator', password: `guess-${i}` }));
    const standing = await t.portal.throttles.standing();
    expect(standing).toContainEqual({ scope: 'login-account', key: 'operator', used: 5, limit: 5, retryAfterSeconds: expect.any(Number) });
    expect(standing.find((s) => s.scope === 'login-account' && s.key === 'operator')!.retryAfterSeconds).toBeGreaterThan(0);
    expect(standing).toContainEqual({ scope: 'login-address', key: '198.51.100.66', used: 5, limit: 20, retryAfterSeconds: 0 });
    expect(await outcome(from.auth.login({ username: 'operator', password: PASSWORD }))).toBe('TOO_MANY_REQUESTS');
    expect(await t.portal.throttles.clear('login-account', 'OPERATOR')).toBeGreaterThan(0);
    await expect(from.auth.login({ username: 'operator', password: PASSWORD })).resolves.toMatchObject({ user: { username: 'operator' } });
  });

  it('takes as long to refuse a missing account as a wrong password', async () => {
    const time = async (username: string, ip: string) => {
      const start = performance.now();
      await outcome(t.caller({ ip, sameOrigin: true }).auth.login({ username, password: 'wrong-pass-1' }));
      return performance.now() - start;
    };
    const wrong: number[] = [];
    const missing: number[] = [];
    for (let i = 0; i < 3; i++) {
      wrong.push(await time('dispatcher', `198.51.100.${140 + i}`));
      missing.push(await time(`no-such-user-${i}`, `198.51.100.${150 + i}`));
    }
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[1]!;
    // Both run one scrypt (tens of milliseconds); an unchecked missing account took about one.
    expect(median(missing)).toBeGreaterThan(median(wrong) * 0.5);
    await t.portal.throttles.clear('login-account', 'dispatcher');
  });

  it('refuses a batch of tracking look-ups; of 200 simultaneous guesses ten are looked up, then the right code is refused too', async () => {
    const real = await t.caller({ ip: '198.51.100.70' }).report.submit(REPORT);
    const codes = Array.from({ length: 200 }, (_, i) => (i === 199 ? real.trackingCode : `AC3-K7M-${String(i).padStart(3, '2')}`));
    const batch = await fetch(
      `${host.base}/api/trpc/${codes.map(() => 'report.track').join(',')}?batch=1&input=${encodeURIComponent(
        JSON.stringify(Object.fromEntries(codes.map((c, i) => [String(i), { trackingCode: c }]))),
      )}`,
      { headers: { 'x-forwarded-for': '198.51.100.71' } },
    );
    expect(batch.status).toBe(400);
    expect(JSON.stringify(await batch.json())).not.toContain(real.trackingCode);

    const guesser = t.caller({ ip: '198.51.100.72' });
    const guesses = await Promise.all(codes.slice(0, 199).map((code) => outcome(guesser.report.track({ trackingCode: code }))));
    expect(guesses.filter((o) => o === 'TOO_MANY_REQUESTS')).toHaveLength(189);
    expect(await outcome(guesser.report.track({ trackingCode: real.trackingCode }))).toBe('TOO_MANY_REQUESTS');
    // Found codes do not count: another address looks its own code up as often as it likes.
    const owner = t.caller({ ip: '198.51.100.73' });
    for (let i = 0; i < 30; i++) await owner.report.track({ trackingCode: real.trackingCode });
    t.clock.advance(31 * 60_000);
    await expect(guesser.report.track({ trackingCode: real.trackingCode })).resolves.toMatchObject({ trackingCode: real.trackingCode });
  });

  it('the flood: one address gets 20 reports in 10 minutes, then 429 with Retry-After and a Chinese message; others and later are fine', async () => {
    const flooder = { 'x-forwarded-for': '198.51.100.80' };
    const answers = [];
    for (let i = 0; i < 26; i++) answers.push(await post(host.base, 'report.submit', REPORT, flooder));
    expect(answers.map((a) => a.status)).toEqual([...Array<number>(20).fill(200), ...Array<number>(6).fill(429)]);
    const refused = answers.slice(20);
    const last = refused.at(-1)!;
    expect(Number(last.retryAfter)).toBeGreaterThan(0);
    expect(Number(last.retryAfter)).toBeLessThanOrEqual(20 * 60);
    expect(last.body.error.message).toMatch(/^提交太频繁了：同一网络10分钟内最多20次，请\d+(分钟|秒)后再试。/);
    // The address written by the client left of our proxy's entry is not believed.
    const spoofed = await post(host.base, 'report.submit', REPORT, { 'x-forwarded-for': '203.0.113.1, 198.51.100.80' });
    expect(spoofed.status).toBe(429);
    // Another address is not affected; ours may submit again once the window has slid on.
    expect((await post(host.base, 'report.submit', REPORT, { 'x-forwarded-for': '198.51.100.81' })).status).toBe(200);
    t.clock.advance(Number(last.retryAfter) * 1000);
    expect((await post(host.base, 'report.submit', REPORT, flooder)).status).toBe(200);
    t.clock.advance(21 * 60_000);
  });

  it('does not limit the hotline or the mailbox, which do not come from one web client', async () => {
    const operator = await createStaffUser(t, { username: 'hotline01', role: 'operator' });
    for (let i = 0; i < 25; i++) {
      const call = await t.portal.services.hotline.logCall(operator, {
        caller: { phone: `1381234${String(i).padStart(4, '0')}` },
        outcome: 'ticket',
        description: `第${i + 1}位来电人反映：西关集贸市场门口占道经营，行人无法通行`,
      });
      expect(call.trackingCode).toMatch(/^[2-9A-Z]{3}-[2-9A-Z]{3}-[2-9A-Z]{3}$/);
    }
    for (let i = 0; i < 25; i++) {
      const raw = rawMail({
        from: `resident${i} <resident${i}@lincheng.example>`,
        subject: '市场垃圾',
        text: '西关集贸市场里垃圾堆成山，臭气熏天，好几天没人清理',
        messageId: `<flood-${kind}-${i}@lincheng.example>`,
      });
      expect((await t.portal.services.mail.processMail(raw, { file: `flood-${i}.eml` })).outcome).toBe('created');
    }
  });

  it('limits uploads per address (120 in 10 minutes)', async () => {
    const photo = new Uint8Array(
      await sharp({ create: { width: 32, height: 24, channels: 3, background: '#468' } })
        .jpeg()
        .toBuffer(),
    );
    const results = [];
    for (let i = 0; i < 121; i++) results.push(await outcome(t.portal.services.uploadPhoto(photo, { ip: '198.51.100.90' })));
    expect(tally(results)).toEqual({ ok: 120, TOO_MANY_REQUESTS: 1 });
    await expect(t.portal.services.uploadPhoto(photo, { ip: '198.51.100.90' })).rejects.toMatchObject({
      name: 'TooManyRequestsError',
      message: expect.stringMatching(/^上传照片太频繁了/),
    });
    await expect(t.portal.services.uploadPhoto(photo, { ip: '198.51.100.91' })).resolves.toMatchObject({ id: expect.any(String) });
  });
});

describe('two portal processes on one PostgreSQL database', () => {
  const available = kinds.includes('postgres');
  let database: TestDatabase;
  const children: ChildProcess[] = [];
  const bases: string[] = [];

  function start(): Promise<string> {
    const child = spawn(process.execPath, [path.resolve(import.meta.dirname, '../support/api-process.ts')], {
      env: {
        ...process.env,
        DATABASE_URL: database.url,
        DATA_DIR: database.dataDir,
        ...(database.dataKey && { DATA_KEY: database.dataKey }),
        CONTENT_DIR,
        HOST: '127.0.0.1',
        PORT: '0',
        TRUST_PROXY: '1',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(child);
    return new Promise((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`api process exited (${code})`)));
      readline
        .createInterface({ input: child.stdout! })
        .once('line', (line) => resolve(`http://127.0.0.1:${(JSON.parse(line) as { port: number }).port}`));
    });
  }

  beforeAll(async () => {
    if (!available) return;
    database = await postgresDatabase();
    // Migrate and make the account first, then start the two web processes.
    const setup = await createPortal({
      databaseUrl: database.url,
      dataDir: database.dataDir,
      dataKey: database.dataKey,
      contentDir: CONTENT_DIR,
    });
    await setup.services.accounts.createUser({ username: 'shared', displayName: '共用', role: 'dispatcher', password: PASSWORD });
    await setup.close();
    bases.push(...(await Promise.all([start(), start()])));
  }, 60_000);
  afterAll(async () => {
    await Promise.all(
      children.map((c) => (c.exitCode === null ? new Promise((resolve) => c.once('exit', resolve).kill('SIGTERM')) : Promise.resolve())),
    );
    await database?.drop();
  });

  it.skipIf(!available)('share the login allowance: five failures spread over both, then both refuse the right password', async () => {
    const [a, b] = bases as [string, string];
    const statuses = [];
    for (let i = 0; i < 5; i++) {
      const res = await post(
        i % 2 === 0 ? a : b,
        'auth.login',
        { username: 'shared', password: `guess-${i}` },
        { 'x-forwarded-for': `198.51.100.${100 + i}` },
      );
      statuses.push(res.status);
    }
    expect(statuses).toEqual([400, 400, 400, 400, 400]);
    for (const base of [a, b]) {
      const res = await post(base, 'auth.login', { username: 'shared', password: PASSWORD }, { 'x-forwarded-for': '198.51.100.120' });
      expect(res.status).toBe(429);
    }
  });

  it.skipIf(!available)('share the submission allowance: 20 reports over both, the 21st refused by either', async () => {
    const [a, b] = bases as [string, string];
    const from = { 'x-forwarded-for': '198.51.100.130' };
    const statuses = await Promise.all(
      Array.from({ length: 20 }, (_, i) => post(i % 2 === 0 ? a : b, 'report.submit', REPORT, from).then((r) => r.status)),
    );
    expect(statuses).toEqual(Array<number>(20).fill(200));
    for (const base of [a, b]) expect((await post(base, 'report.submit', REPORT, from)).status).toBe(429);
  });
});
