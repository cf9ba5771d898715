// Follow-up calls (回访, issue 5 item 4): when the office verifies and closes a ticket whose
// reporter left a number and may be called back, a follow-up task appears for the operators.
// They record whether the caller was reached, whether the problem is really fixed, and the
// satisfaction (满意/基本满意/不满意) with a comment. "Not fixed" or "unsatisfied" reopens the
// ticket for the office with the reason; a caller not reached after three attempts closes the
// task as unreached. The results count on the record of the unit that held the ticket.
//
// Issue 15: the reporter may answer the same questions online on the tracking page (网上回访,
// online-follow-ups.ts). A task appears in the operators' list only FOLLOW_UP_ONLINE_WAIT_DAYS
// (default 3) after the closure, and an online answer in the meantime completes it (channel
// 'online'); both channels feed the same rates, counted apart (byPhone / online).
//
// Domain, not the hotline's: every channel's reporters are called back, and the results feed the
// units' record (ledgers) and the ticket's page (staff). The SQL is in follow-up-repository.ts.
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
import {
  followUpInputSchema,
  MAX_ATTEMPTS,
  SATISFACTION_LABELS,
  type FollowUpChannel,
  type FollowUpInput,
  type Satisfaction,
} from './follow-up-schema.ts';

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

const SPEAKER: Record<FollowUpChannel, { prefix: string; who: string }> = {
  phone: { prefix: '回访', who: '来电人' },
  online: { prefix: '网上回访', who: '反映人' },
};

/**
 * "Not fixed" or "不满意" reopens the ticket for the office, the same for an operator's call and
 * the reporter's online answer: `reopen` takes the action as whoever recorded the answer (the
 * operator, or the system for the reporter). The reporter's own words stay in the follow-up record
 * (which the retention purge can clear), not in the ticket's append-only event log.
 */
export async function reopenIfUnhappy(
  db: Kysely<Database>,
  answer: { id: number; fixed: boolean; satisfaction: Satisfaction | null; comment: string | null },
  channel: FollowUpChannel,
  reopen: (act: { action: 'reopen'; reason: string }) => Promise<unknown>,
): Promise<{ reopened: boolean; reopenError?: string }> {
  const notFixed = !answer.fixed;
  const unsatisfied = answer.satisfaction === 'unsatisfied';
  if (!notFixed && !unsatisfied) return { reopened: false };
  const { prefix, who } = SPEAKER[channel];
  const why = [notFixed ? '问题未解决' : null, unsatisfied ? `${who}${SATISFACTION_LABELS.unsatisfied}` : null].filter(Boolean).join('，');
  const reason = `${prefix}：${why}${answer.comment ? `（${who}意见见本工单的回访记录）` : ''}`;
  try {
    await reopen({ action: 'reopen', reason });
  } catch (error) {
    return { reopened: false, reopenError: error instanceof Error ? error.message : String(error) };
  }
  await markFollowUpReopened(db, answer.id);
  return { reopened: true };
}

/** Makes the follow-up task when a ticket is closed (a TicketObserver in the closing transaction). */
export const followUpOnClose: TicketObserver = async (trx, { ticket, event }) => {
  if (event.toStatus !== 'closed') return;
  const contact = await findCallbackContact(trx, ticket.id);
  if (!contact?.phone || !contact.wantsCallback) return;
  await insertFollowUp(trx, { ticketId: ticket.id, closedAt: event.at, unitCode: ticket.leadUnitCode });
};

/** Days a closed ticket waits for the reporter's online answer before it is the operators' to call. */
export const DEFAULT_ONLINE_WAIT_DAYS = 3;

export function createFollowUps(deps: {
  db: Kysely<Database>;
  catalog: Catalog;
  clock: Clock;
  commands: Pick<StaffCommands, 'act'>;
  /** FOLLOW_UP_ONLINE_WAIT_DAYS: a task appears in the operators' list this many days after the closure. */
  onlineWaitDays?: number;
}) {
  const { db, catalog, clock } = deps;
  const waitMs = (deps.onlineWaitDays ?? DEFAULT_ONLINE_WAIT_DAYS) * 86_400_000;

  function mayCall(user: StaffUser): void {
    if (!canSeeReporter(user)) throw new ForbiddenError('只有热线话务员和创城办可以回访');
  }

  async function pending(user: StaffUser, options: { limit?: number } = {}): Promise<{ items: FollowUpTask[]; total: number }> {
    mayCall(user);
    const closedBefore = new Date(clock.now().getTime() - waitMs).toISOString();
    const { items, total } = await listPendingFollowUps(db, Math.min(options.limit ?? 50, 200), closedBefore);
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

    await claim(input.id, {
      ...attempt,
      comment: input.comment ?? null,
      done: { reached: true, fixed: input.fixed === true, satisfaction: input.satisfaction ?? null, completedAt: now },
    });
    const reopening = await reopenIfUnhappy(
      db,
      { id: input.id, fixed: input.fixed === true, satisfaction: input.satisfaction ?? null, comment: input.comment ?? null },
      'phone',
      (act) => deps.commands.act(user, { trackingCode: task.trackingCode, act }),
    );
    return { id: input.id, done: true, ...reopening };
  }

  /** Two operators recording the same task at once record it once; the second is told to refresh. */
  async function claim(id: number, attempt: FollowUpAttempt): Promise<void> {
    if (!(await recordFollowUpAttempt(db, id, attempt))) throw new ConflictError('这条回访刚被其他话务员登记，请刷新');
  }

  return {
    pending,
    record,
    stats: (range: { from?: string; before?: string } = {}) => followUpStats(db, range),
    /** Days a closure waits for the reporter's online answer before its call is listed. */
    onlineWaitDays: deps.onlineWaitDays ?? DEFAULT_ONLINE_WAIT_DAYS,
  };
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
