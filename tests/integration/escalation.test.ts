// The escalation ladder on SQLite and PostgreSQL, through the worker and the real services with
// the injected clock: 通报, 约谈, 问责, 问责 again; tickets overdue together escalate together; a
// ticket escalates a unit once; the count restarts after 90 days without a new escalation; who
// may read escalations and the ladder, through the service and the tRPC API.
import { TRPCError } from '@trpc/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StaffUser } from '../../server/auth/roles.ts';
import { ForbiddenError } from '../../server/errors.ts';
import type { TicketActionInput } from '../../server/staff/action-schema.ts';
import { appRouter } from '../../server/trpc/app-router.ts';
import type { DeadlineEvent } from '../../server/worker/deadline-notice.ts';
import type { Scheduler } from '../../server/worker/scheduler.ts';
import { createWorker } from '../../server/worker/worker.ts';
import { databaseKinds } from '../support/databases.ts';
import { startTestPortal, type TestPortal } from '../support/portal.ts';
import { createStaff } from '../support/staff-accounts.ts';

const kinds = await databaseKinds();

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const TRIAGE = '我家楼上邻居天天半夜唱歌，吵得睡不着觉，说了好几次也不听';

describe.each(kinds)('escalation ladder on %s', (kind) => {
  let t: TestPortal;
  let worker: Scheduler;
  let events: DeadlineEvent[];
  let start: number;
  let users: Record<string, StaffUser> = {};

  beforeEach(async () => {
    t = await startTestPortal(kind);
    start = t.clock.now().getTime();
    events = [];
    worker = createWorker({
      db: t.portal.database.db,
      clock: t.clock,
      notify: async (_trx, e) => void events.push(e),
      log: { info: () => {}, error: (m, e) => console.error(m, e) },
    });
    users = await createStaff(t, [
      ['dispatcher', 'dispatcher'],
      ['leader', 'leader'],
      ['operator', 'operator'],
      ['jiaojing01', 'unit', 'jiaojing'],
      ['zhujian01', 'unit', 'zhujianju'],
    ]);
  });
  afterEach(async () => {
    await t?.close();
  });

  const act = (user: string, trackingCode: string, a: TicketActionInput) =>
    t.portal.services.staff.act(users[user]!, { trackingCode, act: a });
  /** A ticket dispatched by the office to `unitCode` at day `day` (deadline a week later). */
  async function dispatchedOn(day: number, unitCode = 'jiaojing'): Promise<string> {
    t.clock.set(new Date(start + day * DAY));
    const { trackingCode } = await t.caller().report.submit({ description: TRIAGE });
    await act('dispatcher', trackingCode, { action: 'dispatch', unitCode, categoryCode: null });
    return trackingCode;
  }
  /** Runs the worker at day `day`. */
  async function workerOn(day: number): Promise<void> {
    t.clock.set(new Date(start + day * DAY));
    const report = await worker.runOnce();
    expect(report.jobs.filter((j) => !j.ok)).toEqual([]);
  }
  const list = (user = 'dispatcher', filter = {}) => t.portal.services.escalations.list(users[user]!, filter);
  const ladderOf = async (unitCode: string, user = 'dispatcher') =>
    (await t.portal.services.escalations.ladder(users[user]!)).find((r) => r.unitCode === unitCode);

  it('climbs 通报, 约谈, 问责 with the tickets behind each, and stays on 问责', async () => {
    const codes = [];
    for (let i = 0; i < 4; i++) {
      codes.push(await dispatchedOn(i * 10));
      await workerOn(i * 10 + 7.1);
      await workerOn(i * 10 + 7.2); // a second pass finds nothing new
    }
    const rows = (await list()).reverse();
    expect(rows.map((r) => [r.level, r.levelLabel])).toEqual([
      [1, '通报'],
      [2, '约谈'],
      [3, '问责'],
      [3, '问责'],
    ]);
    expect(rows.map((r) => r.tickets.map((x) => x.trackingCode))).toEqual(codes.map((c) => [c]));
    expect(new Set(rows.map((r) => r.period))).toEqual(new Set([rows[0]!.period]));
    expect(rows[0]).toMatchObject({
      unitCode: 'jiaojing',
      unitName: expect.stringContaining('交通警察大队'),
      at: new Date(start + 7.1 * DAY).toISOString(),
      reason: expect.stringContaining(codes[0]!),
      tickets: [{ trackingCode: codes[0], status: 'dispatched', deadlineAt: new Date(start + 7 * DAY).toISOString() }],
    });
    expect(rows[3]!.reason).toMatch(/第4次.*问责/);
    expect(events.filter((e) => e.kind === 'escalation').map((e) => e.level)).toEqual([1, 2, 3, 3]);

    expect(await ladderOf('jiaojing')).toMatchObject({
      level: 3,
      levelLabel: '问责',
      escalationsInPeriod: 4,
      openOverdue: 4,
      period: rows[0]!.period,
      resetsAt: new Date(new Date(start + 37.1 * DAY).getTime() + 90 * DAY).toISOString(),
    });
    expect(await ladderOf('zhujianju')).toMatchObject({ level: 0, levelLabel: null, openOverdue: 0, period: null });
  });

  it('escalates tickets that go overdue together once, together; each unit on its own ladder', async () => {
    const a = await dispatchedOn(0);
    const b = await dispatchedOn(0.5);
    const c = await dispatchedOn(0.5, 'zhujianju');
    await workerOn(8);
    const rows = await list();
    expect(rows.map((r) => [r.unitCode, r.level, r.tickets.map((x) => x.trackingCode).sort()]).sort()).toEqual([
      ['jiaojing', 1, [a, b].sort()],
      ['zhujianju', 1, [c]],
    ]);
  });

  it('escalates a unit once per ticket, even when the ticket goes overdue again after an extension', async () => {
    const a = await dispatchedOn(0);
    await workerOn(7.5);
    await act('jiaojing01', a, { action: 'accept' });
    await act('jiaojing01', a, {
      action: 'requestExtension',
      reason: '需要协调供电部门',
      requestedDeadline: new Date(start + 12 * DAY).toISOString(),
    });
    await act('dispatcher', a, { action: 'approveExtension' });
    await workerOn(13);
    // Overdue again (a new mark and notice for the new deadline), but no second escalation.
    expect(events.filter((e) => e.kind === 'overdue')).toHaveLength(2);
    expect((await list()).map((r) => r.level)).toEqual([1]);

    // Moved to another unit that lets it lapse too: that unit answers for it.
    await act('dispatcher', a, { action: 'reassign', unitCode: 'zhujianju', reason: '属于城区道路管理' });
    await workerOn(21);
    expect((await list()).map((r) => [r.unitCode, r.level])).toEqual([
      ['zhujianju', 1],
      ['jiaojing', 1],
    ]);
  });

  it('restarts the count at 通报 after 90 days without a new escalation', async () => {
    await dispatchedOn(0);
    await workerOn(7.5); // 通报
    await dispatchedOn(20);
    await workerOn(27.5); // 约谈, the last escalation of this run
    expect(await ladderOf('jiaojing')).toMatchObject({ level: 2, resetsAt: new Date(start + 117.5 * DAY).toISOString() });

    await workerOn(117.4);
    expect((await ladderOf('jiaojing'))!.level).toBe(2);
    await workerOn(117.5);
    // Reset: nothing new went overdue for 90 days. Its two old tickets are still open and overdue.
    expect(await ladderOf('jiaojing')).toMatchObject({ level: 0, levelLabel: null, period: null, escalationsInPeriod: 0, openOverdue: 2 });

    const fresh = await dispatchedOn(120);
    await workerOn(127.5);
    const [latest, ...earlier] = await list();
    expect(latest).toMatchObject({ level: 1, levelLabel: '通报', tickets: [{ trackingCode: fresh }] });
    expect(latest!.period).not.toBe(earlier[0]!.period);
    expect(latest!.reason).toMatch(/首次/);
    expect(await ladderOf('jiaojing')).toMatchObject({ level: 1, escalationsInPeriod: 1, period: latest!.period });

    // Within 90 days of that, the new run climbs.
    await dispatchedOn(200);
    await workerOn(207.5);
    expect((await list())[0]!.level).toBe(2);
  });

  it('shows escalations to the office and leaders, a unit only its own, an operator none', async () => {
    await dispatchedOn(0);
    await dispatchedOn(0, 'zhujianju');
    await workerOn(8);
    await dispatchedOn(10, 'zhujianju');
    await workerOn(18);
    const units = (rows: Array<{ unitCode: string }>) => rows.map((r) => r.unitCode).sort();

    expect(units(await list('dispatcher'))).toEqual(['jiaojing', 'zhujianju', 'zhujianju']);
    expect(units(await list('leader'))).toEqual(['jiaojing', 'zhujianju', 'zhujianju']);
    expect(units(await list('dispatcher', { unitCode: 'zhujianju' }))).toEqual(['zhujianju', 'zhujianju']);
    expect(units(await list('dispatcher', { since: new Date(start + 10 * DAY).toISOString() }))).toEqual(['zhujianju']);
    expect(units(await list('jiaojing01'))).toEqual(['jiaojing']);
    expect(units(await list('jiaojing01', { unitCode: 'zhujianju' }))).toEqual(['jiaojing']);
    await expect(list('operator')).rejects.toBeInstanceOf(ForbiddenError);

    const ladder = await t.portal.services.escalations.ladder(users['leader']!);
    expect(ladder.slice(0, 2).map((r) => [r.unitCode, r.level, r.openOverdue])).toEqual([
      ['zhujianju', 2, 2],
      ['jiaojing', 1, 1],
    ]);
    expect(ladder.map((r) => r.unitCode)).not.toContain(t.portal.services.catalog.officeUnitCode);
    expect((await t.portal.services.escalations.ladder(users['zhujian01']!)).map((r) => r.unitCode)).toEqual(['zhujianju']);
    await expect(t.portal.services.escalations.ladder(users['operator']!)).rejects.toBeInstanceOf(ForbiddenError);

    // The same through the API.
    const as = (name: string) =>
      appRouter.createCaller({ app: t.portal.services, request: { ip: '10.0.0.1', sameOrigin: true }, user: users[name] ?? null });
    const viaApi = await as('leader').staff.escalations.list({});
    expect(viaApi[0]).toMatchObject({
      unitCode: 'zhujianju',
      level: 2,
      levelLabel: '约谈',
      tickets: [{ trackingCode: expect.any(String) }],
    });
    expect(units(await as('jiaojing01').staff.escalations.list({}))).toEqual(['jiaojing']);
    expect((await as('dispatcher').staff.escalations.ladder())[0]).toMatchObject({ unitCode: 'zhujianju', levelLabel: '约谈' });
    // A hotline operator is signed in but may not see the ladder; nobody signed in is asked to.
    for (const [call, code] of [
      [as('operator').staff.escalations.list({}), 'FORBIDDEN'],
      [as('operator').staff.escalations.ladder(), 'FORBIDDEN'],
      [as('nobody').staff.escalations.list({}), 'UNAUTHORIZED'],
    ] as const) {
      const error = await call.then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(TRPCError);
      expect((error as TRPCError).code).toBe(code);
    }
    const bad = await as('dispatcher')
      .staff.escalations.list({ since: '上个月' })
      .then(
        () => null,
        (e: unknown) => e as TRPCError,
      );
    expect(bad?.code).toBe('BAD_REQUEST');
  });
});
