// Storage of follow-up calls (回访) and the reads they need: the reporter to call, the unit's last
// rectification report to read out, the results per unit. Returns plain objects from explicit
// selects; no row type leaves this file.
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Database, FollowUpTable } from '../db/schema.ts';
import type { Status } from '../tickets/lifecycle.ts';
import type { FollowUpChannel, Satisfaction } from './follow-up-schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** The reporter's number and whether they may be called back. */
export async function findCallbackContact(db: Db, ticketId: number): Promise<{ phone: string | null; wantsCallback: boolean } | null> {
  const row = await db
    .selectFrom('ticket_reporters')
    .select(['phone', 'wants_callback'])
    .where('ticket_id', '=', ticketId)
    .executeTakeFirst();
  return row ? { phone: row.phone, wantsCallback: Number(row.wants_callback) === 1 } : null;
}

/** A pending task for a closure; a second one for the same closure is not made. */
export async function insertFollowUp(db: Db, task: { ticketId: number; closedAt: string; unitCode: string | null }): Promise<void> {
  await db
    .insertInto('follow_ups')
    .values({
      ticket_id: task.ticketId,
      closed_at: task.closedAt,
      created_at: task.closedAt,
      status: 'pending',
      last_attempt_at: null,
      reached: null,
      fixed: null,
      satisfaction: null,
      comment: null,
      operator_id: null,
      completed_at: null,
      unit_code: task.unitCode,
    })
    .onConflict((oc) => oc.columns(['ticket_id', 'closed_at']).doNothing())
    .execute();
}

export interface PendingFollowUp {
  id: number;
  closedAt: string;
  attempts: number;
  lastAttemptAt: string | null;
  unitCode: string | null;
  ticketId: number;
  trackingCode: string;
  status: Status;
  description: string;
  callerPhone: string | null;
  callerName: string | null;
}

/**
 * Pending tasks of closures before `closedBefore` (the reporter had that long to answer online),
 * oldest first, at most `limit`, and how many are pending in all.
 */
