// Storage of the mailbox's health (mailbox_status) and the office's views of what mail became
// (mail_messages): the mailbox console's and the worker's SQL. Returns plain objects; rows are
// typed from db/schema.ts.
import { sql, type Kysely, type Selectable, type Transaction, type Updateable } from 'kysely';
import type { Database } from '../../db/schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

export type MailboxStatusRow = Selectable<Database['mailbox_status']>;
export type MailboxStatusChange = Omit<Updateable<Database['mailbox_status']>, 'mailbox' | 'consecutive_failures'>;

/** Writes the mailbox's status; `failed` counts a failure, resets the count (false), or leaves it (null). */
export async function upsertMailboxStatus(db: Db, mailbox: string, values: MailboxStatusChange, failed: boolean | null): Promise<void> {
  await db
    .insertInto('mailbox_status')
    .values({ mailbox, ...values, ...(failed !== null && { consecutive_failures: failed ? 1 : 0 }) })
    .onConflict((oc) =>
      oc.column('mailbox').doUpdateSet((eb) => ({
        ...values,
        ...(failed === true && { consecutive_failures: eb('mailbox_status.consecutive_failures', '+', 1) }),
        ...(failed === false && { consecutive_failures: 0 }),
      })),
    )
    .execute();
}

export async function findMailboxStatus(db: Db, mailbox: string): Promise<MailboxStatusRow | null> {
  return (await db.selectFrom('mailbox_status').selectAll().where('mailbox', '=', mailbox).executeTakeFirst()) ?? null;
}

/** Messages per outcome received since `since` (all when null), re-processed ones left out. */
export async function countOutcomes(db: Db, since: string | null): Promise<Array<{ outcome: string; n: number }>> {
  let query = db
    .selectFrom('mail_messages')
    .select(['outcome', (eb) => eb.fn.countAll<number>().as('n')])
    .where('reprocessed_at', 'is', null)
    .groupBy('outcome');
  if (since) query = query.where('received_at', '>=', since);
  return (await query.execute()).map((r) => ({ outcome: r.outcome, n: Number(r.n) }));
}

export interface QuarantinedRow {
  id: number;
  receivedAt: string;
  from: string | null;
  subject: string;
  reason: string | null;
  source: string | null;
  rawPath: string | null;
}

/** Quarantined mail not re-processed (or whose claim went stale before `stale`), newest first, and how many. */
export async function listQuarantined(db: Db, stale: string, limit: number): Promise<{ rows: QuarantinedRow[]; total: number }> {
  const query = db
    .selectFrom('mail_messages')
    .where('outcome', '=', 'quarantined')
    .where('reprocessed_outcome', 'is', null)
    .where((eb) => eb.or([eb('reprocessed_at', 'is', null), eb('reprocessed_at', '<', stale)]));
  const [rows, total] = await Promise.all([
    query
      .select(['id', 'received_at', 'from_address', 'subject', 'reason', 'source', 'raw_path'])
      .orderBy('id', 'desc')
      .limit(limit)
      .execute(),
    query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst(),
  ]);
  return {
    rows: rows.map((r) => ({
      id: Number(r.id),
      receivedAt: r.received_at,
      from: r.from_address,
      subject: r.subject,
      reason: r.reason,
      source: r.source,
      rawPath: r.raw_path,
    })),
    total: Number(total?.n ?? 0),
  };
}

/** The latest re-processed mail, newest first: what became of them. */
export async function listReprocessed(
  db: Db,
  limit: number,
): Promise<Array<{ id: number; subject: string; at: string; outcome: string; trackingCode: string | null }>> {
  const rows = await db
    .selectFrom('mail_messages')
    .leftJoin('tickets', 'tickets.id', 'mail_messages.reprocessed_ticket_id')
    .select([
      'mail_messages.id',
      'mail_messages.subject',
      'mail_messages.reprocessed_at',
      'mail_messages.reprocessed_outcome',
      'tickets.tracking_code',
    ])
    .where('mail_messages.reprocessed_outcome', 'is not', null)
    .orderBy('mail_messages.reprocessed_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    id: Number(r.id),
    subject: r.subject,
    at: r.reprocessed_at ?? '',
    outcome: r.reprocessed_outcome ?? '',
    trackingCode: r.tracking_code,
  }));
}

export interface UnacknowledgedRow {
  id: number;
  receivedAt: string;
  from: string | null;
  subject: string;
  reason: string;
  trackingCode: string | null;
}

/** Mail since `since` that made a ticket but got no acknowledgement, newest first, and how many. */
export async function listUnacknowledged(db: Db, since: string, limit: number): Promise<{ rows: UnacknowledgedRow[]; total: number }> {
  const query = db
    .selectFrom('mail_messages')
    .where('outcome', '=', 'created')
    .where('received_at', '>=', since)
    .where('reason', 'like', 'no acknowledgement:%');
  const [rows, total] = await Promise.all([
    query
      .leftJoin('tickets', 'tickets.id', 'mail_messages.ticket_id')
      .select([
        'mail_messages.id',
        'mail_messages.received_at',
        'mail_messages.from_address',
        'mail_messages.subject',
        'mail_messages.reason',
        'tickets.tracking_code',
      ])
      .orderBy('mail_messages.id', 'desc')
      .limit(limit)
      .execute(),
    query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst(),
  ]);
  return {
    rows: rows.map((r) => ({
      id: Number(r.id),
      receivedAt: r.received_at,
      from: r.from_address,
      subject: r.subject,
      reason: r.reason ?? '',
      trackingCode: r.tracking_code,
    })),
    total: Number(total?.n ?? 0),
  };
}

export async function findMailForReprocess(
  db: Db,
  id: number,
): Promise<{ outcome: string; rawPath: string | null; reprocessedOutcome: string | null } | null> {
  const row = await db
    .selectFrom('mail_messages')
    .select(['outcome', 'raw_path', 'reprocessed_outcome'])
    .where('id', '=', id)
    .executeTakeFirst();
  return row ? { outcome: row.outcome, rawPath: row.raw_path, reprocessedOutcome: row.reprocessed_outcome } : null;
}

/**
 * Claims a quarantined mail for re-processing (unless another claim on it is younger than
 * `stale`) and releases its dedupe keys, so the message is new to processMail. Whether it was claimed.
 */
export async function claimForReprocess(db: Db, id: number, claim: { at: string; by: number; stale: string }): Promise<boolean> {
  const result = await db
    .updateTable('mail_messages')
    .set({
      message_id: null,
      content_hash: sql<string>`${`reprocessed:${id}:`} || content_hash`,
      reprocessed_at: claim.at,
      reprocessed_by: claim.by,
    })
    .where('id', '=', id)
    .where('outcome', '=', 'quarantined')
    .where('reprocessed_outcome', 'is', null)
    .where((eb) => eb.or([eb('reprocessed_at', 'is', null), eb('reprocessed_at', '<', claim.stale)]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function recordReprocessed(db: Db, id: number, outcome: string, ticketId: number | null): Promise<void> {
  await db
    .updateTable('mail_messages')
    .set({ reprocessed_outcome: outcome, reprocessed_ticket_id: ticketId })
    .where('id', '=', id)
    .execute();
}
