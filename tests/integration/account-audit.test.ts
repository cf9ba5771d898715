// Account actions in the audit record (安全审计, issue 18 item 6) on SQLite and PostgreSQL: a
// sign-in (with its second-factor step), each failure and why — an unknown username recorded on no
// account and without what was typed —, the lockout the last allowed failure starts, a sign-out, a
// session that ran out, an administrator's changes to an account, and downloads of residents'
// data over HTTP and `npm run audit:export` at the command line. Each with the client's address as
// the server sees it (TRUST_PROXY) and its user agent; then the sealer chains them all and
// `audit:verify` finds the chain whole.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { TRPCError } from '@trpc/server';
import { TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sealAuditRecords } from '../../server/audit/audit-sealer.ts';
import { verifyAuditRecords } from '../../server/audit/audit-verify.ts';
import { DEFAULT_ACCOUNT_SETTINGS } from '../../server/auth/account-env.ts';
import type { StaffUser } from '../../server/auth/roles.ts';
import { createRequestHandler, listen } from '../../server/http/host.ts';
import { appRouter } from '../../server/trpc/app-router.ts';
import { databaseKinds } from '../support/databases.ts';
import { CONTENT_DIR, startTestPortal, TEST_THROTTLE_LIMITS, type TestPortal } from '../support/portal.ts';
import { createStaffUser, STAFF_PASSWORD } from '../support/staff-accounts.ts';

const kinds = await databaseKinds();
const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
const BROWSER = { ip: '203.0.113.7', userAgent: 'Mozilla/5.0 (audit test)' };
const ACCOUNT_LIMIT = 3;

interface Row {
  id: number;
  at: string;
  actor_user_id: number | null;
  subject_user_id: number | null;
  action: string;
  detail: Record<string, unknown>;
  ip: string | null;
  user_agent: string | null;
}

function cookieToken(headers: Headers): string {
  const match = /cc_session=([^;]+)/.exec(headers.get('set-cookie') ?? '');
  if (!match) throw new Error('no session cookie was set');
  return decodeURIComponent(match[1]!);
}

