// Follow-up calls (回访, issue 5 item 4): when the office verifies and closes a ticket whose
// reporter left a number and may be called back, a follow-up task appears for the operators.
// They record whether the caller was reached, whether the problem is really fixed, and the
// satisfaction (满意/基本满意/不满意) with a comment. "Not fixed" or "unsatisfied" reopens the
// ticket for the office with the reason; a caller not reached after three attempts closes the
// task as unreached. The results count on the record of the unit that held the ticket.
//
// Domain, not the hotline's: every channel's reporters are called back, and the results feed the
// units' record (ledgers) and the ticket's page (staff); online "fixed?" answers will feed it too.
// The SQL is in follow-up-repository.ts.
import type { Kysely } from 'kysely';
import { canSeeReporter, type StaffUser } from '../auth/roles.ts';
import type { Catalog } from '../catalog/types.ts';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/schema.ts';
import { ConflictError, ForbiddenError, InvalidInputError, NotFoundError } from '../errors.ts';
import { fieldErrors } from '../field-errors.ts';
import type { StaffCommands, TicketObserver } from '../staff/ticket-commands.ts';
import { STATUS_LABELS, type Status } from '../tickets/lifecycle.ts';
import {
  countFollowUpsByUnit,
  findCallbackContact,
  findFollowUpTask,
  insertFollowUp,
  lastRectificationTexts,
  listPendingFollowUps,
  markFollowUpReopened,
  recordFollowUpAttempt,
  type FollowUpAttempt,
  type FollowUpCounts,
} from './follow-up-repository.ts';
import { followUpInputSchema, MAX_ATTEMPTS, SATISFACTION_LABELS, type FollowUpInput } from './follow-up-schema.ts';

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

/** A unit's follow-ups (`due`: tasks made, i.e. tickets closed with a reachable reporter) and their rates. */
export interface FollowUpStats extends FollowUpCounts {
  /** reached / due. */
  followUpRate: number | null;
  /** (satisfied + fair) / reached. */
  satisfactionRate: number | null;
}

/** Makes the follow-up task when a ticket is closed (a TicketObserver in the closing transaction). */
export const followUpOnClose: TicketObserver = async (trx, { ticket, event }) => {
  if (event.toStatus !== 'closed') return;
  const contact = await findCallbackContact(trx, ticket.id);
  if (!contact?.phone || !contact.wantsCallback) return;
  await insertFollowUp(trx, { ticketId: ticket.id, closedAt: event.at, unitCode: ticket.leadUnitCode });
};

export function createFollowUps(deps: { db: Kysely<Database>; catalog: Catalog; clock: Clock; commands: Pick<StaffCommands, 'act'> }) {
  const { db, catalog, clock } = deps;

  function mayCall(user: StaffUser): void {
    if (!canSeeReporter(user)) throw new ForbiddenError('只有热线话务员和创城办可以回访');
  }

  async function pending(user: StaffUser, options: { limit?: number } = {}): Promise<{ items: FollowUpTask[]; total: number }> {
    mayCall(user);
    const { items, total } = await listPendingFollowUps(db, Math.min(options.limit ?? 50, 200));
    const lastReport = await lastRectificationTexts(
      db,
      items.map((t) => t.ticketId),
    );
    return {
      total,
      items: items.map((t) => ({
        id: t.id,
        trackingCode: t.trackingCode,
        status: t.status,
        statusLabel: STATUS_LABELS[t.status],
        description: t.description,
        closedAt: t.closedAt,
        unit: t.unitCode ? (catalog.unit(t.unitCode)?.shortName ?? t.unitCode) : null,
        callerPhone: t.callerPhone,
        callerName: t.callerName,
        attempts: t.attempts,
        lastAttemptAt: t.lastAttemptAt,
        rectification: lastReport.get(t.ticketId) ?? null,
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
    const task = await findFollowUpTask(db, input.id);
    if (!task) throw new NotFoundError('没有这条回访任务');
    if (task.status !== 'pending') throw new ConflictError('这条回访已经登记过结果');
    const attempt = { attempts: task.attempts + 1, lastAttemptAt: now, operatorId: user.id };

    if (!input.reached) {
      const done = attempt.attempts >= MAX_ATTEMPTS;
      await claim(input.id, {
        ...attempt,
        ...(input.comment && { comment: input.comment }),
        ...(done && { done: { reached: false, completedAt: now } }),
      });
      return { id: input.id, done, reopened: false };
    }

    const notFixed = input.fixed === false;
    const unsatisfied = input.satisfaction === 'unsatisfied';
    await claim(input.id, {
      ...attempt,
      comment: input.comment ?? null,
      done: { reached: true, fixed: input.fixed === true, satisfaction: input.satisfaction ?? null, completedAt: now },
    });
    if (!notFixed && !unsatisfied) return { id: input.id, done: true, reopened: false };

    const why = [notFixed ? '问题未解决' : null, unsatisfied ? `来电人${SATISFACTION_LABELS.unsatisfied}` : null]
      .filter(Boolean)
      .join('，');
    // The caller's own words stay in the follow-up record (which the retention purge can clear),
    // not in the ticket's append-only event log.
    const reason = `回访：${why}${input.comment ? '（来电人意见见本工单的回访记录）' : ''}`;
    try {
      await deps.commands.act(user, { trackingCode: task.trackingCode, act: { action: 'reopen', reason } });
    } catch (error) {
      return { id: input.id, done: true, reopened: false, reopenError: error instanceof Error ? error.message : String(error) };
    }
    await markFollowUpReopened(db, input.id);
    return { id: input.id, done: true, reopened: true };
  }

  /** Two operators recording the same task at once record it once; the second is told to refresh. */
  async function claim(id: number, attempt: FollowUpAttempt): Promise<void> {
    if (!(await recordFollowUpAttempt(db, id, attempt))) throw new ConflictError('这条回访刚被其他话务员登记，请刷新');
  }

  return { pending, record, stats: (range: { from?: string; before?: string } = {}) => followUpStats(db, range) };
}

/**
 * Follow-up results per unit — the unit that held each ticket when it was closed — for follow-ups
 * of closures in [from, before): the units' record (monthly report, unit pages).
 */
export async function followUpStats(db: Kysely<Database>, range: { from?: string; before?: string } = {}): Promise<FollowUpStats[]> {
  const counts = await countFollowUpsByUnit(db, range);
  return counts.map((c) => ({
    ...c,
    followUpRate: c.due > 0 ? c.reached / c.due : null,
    satisfactionRate: c.reached > 0 ? (c.satisfied + c.fair) / c.reached : null,
  }));
}

export type FollowUps = ReturnType<typeof createFollowUps>;
