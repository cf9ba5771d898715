// Inspection rounds (督导, issue 14 items 2 and 4) on SQLite and PostgreSQL, through the real
// services with the injected clock: planning and its refusals, a round over three points whose
// two failed items become tickets routed by the point and the item, sends repeated and racing,
// who may record and when, a re-check round (one fixed, one not fixed and back with its unit as
// rework), and the tRPC API.
import { TRPCError } from '@trpc/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StaffUser } from '../../server/auth/roles.ts';
import type { PlanInput } from '../../server/inspection/round-schema.ts';
import { appRouter } from '../../server/trpc/app-router.ts';
import { solidPhoto } from '../fixtures/photos/make-photos.ts';
import { databaseKinds } from '../support/databases.ts';
import { startTestPortal, type TestPortal } from '../support/portal.ts';
import { createStaff } from '../support/staff-accounts.ts';

const kinds = await databaseKinds();

const DAY = 24 * 3600_000;
const MARKET = 'market-xiguan';
const PSA = 'psa-renmin-square';
const CROSSING = 'intersection-zhongxing-jianshe';

async function refusal(p: Promise<unknown>): Promise<{ kind?: string; message: string; fields?: Record<string, string>; code?: string }> {
  try {
    await p;
  } catch (error) {
    return error as { kind?: string; message: string; fields?: Record<string, string> };
  }
  throw new Error('expected a refusal');
}