describe.each(kinds)('account actions in the audit record on %s', (kind) => {
  let t: TestPortal;
  let server: Server;
  let base: string;
  const users: Record<string, StaffUser> = {};

  /** The account_events rows after id `after`, oldest first. */
  async function eventsAfter(after: number): Promise<Row[]> {
    const rows = await t.portal.database.db
      .selectFrom('account_events')
      .select(['id', 'at', 'actor_user_id', 'subject_user_id', 'action', 'detail', 'ip', 'user_agent'])
      .where('id', '>', after)
      .orderBy('id')
      .execute();
    return rows.map((r) => ({
      ...r,
      id: Number(r.id),
      actor_user_id: r.actor_user_id === null ? null : Number(r.actor_user_id),
      subject_user_id: r.subject_user_id === null ? null : Number(r.subject_user_id),
      detail: JSON.parse(r.detail) as Record<string, unknown>,
    }));
  }
  async function lastId(): Promise<number> {
    const row = await t.portal.database.db
      .selectFrom('account_events')
      .select((eb) => eb.fn.max('id').as('id'))
      .executeTakeFirst();
    return Number(row?.id ?? 0);
  }
  /** The rows `fn` added. */
  async function recorded(fn: () => Promise<unknown>): Promise<Row[]> {
    const before = await lastId();
    await fn();
    return eventsAfter(before);
  }

  /** A browser's session through the API, as the HTTP handler calls it. */
  function browser(client = BROWSER) {
    let token: string | undefined;
    async function api() {
      const request = { ...client, sameOrigin: true, ...(token && { sessionToken: token }) };
      const resHeaders = new Headers();
      const user = await t.portal.services.userOf(request);
      return { api: appRouter.createCaller({ app: t.portal.services, request, user, resHeaders }), resHeaders };
    }
    return {
      token: () => token,
      async login(username: string, password = STAFF_PASSWORD) {
        const { api: a, resHeaders } = await api();
        const answer = await a.auth.login({ username, password });
        token = cookieToken(resHeaders);
        return answer;
      },
      async verifyCode(code: string) {
        const { api: a, resHeaders } = await api();
        const answer = await a.auth.verifyCode({ code });
        token = cookieToken(resHeaders);
        return answer;
      },
      api: async () => (await api()).api,
    };
  }

  async function refusal(promise: Promise<unknown>): Promise<TRPCError> {
    try {
      await promise;
    } catch (error) {
      if (error instanceof TRPCError) return error;
      throw error;
    }
    throw new Error('expected the call to fail');
  }

  beforeAll(async () => {
    t = await startTestPortal(kind, CONTENT_DIR, {
      ...TEST_THROTTLE_LIMITS,
      'login-account': { count: ACCOUNT_LIMIT, windowMs: 15 * 60_000 },
      'login-address': { count: 1000, windowMs: 15 * 60_000 },
    });
    for (const [username, role] of [
      ['au-admin', 'admin'],
      ['au-office', 'dispatcher'],
      ['au-twofactor', 'dispatcher'],
      ['au-locked', 'dispatcher'],
      ['au-changed', 'dispatcher'],
    ] as const) {
      users[username] = await createStaffUser(t, { username, role });
    }
    const clientDir = path.join(t.database.dataDir, 'client');
    fs.mkdirSync(clientDir);
    // Behind one proxy of our own: the client is the address the proxy appended.
    server = await listen(
      createRequestHandler({
        app: t.portal.services,
        photos: t.portal.photos,
        clientDir,
        astroHandler: async (_req, _res, next) => next(),
        trustProxy: 1,
        secureCookies: false,
      }),
      '127.0.0.1',
      0,
    );
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    await t?.close();
  });

  it('records an account made at the command line, with its role and no address', async () => {
    const [created] = (await eventsAfter(0)).filter((e) => e.subject_user_id === users['au-office']!.id);
    expect(created).toMatchObject({
      action: 'account-created',
      actor_user_id: null,
      detail: { role: 'dispatcher', unitCode: null, via: 'command-line' },
      ip: null,
      user_agent: null,
    });
  });

  it('records a sign-in on the account with the address and the browser, and a sign-out', async () => {
    const b = browser();
    const id = users['au-office']!.id;
    expect(await recorded(() => b.login('au-office'))).toMatchObject([
      {
        action: 'signed-in',
        actor_user_id: id,
        subject_user_id: id,
        detail: { factors: ['password'] },
        ip: BROWSER.ip,
        user_agent: BROWSER.userAgent,
      },
    ]);
    expect(await recorded(async () => (await b.api()).auth.logout())).toMatchObject([
      { action: 'signed-out', actor_user_id: id, subject_user_id: id, ip: BROWSER.ip, user_agent: BROWSER.userAgent },
    ]);
    // The session is gone: a second sign-out records nothing.
    expect(await recorded(async () => (await b.api()).auth.logout())).toEqual([]);
  });

  it('records the password step and the code step of an account with a second factor, and a wrong code', async () => {
    const id = users['au-twofactor']!.id;
    const b = browser();
    await b.login('au-twofactor');
    const offer = await (await b.api()).auth.twoFactor.begin();
    const code = () => {
      t.clock.advance(30_000);
      return new TOTP({ secret: offer.secret }).generate({ timestamp: t.clock.now().getTime() });
    };
    const enrolled = await recorded(async () => (await b.api()).auth.twoFactor.confirm({ secret: offer.secret, code: code() }));
    expect(enrolled).toMatchObject([{ action: 'second-factor-enrolled', subject_user_id: id, ip: BROWSER.ip }]);

    const again = browser();
    expect(await recorded(() => again.login('au-twofactor'))).toMatchObject([
      { action: 'sign-in-password-accepted', actor_user_id: null, subject_user_id: id, detail: { awaiting: 'code' }, ip: BROWSER.ip },
    ]);
    const wrong = await recorded(() => refusal(again.verifyCode('000000')));
    expect(wrong).toMatchObject([{ action: 'sign-in-failed', subject_user_id: id, detail: { reason: 'wrong-code' }, ip: BROWSER.ip }]);
    expect(await recorded(() => again.verifyCode(code()))).toMatchObject([
      { action: 'signed-in', actor_user_id: id, subject_user_id: id, detail: { factors: ['password', 'totp'] }, ip: BROWSER.ip },
    ]);
  });

  it('records a wrong password on the account, and an unknown username on none without what was typed', async () => {
    const b = browser();
    const wrong = await recorded(() => refusal(b.login('au-office', 'not-the-password-1')));
    expect(wrong).toMatchObject([
      { action: 'sign-in-failed', actor_user_id: null, subject_user_id: users['au-office']!.id, detail: { reason: 'wrong-password' } },
    ]);
    // A password typed in the username box: never stored.
    const typed = 'Tr0ub4dor-typed-in-the-wrong-box';
    const unknown = await recorded(() => refusal(b.login(typed)));
    expect(unknown).toEqual([
      expect.objectContaining({ action: 'sign-in-failed', subject_user_id: null, detail: { reason: 'unknown-user' }, ip: BROWSER.ip }),
    ]);
    const everything = JSON.stringify(await eventsAfter(0));
    for (const secret of [typed, typed.toLowerCase(), 'not-the-password-1', STAFF_PASSWORD]) expect(everything).not.toContain(secret);
  });

  it('records the lockout once, when the last allowed failure starts it; refused tries add nothing', async () => {
    const id = users['au-locked']!.id;
    const b = browser({ ip: '198.51.100.77', userAgent: 'curl/8' });
    const failures = await recorded(async () => {
      for (let i = 0; i < ACCOUNT_LIMIT; i++) expect((await refusal(b.login('au-locked', `guess-${i}`))).code).toBe('BAD_REQUEST');
    });
    expect(failures.map((e) => e.action)).toEqual([...Array<string>(ACCOUNT_LIMIT).fill('sign-in-failed'), 'sign-in-locked']);
    expect(failures.at(-1)).toMatchObject({
      subject_user_id: id,
      detail: { scope: 'account', failures: ACCOUNT_LIMIT, windowMinutes: 15 },
      ip: '198.51.100.77',
      user_agent: 'curl/8',
    });
    const refused = await recorded(async () => {
      for (let i = 0; i < 3; i++) expect((await refusal(b.login('au-locked', STAFF_PASSWORD))).code).toBe('TOO_MANY_REQUESTS');
    });
    expect(refused).toEqual([]);
  });

  it('records a session that ran out when it is next used, once', async () => {
    const b = browser();
    await b.login('au-office');
    t.clock.advance((DEFAULT_ACCOUNT_SETTINGS.sessionIdleMinutes + 1) * 60_000);
    const expired = await recorded(async () => {
      expect(await t.portal.services.userOf({ ip: BROWSER.ip, sessionToken: b.token()! })).toBeNull();
      expect(await t.portal.services.userOf({ ip: BROWSER.ip, sessionToken: b.token()! })).toBeNull();
    });
    expect(expired).toMatchObject([{ action: 'session-expired', subject_user_id: users['au-office']!.id, detail: { reason: 'idle' } }]);
  });

  it("records an administrator's changes: an account made, a role and unit changed, a name, a deactivation", async () => {
    const admin = users['au-admin']!;
    const request = { ip: '192.0.2.10', userAgent: 'admin-browser', sameOrigin: true };
    const api = appRouter.createCaller({ app: t.portal.services, request, user: admin });
    const subject = users['au-changed']!.id;
    const changes = await recorded(() =>
      api.staff.users.update({ id: subject, changes: { role: 'unit', unitCode: 'jiaojing', displayName: '改名后', active: false } }),
    );
    const by = { actor_user_id: admin.id, subject_user_id: subject, ip: '192.0.2.10', user_agent: 'admin-browser' };
    expect(changes).toMatchObject([
      {
        ...by,
        action: 'role-changed',
        detail: { from: { role: 'dispatcher', unitCode: null }, to: { role: 'unit', unitCode: 'jiaojing' }, via: 'console' },
      },
      { ...by, action: 'display-name-changed', detail: { via: 'console' } },
      { ...by, action: 'account-disabled', detail: { via: 'console' } },
    ]);
    // The new name is not repeated in the record.
    expect(JSON.stringify(changes)).not.toContain('改名后');
    expect(await recorded(() => api.staff.users.update({ id: subject, changes: { active: true } }))).toMatchObject([
      { ...by, action: 'account-enabled' },
    ]);
    // Saving without a change records nothing.
    expect(await recorded(() => api.staff.users.update({ id: subject, changes: { active: true } }))).toEqual([]);
    const created = await recorded(() =>
      api.staff.users.create({
        username: 'au-new',
        displayName: '新同事',
        role: 'unit',
        unitCode: 'jiaojing',
        password: 'Another-pass-42',
      }),
    );
    expect(created).toMatchObject([
      {
        actor_user_id: admin.id,
        action: 'account-created',
        detail: { role: 'unit', unitCode: 'jiaojing', via: 'console' },
        ip: '192.0.2.10',
      },
    ]);
  });

  it('records a ledger download with the filter and the address the proxy saw, and refused downloads not at all', async () => {
    const b = browser();
    await b.login('au-office');
    const filter = encodeURIComponent(JSON.stringify({ unitCode: 'jiaojing', dateFrom: '2026-11-01', dateTo: '2026-11-30', page: 2 }));
    const headers = { cookie: `cc_session=${b.token()!}`, 'x-forwarded-for': '192.0.2.44', 'user-agent': 'download-test' };
    const exported = await recorded(async () => {
      const res = await fetch(`${base}/api/ledgers/problems.csv?filter=${filter}`, { headers });
      expect(res.status).toBe(200);
      await res.arrayBuffer();
    });
    const id = users['au-office']!.id;
    expect(exported).toEqual([
      expect.objectContaining({
        action: 'exported',
        actor_user_id: id,
        subject_user_id: id,
        detail: {
          kind: 'ledger-problems',
          format: 'csv',
          from: '2026-11-01',
          to: '2026-11-30',
          scope: { unitCode: 'jiaojing' },
          via: 'console',
        },
        ip: '192.0.2.44',
        user_agent: 'download-test',
      }),
    ]);
    const monthly = await recorded(async () => {
      const res = await fetch(`${base}/api/ledgers/monthly-report/2026-11.xlsx`, { headers });
      expect(res.status).toBe(200);
      await res.arrayBuffer();
    });
    expect(monthly).toMatchObject([
      { action: 'exported', detail: { kind: 'monthly-report', format: 'xlsx', scope: { month: '2026-11' } } },
    ]);
    const refused = await recorded(async () => {
      expect((await fetch(`${base}/api/ledgers/problems.csv`)).status).toBe(401);
      expect((await fetch(`${base}/api/ledgers/problems.csv?filter=%7Bnope`, { headers })).status).toBe(400);
    });
    expect(refused).toEqual([]);
  });

  it(
    'records `npm run audit:export` with its date range and the operating-system user; the sealer chains every record and verify passes',
    { timeout: 60_000 },
    async () => {
      const out = path.join(t.database.dataDir, 'audit.csv');
      const env = { ...process.env, DATABASE_URL: t.database.url, DATA_DIR: t.database.dataDir, CONTENT_DIR };
      const exported = await recorded(() =>
        run(process.execPath, [path.join(ROOT, 'scripts/audit-export.ts'), '--from', '2026-11-30', '--to', '2026-11-30', '--out', out], {
          env,
        }),
      );
      expect(exported).toEqual([
        expect.objectContaining({
          action: 'exported',
          actor_user_id: null,
          subject_user_id: null,
          detail: {
            kind: 'audit-records',
            format: 'csv',
            from: '2026-11-30',
            to: '2026-11-30',
            via: 'command-line',
            osUser: expect.any(String),
          },
          ip: null,
        }),
      ]);
      // The file holds the account actions with their addresses (the export's 内容 column).
      const csv = fs.readFileSync(out, 'utf8');
      expect(csv).toContain('sign-in-locked');
      expect(csv).toContain('198.51.100.77');

      const total = (await eventsAfter(0)).length;
      const sealed = await sealAuditRecords(t.portal.database.db, t.clock.now());
      expect(sealed.account_events).toBe(total);
      const verified = await verifyAuditRecords(t.portal.database.db, t.clock.now());
      expect(verified.ok).toBe(true);
      expect(verified.tables.find((v) => v.table === 'account_events')).toMatchObject({ sealed: total, unsealed: 0, firstProblem: null });
      // Sealed rows are as append-only as before: the new columns cannot be changed either.
      await expect(t.portal.database.db.updateTable('account_events').set({ ip: '10.0.0.1' }).execute()).rejects.toThrow(/append-only/);
    },
  );
});
