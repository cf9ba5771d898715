// The worker's deadline jobs (issue 3, "Deadlines and escalation"):
// - dispatch notices: the units of a (re-)dispatched ticket are told once per dispatch
//   (docs/decisions/005-dispatch-notices.md);
// - reminders: once per ticket per deadline, `reminderHoursBefore` hours before it;
// - acknowledgement overdue: a dispatched ticket not acknowledged (签收) in time, once per
//   acknowledgement deadline;
// - overdue: an open ticket past its deadline is marked (tickets.overdue_at) once per deadline.
// Each mark and its notice are one transaction per ticket: the conditional UPDATE claims the
// ticket (deadline-repository.ts), and only the worker whose UPDATE changed the row notifies.
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.ts';
import { notifyNobody, type DeadlineEventKind, type NotifyDeadline } from './deadline-notice.ts';
import {
  acknowledgeOverdueCandidates,
  claimDispatchNotice,
  dispatchNoticeCandidates,
  claimAcknowledgeOverdue,
  claimOverdue,
  claimReminder,
  overdueCandidates,
  reminderCandidates,
  type MarkCandidate,
} from './deadline-repository.ts';

export interface DeadlineJobOptions {
  db: Kysely<Database>;
  /** Hours before the deadline a unit is reminded (default 24). */
  reminderHoursBefore?: number;
  notify?: NotifyDeadline;
  /** Tickets handled per job per tick (default 500), so a tick stays short; the rest wait for the next. */
  batchSize?: number;
}

export interface MarkRun {
  /** Tickets this worker marked (and notified). */
  marked: number[];
  /** Candidates another worker marked first. */
  skipped: number;
}

export function createDeadlineJobs(options: DeadlineJobOptions) {
  const { db } = options;
  const hoursBefore = options.reminderHoursBefore ?? 24;
  const notify = options.notify ?? notifyNobody;
  const batchSize = options.batchSize ?? 500;

  async function markEach(
    kind: DeadlineEventKind,
    candidates: MarkCandidate[],
    claim: (trx: Transaction<Database>, c: MarkCandidate) => Promise<boolean>,
  ): Promise<MarkRun> {
    const run: MarkRun = { marked: [], skipped: 0 };
    const failures: unknown[] = [];
    for (const c of candidates) {
      try {
        const claimed = await db.transaction().execute(async (trx) => {
          if (!(await claim(trx, c))) return false;
          await notify(trx, { kind, unitCode: c.unitCode, ticketIds: [c.id] });
          return true;
        });
        if (claimed) run.marked.push(c.id);
        else run.skipped++;
      } catch (error) {
        // The mark rolled back with its notice: this ticket is tried again next tick, and the
        // others are not held back by it.
        failures.push(error);
      }
    }
    if (failures.length > 0) {
      const first = failures[0] instanceof Error ? failures[0].message : String(failures[0]);
      throw new AggregateError(failures, `${kind}: ${failures.length} of ${candidates.length} ticket(s) failed: ${first}`);
    }
    return run;
  }

  return {
    async dispatchNotices(): Promise<MarkRun> {
      const candidates = await dispatchNoticeCandidates(db, batchSize);
      return markEach('dispatch', candidates, (trx, c) => claimDispatchNotice(trx, c));
    },
    async reminders(now: Date): Promise<MarkRun> {
      const candidates = await reminderCandidates(db, now, hoursBefore, batchSize);
      return markEach('reminder', candidates, (trx, c) => claimReminder(trx, c, now, hoursBefore));
    },
    async acknowledgeOverdue(now: Date): Promise<MarkRun> {
      const candidates = await acknowledgeOverdueCandidates(db, now, batchSize);
      return markEach('acknowledge-overdue', candidates, (trx, c) => claimAcknowledgeOverdue(trx, c, now));
    },
    async overdue(now: Date): Promise<MarkRun> {
      const candidates = await overdueCandidates(db, now, batchSize);
      return markEach('overdue', candidates, (trx, c) => claimOverdue(trx, c, now));
    },
  };
}
