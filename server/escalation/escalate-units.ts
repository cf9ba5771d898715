// The worker's escalation pass (docs/decisions/004-escalation.md). For every unit holding
// overdue tickets: the tickets not yet behind any escalation of that unit are its newly overdue
// ones; if there are any, the unit climbs one rung (ladder.ts) with exactly those tickets, in one
// transaction with its notice. A ticket escalates a unit at most once, however long it stays
// overdue and however often its deadline moves.
//
// Two workers (PostgreSQL) may run this at the same moment: each reads the unit's escalations
// and inserts the next number (`seq`), unique per unit, so the second insert fails and its
// transaction — notice included — rolls back. The unit climbs once.
import type { Kysely } from 'kysely';
import { isUniqueViolation } from '../db/database.ts';
import type { Database } from '../db/schema.ts';
import { notifyNobody, type NotifyDeadline } from '../worker/deadline-notice.ts';
import { escalationsOfUnit, insertEscalation, overdueTicketsOfUnit, unitsWithOverdueTickets } from './escalation-repository.ts';
import { DEFAULT_RESET_DAYS, escalationReason, nextEscalation, type EscalationLevel } from './ladder.ts';

export interface EscalationPassOptions {
  db: Kysely<Database>;
  /** Days without a new escalation after which a unit's ladder restarts at 通报 (default 90). */
  resetDays?: number;
  notify?: NotifyDeadline;
}

export interface EscalationPassResult {
  escalated: Array<{ unitCode: string; level: EscalationLevel; ticketIds: number[] }>;
  /** Units another worker escalated first, in this same moment. */
  lostRaces: number;
}

export function createEscalationPass(options: EscalationPassOptions) {
  const { db } = options;
  const resetDays = options.resetDays ?? DEFAULT_RESET_DAYS;
  const notify = options.notify ?? notifyNobody;

  /** Escalates one unit if it has newly overdue tickets; returns what it did, or null. */
  async function escalateUnit(unitCode: string, now: Date): Promise<EscalationPassResult['escalated'][number] | null> {
    return db.transaction().execute(async (trx) => {
      const history = await escalationsOfUnit(trx, unitCode);
      const behind = new Set(history.flatMap((e) => e.ticketIds));
      const fresh = (await overdueTicketsOfUnit(trx, unitCode, now)).filter((t) => !behind.has(t.id));
      if (fresh.length === 0) return null;
      const last = history.at(-1);
      const next = nextEscalation(
        last
          ? { level: last.level, at: last.at, period: last.period, countInPeriod: history.filter((e) => e.period === last.period).length }
          : null,
        now,
        resetDays,
      );
      const ticketIds = fresh.map((t) => t.id);
      const reason = escalationReason(
        next,
        fresh.map((t) => t.trackingCode),
      );
      const id = await insertEscalation(trx, {
        unitCode,
        seq: (last?.seq ?? 0) + 1,
        level: next.level,
        at: now.toISOString(),
        ticketIds,
        reason,
        period: next.period,
      });
      await notify(trx, { kind: 'escalation', unitCode, ticketIds, level: next.level, escalationId: id, reason });
      return { unitCode, level: next.level, ticketIds };
    });
  }

  return {
    async run(now: Date): Promise<EscalationPassResult> {
      const result: EscalationPassResult = { escalated: [], lostRaces: 0 };
      const failures: unknown[] = [];
      for (const unitCode of await unitsWithOverdueTickets(db, now)) {
        try {
          const done = await escalateUnit(unitCode, now);
          if (done) result.escalated.push(done);
        } catch (error) {
          if (isUniqueViolation(error, 'seq')) result.lostRaces++;
          else failures.push(error);
        }
      }
      // One unit's failure (its notice, say) does not hold back the others; the pass still
      // reports it, and the unit is tried again next tick.
      if (failures.length > 0)
        throw new AggregateError(failures, `escalation failed for ${failures.length} unit(s): ${describe(failures[0])}`);
      return result;
    },
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
