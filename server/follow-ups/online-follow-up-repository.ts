// Storage of the reporters' online answers (网上回访, online-follow-ups.ts): what the reporter left
// to prove it is them, the one-time links of the closing mail, and the follow-up row of a closure
// an answer completes, starts or changes (channel 'online'). Plain objects from explicit selects.
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { FollowUpChannel, Satisfaction } from './follow-up-schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** What the reporter left to prove it is them: the phone number (digits) and whether an e-mail address. */
export async function findReporterProof(db: Db, ticketId: number): Promise<{ phone: string | null; hasEmail: boolean } | null> {
  const row = await db.selectFrom('ticket_reporters').select(['phone', 'email']).where('ticket_id', '=', ticketId).executeTakeFirst();
  return row ? { phone: row.phone, hasEmail: Boolean(row.email) } : null;
}

export async function insertFollowUpLink(
  db: Db,
  link: { tokenHash: string; ticketId: number; closedAt: string; createdAt: string },
): Promise<void> {
  await db
    .insertInto('follow_up_links')
    .values({ token_hash: link.tokenHash, ticket_id: link.ticketId, closed_at: link.closedAt, created_at: link.createdAt })
    .execute();
}

export async function findFollowUpLink(db: Db, tokenHash: string): Promise<{ ticketId: number; closedAt: string } | null> {
  const row = await db
    .selectFrom('follow_up_links')
    .select(['ticket_id', 'closed_at'])
    .where('token_hash', '=', tokenHash)
    .executeTakeFirst();
  return row ? { ticketId: Number(row.ticket_id), closedAt: row.closed_at } : null;
}

export interface ClosureFollowUp {
  id: number;
  status: 'pending' | 'done';
  channel: FollowUpChannel;
  fixed: boolean | null;
  satisfaction: Satisfaction | null;
  completedAt: string | null;
  answerChangedAt: string | null;
}

/** The follow-up of one closure of a ticket, if there is one. */
export async function findFollowUpOfClosure(db: Db, ticketId: number, closedAt: string): Promise<ClosureFollowUp | null> {
  const row = await db
    .selectFrom('follow_ups')
    .select(['id', 'status', 'channel', 'fixed', 'satisfaction', 'completed_at', 'answer_changed_at'])
    .where('ticket_id', '=', ticketId)
    .where('closed_at', '=', closedAt)
    .executeTakeFirst();
  return row
    ? {
        id: Number(row.id),
        status: row.status === 'done' ? 'done' : 'pending',
        channel: row.channel === 'online' ? 'online' : 'phone',
        fixed: row.fixed === null ? null : Number(row.fixed) === 1,
        satisfaction: row.satisfaction as Satisfaction | null,
        completedAt: row.completed_at,
        answerChangedAt: row.answer_changed_at,
      }
    : null;
}

export interface OnlineAnswer {
  fixed: boolean;
  satisfaction: Satisfaction;
  comment: string | null;
}

/** The first online answer of a closure with no follow-up yet; false when one appeared meanwhile. */
export async function insertOnlineAnswer(
  db: Db,
  a: OnlineAnswer & { ticketId: number; closedAt: string; unitCode: string | null; at: string },
): Promise<boolean> {
  const result = await db
    .insertInto('follow_ups')
    .values({
      ticket_id: a.ticketId,
      closed_at: a.closedAt,
      created_at: a.at,
      status: 'done',
      last_attempt_at: null,
      reached: 1,
      fixed: a.fixed ? 1 : 0,
      satisfaction: a.satisfaction,
      comment: a.comment,
      operator_id: null,
      completed_at: a.at,
      unit_code: a.unitCode,
      channel: 'online',
    })
    .onConflict((oc) => oc.columns(['ticket_id', 'closed_at']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
}

/** The online answer completes a task still pending (no operator recorded it meanwhile). */
export async function completeWithOnlineAnswer(db: Db, id: number, a: OnlineAnswer & { at: string }): Promise<boolean> {
  const result = await db
    .updateTable('follow_ups')
    .set({
      status: 'done',
      channel: 'online',
      reached: 1,
      fixed: a.fixed ? 1 : 0,
      satisfaction: a.satisfaction,
      comment: a.comment,
      completed_at: a.at,
    })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** A change of an online answer (the caller checked the 7 days). */
export async function changeOnlineAnswer(db: Db, id: number, a: OnlineAnswer & { at: string }): Promise<void> {
  await db
    .updateTable('follow_ups')
    .set({ fixed: a.fixed ? 1 : 0, satisfaction: a.satisfaction, comment: a.comment, answer_changed_at: a.at })
    .where('id', '=', id)
    .where('channel', '=', 'online')
    .execute();
}
