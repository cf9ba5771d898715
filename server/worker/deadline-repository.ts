// The worker's marks on tickets: a reminder sent, an acknowledgement overdue, an overdue mark.
// Each is claimed with a conditional UPDATE that succeeds for exactly one worker (it changes one
// row only while the mark is still missing for the ticket's current deadline), so two workers on
// PostgreSQL never both notify. The marks are bookkeeping, not state changes: they do not touch
// the ticket's status, version or updated_at (docs/decisions/003-staff-side.md, "System events").
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.ts';
import { DEADLINE_RUNNING_STATUSES } from '../tickets/lifecycle.ts';

type Db = Kysely<Database> | Transaction<Database>;

const HOUR_MS = 3600_000;

/** Where the previous page of candidates ended (their order: the due time, then the id). */
export interface PageCursor {
  dueAt: string;
  id: number;
}

/** A page of candidates, and where the next page starts (null: this was the last). */
export interface CandidatePage {
  candidates: MarkCandidate[];
  next: PageCursor | null;
}

export interface MarkCandidate {
  id: number;
  unitCode: string;
  /** The deadline (or acknowledgement deadline) the mark is for: the claim holds only while it is unchanged. */
  dueAt: string;
}

/**
 * When the reminder for a deadline is due: `hoursBefore` earlier. A reminder sent at or after
 * that moment was sent for this deadline; an earlier one was for an earlier deadline (before an
 * approved extension or a re-dispatch), so the new deadline gets its own reminder.
 */
export function reminderWindowStart(deadlineAt: string, hoursBefore: number): string {
  return new Date(new Date(deadlineAt).getTime() - hoursBefore * HOUR_MS).toISOString();
}

/** Open tickets whose deadline falls within the next `hoursBefore` hours and that have no reminder for it yet. */
export async function reminderCandidates(
  db: Db,
  now: Date,
  hoursBefore: number,
  limit: number,
  after: PageCursor | null = null,
): Promise<CandidatePage> {
  const rows = await db
    .selectFrom('tickets')
    .select(['id', 'lead_unit_code', 'deadline_at', 'reminder_sent_at'])
    .where('status', 'in', DEADLINE_RUNNING_STATUSES)
    .where('lead_unit_code', 'is not', null)
    .where('deadline_at', '>', now.toISOString())
    .where('deadline_at', '<=', new Date(now.getTime() + hoursBefore * HOUR_MS).toISOString())
    // Keyset paging: the page after the previous one, in the same order (an index walk, not an offset).
    .$if(after !== null, (qb) =>
      qb.where((eb) =>
        eb.or([eb('deadline_at', '>', after!.dueAt), eb.and([eb('deadline_at', '=', after!.dueAt), eb('id', '>', after!.id)])]),
      ),
    )
    .orderBy('deadline_at')
    .orderBy('id')
    .limit(limit)
    .execute();
  const last = rows.length === limit ? rows[rows.length - 1] : undefined;
  const next = last?.deadline_at ? { dueAt: last.deadline_at, id: Number(last.id) } : null;
  const candidates = rows.flatMap((r) =>
    r.lead_unit_code && r.deadline_at && !(r.reminder_sent_at && r.reminder_sent_at >= reminderWindowStart(r.deadline_at, hoursBefore))
      ? [{ id: Number(r.id), unitCode: r.lead_unit_code, dueAt: r.deadline_at }]
      : [],
  );
  return { candidates, next };
}

