// The worker's deadline jobs on SQLite and PostgreSQL, through the real services and the
// injected clock (no sleeping): one reminder per deadline, one acknowledgement-overdue notice,
// one overdue mark; a failing job holds back nothing else; two workers running the same tick at
// once (PostgreSQL, two connection pools as two processes would have) notify and escalate once.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StaffUser } from '../../server/auth/roles.ts';
import { openDatabase } from '../../server/db/database.ts';
import type { TicketActionInput } from '../../server/staff/action-schema.ts';
import type { DeadlineEvent, NotifyDeadline } from '../../server/worker/deadline-notice.ts';
import type { Scheduler, WorkerLog } from '../../server/worker/scheduler.ts';
import { createWorker } from '../../server/worker/worker.ts';
import { expectConsoleError } from '../setup/fail-on-console-error.ts';
import { databaseKinds } from '../support/databases.ts';
import { startTestPortal, type TestPortal } from '../support/portal.ts';
import { createStaff } from '../support/staff-accounts.ts';

const kinds = await databaseKinds();

const HOUR = 3600_000;
const DAY = 24 * HOUR;
/** The router cannot place this one: it waits for the office, which dispatches it by hand. */
const TRIAGE = '我家楼上邻居天天半夜唱歌，吵得睡不着觉，说了好几次也不听';
const quiet: WorkerLog = { info: () => {}, error: (message, error) => console.error(message, error) };

