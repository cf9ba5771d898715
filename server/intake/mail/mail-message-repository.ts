// Storage of the mail the dedicated mailbox received (mail_messages) and of the replies and
// bounces shown on a ticket's timeline (ticket_messages): all the mail intake's SQL. Returns plain
// objects; rows are typed from db/schema.ts.
import { lookupHashes } from '../../db/personal-data.ts';
import type { Insertable, Kysely, Transaction } from 'kysely';
import type { Database } from '../../db/schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** A message's dedupe keys: its Message-ID (unique when present) and its content hash (always unique). */
export interface MailKey {
  messageId: string | null;
  contentHash: string;
}

/** What an earlier message became, as processMail answered it then. */
export interface RecordedMail {
  outcome: string;
  reason: string | null;
  subject: string;
  trackingCode: string | null;
}

export type NewMailMessage = Omit<
  Insertable<Database['mail_messages']>,
  'id' | 'reprocessed_at' | 'reprocessed_by' | 'reprocessed_outcome' | 'reprocessed_ticket_id'
>;

export type NewTicketMessage = Omit<Insertable<Database['ticket_messages']>, 'id'>;

/** The row of the same Message-ID, else one with the very same content under another id; null for a new message. */
export async function findRecordedMail(db: Db, key: MailKey): Promise<RecordedMail | null> {
  const { messageId, contentHash } = key;
  // One query for both (each column is unique, so at most two rows).
  const rows = await db
    .selectFrom('mail_messages')
    .leftJoin('tickets', 'tickets.id', 'mail_messages.ticket_id')
    .select(['mail_messages.message_id', 'mail_messages.outcome', 'mail_messages.reason', 'mail_messages.subject', 'tickets.tracking_code'])
    .where((eb) =>
      messageId
        ? eb.or([eb('mail_messages.message_id', '=', messageId), eb('mail_messages.content_hash', '=', contentHash)])
        : eb('mail_messages.content_hash', '=', contentHash),
    )
    .execute();
  const row = (messageId ? rows.find((r) => r.message_id === messageId) : undefined) ?? rows[0];
  return row ? { outcome: row.outcome, reason: row.reason, subject: row.subject, trackingCode: row.tracking_code } : null;
}

/** Inserts the message's row; its id. A second row of one Message-ID or content hash violates a unique constraint. */
export async function insertMailMessage(db: Db, row: NewMailMessage): Promise<number> {
  const inserted = await db.insertInto('mail_messages').values(row).returning('id').executeTakeFirstOrThrow();
  return Number(inserted.id);
}

/**
 * Messages since `since` that made a new ticket from this sender key or any of its +tagged forms:
 * the keyed hash of a sender's address is of its sender key (ADR 019).
 */
export async function countTicketsMailedSince(db: Db, senderKey: string, since: string): Promise<number> {
  const row = await db
    .selectFrom('mail_messages')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('outcome', '=', 'created')
    .where('received_at', '>=', since)
    .where('from_hash', 'in', lookupHashes(db, 'email', senderKey))
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** The first ticket found among these tracking codes (a reply's subject names one), or null. */
export async function findTicketNamed(db: Db, trackingCodes: readonly string[]): Promise<{ id: number; trackingCode: string } | null> {
  const row = await db
    .selectFrom('tickets')
    .select(['id', 'tracking_code'])
    .where('tracking_code', 'in', [...trackingCodes])
    .executeTakeFirst();
  return row ? { id: Number(row.id), trackingCode: row.tracking_code } : null;
}

/** A reply or a bounce on a ticket's timeline. */
export async function insertTicketMessage(db: Db, message: NewTicketMessage): Promise<void> {
  await db.insertInto('ticket_messages').values(message).execute();
}
