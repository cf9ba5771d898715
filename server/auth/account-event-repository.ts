// Account actions as they are recorded for an assessor (安全审计): who did what to whose account,
// when. Rows are only ever inserted.
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';

export const ACCOUNT_ACTIONS = [
  'password-reset',
  'password-changed',
  'second-factor-enrolled',
  'second-factor-reset',
  'recovery-code-used',
] as const;
export type AccountAction = (typeof ACCOUNT_ACTIONS)[number];

export interface AccountEvent {
  at: string;
  /** Null when done at the server's command line, or by the person themselves. */
  actorUserId: number | null;
  subjectUserId: number;
  action: AccountAction;
  detail: Record<string, unknown>;
}

export async function insertAccountEvent(db: Kysely<Database>, e: AccountEvent): Promise<void> {
  await db
    .insertInto('account_events')
    .values({
      at: e.at,
      actor_user_id: e.actorUserId,
      subject_user_id: e.subjectUserId,
      action: e.action,
      detail: JSON.stringify(e.detail),
    })
    .execute();
}

/** The events of one account, oldest first. */
export async function accountEventsOf(db: Kysely<Database>, subjectUserId: number): Promise<AccountEvent[]> {
  const rows = await db
    .selectFrom('account_events')
    .select(['at', 'actor_user_id', 'subject_user_id', 'action', 'detail'])
    .where('subject_user_id', '=', subjectUserId)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    at: r.at,
    actorUserId: r.actor_user_id === null ? null : Number(r.actor_user_id),
    subjectUserId: Number(r.subject_user_id),
    action: r.action as AccountAction,
    detail: JSON.parse(r.detail) as Record<string, unknown>,
  }));
}