describe.each(kinds)('worker on %s', (kind) => {
  let t: TestPortal;
  let events: DeadlineEvent[];
  let worker: Scheduler;
  let users: Record<string, StaffUser> = {};
  const record: NotifyDeadline = async (_trx, event) => {
    events.push(event);
  };

  beforeEach(async () => {
    t = await startTestPortal(kind);
    events = [];
    worker = createWorker({ db: t.portal.database.db, clock: t.clock, notify: record, log: quiet });
    users = await createStaff(t, [
      ['dispatcher', 'dispatcher'],
      ['jiaojing01', 'unit', 'jiaojing'],
      ['zhujian01', 'unit', 'zhujianju'],
    ]);
  });
  afterEach(async () => {
    await worker?.stop();
    await t?.close();
  });

  const act = (user: string, trackingCode: string, a: TicketActionInput) =>
    t.portal.services.staff.act(users[user]!, { trackingCode, act: a });
  /** A ticket dispatched now by the office to `unitCode` (deadline: one week). */
  async function dispatched(unitCode = 'jiaojing'): Promise<{ code: string; id: number }> {
    const { trackingCode } = await t.caller().report.submit({ description: TRIAGE });
    const ticket = await act('dispatcher', trackingCode, { action: 'dispatch', unitCode, categoryCode: null });
    return { code: trackingCode, id: ticket.id };
  }
  const tick = () => worker.runOnce(t.clock.now());
  const kindsOf = (kind: DeadlineEvent['kind']) => events.filter((e) => e.kind === kind);
  const marks = (id: number) =>
    t.portal.database.db
      .selectFrom('tickets')
      .select(['reminder_sent_at', 'overdue_at', 'deadline_at'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();

  it('reminds the unit once a day before the deadline, and again for a new deadline after an approved extension', async () => {
    const start = t.clock.now().getTime();
    const a = await dispatched();
    await tick();
    expect(kindsOf('reminder')).toEqual([]);

    t.clock.set(new Date(start + 6 * DAY + HOUR));
    await tick();
    expect(kindsOf('reminder')).toEqual([{ kind: 'reminder', unitCode: 'jiaojing', ticketIds: [a.id] }]);
    expect((await marks(a.id)).reminder_sent_at).toBe(t.clock.now().toISOString());
    await tick();
    t.clock.advance(12 * HOUR);
    await tick();
    expect(kindsOf('reminder')).toHaveLength(1);

    await act('jiaojing01', a.code, { action: 'accept' });
    await act('jiaojing01', a.code, {
      action: 'requestExtension',
      reason: '需要采购材料',
      requestedDeadline: new Date(start + 14 * DAY).toISOString(),
    });
    await act('dispatcher', a.code, { action: 'approveExtension' });
    await tick();
    expect(kindsOf('reminder')).toHaveLength(1);
    t.clock.set(new Date(start + 13 * DAY + HOUR));
    await tick();
    await tick();
    expect(kindsOf('reminder')).toHaveLength(2);
    expect(kindsOf('reminder')[1]!.ticketIds).toEqual([a.id]);
    expect(kindsOf('overdue')).toEqual([]);
  });

  it('flags a ticket not acknowledged in time once, and again only after a re-dispatch', async () => {
    const start = t.clock.now().getTime();
    const late = await dispatched();
    const prompt = await dispatched('zhujianju');
    await act('zhujian01', prompt.code, { action: 'accept' });
    t.clock.set(new Date(start + 23 * HOUR));
    await tick();
    expect(kindsOf('acknowledge-overdue')).toEqual([]);
    t.clock.set(new Date(start + 25 * HOUR));
    await tick();
    await tick();
    expect(kindsOf('acknowledge-overdue')).toEqual([{ kind: 'acknowledge-overdue', unitCode: 'jiaojing', ticketIds: [late.id] }]);

    // The office moves it to another unit: a new acknowledgement deadline, a new chance to miss it.
    await act('dispatcher', late.code, { action: 'reassign', unitCode: 'zhujianju', reason: '属于城区道路管理' });
    await tick();
    expect(kindsOf('acknowledge-overdue')).toHaveLength(1);
    t.clock.advance(25 * HOUR);
    await tick();
    expect(kindsOf('acknowledge-overdue')).toHaveLength(2);
    expect(kindsOf('acknowledge-overdue')[1]).toEqual({ kind: 'acknowledge-overdue', unitCode: 'zhujianju', ticketIds: [late.id] });
  });

  it('marks a ticket past its deadline overdue once and escalates its unit to 通报 with it', async () => {
    const start = t.clock.now().getTime();
    const a = await dispatched();
    t.clock.set(new Date(start + 7 * DAY - 1000));
    await tick();
    expect(kindsOf('overdue')).toEqual([]);
    t.clock.set(new Date(start + 7 * DAY + 60_000));
    await tick();
    await tick();
    expect(kindsOf('overdue')).toEqual([{ kind: 'overdue', unitCode: 'jiaojing', ticketIds: [a.id] }]);
    expect((await marks(a.id)).overdue_at).toBe(t.clock.now().toISOString());
    const escalations = kindsOf('escalation');
    expect(escalations).toHaveLength(1);
    expect(escalations[0]).toMatchObject({ unitCode: 'jiaojing', ticketIds: [a.id], level: 1 });
    const [listed] = await t.portal.services.escalations.list(users['dispatcher']!, {});
    expect(listed).toMatchObject({
      unitCode: 'jiaojing',
      level: 1,
      levelLabel: '通报',
      tickets: [{ trackingCode: a.code, status: 'dispatched' }],
    });
  });

  it('never escalates a ticket rectified and verified before its deadline, nor one reported in time and verified late', async () => {
    const start = t.clock.now().getTime();
    const onTime = await dispatched();
    const verifiedLate = await dispatched();
    for (const code of [onTime.code, verifiedLate.code]) {
      await act('jiaojing01', code, { action: 'accept' });
      await act('jiaojing01', code, {
        action: 'reportRectification',
        text: '已清理完毕并安排专人值守',
        photoIds: [],
        noPhotoReason: '现场为夜间占道，白天无法拍到',
      });
    }
    await act('dispatcher', onTime.code, { action: 'verify' });
    t.clock.set(new Date(start + 30 * DAY));
    await tick();
    await act('dispatcher', verifiedLate.code, { action: 'verify' });
    await tick();
    expect(kindsOf('overdue')).toEqual([]);
    expect(kindsOf('escalation')).toEqual([]);
    expect(await t.portal.services.escalations.list(users['dispatcher']!, {})).toEqual([]);
  });

  it('keeps going when a job fails, and retries it next tick', async () => {
    expectConsoleError(2);
    const start = t.clock.now().getTime();
    let notifyWorks = false;
    let deliveries = 0;
    const failing = createWorker({
      db: t.portal.database.db,
      clock: t.clock,
      log: quiet,
      async notify(trx, event) {
        if (event.kind === 'reminder' && !notifyWorks) throw new Error('mail templates missing');
        await record(trx, event);
      },
      async deliverMail() {
        deliveries++;
        if (deliveries === 1) throw new Error('SMTP server away');
        return { sent: 0, failed: 0, retried: 0 };
      },
    });
    const overdue = await dispatched();
    t.clock.set(new Date(start + 2 * DAY));
    const soon = await dispatched('zhujianju');
    t.clock.set(new Date(start + 8 * DAY + HOUR)); // past the first deadline, within a day of the second

    const report = await failing.runOnce();
    expect(report.jobs.map((j) => [j.job, j.ok])).toEqual([
      ['dispatch-notices', true],
      ['reminders', false],
      ['acknowledge-overdue', true],
      ['overdue', true],
      ['escalation', true],
      ['mail', false],
    ]);
    expect(kindsOf('reminder')).toEqual([]);
    expect(kindsOf('overdue').map((e) => e.ticketIds)).toEqual([[overdue.id]]);
    expect(kindsOf('escalation').map((e) => e.unitCode)).toEqual(['jiaojing']);
    // The failed reminder's mark rolled back with it …
    expect((await marks(soon.id)).reminder_sent_at).toBeNull();

    // … so the next tick sends it.
    notifyWorks = true;
    const next = await failing.runOnce();
    expect([...new Set(next.jobs.map((j) => j.ok))]).toEqual([true]);
    expect(kindsOf('reminder')).toEqual([{ kind: 'reminder', unitCode: 'zhujianju', ticketIds: [soon.id] }]);
    expect(deliveries).toBe(2);
  });

  it.runIf(kind === 'postgres')('two workers running the same ticks at once notify and escalate once', async () => {
    const second = openDatabase(t.database.url);
    try {
      const other = createWorker({ db: second.db, clock: t.clock, notify: record, log: quiet });
      const start = t.clock.now().getTime();
      const units = ['jiaojing', 'zhujianju', 'fagaiju'];
      const all: number[] = [];
      /** Claims another worker won first: evidence the two really raced. */
      let contended = 0;
      // Three rounds a fortnight apart: each makes every unit's tickets overdue, so each unit
      // climbs 通报, 约谈, 问责 — once per round, whichever worker gets there first.
      for (let round = 0; round < 3; round++) {
        const roundStart = start + round * 14 * DAY;
        t.clock.set(new Date(roundStart));
        const tickets = [];
        for (const unit of units) for (let i = 0; i < 3; i++) tickets.push(await dispatched(unit));
        all.push(...tickets.map((x) => x.id));
        for (const at of [roundStart + 25 * HOUR, roundStart + 6 * DAY + HOUR, roundStart + 7 * DAY + HOUR]) {
          t.clock.set(new Date(at));
          const now = t.clock.now();
          const reports = await Promise.all([worker.runOnce(now), other.runOnce(now), worker.runOnce(now), other.runOnce(now)]);
          expect(reports.flatMap((r) => r.jobs).filter((j) => !j.ok)).toEqual([]);
          for (const j of reports.flatMap((r) => r.jobs)) {
            const result = j.result as { skipped?: number; lostRaces?: number } | undefined;
            contended += (result?.skipped ?? 0) + (result?.lostRaces ?? 0);
          }
        }
      }
      const countBy = (kind: DeadlineEvent['kind']) => {
        const ids = kindsOf(kind).flatMap((e) => e.ticketIds);
        return { total: ids.length, distinct: new Set(ids).size };
      };
      expect(contended).toBeGreaterThan(0);
      expect(countBy('reminder')).toEqual({ total: all.length, distinct: all.length });
      expect(countBy('acknowledge-overdue')).toEqual({ total: all.length, distinct: all.length });
      expect(countBy('overdue')).toEqual({ total: all.length, distinct: all.length });
      expect(countBy('escalation')).toEqual({ total: all.length, distinct: all.length });

      const rows = await t.portal.services.escalations.list(users['dispatcher']!, {});
      expect(rows).toHaveLength(9);
      for (const unit of units) {
        expect(
          rows
            .filter((r) => r.unitCode === unit)
            .map((r) => r.levelLabel)
            .reverse(),
        ).toEqual(['通报', '约谈', '问责']);
      }
      expect(new Set(rows.flatMap((r) => r.tickets.map((x) => x.trackingCode))).size).toBe(all.length);
    } finally {
      await second.close();
    }
  });
});
