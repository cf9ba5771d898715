// Follow-up calls (回访, issue 5 item 4): when the office verifies and closes a ticket whose
// reporter left a number and may be called back, a follow-up task appears for the operators.
// They record whether the caller was reached, whether the problem is really fixed, and the
// satisfaction (满意/基本满意/不满意) with a comment. "Not fixed" or "unsatisfied" reopens the
// ticket for the office with the reason; a caller not reached after three attempts closes the
// task as unreached. The results count on the record of the unit that held the ticket.
import type { Kysely, Transaction, Updateable } from 'kysely';
import { canSeeReporter, type StaffUser } from '../auth/roles.ts';
import type { Catalog } from '../catalog/types.ts';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/schema.ts';
import { ConflictError, ForbiddenError, InvalidInputError, NotFoundError } from '../errors.ts';
import { fieldErrors } from '../field-errors.ts';
import type { StaffCommands, TicketObserver } from '../staff/ticket-commands.ts';
import { STATUS_LABELS, type Status } from '../tickets/lifecycle.ts';
import { followUpInputSchema, SATISFACTION_LABELS, type FollowUpInput } from './call-schema.ts';

/** Attempts without reaching the caller before the task is closed as unreached. */
export const MAX_ATTEMPTS = 3;

export interface FollowUpTask {
  id: number;
  trackingCode: string;
  status: Status;
  statusLabel: string;
  description: string;
  closedAt: string;
  unit: string | null;
  callerPhone: string | null;
  callerName: string | null;
  attempts: number;
  lastAttemptAt: string | null;
  /** What the unit reported when it finished (the last rectification report), to read to the caller. */
  rectification: string | null;
}

export interface FollowUpResult {
  id: number;
  done: boolean;
  reopened: boolean;
  /** Why reopening failed, when it should have happened (the ticket changed meanwhile). */
  reopenError?: string;
}

export interface FollowUpStats {
  unitCode: string;
  /** Follow-up tasks made (tickets closed with a reachable reporter). */
  due: number;
  done: number;
  reached: number;
  fixed: number;
  satisfied: number;
  fair: number;
  unsatisfied: number;
  /** reached / due. */
  followUpRate: number | null;
  /** (satisfied + fair) / reached. */
  satisfactionRate: number | null;
}

/** Makes the follow-up task when a ticket is closed (a TicketObserver in the closing transaction). */
export const followUpOnClose: TicketObserver = async (trx, { ticket, event }) => {
  if (event.toStatus !== 'closed') return;
  const reporter = await trx
    .selectFrom('ticket_reporters')
    .select(['phone', 'wants_callback'])
    .where('ticket_id', '=', ticket.id)
    .executeTakeFirst();
  if (!reporter?.phone || Number(reporter.wants_callback) !== 1) return;
  await trx
    .insertInto('follow_ups')
    .values({
      ticket_id: ticket.id,
      closed_at: event.at,
      created_at: event.at,
      status: 'pending',
      last_attempt_at: null,
      reached: null,
      fixed: null,
      satisfaction: null,
      comment: null,
      operator_id: null,
      completed_at: null,
      unit_code: ticket.leadUnitCode,
    })
    .onConflict((oc) => oc.columns(['ticket_id', 'closed_at']).doNothing())
    .execute();
};