/** True for the one caller that recorded the reminder. */
export async function claimReminder(db: Db, c: MarkCandidate, now: Date, hoursBefore: number): Promise<boolean> {
  const windowStart = reminderWindowStart(c.dueAt, hoursBefore);
  const result = await db
    .updateTable('tickets')
    .set({ reminder_sent_at: now.toISOString() })
    .where('id', '=', c.id)
    .where('lead_unit_code', '=', c.unitCode)
    .where('deadline_at', '=', c.dueAt)
    .where('status', 'in', DEADLINE_RUNNING_STATUSES)
    .where((eb) => eb.or([eb('reminder_sent_at', 'is', null), eb('reminder_sent_at', '<', windowStart)]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Tickets held by a unit whose latest dispatch the units have not been told of yet. */
export async function dispatchNoticeCandidates(db: Db, limit: number, after: PageCursor | null = null): Promise<CandidatePage> {
  const rows = await db
    .selectFrom('tickets')
    .select(['id', 'lead_unit_code', 'dispatched_at'])
    .where('status', 'in', DEADLINE_RUNNING_STATUSES)
    .where('lead_unit_code', 'is not', null)
    .where('dispatched_at', 'is not', null)
    .where((eb) => eb.or([eb('dispatch_notified_at', 'is', null), eb('dispatch_notified_at', '<>', eb.ref('dispatched_at'))]))
    // Keyset paging: the page after the previous one, in the same order (an index walk, not an offset).
    .$if(after !== null, (qb) =>
      qb.where((eb) =>
        eb.or([eb('dispatched_at', '>', after!.dueAt), eb.and([eb('dispatched_at', '=', after!.dueAt), eb('id', '>', after!.id)])]),
      ),
    )
    .orderBy('dispatched_at')
    .orderBy('id')
    .limit(limit)
    .execute();
  const last = rows.length === limit ? rows[rows.length - 1] : undefined;
  const next = last?.dispatched_at ? { dueAt: last.dispatched_at, id: Number(last.id) } : null;
  const candidates = rows.flatMap((r) =>
    r.lead_unit_code && r.dispatched_at ? [{ id: Number(r.id), unitCode: r.lead_unit_code, dueAt: r.dispatched_at }] : [],
  );
  return { candidates, next };
}

/** True for the one caller that recorded the notice of this dispatch. */
export async function claimDispatchNotice(db: Db, c: MarkCandidate): Promise<boolean> {
  const result = await db
    .updateTable('tickets')
    .set({ dispatch_notified_at: c.dueAt })
    .where('id', '=', c.id)
    .where('dispatched_at', '=', c.dueAt)
    .where('lead_unit_code', '=', c.unitCode)
    .where((eb) => eb.or([eb('dispatch_notified_at', 'is', null), eb('dispatch_notified_at', '<>', c.dueAt)]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Dispatched tickets not acknowledged (签收) by their acknowledgement deadline, not yet flagged for it. */
export async function acknowledgeOverdueCandidates(
  db: Db,
  now: Date,
  limit: number,
  after: PageCursor | null = null,
): Promise<CandidatePage> {
  const rows = await db
    .selectFrom('tickets')
    .select(['id', 'lead_unit_code', 'acknowledge_due_at'])
    .where('status', '=', 'dispatched')
    .where('acknowledged_at', 'is', null)
    .where('lead_unit_code', 'is not', null)
    .where('acknowledge_due_at', '<', now.toISOString())
    .where((eb) => eb.or([eb('acknowledge_overdue_at', 'is', null), eb('acknowledge_overdue_at', '<', eb.ref('acknowledge_due_at'))]))
    // Keyset paging: the page after the previous one, in the same order (an index walk, not an offset).
    .$if(after !== null, (qb) =>
      qb.where((eb) =>
        eb.or([
          eb('acknowledge_due_at', '>', after!.dueAt),
          eb.and([eb('acknowledge_due_at', '=', after!.dueAt), eb('id', '>', after!.id)]),
        ]),
      ),
    )
    .orderBy('acknowledge_due_at')
    .orderBy('id')
    .limit(limit)
    .execute();
  const last = rows.length === limit ? rows[rows.length - 1] : undefined;
  const next = last?.acknowledge_due_at ? { dueAt: last.acknowledge_due_at, id: Number(last.id) } : null;
  const candidates = rows.flatMap((r) =>
    r.lead_unit_code && r.acknowledge_due_at ? [{ id: Number(r.id), unitCode: r.lead_unit_code, dueAt: r.acknowledge_due_at }] : [],
  );
  return { candidates, next };
}

export async function claimAcknowledgeOverdue(db: Db, c: MarkCandidate, now: Date): Promise<boolean> {
  const result = await db
    .updateTable('tickets')
    .set({ acknowledge_overdue_at: now.toISOString() })
    .where('id', '=', c.id)
    .where('lead_unit_code', '=', c.unitCode)
    .where('status', '=', 'dispatched')
    .where('acknowledged_at', 'is', null)
    .where('acknowledge_due_at', '=', c.dueAt)
    .where((eb) => eb.or([eb('acknowledge_overdue_at', 'is', null), eb('acknowledge_overdue_at', '<', eb.ref('acknowledge_due_at'))]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * Open tickets past their deadline and not yet marked overdue for it. A mark older than the
 * deadline was for an earlier one (the deadline moved later by an extension or a re-dispatch).
 */
export async function overdueCandidates(db: Db, now: Date, limit: number, after: PageCursor | null = null): Promise<CandidatePage> {
  const rows = await db
    .selectFrom('tickets')
    .select(['id', 'lead_unit_code', 'deadline_at'])
    .where('status', 'in', DEADLINE_RUNNING_STATUSES)
    .where('lead_unit_code', 'is not', null)
    .where('deadline_at', '<', now.toISOString())
    .where((eb) => eb.or([eb('overdue_at', 'is', null), eb('overdue_at', '<', eb.ref('deadline_at'))]))
    // Keyset paging: the page after the previous one, in the same order (an index walk, not an offset).
    .$if(after !== null, (qb) =>
      qb.where((eb) =>
        eb.or([eb('deadline_at', '>', after!.dueAt), eb.and([eb('deadline_at', '=', after!.dueAt), eb('id', '>', after!.id)])]),
      ),
    )
    .orderBy('deadline_at')
    .orderBy('id')
    .limit(limit)
    .execute();
  const last = rows.length === limit ? rows[rows.length - 1] : undefined;
  const next = last?.deadline_at ? { dueAt: last.deadline_at, id: Number(last.id) } : null;
  const candidates = rows.flatMap((r) =>
    r.lead_unit_code && r.deadline_at ? [{ id: Number(r.id), unitCode: r.lead_unit_code, dueAt: r.deadline_at }] : [],
  );
  return { candidates, next };
}

export async function claimOverdue(db: Db, c: MarkCandidate, now: Date): Promise<boolean> {
  const result = await db
    .updateTable('tickets')
    .set({ overdue_at: now.toISOString() })
    .where('id', '=', c.id)
    .where('lead_unit_code', '=', c.unitCode)
    .where('deadline_at', '=', c.dueAt)
    .where('status', 'in', DEADLINE_RUNNING_STATUSES)
    .where((eb) => eb.or([eb('overdue_at', 'is', null), eb('overdue_at', '<', eb.ref('deadline_at'))]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
