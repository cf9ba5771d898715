// The hotline through the tRPC API on SQLite and PostgreSQL (issue 5): calls become tickets,
// "+1"s, consultations or referrals; the caller's history by number; likely duplicates; follow-up
// calls after closure that reopen a ticket not fixed; and callers' numbers masked in every
// response to anyone but operators and the office, never in public output.
import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StaffUser } from '../../server/auth/roles.ts';
import type { CallInput } from '../../server/hotline/call-schema.ts';
import { maskPhone } from '../../server/tickets/phone.ts';
import { appRouter } from '../../server/trpc/app-router.ts';
import { databaseKinds } from '../support/databases.ts';
import { startTestPortal, type TestPortal } from '../support/portal.ts';
import { createStaff } from '../support/staff-accounts.ts';
import { reportRectification, act as staffAct } from '../support/ticket-factory.ts';
import { findTicketByCode } from '../../server/tickets/ticket-repository.ts';

const kinds = await databaseKinds();
const MARKET = '西关集贸市场门口垃圾堆成山，好几天没人清理，臭气熏天';

describe.each(kinds)('hotline on %s', (kind) => {
  let t: TestPortal;
  let users: Record<string, StaffUser> = {};
  let serial = 0;
  const as = (name: string) =>
    appRouter.createCaller({ app: t.portal.services, request: { ip: '10.0.0.2', sameOrigin: true }, user: users[name] ?? null });
  const call = (name: string, input: CallInput) => as(name).staff.hotline.logCall({ idempotencyKey: `k-${kind}-${++serial}`, ...input });

  beforeAll(async () => {
    t = await startTestPortal(kind);
    users = await createStaff(
      t,
      [
        ['operator', 'operator'],
        ['dispatcher', 'dispatcher'],
        ['leader', 'leader'],
        ['fagai', 'unit', 'fagaiju'],
      ],
      { displayName: (username) => `测试${username}` },
    );
  });
  afterAll(async () => {
    await t?.close();
  });

  it('logs a call as a new ticket through the intake: channel hotline, the operator recorded, routed', async () => {
    const phone = '138 0319 0001';
    const made = await call('operator', {
      caller: { phone, name: '王大爷', anonymous: false, wantsCallback: true },
      outcome: 'ticket',
      description: MARKET,
      pointId: 'market-xiguan',
    });
    expect(made).toMatchObject({ outcome: 'ticket', trackingCode: expect.stringMatching(/^[A-Z0-9]{3}-[A-Z0-9]{3}-[A-Z0-9]{3}$/) });
    expect(made.unit?.code).toBe('fagaiju');
    const ticket = await t.portal.database.db
      .selectFrom('tickets')
      .innerJoin('ticket_reporters', 'ticket_reporters.ticket_id', 'tickets.id')
      .select(['tickets.channel', 'ticket_reporters.phone', 'ticket_reporters.name', 'ticket_reporters.wants_callback'])
      .where('tracking_code', '=', made.trackingCode!)
      .executeTakeFirstOrThrow();
    expect(ticket).toMatchObject({ channel: 'hotline', phone: '13803190001', name: '王大爷', wants_callback: 1 });
    const events = await t.portal.database.db
      .selectFrom('ticket_events')
      .innerJoin('tickets', 'tickets.id', 'ticket_events.ticket_id')
      .select(['actor_kind', 'actor_id'])
      .where('tracking_code', '=', made.trackingCode!)
      .orderBy('seq')
      .execute();
    expect(events[0]).toEqual({ actor_kind: 'operator', actor_id: String(users['operator']!.id) });

    // The same request again (a double submit) records the call once.
    const again = await as('operator').staff.hotline.logCall({
      idempotencyKey: `k-${kind}-${serial}`,
      caller: { phone, anonymous: false, wantsCallback: true },
      outcome: 'ticket',
      description: MARKET,
    });
    expect(again).toEqual(made);
  });

  it('suggests the open ticket at the same point as a duplicate, and attaches a second call to it', async () => {
    const first = await call('operator', {
      caller: { phone: '13803190002', anonymous: false, wantsCallback: true },
      outcome: 'ticket',
      description: '东关农贸市场里面的垃圾桶满了往外溢，没人收',
      pointId: 'market-dongguan',
      categoryCode: 'market.hygiene',
    });
    const dupes = await as('operator').staff.hotline.duplicates({ pointId: 'market-dongguan' });
    expect(dupes[0]).toMatchObject({ trackingCode: first.trackingCode, reason: 'point', calls: 1 });
    // Nearby and same category: a report at coordinates 100 m off the market, no point chosen.
    const near = await as('operator').staff.hotline.duplicates({ categoryCode: 'market.hygiene', lat: 37.4455, lng: 114.5072 });
    expect(near.map((d) => d.trackingCode)).toContain(first.trackingCode);

    const plusOne = await call('operator', {
      caller: { phone: '13903190003', anonymous: false, wantsCallback: false },
      outcome: 'attach',
      attachTo: first.trackingCode!.toLowerCase().replace(/-/g, ''),
      description: '东关市场垃圾没人管',
    });
    expect(plusOne).toMatchObject({ outcome: 'attached', trackingCode: first.trackingCode });
    const detail = await as('dispatcher').staff.tickets.get({ trackingCode: first.trackingCode! });
    expect(detail.calls.map((c) => c.outcome)).toEqual(['ticket', 'attached']);
    expect(detail.calls[1]).toMatchObject({ callerPhone: '13903190003', summary: '东关市场垃圾没人管', operator: '测试operator' });
    expect((await as('operator').staff.hotline.duplicates({ pointId: 'market-dongguan' }))[0]?.calls).toBe(2);

    await expect(
      call('operator', { caller: {}, outcome: 'attach', attachTo: 'ZZZ-ZZZ-ZZZ', description: '再反映一次' }),
    ).rejects.toMatchObject({
      message: expect.stringContaining('没有找到工单'),
    });
  });

  it('records consultations and referrals without a ticket, and shows the caller’s history by number', async () => {
    const answered = await call('operator', {
      caller: { phone: '0319-6012345', anonymous: false, wantsCallback: false },
      outcome: 'answer',
      description: '问文明城市创建的举报渠道有哪些',
      answer: '可以打热线、发专用邮箱或在网站上反映',
    });
    expect(answered).toMatchObject({ outcome: 'answered', trackingCode: null });
    const referred = await call('operator', {
      caller: { phone: '03196012345', anonymous: false, wantsCallback: false },
      outcome: 'refer',
      description: '路口有人受伤了',
      referredTo: '120',
    });
    expect(referred).toMatchObject({ outcome: 'referred', trackingCode: null });
    const tickets = await call('operator', {
      caller: { phone: '03196012345', anonymous: false, wantsCallback: true },
      outcome: 'ticket',
      description: '建设路商业街商户占道经营，人行道走不了人',
    });

    const history = await as('operator').staff.hotline.history({ phone: '0319 601 2345' });
    expect(history.phone).toBe('03196012345');
    expect(history.calls.map((c) => c.outcome)).toEqual(['ticket', 'referred', 'answered']);
    expect(history.tickets.map((x) => x.trackingCode)).toEqual([tickets.trackingCode]);
    const search = await as('operator').staff.hotline.calls({ phone: '2345' });
    expect(search.length).toBe(3);
    const row = await t.portal.database.db
      .selectFrom('calls')
      .select(['referred_to', 'answer'])
      .where('outcome', '=', 'referred')
      .executeTakeFirstOrThrow();
    expect(row.referred_to).toBe('120 急救');

    await expect(call('operator', { caller: {}, outcome: 'refer', description: '咨询一下' })).rejects.toMatchObject({
      message: '请选择转办去向',
    });
    await expect(
      call('operator', { caller: { phone: '12ab' }, outcome: 'answer', description: '咨询', answer: '好' }),
    ).rejects.toMatchObject({
      message: expect.stringContaining('来电号码'),
    });
  });

  it('stores a landline with its leading 0, also when the phone system shows it with +86', async () => {
    const made = await call('operator', {
      caller: { phone: '+86 319 555 0177', anonymous: false, wantsCallback: true },
      outcome: 'ticket',
      description: '泜河公园北门的公益广告牌被风刮倒了，一直没人扶起来',
    });
    const stored = await t.portal.database.db
      .selectFrom('calls')
      .innerJoin('tickets', 'tickets.id', 'calls.ticket_id')
      .innerJoin('ticket_reporters', 'ticket_reporters.ticket_id', 'tickets.id')
      .select(['calls.caller_phone', 'ticket_reporters.phone'])
      .where('tickets.tracking_code', '=', made.trackingCode!)
      .executeTakeFirstOrThrow();
    expect(stored).toEqual({ caller_phone: '03195550177', phone: '03195550177' });
    const history = await as('operator').staff.hotline.history({ phone: '0319-5550177' });
    expect(history.tickets.map((x) => x.trackingCode)).toEqual([made.trackingCode]);
  });

  it('records a call once when the same request arrives twice at once, and lists calls since an instant', async () => {
    const request: CallInput = {
      idempotencyKey: `twice-${kind}`,
      caller: { phone: '13803190010', anonymous: false, wantsCallback: false },
      outcome: 'answer',
      description: '问一下门前五包是什么意思',
      answer: '包卫生、包绿化、包亮化、包美化、包秩序',
    };
    const [a, b] = await Promise.all([as('operator').staff.hotline.logCall(request), as('operator').staff.hotline.logCall(request)]);
    expect(a).toEqual(b);
    expect(await as('operator').staff.hotline.calls({ phone: '13803190010' })).toHaveLength(1);

    const later = new Date(t.clock.now().getTime() + 3_600_000).toISOString();
    expect(await as('operator').staff.hotline.calls({ since: later })).toEqual([]);
    const earlier = new Date(t.clock.now().getTime() - 60_000).toISOString();
    expect((await as('operator').staff.hotline.calls({ since: earlier })).map((c) => c.callerPhone)).toContain('13803190010');
  });

  it('keeps an anonymous caller’s number only when a call-back is wanted, and never shows it to units', async () => {
    const withCallback = await call('operator', {
      caller: { phone: '13803190004', name: '不愿透露', anonymous: true, wantsCallback: true },
      outcome: 'ticket',
      description: '县医院后街有人乱倒建筑垃圾，晚上偷偷倒',
    });
    const without = await call('operator', {
      caller: { phone: '13803190005', anonymous: true, wantsCallback: false },
      outcome: 'ticket',
      description: '县医院后街路灯坏了好几个，晚上很黑',
    });
    const reporters = await t.portal.database.db
      .selectFrom('ticket_reporters')
      .innerJoin('tickets', 'tickets.id', 'ticket_reporters.ticket_id')
      .select(['tracking_code', 'phone', 'name', 'anonymous', 'wants_callback'])
      .where('tracking_code', 'in', [withCallback.trackingCode!, without.trackingCode!])
      .execute();
    const by = Object.fromEntries(reporters.map((r) => [r.tracking_code, r]));
    expect(by[withCallback.trackingCode!]).toMatchObject({ phone: '13803190004', name: null, anonymous: 1, wants_callback: 1 });
    expect(by[without.trackingCode!]).toMatchObject({ phone: null, anonymous: 1, wants_callback: 0 });
  });

  it('refuses call logging to units and leaders', async () => {
    for (const who of ['fagai', 'leader']) {
      const error = await as(who)
        .staff.hotline.logCall({ caller: {}, outcome: 'answer', description: '咨询', answer: '答复' })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TRPCError);
      expect((error as TRPCError).code).toBe('FORBIDDEN');
      await expect(as(who).staff.hotline.history({ phone: '13803190001' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await expect(as(who).staff.followUps.pending()).rejects.toMatchObject({ code: 'FORBIDDEN' });
    }
  });

  it('after closure makes a follow-up task; "not fixed" reopens the ticket for the office with the reason', async () => {
    const made = await call('operator', {
      caller: { phone: '13803190006', name: '赵阿姨', anonymous: false, wantsCallback: true },
      outcome: 'ticket',
      description: '西关集贸市场东门口占道摆摊，车过不去',
      pointId: 'market-xiguan',
    });
    const ticket = (await findTicketByCode(t.portal.database.db, made.trackingCode!))!;
    const at = t.clock.now().getTime();
    await staffAct(t, ticket, { action: 'accept' }, { at: new Date(at + 3_600_000) });
    await reportRectification(t, ticket, { at: new Date(at + 2 * 3_600_000), text: '已清理占道摊位' });
    await staffAct(t, ticket, { action: 'verify' }, { at: new Date(at + 3 * 3_600_000) });

    // The caller has FOLLOW_UP_ONLINE_WAIT_DAYS (3) to answer online first; then the call is listed.
    expect((await as('operator').staff.followUps.pending()).items.map((i) => i.trackingCode)).not.toContain(made.trackingCode);
    t.clock.set(new Date(at + 3 * 3_600_000 + 3 * 86_400_000));
    const { items } = await as('operator').staff.followUps.pending();
    const task = items.find((i) => i.trackingCode === made.trackingCode)!;
    expect(task).toMatchObject({
      callerPhone: '13803190006',
      callerName: '赵阿姨',
      unit: '县发改局（商务）',
      rectification: '已清理占道摊位',
      attempts: 0,
    });

    // Not reached twice: still pending, attempts counted.
    expect(await as('operator').staff.followUps.record({ id: task.id, reached: false })).toMatchObject({ done: false });
    await expect(as('operator').staff.followUps.record({ id: task.id, reached: true })).rejects.toMatchObject({
      message: '请选择问题是否已解决',
    });
    const result = await as('operator').staff.followUps.record({
      id: task.id,
      reached: true,
      fixed: false,
      satisfaction: 'unsatisfied',
      comment: '第二天又摆上了',
    });
    expect(result).toEqual({ id: task.id, done: true, reopened: true });
    const detail = await as('dispatcher').staff.tickets.get({ trackingCode: made.trackingCode! });
    expect(detail.status).toBe('reopened');
    expect(detail.timeline.at(-1)).toMatchObject({
      action: 'reopen',
      reason: '回访：问题未解决，来电人不满意（来电人意见见本工单的回访记录）',
    });
    expect(JSON.stringify(detail.timeline)).not.toContain('第二天又摆上了');
    expect(detail.followUps).toEqual([
      expect.objectContaining({
        status: 'done',
        attempts: 2,
        reached: true,
        fixed: false,
        satisfaction: 'unsatisfied',
        comment: '第二天又摆上了',
        reopened: true,
      }),
    ]);
    await expect(as('operator').staff.followUps.record({ id: task.id, reached: false })).rejects.toMatchObject({ code: 'CONFLICT' });

    const stats = await t.portal.services.followUps.stats();
    expect(stats.find((s) => s.unitCode === 'fagaiju')).toMatchObject({ due: 1, reached: 1, unsatisfied: 1, satisfactionRate: 0 });
    // The unit's record: the monthly report counts it for the unit that held the ticket.
    t.clock.set(new Date(t.clock.now().getTime() + 60_000));
    const report = await t.portal.services.ledgersFor(users['dispatcher']!).monthlyReport('2026-11');
    expect(report.followUps).toEqual([
      expect.objectContaining({
        unit: expect.objectContaining({ code: 'fagaiju' }),
        due: 1,
        reached: 1,
        fixed: 0,
        unsatisfied: 1,
        followUpRate: 1,
      }),
    ]);
    expect(report.followUpTotals).toMatchObject({ due: 1, satisfactionRate: 0 });
  });

  it('shows callers’ numbers masked to units and leaders, and nowhere in public output', async () => {
    const phone = '13803190007';
    const made = await call('operator', {
      caller: { phone, name: '孙师傅', anonymous: false, wantsCallback: true },
      outcome: 'ticket',
      description: '西关集贸市场里的公厕太脏了，没人打扫',
      pointId: 'market-xiguan',
    });
    await call('operator', {
      caller: { phone, anonymous: false, wantsCallback: true },
      outcome: 'attach',
      attachTo: made.trackingCode,
      description: '公厕还是脏',
    });
    const code = made.trackingCode!;

    const responses = async (who: string) => {
      const api = as(who);
      return JSON.stringify([
        await api.staff.tickets.list({}),
        await api.staff.tickets.get({ trackingCode: code }),
        await api.staff.escalations.list({}),
        await api.staff.units.list(),
      ]);
    };
    for (const who of ['fagai', 'leader']) {
      const text = await responses(who);
      expect(text).not.toContain(phone);
      expect(text).not.toContain('孙师傅');
      expect(text).toContain(maskPhone(phone)!);
    }
    expect(await responses('dispatcher')).toContain(phone);
    const publicText = JSON.stringify(await t.caller().report.track({ trackingCode: code }));
    expect(publicText).not.toContain(phone);
    expect(publicText).not.toContain(maskPhone(phone)!);
    expect(publicText).not.toContain('孙师傅');
  });
});
