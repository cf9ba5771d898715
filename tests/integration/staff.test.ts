// The staff side through the tRPC API, on SQLite and PostgreSQL: the whole life of a ticket,
// every lifecycle transition allowed or refused, unit isolation, read-only leaders, cross-site
// refusal, sessions and login throttling.
import { TRPCError } from '@trpc/server';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StaffUser } from '../../server/auth/roles.ts';
import { ACTIONS, STATUSES, TRANSITIONS, type Action, type Status } from '../../server/tickets/lifecycle.ts';
import type { TicketActionInput } from '../../server/staff/action-schema.ts';
import { appRouter } from '../../server/trpc/app-router.ts';
import { databaseKinds } from '../support/databases.ts';
import { startTestPortal, type TestPortal } from '../support/portal.ts';
import { createStaff } from '../support/staff-accounts.ts';

const kinds = await databaseKinds();

const CROSSING = '人民路和府前街交叉口，机动车经过斑马线从来不礼让行人，老人过马路太危险了';
const TRIAGE = '我家楼上邻居天天半夜唱歌，吵得睡不着觉，说了好几次也不听';
const PASSWORD = 'correct-horse-42';

async function failure(promise: Promise<unknown>): Promise<TRPCError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TRPCError) return error;
    throw error;
  }
  throw new Error('expected the call to be refused');
}