describe.each(kinds)('inspection rounds on %s', (kind) => {
  let t: TestPortal;
  let users: Record<'dispatcher' | 'leader' | 'insp1' | 'insp2' | 'fagai01' | 'jiaojing01' | 'patrol1', StaffUser>;
  let colour = 0;

  beforeEach(async () => {
    t = await startTestPortal(kind);
    users = await createStaff(t, [
      ['dispatcher', 'dispatcher'],
      ['leader', 'leader'],
      ['insp1', 'inspector'],
      ['insp2', 'inspector'],
      ['fagai01', 'unit', 'fagaiju'],
      ['jiaojing01', 'unit', 'jiaojing'],
      ['patrol1', 'patrol'],
    ]);
  });
  afterEach(async () => {
    await t?.close();
  });

  const inspection = () => t.portal.services.inspection;
  const db = () => t.portal.database.db;
  const now = () => t.clock.now().toISOString();
  let keys = 0;
  const key = () => `device-key-${++keys}-${kind}`;

  async function photo(): Promise<string> {
    colour += 20;
    const jpeg = await solidPhoto('jpeg', 64, 48, { r: colour % 256, g: 90, b: 140 });
    return (await t.portal.services.uploadPhoto(new Uint8Array(jpeg), { ip: '203.0.113.9' })).id;
  }

  const plan = (more: Partial<PlanInput> = {}) =>
    inspection().plan(users.dispatcher, {
      name: '第49周督导检查',
      startsOn: '2026-11-30',
      endsOn: '2026-12-04',
      pointIds: [CROSSING, PSA, MARKET],
      inspectorIds: [users.insp1.id],
      ...more,
    });

  const item = (
    roundId: number,
    pointId: string,
    itemCode: string,
    verdict: 'pass' | 'fail',
    more: { note?: string; photoIds?: string[]; idempotencyKey?: string } = {},
  ) =>
    inspection().recordItem(users.insp1, {
      roundId,
      pointId,
      itemCode,
      verdict,
      observedAt: now(),
      idempotencyKey: more.idempotencyKey ?? key(),
      ...(more.note && { note: more.note }),
      ...(more.photoIds && { photoIds: more.photoIds }),
    });

  /** Every item of the round passed but those already recorded. */
  async function passTheRest(roundId: number): Promise<void> {
    const sheet = await inspection().sheet(users.insp1, roundId);
    for (const point of sheet.points) {
      for (const i of point.items) if (!i.recorded) await item(roundId, point.pointId, i.code, 'pass');
    }
  }

  const inspectionTickets = async () =>
    (await db().selectFrom('tickets').select(['tracking_code']).where('channel', '=', 'inspection').orderBy('id').execute()).map(
      (r) => r.tracking_code,
    );

  it('refuses a plan with a clear message on the field that is wrong', async () => {
    const cases: Array<[Partial<PlanInput>, string, string]> = [
      [{ name: '  ' }, 'name', '请填写本轮督导的名称'],
      [{ name: '督'.repeat(41) }, 'name', '名称不能超过40个字'],
      [{ startsOn: '2026/11/30' }, 'startsOn', '开始日期格式应为 年-月-日，例如 2026-12-07'],
      [{ endsOn: '2026-11-29' }, 'endsOn', '结束日期不能早于开始日期'],
      [{ endsOn: '2026-12-31' }, 'endsOn', '一轮督导最长31天，请缩短日期范围'],
      [{ typeCodes: ['no-such-type'] }, 'typeCodes', '没有这些点位类型：no-such-type，请重新选择'],
      [{ areas: ['downtown'] }, 'areas', '区域只能是建成区或行政村'],
      [{ pointIds: ['no-such-point'] }, 'pointIds', '没有这些点位：no-such-point，请重新选择'],
      [{ pointIds: [] }, 'pointIds', '请至少选择一个点位（按类型、区域或逐个勾选）'],
      [{ inspectorIds: [] }, 'inspectorIds', '请至少选择一名督导员'],
      [{ inspectorIds: [users.dispatcher.id] }, 'inspectorIds', '所选人员中有人不是在用的督导员账号，请重新选择督导员'],
    ];
    for (const [input, field, message] of cases) {
      const error = await refusal(plan(input));
      expect(error.kind, field).toBe('invalid-input');
      expect(error.fields?.[field], field).toBe(message);
    }
    expect(
      await refusal(
        inspection().plan(users.fagai01, {
          name: 'x',
          startsOn: '2026-11-30',
          endsOn: '2026-11-30',
          pointIds: [MARKET],
          inspectorIds: [users.insp1.id],
        }),
      ),
    ).toMatchObject({
      kind: 'forbidden',
      message: '只有创城办管理员或调度员可以安排督导检查',
    });
    // By type and area: all three market points, the village ones too.
    const byType = await plan({ pointIds: [], typeCodes: ['market'] });
    expect(byType.pointCount).toBe(3);
    const byArea = await plan({ pointIds: [], areas: ['village'] });
    expect(byArea.pointCount).toBe(3);
    expect(await inspection().list(users.dispatcher)).toHaveLength(2);
  });

  it('works a round over three points: two failed items become tickets routed by point and item, once each', async () => {
    const round = await plan();
    expect(round).toMatchObject({
      status: 'open',
      pointCount: 3,
      pointsDone: 0,
      failedItems: 0,
      rechecks: 0,
      inspectors: [{ id: users.insp1.id, displayName: 'insp1' }],
    });
    expect(await inspection().mine(users.insp1)).toMatchObject([{ id: round.id }]);
    expect(await inspection().mine(users.insp2)).toEqual([]);

    const sheet = await inspection().sheet(users.insp1, round.id);
    // Westmost first, then each time the nearest.
    expect(sheet.points.map((p) => [p.position, p.pointId])).toEqual([
      [1, MARKET],
      [2, PSA],
      [3, CROSSING],
    ]);
    expect(sheet.points.map((p) => p.items.length)).toEqual([10, 3, 5]);
    expect(sheet.points[0]).toMatchObject({
      name: '临城县西关集贸市场',
      unitName: '县发改局（商务）',
      typeName: '集贸市场',
      openProblems: [],
    });

    const stalls = key();
    const failedStalls = await item(round.id, MARKET, 'stalls', 'fail', {
      note: '东侧三户占道',
      photoIds: [await photo()],
      idempotencyKey: stalls,
    });
    const failedSignals = await item(round.id, CROSSING, 'signals', 'fail', { photoIds: [await photo()] });
    expect(failedStalls).toMatchObject({ verdict: 'fail', recorded: true });
    expect(failedStalls.trackingCode).toMatch(/\S+/);
    // The device sends again (no answer reached it): the same answer, nothing new.
    expect(await item(round.id, MARKET, 'stalls', 'fail', { note: '东侧三户占道', photoIds: [], idempotencyKey: stalls })).toEqual(
      failedStalls,
    );
    await passTheRest(round.id);
    expect(await inspectionTickets()).toEqual([failedStalls.trackingCode, failedSignals.trackingCode]);

    const deadline = new Date(t.clock.now().getTime() + 7 * DAY).toISOString();
    const market = await t.portal.services.staff.detail(users.dispatcher, failedStalls.trackingCode!);
    expect(market).toMatchObject({
      channel: 'inspection',
      status: 'dispatched',
      unit: { code: 'fagaiju' },
      category: { code: 'market.order' },
      pointId: MARKET,
      deadlineAt: deadline,
      description: '督导检查发现：临城县西关集贸市场，摊位划行归市、摆放整齐，无店外经营和占道经营——未达标。东侧三户占道',
      location: { address: '临城镇西关街中段路北' },
    });
    expect(market.photos.before).toHaveLength(1);
    const crossing = await t.portal.services.staff.detail(users.dispatcher, failedSignals.trackingCode!);
    expect(crossing).toMatchObject({ unit: { code: 'jiaojing' }, category: { code: 'intersection.facilities' }, deadlineAt: deadline });
    const submits = await db()
      .selectFrom('ticket_events')
      .select(['actor_kind', 'actor_id'])
      .where('action', '=', 'submit')
      .orderBy('ticket_id')
      .execute();
    expect(submits).toEqual([
      { actor_kind: 'inspector', actor_id: String(users.insp1.id) },
      { actor_kind: 'inspector', actor_id: String(users.insp1.id) },
    ]);

    const worked = await inspection().sheet(users.dispatcher, round.id);
    expect(worked.round).toMatchObject({ pointsDone: 3, failedItems: 2 });
    expect(worked.points[0]!.items[0]!.recorded).toEqual({
      verdict: 'fail',
      note: '东侧三户占道',
      trackingCode: failedStalls.trackingCode,
    });
    expect(worked.points[0]!.openProblems).toEqual([
      expect.objectContaining({ trackingCode: failedStalls.trackingCode, categoryName: '市场经营秩序', statusLabel: '已转交责任单位' }),
    ]);

    // The point ledger shows when each point was last inspected, and its result then.
    const ledger = await t.portal.services.ledgersFor(users.dispatcher).points({});
    expect(ledger.find((r) => r.id === MARKET)).toMatchObject({
      lastInspection: { at: now(), roundId: round.id, roundName: '第49周督导检查', passed: 9, failed: 1 },
      openCount: 1,
    });
    expect(ledger.find((r) => r.id === CROSSING)!.lastInspection).toMatchObject({ passed: 4, failed: 1 });
    expect(ledger.find((r) => r.id === 'park-zhihe')!.lastInspection).toBeNull();

    // A failed item stays failed; another inspector, or a closed round, records nothing.
    expect(await refusal(item(round.id, MARKET, 'stalls', 'pass'))).toMatchObject({ kind: 'conflict' });
    expect((await refusal(item(round.id, MARKET, 'stalls', 'pass'))).message).toContain('该项已判定不合格并生成工单');
    expect(
      await refusal(
        inspection().recordItem(users.insp2, {
          roundId: round.id,
          pointId: MARKET,
          itemCode: 'ground',
          verdict: 'pass',
          observedAt: now(),
          idempotencyKey: key(),
        }),
      ),
    ).toMatchObject({ kind: 'forbidden', message: '您没有被安排参加这一轮督导，不能登记结果' });
    expect(await refusal(inspection().sheet(users.insp2, round.id))).toMatchObject({ kind: 'forbidden' });
    expect(await refusal(item(round.id, 'park-zhihe', 'ground', 'pass'))).toMatchObject({
      kind: 'invalid-input',
      fields: { pointId: '这个点位不在本轮督导中' },
    });
    expect(await refusal(item(round.id, MARKET, 'no-such-item', 'pass'))).toMatchObject({
      kind: 'invalid-input',
      fields: { itemCode: '没有这项检查标准' },
    });

    expect(await refusal(inspection().close(users.insp1, round.id))).toMatchObject({ kind: 'forbidden' });
    expect(await inspection().close(users.dispatcher, round.id)).toMatchObject({ status: 'closed' });
    expect(await refusal(item(round.id, MARKET, 'ground', 'fail'))).toMatchObject({
      kind: 'conflict',
      message: '这一轮督导已经结束，不能再登记结果；如有新问题，请联系创城办',
    });
    // An answer the phone never got, sent again after the round was closed: answered the same.
    expect(await item(round.id, MARKET, 'stalls', 'fail', { idempotencyKey: stalls })).toEqual(failedStalls);
    expect(await inspection().mine(users.insp1)).toEqual([]);
    expect((await inspection().list(users.leader, { status: 'closed' })).map((r) => r.id)).toEqual([round.id]);
    expect(await inspectionTickets()).toHaveLength(2);
  });

  it('records a fail once when two identical sends race, and lets a pass become a fail', async () => {
    const round = await plan({ pointIds: [PSA] });
    const send = () => item(round.id, PSA, 'intact', 'fail', { note: '画面右下角破损', idempotencyKey: 'race-key-0001' });
    const [a, b] = await Promise.all([send(), send()]);
    expect(a).toEqual(b);
    expect(await inspectionTickets()).toEqual([a.trackingCode]);
    // Two devices, two keys, the same item failed at once: still one ticket.
    const [c, d] = await Promise.all([item(round.id, PSA, 'current', 'fail'), item(round.id, PSA, 'current', 'fail')]);
    expect(c.trackingCode).toBe(d.trackingCode);
    expect(await inspectionTickets()).toHaveLength(2);

    expect(await item(round.id, PSA, 'present', 'pass')).toEqual({ verdict: 'pass', trackingCode: null, recorded: true });
    const upgraded = await item(round.id, PSA, 'present', 'fail', { note: '西侧缺少一块' });
    expect(upgraded.verdict).toBe('fail');
    expect(await inspectionTickets()).toEqual([a.trackingCode, c.trackingCode, upgraded.trackingCode]);
    expect((await inspection().sheet(users.insp1, round.id)).round).toMatchObject({ pointsDone: 1, failedItems: 3 });
  });

  it('re-checks: one problem fixed and struck off, one not fixed and back with its unit as rework', async () => {
    const first = await plan({ pointIds: [MARKET, CROSSING] });
    const stalls = (await item(first.id, MARKET, 'stalls', 'fail', { photoIds: [await photo()] })).trackingCode!;
    const signals = (await item(first.id, CROSSING, 'signals', 'fail')).trackingCode!;
    await inspection().close(users.dispatcher, first.id);
    const act = (user: StaffUser, code: string, a: Parameters<typeof t.portal.services.staff.act>[1]['act']) =>
      t.portal.services.staff.act(user, { trackingCode: code, act: a });
    for (const [unitUser, code] of [
      [users.fagai01, stalls],
      [users.jiaojing01, signals],
    ] as const) {
      await act(unitUser, code, { action: 'accept' });
      await act(unitUser, code, { action: 'reportRectification', text: '已按要求整改完毕', photoIds: [], noPhotoReason: '现场无法拍照' });
    }
    await act(users.dispatcher, signals, { action: 'verify' });

    t.clock.set(new Date(t.clock.now().getTime() + 7 * DAY));
    const second = await plan({
      name: '第50周督导复查',
      startsOn: '2026-12-07',
      endsOn: '2026-12-11',
      pointIds: [MARKET, CROSSING],
      recheck: true,
    });
    expect(second).toMatchObject({ rechecks: 2, rechecksDone: 0 });
    const sheet = await inspection().sheet(users.insp1, second.id);
    expect(sheet.points[0]!.rechecks).toEqual([
      {
        ticketId: expect.any(Number),
        trackingCode: stalls,
        summary: '督导检查发现：临城县西关集贸市场，摊位划行归市、摆放整齐，无店外经营和占道经营—…',
        standard: '摊位划行归市、摆放整齐，无店外经营和占道经营',
        statusLabel: '已整改，待核验',
        unitName: '县发改局（商务）',
        recorded: null,
      },
    ]);
    const [stallsCheck] = sheet.points[0]!.rechecks;
    const [signalsCheck] = sheet.points[1]!.rechecks;
    const recheck = (
      ticketId: number,
      verdict: 'fixed' | 'not_fixed',
      more: { note?: string; photoIds?: string[]; idempotencyKey?: string } = {},
    ) =>
      inspection().recordRecheck(users.insp1, {
        roundId: second.id,
        ticketId,
        verdict,
        observedAt: now(),
        idempotencyKey: more.idempotencyKey ?? key(),
        ...(more.note && { note: more.note }),
        ...(more.photoIds && { photoIds: more.photoIds }),
      });

    expect(await refusal(recheck(stallsCheck!.ticketId, 'fixed'))).toMatchObject({
      kind: 'invalid-input',
      fields: { photoIds: '确认已整改的，请拍一张整改后的照片' },
    });
    expect(await refusal(recheck(signalsCheck!.ticketId, 'not_fixed'))).toMatchObject({
      kind: 'invalid-input',
      fields: { note: '未整改到位的，请写明哪里没有整改好' },
    });

    expect(await recheck(stallsCheck!.ticketId, 'fixed', { photoIds: [await photo()] })).toEqual({
      verdict: 'fixed',
      statusLabel: '已办结',
      recorded: true,
    });
    const fixed = await t.portal.services.staff.detail(users.dispatcher, stalls);
    expect(fixed.status).toBe('closed');
    expect(fixed.photos.recheck).toHaveLength(1);
    expect(fixed.timeline.at(-1)).toMatchObject({ action: 'verify', actor: 'insp1' });

    const notFixedKey = key();
    const notFixed = await recheck(signalsCheck!.ticketId, 'not_fixed', { note: '标线仍然模糊', idempotencyKey: notFixedKey });
    expect(notFixed).toEqual({ verdict: 'not_fixed', statusLabel: '已转交责任单位', recorded: true });
    expect(await recheck(signalsCheck!.ticketId, 'not_fixed', { note: '标线仍然模糊', idempotencyKey: notFixedKey })).toEqual(notFixed);
    const back = await t.portal.services.staff.detail(users.dispatcher, signals);
    expect(back).toMatchObject({
      status: 'dispatched',
      unit: { code: 'jiaojing' },
      deadlineAt: new Date(t.clock.now().getTime() + 7 * DAY).toISOString(),
    });
    expect(back.timeline.slice(-3).map((e) => [e.action, e.reason])).toEqual([
      ['verify', null],
      ['reopen', '复查未整改到位：标线仍然模糊'],
      ['dispatch', null],
    ]);
    const rows = await db()
      .selectFrom('inspection_rechecks')
      .select(['ticket_id', 'result', 'rework'])
      .where('round_id', '=', second.id)
      .orderBy('ticket_id')
      .execute();
    expect(rows.map((r) => [r.result, Number(r.rework)])).toEqual([
      ['fixed', 0],
      ['not_fixed', 1],
    ]);
    expect((await inspection().sheet(users.dispatcher, second.id)).round).toMatchObject({ rechecks: 2, rechecksDone: 2 });
    // The inspector changes tickets only through a round.
    expect(await refusal(act(users.insp1, signals, { action: 'reopen', reason: '随手试试' }))).toMatchObject({ kind: 'forbidden' });
  });

  it('re-checks: not fixed after the unit reported it is sent back (rework); still with the unit, only recorded; old and residents’ problems are not re-checked', async () => {
    const first = await plan({ pointIds: [MARKET] });
    const ground = (await item(first.id, MARKET, 'ground', 'fail')).trackingCode!;
    const bins = (await item(first.id, MARKET, 'bins', 'fail')).trackingCode!;
    const toilet = (await item(first.id, MARKET, 'toilet', 'fail')).trackingCode!;
    await t.caller().report.submit({ description: '西关集贸市场门口的垃圾桶满了没人清理，气味很大', pointId: MARKET });
    const act = (user: StaffUser, code: string, a: Parameters<typeof t.portal.services.staff.act>[1]['act']) =>
      t.portal.services.staff.act(user, { trackingCode: code, act: a });
    for (const code of [ground, toilet]) {
      await act(users.fagai01, code, { action: 'accept' });
      await act(users.fagai01, code, {
        action: 'reportRectification',
        text: '已清理并安排专人保洁',
        photoIds: [],
        noPhotoReason: '现场无法拍照',
      });
    }
    await act(users.dispatcher, toilet, { action: 'verify' });
    // Closed 31 days before the next round is planned: not re-checked any more.
    t.clock.set(new Date(t.clock.now().getTime() + 31 * DAY));
    const second = await plan({ name: '第54周督导复查', startsOn: '2026-12-31', endsOn: '2027-01-04', pointIds: [MARKET], recheck: true });
    const rechecks = (await inspection().sheet(users.insp1, second.id)).points[0]!.rechecks;
    expect(rechecks.map((c) => [c.trackingCode, c.statusLabel])).toEqual([
      [ground, '已整改，待核验'],
      [bins, '已转交责任单位'],
    ]);
    const recheck = (ticketId: number, note: string) =>
      inspection().recordRecheck(users.insp1, {
        roundId: second.id,
        ticketId,
        verdict: 'not_fixed',
        note,
        observedAt: now(),
        idempotencyKey: key(),
      });
    expect(await recheck(rechecks[0]!.ticketId, '排水沟仍有积水')).toEqual({ verdict: 'not_fixed', statusLabel: '整改中', recorded: true });
    expect(await recheck(rechecks[1]!.ticketId, '垃圾桶仍未配齐')).toEqual({
      verdict: 'not_fixed',
      statusLabel: '已转交责任单位',
      recorded: true,
    });
    const sentBack = await t.portal.services.staff.detail(users.dispatcher, ground);
    expect(sentBack.timeline.at(-1)).toMatchObject({ action: 'sendBack', actor: 'insp1', reason: '复查未整改到位：排水沟仍有积水' });
    expect((await t.portal.services.staff.detail(users.dispatcher, bins)).timeline.map((e) => e.action)).toEqual(['submit', 'dispatch']);
    const rows = await db()
      .selectFrom('inspection_rechecks')
      .select(['result', 'rework', 'note'])
      .where('round_id', '=', second.id)
      .orderBy('ticket_id')
      .execute();
    expect(rows.map((r) => [r.result, Number(r.rework), r.note])).toEqual([
      ['not_fixed', 1, '排水沟仍有积水'],
      ['not_fixed', 0, '垃圾桶仍未配齐'],
    ]);
  });

  it('answers through the tRPC API', async () => {
    const as = (user: StaffUser | null) => appRouter.createCaller({ app: t.portal.services, request: { ip: '203.0.113.7' }, user });
    const round = await as(users.dispatcher).inspection.plan({
      name: '接口督导',
      startsOn: '2026-11-30',
      endsOn: '2026-11-30',
      pointIds: [PSA],
      inspectorIds: [users.insp1.id],
    });
    expect(round.pointCount).toBe(1);
    const sheet = await as(users.insp1).inspection.sheet({ roundId: round.id });
    expect(sheet.points.map((p) => p.pointId)).toEqual([PSA]);
    const recorded = await as(users.insp1).inspection.recordItem({
      roundId: round.id,
      pointId: PSA,
      itemCode: 'intact',
      verdict: 'pass',
      observedAt: now(),
      idempotencyKey: 'trpc-key-0001',
    });
    expect(recorded).toEqual({ verdict: 'pass', trackingCode: null, recorded: true });
    expect((await as(users.insp1).inspection.mine()).map((r) => r.id)).toEqual([round.id]);
    const unauth = await refusal(as(null).inspection.mine());
    expect(unauth).toBeInstanceOf(TRPCError);
    expect(unauth.code).toBe('UNAUTHORIZED');
    expect(
      await refusal(
        as(users.insp1).inspection.plan({
          name: 'x',
          startsOn: '2026-11-30',
          endsOn: '2026-11-30',
          pointIds: [PSA],
          inspectorIds: [users.insp1.id],
        }),
      ),
    ).toMatchObject({
      code: 'FORBIDDEN',
      message: '只有创城办管理员或调度员可以安排督导检查',
    });
    expect(await refusal(as(users.patrol1).inspection.list({}))).toMatchObject({ code: 'FORBIDDEN' });
    expect(await refusal(as(users.dispatcher).inspection.sheet({ roundId: 9999 }))).toMatchObject({ code: 'NOT_FOUND' });
  });
});
