// Accounts (issue 18 item 5): the forced change of a password an administrator chose, the
// password history, idle and absolute session limits, PASSWORD_MAX_AGE_DAYS, and the TOTP second
// factor — enrolment and sign-in with codes computed here (otpauth), recovery codes used once,
// wrong codes counted by the sign-in throttle, an administrator's recorded reset. Through tRPC
// callers made as the HTTP handler makes them, on SQLite and PostgreSQL.
import { TRPCError } from '@trpc/server';
import { TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountEventsOf } from '../../server/auth/account-event-repository.ts';
import { appRouter } from '../../server/trpc/app-router.ts';
import { databaseKinds } from '../support/databases.ts';
import { CONTENT_DIR, startTestPortal, TEST_THROTTLE_LIMITS, type TestPortal } from '../support/portal.ts';
import { createStaffUser, STAFF_PASSWORD } from '../support/staff-accounts.ts';

const kinds = await databaseKinds();

async function failure(promise: Promise<unknown>): Promise<TRPCError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TRPCError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

function cookieToken(headers: Headers): string {
  const match = /cc_session=([^;]+)/.exec(headers.get('set-cookie') ?? '');
  if (!match) throw new Error('no session cookie was set');
  return decodeURIComponent(match[1]!);
}

/** Signing in and calling the API as the HTTP handler does: the user is the cookie session's, when it may work. */
function staffClient(t: TestPortal, ip: string) {
  let token: string | undefined;
  async function caller() {
    const request = { ip, sameOrigin: true, ...(token && { sessionToken: token }) };
    const resHeaders = new Headers();
    const user = await t.portal.services.userOf(request);
    return { api: appRouter.createCaller({ app: t.portal.services, request, user, resHeaders }), resHeaders };
  }
  return {
    token: () => token,
    async login(username: string, password: string) {
      const { api, resHeaders } = await caller();
      const answer = await api.auth.login({ username, password });
      token = cookieToken(resHeaders);
      return answer;
    },
    async verifyCode(code: string) {
      const { api, resHeaders } = await caller();
      const answer = await api.auth.verifyCode({ code });
      token = cookieToken(resHeaders);
      return answer;
    },
    api: async () => (await caller()).api,
  };
}
type StaffClient = ReturnType<typeof staffClient>;