export async function listPendingFollowUps(
  db: Db,
  limit: number,
  closedBefore: string,
): Promise<{ items: PendingFollowUp[]; total: number }> {
  const base = db.selectFrom('follow_ups').where('follow_ups.status', '=', 'pending').where('follow_ups.closed_at', '<=', closedBefore);
  const [rows, count] = await Promise.all([
    base
      .innerJoin('tickets', 'tickets.id', 'follow_ups.ticket_id')
      .innerJoin('ticket_reporters', 'ticket_reporters.ticket_id', 'tickets.id')
      .select([
        'follow_ups.id',
        'follow_ups.closed_at',
        'follow_ups.attempts',
        'follow_ups.last_attempt_at',
        'follow_ups.unit_code',
        'tickets.id as ticket_id',
        'tickets.tracking_code',
        'tickets.status',
        'tickets.description',
        'ticket_reporters.phone',
        'ticket_reporters.name',
      ])
      .orderBy('follow_ups.created_at')
      .orderBy('follow_ups.id')
      .limit(limit)
      .execute(),
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return {
    total: Number(count.n),
    items: rows.map((r) => ({
      id: Number(r.id),
      closedAt: r.closed_at,
      attempts: Number(r.attempts),
      lastAttemptAt: r.last_attempt_at,
      unitCode: r.unit_code,
      ticketId: Number(r.ticket_id),
      trackingCode: r.tracking_code,
      status: r.status as Status,
      description: r.description,
      callerPhone: r.phone,
      callerName: r.name,
    })),
  };
}

/** The text of each ticket's last rectification report (报结), by ticket id. */
export async function lastRectificationTexts(db: Db, ticketIds: readonly number[]): Promise<Map<number, string>> {
  const texts = new Map<number, string>();
  if (ticketIds.length === 0) return texts;
  const rows = await db
    .selectFrom('ticket_events')
    .select(['ticket_id', 'data', 'seq'])
    .where('ticket_id', 'in', ticketIds)
    .where('action', '=', 'reportRectification')
    .orderBy('seq')
    .execute();
  for (const e of rows) {
    const text = (JSON.parse(e.data) as { text?: unknown }).text;
    if (typeof text === 'string') texts.set(Number(e.ticket_id), text);
  }
  return texts;
}

export async function findFollowUpTask(
  db: Db,
  id: number,
): Promise<{ id: number; status: 'pending' | 'done'; attempts: number; trackingCode: string } | null> {
  const row = await db
    .selectFrom('follow_ups')
    .innerJoin('tickets', 'tickets.id', 'follow_ups.ticket_id')
    .select(['follow_ups.id', 'follow_ups.status', 'follow_ups.attempts', 'tickets.tracking_code'])
    .where('follow_ups.id', '=', id)
    .executeTakeFirst();
  return row
    ? {
        id: Number(row.id),
        status: row.status === 'done' ? 'done' : 'pending',
        attempts: Number(row.attempts),
        trackingCode: row.tracking_code,
      }
    : null;
}

/** What a call attempt records; `done` fields only when it ends the task. */
export interface FollowUpAttempt {
  attempts: number;
  lastAttemptAt: string;
  operatorId: number;
  comment?: string | null;
  done?: { reached: boolean; fixed?: boolean; satisfaction?: Satisfaction | null; completedAt: string };
}

/**
 * Records an attempt on a task still pending: the conditional update that makes two operators
 * recording the same task at once record it once. False when it was no longer pending.
 */
export async function recordFollowUpAttempt(db: Db, id: number, a: FollowUpAttempt): Promise<boolean> {
  const result = await db
    .updateTable('follow_ups')
    .set({
      attempts: a.attempts,
      last_attempt_at: a.lastAttemptAt,
      operator_id: a.operatorId,
      ...(a.comment !== undefined && { comment: a.comment }),
      ...(a.done && { status: 'done', reached: a.done.reached ? 1 : 0, completed_at: a.done.completedAt }),
      ...(a.done?.fixed !== undefined && { fixed: a.done.fixed ? 1 : 0 }),
      ...(a.done?.satisfaction !== undefined && { satisfaction: a.done.satisfaction }),
    })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function markFollowUpReopened(db: Db, id: number): Promise<void> {
  await db.updateTable('follow_ups').set({ reopened: 1 }).where('id', '=', id).execute();
}

export interface FollowUpCounts {
  unitCode: string;
  due: number;
  done: number;
  reached: number;
  fixed: number;
  satisfied: number;
  fair: number;
  unsatisfied: number;
  /** Of `reached`: by an operator's call (电话回访) and by the reporter's answer online (网上回访). */
  byPhone: number;
  online: number;
}

/** Follow-ups per unit of closures in [from, before). */
export async function countFollowUpsByUnit(db: Db, range: { from?: string; before?: string }): Promise<FollowUpCounts[]> {
  let q = db
    .selectFrom('follow_ups')
    .select([
      'unit_code',
      (eb) => eb.fn.countAll<number>().as('due'),
      (eb) => eb.fn.sum<number>(eb.case().when('status', '=', 'done').then(1).else(0).end()).as('done'),
      (eb) => eb.fn.sum<number>(eb.case().when('reached', '=', 1).then(1).else(0).end()).as('reached'),
      (eb) => eb.fn.sum<number>(eb.case().when('fixed', '=', 1).then(1).else(0).end()).as('fixed'),
      (eb) => eb.fn.sum<number>(eb.case().when('satisfaction', '=', 'satisfied').then(1).else(0).end()).as('satisfied'),
      (eb) => eb.fn.sum<number>(eb.case().when('satisfaction', '=', 'fair').then(1).else(0).end()).as('fair'),
      (eb) => eb.fn.sum<number>(eb.case().when('satisfaction', '=', 'unsatisfied').then(1).else(0).end()).as('unsatisfied'),
      (eb) =>
        eb.fn
          .sum<number>(
            eb
              .case()
              .when(eb.and([eb('reached', '=', 1), eb('channel', '=', 'online')]))
              .then(1)
              .else(0)
              .end(),
          )
          .as('online'),
    ])
    .where('unit_code', 'is not', null)
    .groupBy('unit_code');
  if (range.from) q = q.where('closed_at', '>=', range.from);
  if (range.before) q = q.where('closed_at', '<', range.before);
  const rows = await q.execute();
  return rows.map((r) => ({
    unitCode: r.unit_code!,
    due: Number(r.due),
    done: Number(r.done ?? 0),
    reached: Number(r.reached ?? 0),
    fixed: Number(r.fixed ?? 0),
    satisfied: Number(r.satisfied ?? 0),
    fair: Number(r.fair ?? 0),
    unsatisfied: Number(r.unsatisfied ?? 0),
    byPhone: Number(r.reached ?? 0) - Number(r.online ?? 0),
    online: Number(r.online ?? 0),
  }));
}

type FollowUpRow = Pick<
  Selectable<FollowUpTable>,
  'closed_at' | 'status' | 'attempts' | 'reached' | 'fixed' | 'satisfaction' | 'comment' | 'completed_at' | 'reopened' | 'channel'
>;

export interface TicketFollowUp {
  closedAt: string;
  status: 'pending' | 'done';
  attempts: number;
  reached: boolean | null;
  fixed: boolean | null;
  satisfaction: string | null;
  comment: string | null;
  completedAt: string | null;
  reopened: boolean;
  channel: FollowUpChannel;
}

function toTicketFollowUp(f: FollowUpRow): TicketFollowUp {
  return {
    closedAt: f.closed_at,
    status: f.status === 'done' ? 'done' : 'pending',
    attempts: Number(f.attempts),
    reached: f.reached === null ? null : Number(f.reached) === 1,
    fixed: f.fixed === null ? null : Number(f.fixed) === 1,
    satisfaction: f.satisfaction,
    comment: f.comment,
    completedAt: f.completed_at,
    reopened: Number(f.reopened) === 1,
    channel: f.channel === 'online' ? 'online' : 'phone',
  };
}

/** A ticket's follow-ups, one per closure, oldest first. */
export async function listFollowUpsOfTicket(db: Db, ticketId: number): Promise<TicketFollowUp[]> {
  const rows = await db
    .selectFrom('follow_ups')
    .select(['closed_at', 'status', 'attempts', 'reached', 'fixed', 'satisfaction', 'comment', 'completed_at', 'reopened', 'channel'])
    .where('ticket_id', '=', ticketId)
    .orderBy('closed_at')
    .execute();
  return rows.map(toTicketFollowUp);
}
