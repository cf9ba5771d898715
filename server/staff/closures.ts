// What residents read of a verified closure (issue 15 item 2): the rectification summary as the
// office approved it. At 销号 the office may rewrite the unit's text for residents (units sometimes
// write names or phone numbers); left blank, the unit's last report is kept as it is. The summary
// is its own value (ticket_closures), not the event log: the office may edit it later for an
// already closed ticket, and each edit is recorded as an event (`editPublicSummary`, a mark that
// leaves the state as it was and that the public timeline does not show).
import type { Kysely } from 'kysely';
import { isOffice, type StaffUser } from '../auth/roles.ts';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/schema.ts';
import { ConflictError, ForbiddenError, InvalidInputError } from '../errors.ts';
import { fieldErrors } from '../field-errors.ts';
import { findClosure, insertClosure, lastRectificationText, updateClosureSummary } from '../tickets/closure-repository.ts';
import { applyEvent, type EventRecord } from '../tickets/ticket-repository.ts';
import { z } from '../validation.ts';
import { publicSummary } from './action-schema.ts';
import { ticketForUser, type TicketObserver } from './ticket-commands.ts';

export const EDIT_PUBLIC_SUMMARY = 'editPublicSummary';
export const CLOSURE_ACTION_LABELS: Record<string, string> = { [EDIT_PUBLIC_SUMMARY]: '修改公开的整改情况' };

export const editPublicSummaryInputSchema = z.object({
  trackingCode: z.string().trim().min(1, { error: '请填写查询码' }).max(40),
  publicSummary: publicSummary.min(1, { error: '请填写向群众公开的整改情况' }),
});

/** Records the closure and its public summary in the verifying transaction (a TicketObserver). */
export const closureOnVerify: TicketObserver = async (trx, { ticket, event }) => {
  if (event.action !== 'verify' || event.toStatus !== 'closed') return;
  const approved = event.data['publicSummary'];
  const summary = typeof approved === 'string' && approved ? approved : ((await lastRectificationText(trx, ticket.id)) ?? '');
  await insertClosure(trx, { ticketId: ticket.id, closedAt: event.at, publicSummary: summary });
};

export function createClosures(deps: { db: Kysely<Database>; clock: Clock }) {
  const { db, clock } = deps;

  /** The summary residents read now, for a closed ticket the user may see; null when there is none. */
  async function current(user: StaffUser, trackingCode: string): Promise<{ publicSummary: string; editedAt: string | null } | null> {
    const ticket = await ticketForUser(db, user, trackingCode);
    if (ticket.status !== 'closed' || !ticket.closedAt) return null;
    const closure = await findClosure(db, ticket.id, ticket.closedAt);
    return closure ? { publicSummary: closure.publicSummary, editedAt: closure.summaryEditedAt } : null;
  }

  /** The office rewrites what residents read of a closed ticket; recorded as an event. */
  async function editSummary(user: StaffUser, raw: unknown): Promise<void> {
    if (!isOffice(user)) throw new ForbiddenError('只有创城办可以修改向群众公开的整改情况');
    const parsed = editPublicSummaryInputSchema.safeParse(raw);
    if (!parsed.success) {
      const fields = fieldErrors(parsed.error);
      throw new InvalidInputError(Object.values(fields)[0] ?? '提交的内容有误', fields);
    }
    const input = parsed.data;
    const at = clock.now().toISOString();
    await db.transaction().execute(async (trx) => {
      const ticket = await ticketForUser(trx, user, input.trackingCode);
      const closure = ticket.status === 'closed' && ticket.closedAt ? await findClosure(trx, ticket.id, ticket.closedAt) : null;
      if (!ticket.closedAt || !closure) throw new ConflictError('这件工单没有经核验办结，群众看不到整改情况，无需修改');
      await updateClosureSummary(trx, {
        ticketId: ticket.id,
        closedAt: ticket.closedAt,
        publicSummary: input.publicSummary,
        editedAt: at,
        editedBy: user.id,
      });
      const event: Omit<EventRecord, 'seq'> = {
        at,
        actorKind: 'office',
        actorId: String(user.id),
        action: EDIT_PUBLIC_SUMMARY,
        fromStatus: ticket.status,
        toStatus: ticket.status,
        reason: null,
        data: { publicSummary: input.publicSummary, previous: closure.publicSummary },
      };
      await applyEvent(trx, ticket, event, { status: ticket.status });
    });
  }

  return { current, editSummary };
}

export type Closures = ReturnType<typeof createClosures>;
