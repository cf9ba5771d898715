// Account actions as they are recorded for an assessor (安全审计, ADR 018): who did what to whose
// account, when, and from where. Rows are only ever inserted (the database refuses the rest).
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';

export const ACCOUNT_ACTIONS = [
  // Signing in and out.
  'signed-in',
  'sign-in-password-accepted',
  'sign-in-failed',
  'sign-in-locked',
  'signed-out',
  'session-expired',
  // Passwords and the second factor.
  'password-reset',
  'password-changed',
  'second-factor-enrolled',
  'second-factor-reset',
  'recovery-code-used',
  // What administrators change.
  'account-created',
  'role-changed',
  'display-name-changed',
  'account-disabled',
  'account-enabled',
  // Residents' data taken out of the portal: ledgers, supervision cards, the audit export, backups.
  'exported',
] as const;
export type AccountAction = (typeof ACCOUNT_ACTIONS)[number];

/** Where a request came from: the address as the server sees it (TRUST_PROXY applied) and the user agent. */
export interface RequestClient {
  ip: string;
  userAgent?: string | undefined;
}

export interface AccountEvent {
  at: string;
  /** Null when done at the server's command line, by the worker, or by the person themselves signing in. */
  actorUserId: number | null;
  /** Null when no account is concerned (a sign-in with an unknown username, a command-line export). */
  subjectUserId: number | null;
  action: AccountAction;
  /** Never a password, never a username typed that matched no account, never a resident's data. */
  detail: Record<string, unknown>;
  /** Absent when not done through a request. */
  client?: RequestClient | undefined;
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
      ip: e.client?.ip ?? null,
      user_agent: e.client?.userAgent?.slice(0, 300) ?? null,
    })
    .execute();
}

export interface StoredAccountEvent extends AccountEvent {
  id: number;
}

function toEvent(r: {
  id: number;
  at: string;
  actor_user_id: number | null;
  subject_user_id: number | null;
  action: string;
  detail: string;
  ip: string | null;
  user_agent: string | null;
}): StoredAccountEvent {
  return {
    id: Number(r.id),
    at: r.at,
    actorUserId: r.actor_user_id === null ? null : Number(r.actor_user_id),
    subjectUserId: r.subject_user_id === null ? null : Number(r.subject_user_id),
    action: r.action as AccountAction,
    detail: JSON.parse(r.detail) as Record<string, unknown>,
    ...(r.ip !== null && { client: { ip: r.ip, ...(r.user_agent !== null && { userAgent: r.user_agent }) } }),
  };
}

const COLUMNS = ['id', 'at', 'actor_user_id', 'subject_user_id', 'action', 'detail', 'ip', 'user_agent'] as const;

/** The events of one account, oldest first. */
export async function accountEventsOf(db: Kysely<Database>, subjectUserId: number): Promise<StoredAccountEvent[]> {
  const rows = await db.selectFrom('account_events').select(COLUMNS).where('subject_user_id', '=', subjectUserId).orderBy('id').execute();
  return rows.map(toEvent);
}

/**
 * A page of events, newest first: of one account (done to it, or by it), or of all. `total`
 * counts the whole list.
 */
export async function pageOfAccountEvents(
  db: Kysely<Database>,
  query: { userId: number | null; offset: number; limit: number },
): Promise<{ events: StoredAccountEvent[]; total: number }> {
  let base = db.selectFrom('account_events');
  if (query.userId !== null) {
    const userId = query.userId;
    base = base.where((eb) => eb.or([eb('subject_user_id', '=', userId), eb('actor_user_id', '=', userId)]));
  }
  const [rows, count] = await Promise.all([
    base.select(COLUMNS).orderBy('id', 'desc').offset(query.offset).limit(query.limit).execute(),
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { events: rows.map(toEvent), total: Number(count.n) };
}