export function createFollowUps(deps: { db: Kysely<Database>; catalog: Catalog; clock: Clock; commands: Pick<StaffCommands, 'act'> }) {
  const { db, catalog, clock } = deps;

  function mayCall(user: StaffUser): void {
    if (!canSeeReporter(user)) throw new ForbiddenError('只有热线话务员和创城办可以回访');
  }

  async function pending(user: StaffUser, options: { limit?: number } = {}): Promise<{ items: FollowUpTask[]; total: number }> {
    mayCall(user);
    const base = db.selectFrom('follow_ups').where('follow_ups.status', '=', 'pending');
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
        .limit(Math.min(options.limit ?? 50, 200))
        .execute(),
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    const reports = rows.length
      ? await db
          .selectFrom('ticket_events')
          .select(['ticket_id', 'data', 'seq'])
          .where(
            'ticket_id',
            'in',
            rows.map((r) => Number(r.ticket_id)),
          )
          .where('action', '=', 'reportRectification')
          .orderBy('seq')
          .execute()
      : [];
    const lastReport = new Map<number, string>();
    for (const e of reports) {
      const text = (JSON.parse(e.data) as { text?: unknown }).text;
      if (typeof text === 'string') lastReport.set(Number(e.ticket_id), text);
    }
    return {
      total: Number(count.n),
      items: rows.map((r) => ({
        id: Number(r.id),
        trackingCode: r.tracking_code,
        status: r.status as Status,
        statusLabel: STATUS_LABELS[r.status as Status],
        description: r.description,
        closedAt: r.closed_at,
        unit: r.unit_code ? (catalog.unit(r.unit_code)?.shortName ?? r.unit_code) : null,
        callerPhone: r.phone,
        callerName: r.name,
        attempts: Number(r.attempts),
        lastAttemptAt: r.last_attempt_at,
        rectification: lastReport.get(Number(r.ticket_id)) ?? null,
      })),
    };
  }

  async function record(user: StaffUser, raw: FollowUpInput): Promise<FollowUpResult> {
    mayCall(user);
    const parsed = followUpInputSchema.safeParse(raw);
    if (!parsed.success) {
      const fields = fieldErrors(parsed.error);
      throw new InvalidInputError(Object.values(fields)[0] ?? '回访结果有误', fields);
    }
    const input = parsed.data;
    const now = clock.now().toISOString();
    const task = await db
      .selectFrom('follow_ups')
      .innerJoin('tickets', 'tickets.id', 'follow_ups.ticket_id')
      .select(['follow_ups.id', 'follow_ups.status', 'follow_ups.attempts', 'tickets.tracking_code'])
      .where('follow_ups.id', '=', input.id)
      .executeTakeFirst();
    if (!task) throw new NotFoundError('没有这条回访任务');
    if (task.status !== 'pending') throw new ConflictError('这条回访已经登记过结果');

    if (!input.reached) {
      const attempts = Number(task.attempts) + 1;
      const done = attempts >= MAX_ATTEMPTS;
      await claim(db, input.id, {
        attempts,
        last_attempt_at: now,
        operator_id: user.id,
        ...(input.comment && { comment: input.comment }),
        ...(done && { status: 'done', reached: 0, completed_at: now }),
      });
      return { id: input.id, done, reopened: false };
    }

    const notFixed = input.fixed === false;
    const unsatisfied = input.satisfaction === 'unsatisfied';
    await claim(db, input.id, {
      status: 'done',
      attempts: Number(task.attempts) + 1,
      last_attempt_at: now,
      reached: 1,
      fixed: input.fixed ? 1 : 0,
      satisfaction: input.satisfaction ?? null,
      comment: input.comment ?? null,
      operator_id: user.id,
      completed_at: now,
    });
    if (!notFixed && !unsatisfied) return { id: input.id, done: true, reopened: false };

    const why = [notFixed ? '问题未解决' : null, unsatisfied ? `来电人${SATISFACTION_LABELS.unsatisfied}` : null]
      .filter(Boolean)
      .join('，');
    // The caller's own words stay in the follow-up record (which the retention purge can clear),
    // not in the ticket's append-only event log.
    const reason = `回访：${why}${input.comment ? '（来电人意见见本工单的回访记录）' : ''}`;
    try {
      await deps.commands.act(user, { trackingCode: task.tracking_code, act: { action: 'reopen', reason } });
    } catch (error) {
      return { id: input.id, done: true, reopened: false, reopenError: error instanceof Error ? error.message : String(error) };
    }
    await db.updateTable('follow_ups').set({ reopened: 1 }).where('id', '=', input.id).execute();
    return { id: input.id, done: true, reopened: true };
  }

  /** The conditional update that makes two operators recording the same task at once record it once. */
  async function claim(
    db: Kysely<Database> | Transaction<Database>,
    id: number,
    values: Updateable<Database['follow_ups']>,
  ): Promise<void> {
    const result = await db.updateTable('follow_ups').set(values).where('id', '=', id).where('status', '=', 'pending').executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) throw new ConflictError('这条回访刚被其他话务员登记，请刷新');
  }

  return { pending, record, stats: (range: { from?: string; before?: string } = {}) => followUpStats(db, range) };
}

/**
 * Follow-up results per unit — the unit that held each ticket when it was closed — for follow-ups
 * of closures in [from, before): the units' record (monthly report, unit pages).
 */
export async function followUpStats(db: Kysely<Database>, range: { from?: string; before?: string } = {}): Promise<FollowUpStats[]> {
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
    ])
    .where('unit_code', 'is not', null)
    .groupBy('unit_code');
  if (range.from) q = q.where('closed_at', '>=', range.from);
  if (range.before) q = q.where('closed_at', '<', range.before);
  const rows = await q.execute();
  return rows.map((r) => {
    const due = Number(r.due);
    const reached = Number(r.reached ?? 0);
    const satisfied = Number(r.satisfied ?? 0);
    const fair = Number(r.fair ?? 0);
    return {
      unitCode: r.unit_code!,
      due,
      done: Number(r.done ?? 0),
      reached,
      fixed: Number(r.fixed ?? 0),
      satisfied,
      fair,
      unsatisfied: Number(r.unsatisfied ?? 0),
      followUpRate: due > 0 ? reached / due : null,
      satisfactionRate: reached > 0 ? (satisfied + fair) / reached : null,
    };
  });
}

export type FollowUps = ReturnType<typeof createFollowUps>;