describe.each(kinds)('staff side on %s', (kind) => {
  let t: TestPortal;
  let users: Record<string, StaffUser> = {};

  const as = (name: string, request: { sameOrigin?: boolean } = {}) =>
    appRouter.createCaller({
      app: t.portal.services,
      request: { ip: '10.0.0.1', sameOrigin: true, ...request },
      user: users[name] ?? null,
    });

  beforeAll(async () => {
    t = await startTestPortal(kind);
    users = await createStaff(
      t,
      [
        ['admin', 'admin'],
        ['dispatcher', 'dispatcher'],
        ['jiaojing01', 'unit', 'jiaojing'],
        ['zhujian01', 'unit', 'zhujianju'],
        ['leader', 'leader'],
        ['operator', 'operator'],
      ],
      { password: PASSWORD },
    );
  });
  afterAll(async () => {
    await t?.close();
  });

  const act = (user: string, trackingCode: string, a: TicketActionInput) => as(user).staff.tickets.act({ trackingCode, act: a });
  const submitted = async (text = CROSSING) => (await t.caller().report.submit({ description: text })).trackingCode;

  async function rectificationPhoto(): Promise<string> {
    const bytes = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#0a0' } })
      .png()
      .toBuffer();
    const session = await t.portal.services.accounts.login('jiaojing01', PASSWORD, { ip: '10.0.0.2' });
    const uploaded = await t.portal.services.uploadPhoto(
      new Uint8Array(bytes),
      { ip: '10.0.0.2', sessionToken: session.token },
      'rectification',
    );
    return uploaded.id;
  }

  it('carries a report from triage to closure, and the resident sees each step', async () => {
    const code = await submitted(TRIAGE);
    expect((await as('dispatcher').staff.tickets.get({ trackingCode: code })).status).toBe('received');
    await act('dispatcher', code, { action: 'dispatch', unitCode: 'jiaojing', categoryCode: null });
    await act('jiaojing01', code, { action: 'accept' });
    await act('jiaojing01', code, { action: 'startRectification' });
    await act('jiaojing01', code, {
      action: 'requestExtension',
      reason: '需要采购新的标志牌',
      requestedDeadline: '2026-12-20T00:00:00.000Z',
    });
    const extended = await act('dispatcher', code, { action: 'approveExtension' });
    expect(extended.deadlineAt).toBe('2026-12-20T00:00:00.000Z');
    const photoId = await rectificationPhoto();
    await act('jiaojing01', code, { action: 'reportRectification', text: '已在路口增设礼让行人标志并安排警力值守', photoIds: [photoId] });
    await act('dispatcher', code, { action: 'verify' });

    const detail = await as('admin').staff.tickets.get({ trackingCode: code });
    expect(detail.status).toBe('closed');
    expect(detail.photos.after).toHaveLength(1);
    expect(detail.timeline.map((e) => e.action)).toEqual([
      'submit',
      'dispatch',
      'accept',
      'startRectification',
      'requestExtension',
      'approveExtension',
      'reportRectification',
      'verify',
    ]);
    expect(detail.timeline[2]!.actor).toContain('jiaojing01');
    expect(detail.timeline[1]!.data).toMatchObject({ leadUnitCode: 'jiaojing', suggested: { unitCode: null } });

    const tracked = await t.caller().report.track({ trackingCode: code });
    expect(tracked.statusLabel).toBe('已办结');
    expect(tracked.timeline.map((e) => e.text)).toContain('创城办核验通过，问题已办结');
  });

  it('a returned ticket goes back to the office, out of the unit’s sight, with the unit’s hint recorded', async () => {
    const code = await submitted();
    await act('jiaojing01', code, { action: 'return', reason: '该路口属于城区道路改造范围', suggestedUnitCode: 'zhujianju' });
    expect(await failure(as('jiaojing01').staff.tickets.get({ trackingCode: code }))).toMatchObject({ code: 'NOT_FOUND' });
    const detail = await as('dispatcher').staff.tickets.get({ trackingCode: code });
    expect(detail).toMatchObject({ status: 'returned', unit: null });
    expect(detail.timeline.at(-1)!.data).toMatchObject({ suggestedUnitCode: 'zhujianju', returnedBy: 'jiaojing' });
    await act('dispatcher', code, { action: 'dispatch', unitCode: 'zhujianju', categoryCode: null });
    expect((await as('zhujian01').staff.tickets.get({ trackingCode: code })).status).toBe('dispatched');
  });

  it('unit staff see and change only their own unit’s tickets', async () => {
    const own = await submitted();
    await act('jiaojing01', own, { action: 'return', reason: '该路口属于城区道路改造范围', suggestedUnitCode: 'zhujianju' });
    await act('dispatcher', own, { action: 'dispatch', unitCode: 'zhujianju', categoryCode: null });
    const code = await submitted();
    expect((await as('jiaojing01').staff.tickets.get({ trackingCode: code })).unit?.code).toBe('jiaojing');
    expect(await failure(as('zhujian01').staff.tickets.get({ trackingCode: code }))).toMatchObject({ code: 'NOT_FOUND' });
    expect(await failure(act('zhujian01', code, { action: 'accept' }))).toMatchObject({ code: 'NOT_FOUND' });
    const list = await as('zhujian01').staff.tickets.list({ unitCode: 'jiaojing' });
    expect(list.items.map((i) => i.trackingCode)).toContain(own);
    expect([...new Set(list.items.map((i) => i.unit?.code))]).toEqual(['zhujianju']);
    expect(list.items.map((i) => i.trackingCode)).not.toContain(code);
    // A unit cannot route, verify or reject, even on its own ticket.
    for (const a of [{ action: 'verify' }, { action: 'reject', reason: '不属实' }] as TicketActionInput[]) {
      expect(await failure(act('jiaojing01', code, a))).toMatchObject({ code: 'CONFLICT' });
    }
  });

  // Issue 12: the office acknowledged for a unit with the plain 签收, and the resident read 责任单位已签收.
  it('the office cannot 签收, start or report for a unit; it records 代为签收 with a reason, and nobody reads it as the unit’s', async () => {
    const code = await submitted();
    for (const user of ['dispatcher', 'admin']) {
      for (const a of [
        { action: 'accept' },
        { action: 'startRectification' },
        { action: 'reportRectification', text: '已经整改完毕', photoIds: [], noPhotoReason: '代单位反馈' },
      ] as TicketActionInput[]) {
        expect(await failure(act(user, code, a)), `${user} ${a.action}`).toMatchObject({
          code: 'CONFLICT',
          message: expect.stringMatching(/只能由责任单位办理/),
        });
      }
    }
    expect(await failure(act('dispatcher', code, { action: 'acceptOnBehalf', reason: ' ' }))).toMatchObject({ code: 'BAD_REQUEST' });
    expect(await failure(act('jiaojing01', code, { action: 'acceptOnBehalf', reason: '本单位已认领' }))).toMatchObject({
      code: 'CONFLICT',
    });
    const accepted = await act('admin', code, { action: 'acceptOnBehalf', reason: '12月3日视频点评会上当场认领' });
    expect(accepted.status).toBe('accepted');

    const detail = await as('dispatcher').staff.tickets.get({ trackingCode: code });
    const event = detail.timeline.at(-1)!;
    expect(event).toMatchObject({ action: 'acceptOnBehalf', actionLabel: '代为签收', reason: '12月3日视频点评会上当场认领' });
    expect(event.actor).toContain('admin');
    expect(event.data).toMatchObject({ unitCode: 'jiaojing' });
    expect(event.toStatusLabel).toBe('创城办已代责任单位签收');
    expect(detail.statusLabel).toBe('创城办已代责任单位签收');
    // The unit's own acknowledgement stays unrecorded: the office's is the event.
    const row = await t.portal.database.db
      .selectFrom('tickets')
      .select('acknowledged_at')
      .where('tracking_code', '=', code)
      .executeTakeFirstOrThrow();
    expect(row.acknowledged_at).toBeNull();

    const tracked = await t.caller().report.track({ trackingCode: code });
    expect(tracked.statusLabel).toBe('创城办已代责任单位签收');
    const texts = tracked.timeline.map((e) => e.text);
    expect(texts.at(-1)).toBe('创城办已代临城县公安局交通警察大队签收');
    expect(texts).not.toContain('责任单位已签收');
    expect(tracked.timeline.map((e) => e.statusLabel)).not.toContain('责任单位已签收');

    // The unit carries on from there as after its own 签收.
    await act('jiaojing01', code, { action: 'startRectification' });
    expect((await as('jiaojing01').staff.tickets.get({ trackingCode: code })).status).toBe('rectifying');
  });

  // Issue 12: a unit could report a rectification with no photo, though the inbox and the mail ask for one.
  it('a rectification report needs an after-photo, or the unit’s reason why none can be taken, which the office reads', async () => {
    const code = await submitted();
    await act('jiaojing01', code, { action: 'accept' });
    const noPhoto = await failure(act('jiaojing01', code, { action: 'reportRectification', text: '已在路口增设提示牌', photoIds: [] }));
    expect(noPhoto).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(/至少上传一张整改后照片/) });
    const blank = await failure(
      act('jiaojing01', code, { action: 'reportRectification', text: '已在路口增设提示牌', photoIds: [], noPhotoReason: '  ' }),
    );
    expect(blank).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(/为什么拍不了/) });
    expect((await as('jiaojing01').staff.tickets.get({ trackingCode: code })).status).toBe('accepted');

    const reason = '违规行为只在早晚高峰出现，整改是安排民警值守，现场没有可拍的变化';
    await act('jiaojing01', code, {
      action: 'reportRectification',
      text: '已安排民警早晚高峰在路口值守',
      photoIds: [],
      noPhotoReason: reason,
    });
    const reported = await as('dispatcher').staff.tickets.get({ trackingCode: code });
    expect(reported.timeline.at(-1)!.data).toMatchObject({ photoIds: [], noPhotoReason: reason });

    // With a photo, a reason is not kept: there is nothing to explain.
    await act('dispatcher', code, { action: 'sendBack', reason: '请补拍值守现场照片' });
    const photoId = await rectificationPhoto();
    await act('jiaojing01', code, { action: 'reportRectification', text: '已补拍值守照片', photoIds: [photoId], noPhotoReason: reason });
    const again = await as('dispatcher').staff.tickets.get({ trackingCode: code });
    expect(again.timeline.at(-1)!.data).not.toHaveProperty('noPhotoReason');
  });

  // Issue 12: the queue had no bulk dispatch, and a dispatch no 交办意见.
  it('dispatches several tickets to one unit in one go, each its own event with the 交办意见, naming any it left alone', async () => {
    const [a, b, stale, taken] = [await submitted(TRIAGE), await submitted(TRIAGE), await submitted(TRIAGE), await submitted(TRIAGE)];
    const version = async (code: string) => (await as('dispatcher').staff.tickets.get({ trackingCode: code })).version;
    const staleVersion = await version(stale);
    await act('dispatcher', stale, { action: 'dispatch', unitCode: 'jiaojing' });
    await act('dispatcher', stale, { action: 'reassign', unitCode: 'jiaojing', reason: '先改派交警' });
    const remarks = '请三日内到现场核实，噪音扰民请联合社区处理';

    // What the tickets share is checked first: a wrong unit, or a unit's account, changes nothing.
    const wrongUnit = await failure(
      as('dispatcher').staff.tickets.dispatchMany({ tickets: [{ trackingCode: a }], unitCode: 'no-such-unit', remarks }),
    );
    expect(wrongUnit).toMatchObject({ code: 'BAD_REQUEST', message: '所选单位不存在' });
    expect(
      await failure(as('zhujian01').staff.tickets.dispatchMany({ tickets: [{ trackingCode: a }], unitCode: 'zhujianju' })),
    ).toMatchObject({
      code: 'CONFLICT',
    });
    expect(await failure(as('dispatcher').staff.tickets.dispatchMany({ tickets: [], unitCode: 'zhujianju' }))).toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringContaining('请先勾选要派单的工单'),
    });
    expect((await as('dispatcher').staff.tickets.get({ trackingCode: a })).status).toBe('received');

    await act('dispatcher', taken, { action: 'reject', reason: '不属于创城问题' });
    const outcome = await as('dispatcher').staff.tickets.dispatchMany({
      tickets: [
        { trackingCode: a, expectedVersion: await version(a) },
        { trackingCode: b },
        { trackingCode: stale, expectedVersion: staleVersion },
        { trackingCode: taken },
      ],
      unitCode: 'zhujianju',
      categoryCode: null,
      remarks,
    });
    expect(outcome.dispatched).toEqual([a, b]);
    expect(outcome.refused).toEqual([
      { trackingCode: stale, message: expect.stringMatching(/已被他人更新/) },
      { trackingCode: taken, message: expect.stringMatching(/不予受理.*不能派单/) },
    ]);
    for (const code of [a, b]) {
      const detail = await as('dispatcher').staff.tickets.get({ trackingCode: code });
      expect(detail).toMatchObject({ status: 'dispatched', unit: { code: 'zhujianju' }, dispatchRemarks: remarks });
      expect(detail.timeline.filter((e) => e.action === 'dispatch')).toHaveLength(1);
      expect(detail.timeline.at(-1)!.data).toMatchObject({ leadUnitCode: 'zhujianju', dispatchRemarks: remarks });
    }
    const inbox = await as('zhujian01').staff.tickets.list({ statuses: ['dispatched'] });
    expect(inbox.items.find((i) => i.trackingCode === a)?.dispatchRemarks).toBe(remarks);

    // The remarks belong to that dispatch: a return clears them, a new dispatch without any has none.
    await act('zhujian01', a, { action: 'return', reason: '不属于本单位' });
    expect((await as('dispatcher').staff.tickets.get({ trackingCode: a })).dispatchRemarks).toBeNull();
    await act('dispatcher', a, { action: 'dispatch', unitCode: 'jiaojing', remarks: '  ' });
    expect((await as('dispatcher').staff.tickets.get({ trackingCode: a })).dispatchRemarks).toBeNull();
  });

  it('leaders read everything and change nothing; the reporter is shown to the office only (others: a masked number)', async () => {
    const code = (await t.caller().report.submit({ description: CROSSING, reporter: { name: '赵六', phone: '13700001111' } })).trackingCode;
    const masked = { anonymous: false, name: null, phone: '137****1111', email: null };
    expect((await as('leader').staff.tickets.get({ trackingCode: code })).reporter).toEqual(masked);
    expect((await as('jiaojing01').staff.tickets.get({ trackingCode: code })).reporter).toEqual(masked);
    expect((await as('dispatcher').staff.tickets.get({ trackingCode: code })).reporter).toMatchObject({
      name: '赵六',
      phone: '13700001111',
    });
    expect(await failure(act('leader', code, { action: 'accept' }))).toMatchObject({
      code: 'CONFLICT',
      message: expect.stringMatching(/只读/),
    });
  });

  it('refuses staff mutations started by another site, and anything without a session', async () => {
    const code = await submitted();
    const crossSite = as('jiaojing01', { sameOrigin: false });
    expect(await failure(crossSite.staff.tickets.act({ trackingCode: code, act: { action: 'accept' } }))).toMatchObject({
      code: 'FORBIDDEN',
    });
    expect(await failure(crossSite.auth.login({ username: 'admin', password: PASSWORD }))).toMatchObject({ code: 'FORBIDDEN' });
    expect(await failure(as('nobody').staff.tickets.list({}))).toMatchObject({ code: 'UNAUTHORIZED' });
    expect(await failure(as('dispatcher').staff.users.list())).toMatchObject({ code: 'FORBIDDEN' });
  });

  it('signs in with a cookie session, signs out, and throttles password guessing', async () => {
    const resHeaders = new Headers();
    const caller = appRouter.createCaller({
      app: t.portal.services,
      request: { ip: '10.9.9.9', sameOrigin: true },
      user: null,
      resHeaders,
    });
    const { user } = await caller.auth.login({ username: 'ADMIN ', password: PASSWORD });
    expect(user.role).toBe('admin');
    const cookie = resHeaders.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const token = decodeURIComponent(/cc_session=([^;]+)/.exec(cookie)![1]!);
    expect((await t.portal.services.userOf({ ip: 'x', sessionToken: token }))?.username).toBe('admin');
    await appRouter
      .createCaller({ app: t.portal.services, request: { ip: 'x', sameOrigin: true, sessionToken: token }, user })
      .auth.logout();
    expect(await t.portal.services.userOf({ ip: 'x', sessionToken: token })).toBeNull();

    const guesser = appRouter.createCaller({ app: t.portal.services, request: { ip: '10.6.6.6', sameOrigin: true }, user: null });
    for (let i = 0; i < 5; i++) {
      expect(await failure(guesser.auth.login({ username: 'operator', password: `guess-${i}` }))).toMatchObject({ code: 'BAD_REQUEST' });
    }
    const blocked = await failure(guesser.auth.login({ username: 'operator', password: PASSWORD }));
    expect(blocked).toMatchObject({ code: 'TOO_MANY_REQUESTS', message: expect.stringMatching(/分钟后再试/) });
    t.clock.advance(17 * 60_000); // the 15-minute window, and at most a tenth more
    await expect(guesser.auth.login({ username: 'operator', password: PASSWORD })).resolves.toMatchObject({
      user: { username: 'operator' },
    });
  });

  it('refuses an extension to a date that is not later, whatever its time zone, and keeps the last admin', async () => {
    const code = await submitted();
    const { deadlineAt } = await as('dispatcher').staff.tickets.get({ trackingCode: code });
    await act('jiaojing01', code, { action: 'accept' });
    // The same instant written in China time is not later.
    const sameInstant = new Date(new Date(deadlineAt!).getTime() + 8 * 3600_000).toISOString().replace('Z', '+08:00');
    const refused = await failure(
      act('jiaojing01', code, { action: 'requestExtension', reason: '材料未到', requestedDeadline: sameInstant }),
    );
    expect(refused).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(/晚于/) });

    const admins = (await t.portal.services.accounts.listUsers()).filter((u) => u.role === 'admin' && u.active);
    expect(admins).toHaveLength(1);
    await expect(t.portal.services.accounts.updateUser(admins[0]!.id, { active: false })).rejects.toThrow(/最后一个/);
    await expect(t.portal.services.accounts.updateUser(admins[0]!.id, { role: 'leader' })).rejects.toThrow(/最后一个/);
  });

  it('stores staff names without invisible control characters, and refuses a name of nothing else', async () => {
    const user = await t.portal.services.accounts.createUser({
      username: 'clerk01',
      displayName: '王\u202E主任\u0007',
      role: 'dispatcher',
      password: 'clerk-pass-2026',
    });
    expect(user.displayName).toBe('王主任');
    expect((await t.portal.services.accounts.updateUser(user.id, { displayName: '李\u2066科长\u2069' })).displayName).toBe('李科长');
    await expect(
      t.portal.services.accounts.createUser({
        username: 'clerk02',
        displayName: '\u202E\u0000',
        role: 'dispatcher',
        password: 'clerk-pass-2026',
      }),
    ).rejects.toThrow(/请填写姓名/);
  });

  it('refuses a rectification photo upload without a staff session', async () => {
    const bytes = await sharp({ create: { width: 10, height: 10, channels: 3, background: '#000' } })
      .png()
      .toBuffer();
    await expect(t.portal.services.uploadPhoto(new Uint8Array(bytes), { ip: '1.2.3.4' }, 'rectification')).rejects.toThrow(/登录/);
  });

  // Every (status, action) pair through the API: allowed exactly when the lifecycle table says so.
  describe('every transition of the lifecycle table', () => {
    const PATHS: Record<Status, Array<[string, TicketActionInput]>> = {
      received: [],
      dispatched: [['dispatcher', { action: 'dispatch', unitCode: 'jiaojing' }]],
      accepted: [
        ['dispatcher', { action: 'dispatch', unitCode: 'jiaojing' }],
        ['jiaojing01', { action: 'accept' }],
      ],
      rectifying: [
        ['dispatcher', { action: 'dispatch', unitCode: 'jiaojing' }],
        ['jiaojing01', { action: 'accept' }],
        ['jiaojing01', { action: 'startRectification' }],
      ],
      extension_requested: [
        ['dispatcher', { action: 'dispatch', unitCode: 'jiaojing' }],
        ['jiaojing01', { action: 'accept' }],
        ['jiaojing01', { action: 'requestExtension', reason: '材料未到', requestedDeadline: '2027-01-31T00:00:00.000Z' }],
      ],
      reported: [
        ['dispatcher', { action: 'dispatch', unitCode: 'jiaojing' }],
        ['jiaojing01', { action: 'accept' }],
        ['jiaojing01', { action: 'reportRectification', text: '已经整改完毕', photoIds: [], noPhotoReason: '夜间问题白天拍不到' }],
      ],
      closed: [
        ['dispatcher', { action: 'dispatch', unitCode: 'jiaojing' }],
        ['jiaojing01', { action: 'accept' }],
        ['jiaojing01', { action: 'reportRectification', text: '已经整改完毕', photoIds: [], noPhotoReason: '夜间问题白天拍不到' }],
        ['dispatcher', { action: 'verify' }],
      ],
      returned: [
        ['dispatcher', { action: 'dispatch', unitCode: 'jiaojing' }],
        ['jiaojing01', { action: 'return', reason: '不属于本单位' }],
      ],
      rejected: [['dispatcher', { action: 'reject', reason: '不属于创城问题' }]],
      merged: [['dispatcher', { action: 'merge', intoTrackingCode: 'TARGET' }]],
      reopened: [
        ['dispatcher', { action: 'reject', reason: '不属于创城问题' }],
        ['operator', { action: 'reopen', reason: '回访时群众反映问题仍在' }],
      ],
    };

    /** Valid input for each action, and who takes it. */
    function attempt(action: Action, target: string): [string, TicketActionInput] {
      const inputs: Record<Action, TicketActionInput> = {
        dispatch: { action: 'dispatch', unitCode: 'jiaojing' },
        reassign: { action: 'reassign', unitCode: 'jiaojing', reason: '改由交警办理' },
        accept: { action: 'accept' },
        acceptOnBehalf: { action: 'acceptOnBehalf', reason: '视频点评会上当场认领' },
        return: { action: 'return', reason: '不属于本单位' },
        startRectification: { action: 'startRectification' },
        requestExtension: { action: 'requestExtension', reason: '材料未到', requestedDeadline: '2027-06-30T00:00:00.000Z' },
        approveExtension: { action: 'approveExtension' },
        refuseExtension: { action: 'refuseExtension', reason: '期限足够' },
        reportRectification: { action: 'reportRectification', text: '已经整改完毕', photoIds: [], noPhotoReason: '夜间问题白天拍不到' },
        verify: { action: 'verify' },
        sendBack: { action: 'sendBack', reason: '现场仍有问题' },
        reject: { action: 'reject', reason: '不属于创城问题' },
        merge: { action: 'merge', intoTrackingCode: target },
        reopen: { action: 'reopen', reason: '问题仍在' },
      };
      const by = TRANSITIONS[action].by as readonly string[];
      const user = by.includes('unit') ? 'jiaojing01' : by.includes('office') ? 'dispatcher' : 'operator';
      return [user, inputs[action]];
    }

    it.each(STATUSES.map((s) => [s]))('from %s', async (status) => {
      const target = await submitted(TRIAGE);
      for (const action of ACTIONS) {
        const code = await submitted(TRIAGE);
        for (const [user, a] of PATHS[status]) {
          await act(user, code, a.action === 'merge' ? { ...a, intoTrackingCode: target } : a);
        }
        expect((await as('admin').staff.tickets.get({ trackingCode: code })).status).toBe(status);
        const [user, input] = attempt(action, target);
        const allowed = (TRANSITIONS[action].from as readonly Status[]).includes(status);
        const outcome = act(user, code, input);
        if (allowed) {
          await expect(outcome, `${action} from ${status}`).resolves.toMatchObject({ status: TRANSITIONS[action].to });
        } else {
          const error = await failure(outcome);
          expect(['CONFLICT', 'NOT_FOUND'], `${action} from ${status}`).toContain(error.code);
          expect(error.message).toMatch(/\p{Script=Han}/u);
        }
      }
    });
  });
});
