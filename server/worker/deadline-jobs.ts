// The worker's deadline jobs (issue 3, "Deadlines and escalation"):
// - dispatch notices: the units of a (re-)dispatched ticket are told once per dispatch
//   (docs/decisions/005-dispatch-notices.md);
// - reminders: once per ticket per deadline, `reminderHoursBefore` hours before it;
// - acknowledgement overdue: a dispatched ticket not acknowledged (签收) in time, once per
//   acknowledgement deadline;
// - overdue: an open ticket past its deadline is marked (tickets.overdue_at) once per deadline.
// Each mark and its notice are one transaction per ticket: the conditional UPDATE claims the
// ticket (deadline-repository.ts), and only the worker whose UPDATE changed the row notifies.
//
// However many tickets are due, none starves (issue 16 item 5): a job reads its candidates in
// pages, oldest due first, each page after where the last one ended (so tickets already reminded
// or failing cannot fill every page), until none are left — or until it has run `passBudgetMs`,
// when the next pass goes on from where this one stopped (and round to the oldest again), so
// every ticket is reached within a few passes. A pass always does at least one page.
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
  type CandidatePage,
  type MarkCandidate,
  type PageCursor,
} from './deadline-repository.ts';

export interface DeadlineJobOptions {
  db: Kysely<Database>;
  /** Hours before the deadline a unit is reminded (default 24). */
  reminderHoursBefore?: number;
  notify?: NotifyDeadline;
  /** Candidates read at once (default 500). */
  pageSize?: number;
  /** How long one job goes on in a pass before the rest wait for the next (default 30 s; at least one page is done). */
  passBudgetMs?: number;
}

export interface MarkRun {
  /** Tickets this worker marked (and notified). */
  marked: number[];
  /** Candidates another worker marked first. */
  skipped: number;
  /** True when the pass ran out of time before it looked at every candidate (the next pass goes on from there). */
  more: boolean;
}

export function createDeadlineJobs(options: DeadlineJobOptions) {
  const { db } = options;
  const hoursBefore = options.reminderHoursBefore ?? 24;
  const notify = options.notify ?? notifyNobody;
  const pageSize = options.pageSize ?? 500;
  const passBudgetMs = options.passBudgetMs ?? 30_000;

  /** Marks one page's candidates, each in its own transaction; failures are collected, not thrown. */
  async function markPage(
    kind: DeadlineEventKind,
    candidates: MarkCandidate[],
    claim: (trx: Transaction<Database>, c: MarkCandidate) => Promise<boolean>,
    run: MarkRun,
    failures: unknown[],
  ): Promise<void> {
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
  }

  /** Where each job's previous pass stopped for lack of time (this process's memory). */
  const resumeAt = new Map<DeadlineEventKind, PageCursor>();

  /**
   * Pages of candidates in due order, from where the previous pass stopped (the oldest at first),
   * round to the newest and on from the oldest again, until every candidate was looked at or the
   * pass's time is up.
   */
  async function markAll(
    kind: DeadlineEventKind,
    page: (after: PageCursor | null) => Promise<CandidatePage>,
    claim: (trx: Transaction<Database>, c: MarkCandidate) => Promise<boolean>,
  ): Promise<MarkRun> {
    const run: MarkRun = { marked: [], skipped: 0, more: false };
    const failures: unknown[] = [];
    const began = performance.now();
    let tried = 0;
    let after: PageCursor | null = resumeAt.get(kind) ?? null;
    // Started from the oldest: the newest page ends the pass. Started half-way: round once more.
    let fromOldest = after === null;
    resumeAt.delete(kind);
    for (;;) {
      const { candidates, next } = await page(after);
      await markPage(kind, candidates, claim, run, failures);
      tried += candidates.length;
      after = next;
      if (!after && fromOldest) break;
      if (performance.now() - began >= passBudgetMs) {
        // The rest next pass, from here: what this pass did not reach goes first then.
        if (after) resumeAt.set(kind, after);
        run.more = true;
        break;
      }
      if (!after) fromOldest = true;
    }
    if (failures.length > 0) {
      const first = failures[0] instanceof Error ? failures[0].message : String(failures[0]);
      throw new AggregateError(failures, `${kind}: ${failures.length} of ${tried} ticket(s) failed: ${first}`);
    }
    return run;
  }

  return {
    dispatchNotices(): Promise<MarkRun> {
      return markAll(
        'dispatch',
        (after) => dispatchNoticeCandidates(db, pageSize, after),
        (trx, c) => claimDispatchNotice(trx, c),
      );
    },
    reminders(now: Date): Promise<MarkRun> {
      return markAll(
        'reminder',
        (after) => reminderCandidates(db, now, hoursBefore, pageSize, after),
        (trx, c) => claimReminder(trx, c, now, hoursBefore),
      );
    },
    acknowledgeOverdue(now: Date): Promise<MarkRun> {
      return markAll(
        'acknowledge-overdue',
        (after) => acknowledgeOverdueCandidates(db, now, pageSize, after),
        (trx, c) => claimAcknowledgeOverdue(trx, c, now),
      );
    },
    overdue(now: Date): Promise<MarkRun> {
      return markAll(
        'overdue',
        (after) => overdueCandidates(db, now, pageSize, after),
        (trx, c) => claimOverdue(trx, c, now),
      );
    },
  };
}