describe.each(kinds)('accounts on %s', (kind) => {
  let t: TestPortal;
  let adminSecret = '';
  let officeRecoveryCodes: string[] = [];
  const ids: Record<string, number> = {};

  /** The code of the next time step: each step is accepted once, so every sign-in moves the clock on. */
  function nextCode(secret: string): string {
    t.clock.advance(30_000);
    return new TOTP({ secret }).generate({ timestamp: t.clock.now().getTime() });
  }

  /** Enrols through the API as the person would; the secret. */
  async function enrol(client: StaffClient): Promise<{ secret: string; recoveryCodes: string[] }> {
    const offer = await (await client.api()).auth.twoFactor.begin();
    const { recoveryCodes } = await (await client.api()).auth.twoFactor.confirm({ secret: offer.secret, code: nextCode(offer.secret) });
    return { secret: offer.secret, recoveryCodes };
  }

  async function signedInAdmin(): Promise<StaffClient> {
    const admin = staffClient(t, '198.51.100.1');
    expect(await admin.login('admin', STAFF_PASSWORD)).toMatchObject({ step: 'code' });
    expect(await admin.verifyCode(nextCode(adminSecret))).toMatchObject({ step: null });
    return admin;
  }

  beforeAll(async () => {
    t = await startTestPortal(kind, CONTENT_DIR, TEST_THROTTLE_LIMITS, { accounts: { requireSecondFactor: true } });
    for (const [username, role, unitCode] of [
      ['admin', 'admin', null],
      ['jiaojing01', 'unit', 'jiaojing'],
      ['office', 'dispatcher', null],
      ['office2', 'dispatcher', null],
    ] as const) {
      ids[username] = (await createStaffUser(t, { username, role, unitCode })).id;
    }
    const admin = staffClient(t, '198.51.100.1');
    expect(await admin.login('admin', STAFF_PASSWORD)).toMatchObject({ step: 'enrol' });
    adminSecret = (await enrol(admin)).secret;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('makes a person change the password an administrator reset, by the policy and not to one of their last five', async () => {
    const admin = await signedInAdmin();
    await (await admin.api()).staff.users.update({ id: ids['jiaojing01']!, changes: { password: 'Temp-2026-reset' } });

    const clerk = staffClient(t, '198.51.100.2');
    expect(await clerk.login('jiaojing01', 'Temp-2026-reset')).toMatchObject({ step: 'password' });
    expect(await failure((await clerk.api()).staff.tickets.list({}))).toMatchObject({
      code: 'FORBIDDEN',
      message: expect.stringMatching(/^请先修改密码/),
    });

    const change = async (currentPassword: string, newPassword: string) =>
      (await clerk.api()).auth.changePassword({ currentPassword, newPassword });
    expect(await failure(change('wrong-current-1', 'Jiaojing-new-1'))).toMatchObject({ message: '当前密码不正确' });
    expect(await failure(change('Temp-2026-reset', 'Temp-2026-reset'))).toMatchObject({ message: '新密码不能与最近5次用过的密码相同' });
    expect(await failure(change('Temp-2026-reset', 'jiaojing01-Pass'))).toMatchObject({ message: '密码不能包含用户名' });
    expect(await failure(change('Temp-2026-reset', 'alllowercase'))).toMatchObject({
      message: expect.stringContaining('还缺：大写字母、数字、其他符号'),
    });
    await expect(change('Temp-2026-reset', 'Mine-2026-a')).resolves.toEqual({ step: null });
    await expect((await clerk.api()).staff.tickets.list({})).resolves.toBeDefined();

    // The last five, the current one included: 'a' is refused until one more change pushes it out.
    for (const [from, to] of [
      ['Mine-2026-a', 'Mine-2026-b'],
      ['Mine-2026-b', 'Mine-2026-c'],
      ['Mine-2026-c', 'Mine-2026-d'],
      ['Mine-2026-d', 'Mine-2026-e'],
    ] as const) {
      await change(from, to);
    }
    expect(await failure(change('Mine-2026-e', 'Mine-2026-a'))).toMatchObject({ message: '新密码不能与最近5次用过的密码相同' });
    await change('Mine-2026-e', 'Mine-2026-f');
    await expect(change('Mine-2026-f', 'Mine-2026-a')).resolves.toEqual({ step: null });

    const events = await accountEventsOf(t.portal.database.db, ids['jiaojing01']!);
    expect(events.find((e) => e.action === 'password-reset')).toMatchObject({
      actorUserId: ids['admin'],
      detail: { temporary: true, via: 'console' },
    });
    expect(events.filter((e) => e.action === 'password-changed')).toHaveLength(7);
  });

  it('makes an account the administrator creates change its password at the first sign-in', async () => {
    const admin = await signedInAdmin();
    await (
      await admin.api()
    ).staff.users.create({
      username: 'zjj09',
      displayName: '住建局新人',
      role: 'unit',
      unitCode: 'zhujianju',
      password: 'First-2026-pass',
    });
    const clerk = staffClient(t, '198.51.100.3');
    expect(await clerk.login('zjj09', 'First-2026-pass')).toMatchObject({ step: 'password' });
    await (await clerk.api()).auth.changePassword({ currentPassword: 'First-2026-pass', newPassword: 'Own-choice-42' });
    expect(await staffClient(t, '198.51.100.3').login('zjj09', 'Own-choice-42')).toMatchObject({ step: null });
  });

  it('has the office enrol a second factor by a QR code and a code, then sign in with a code used once', async () => {
    const office = staffClient(t, '198.51.100.4');
    expect(await office.login('office', STAFF_PASSWORD)).toMatchObject({ step: 'enrol' });
    expect(await failure((await office.api()).staff.tickets.list({}))).toMatchObject({
      code: 'FORBIDDEN',
      message: expect.stringMatching(/^请先启用两步验证/),
    });
    const offer = await (await office.api()).auth.twoFactor.begin();
    expect(offer.qrSvg).toMatch(/^<svg /);
    expect(offer.uri).toBe(
      `otpauth://totp/${encodeURIComponent('文明创城平台')}:office?issuer=${encodeURIComponent('文明创城平台')}&secret=${offer.secret}&algorithm=SHA1&digits=6&period=30`,
    );
    expect(await failure((await office.api()).auth.twoFactor.confirm({ secret: offer.secret, code: '000000' }))).toMatchObject({
      code: 'BAD_REQUEST',
    });
    const confirmed = await (await office.api()).auth.twoFactor.confirm({ secret: offer.secret, code: nextCode(offer.secret) });
    expect(confirmed.step).toBeNull();
    expect(confirmed.recoveryCodes).toHaveLength(10);
    expect(new Set(confirmed.recoveryCodes).size).toBe(10);
    officeRecoveryCodes = confirmed.recoveryCodes;
    await expect((await office.api()).staff.tickets.list({})).resolves.toBeDefined();
    expect(await failure((await office.api()).auth.twoFactor.begin())).toMatchObject({ code: 'CONFLICT' });

    const again = staffClient(t, '198.51.100.4');
    expect(await again.login('office', STAFF_PASSWORD)).toMatchObject({ step: 'code' });
    const waiting = again.token();
    expect(await failure((await again.api()).staff.tickets.list({}))).toMatchObject({ code: 'UNAUTHORIZED', message: /动态验证码/ });
    // The enrolment's code (the same time step) is not accepted a second time.
    const used = new TOTP({ secret: offer.secret }).generate({ timestamp: t.clock.now().getTime() });
    expect(await failure(again.verifyCode(used))).toMatchObject({ code: 'BAD_REQUEST' });
    expect(await again.verifyCode(nextCode(offer.secret))).toMatchObject({ step: null, user: { username: 'office' } });
    expect(again.token()).not.toBe(waiting);
    expect(await t.portal.services.accounts.sessionOf(waiting)).toBeNull();
    await expect((await again.api()).staff.tickets.list({})).resolves.toBeDefined();
    expect((await t.portal.services.accounts.listUsers()).find((u) => u.username === 'office')).toMatchObject({ secondFactor: true });
  });

  it('takes a recovery code once, not twice, however it is typed', async () => {
    const [first, second] = officeRecoveryCodes;
    const office = staffClient(t, '198.51.100.5');
    await office.login('office', STAFF_PASSWORD);
    expect(await office.verifyCode(first!)).toMatchObject({ step: null });
    const again = staffClient(t, '198.51.100.5');
    await again.login('office', STAFF_PASSWORD);
    expect(await failure(again.verifyCode(first!))).toMatchObject({ code: 'BAD_REQUEST' });
    expect(await again.verifyCode(` ${second!.replaceAll('-', '').toUpperCase()} `)).toMatchObject({ step: null });
    const used = (await accountEventsOf(t.portal.database.db, ids['office']!)).filter((e) => e.action === 'recovery-code-used');
    expect(used.map((e) => e.detail)).toEqual([{ remaining: 9 }, { remaining: 8 }]);
  });

  it('counts wrong codes against the sign-in throttle: past the allowance the right code is refused too', async () => {
    const setup = staffClient(t, '198.51.100.6');
    await setup.login('office2', STAFF_PASSWORD);
    const { secret } = await enrol(setup);
    const guesser = staffClient(t, '198.51.100.7');
    expect(await guesser.login('office2', STAFF_PASSWORD)).toMatchObject({ step: 'code' });
    for (const wrong of ['111111', '222222', '333333', '444444', 'aaaa-bbbb-cccc']) {
      expect(await failure(guesser.verifyCode(wrong))).toMatchObject({ code: 'BAD_REQUEST' });
    }
    expect(await failure(guesser.verifyCode(nextCode(secret)))).toMatchObject({ code: 'TOO_MANY_REQUESTS' });
  });

  it('lets an administrator reset someone’s second factor, signs them out and records it', async () => {
    const office = staffClient(t, '198.51.100.8');
    await office.login('office', STAFF_PASSWORD);
    await office.verifyCode(officeRecoveryCodes[2]!);
    const clerk = staffClient(t, '198.51.100.9');
    await clerk.login('jiaojing01', 'Mine-2026-a');
    expect(await failure((await clerk.api()).staff.users.resetSecondFactor({ id: ids['office']! }))).toMatchObject({ code: 'FORBIDDEN' });

    const admin = await signedInAdmin();
    await (await admin.api()).staff.users.resetSecondFactor({ id: ids['office']! });
    expect(await t.portal.services.accounts.sessionOf(office.token())).toBeNull();
    expect((await t.portal.services.accounts.listUsers()).find((u) => u.username === 'office')).toMatchObject({ secondFactor: false });
    expect(await staffClient(t, '198.51.100.8').login('office', STAFF_PASSWORD)).toMatchObject({ step: 'enrol' });
    const events = await accountEventsOf(t.portal.database.db, ids['office']!);
    expect(events.filter((e) => e.action === 'second-factor-reset').at(-1)).toMatchObject({
      actorUserId: ids['admin'],
      detail: { hadSecondFactor: true },
    });
  });

  it('ends a session after 30 idle minutes, and 12 hours after sign-in however busy', async () => {
    const clerk = staffClient(t, '198.51.100.10');
    await clerk.login('jiaojing01', 'Mine-2026-a');
    for (const minutes of [29, 29]) {
      t.clock.advance(minutes * 60_000);
      await expect((await clerk.api()).staff.tickets.list({})).resolves.toBeDefined();
    }
    t.clock.advance(31 * 60_000);
    expect(await failure((await clerk.api()).staff.tickets.list({}))).toMatchObject({ code: 'UNAUTHORIZED', message: '请先登录' });

    await clerk.login('jiaojing01', 'Mine-2026-a');
    for (let i = 0; i < 28; i++) {
      t.clock.advance(25 * 60_000); // 11 h 40 min in all
      await expect((await clerk.api()).staff.tickets.list({})).resolves.toBeDefined();
    }
    t.clock.advance(21 * 60_000);
    expect(await failure((await clerk.api()).staff.tickets.list({}))).toMatchObject({ code: 'UNAUTHORIZED' });
  });
});

describe.each(kinds)('password age on %s', (kind) => {
  let t: TestPortal;
  beforeAll(async () => {
    t = await startTestPortal(kind, CONTENT_DIR, TEST_THROTTLE_LIMITS, { accounts: { passwordMaxAgeDays: 90 } });
    await createStaffUser(t, { username: 'jiaojing01', role: 'unit', unitCode: 'jiaojing' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('asks for a new password once PASSWORD_MAX_AGE_DAYS have passed since it was set', async () => {
    t.clock.advance(89 * 86_400_000);
    expect(await staffClient(t, '198.51.100.20').login('jiaojing01', STAFF_PASSWORD)).toMatchObject({ step: null });
    t.clock.advance(86_400_000);
    const clerk = staffClient(t, '198.51.100.20');
    expect(await clerk.login('jiaojing01', STAFF_PASSWORD)).toMatchObject({ step: 'password' });
    await (await clerk.api()).auth.changePassword({ currentPassword: STAFF_PASSWORD, newPassword: 'Renewed-2027' });
    await expect((await clerk.api()).staff.tickets.list({})).resolves.toBeDefined();
  });
});
