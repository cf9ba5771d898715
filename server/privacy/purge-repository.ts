// The retention purge's SQL (purge.ts runs it): which rows are due — tickets finished before the
// cut-off, and calls, mail and replies older than it that belong to no ticket or to such a
// ticket — the rows that name a person, the writes that remove them, and whether a kept file is
// still named by a row. Plain rows out, typed from db/schema.ts (DESIGN rule 4).
import type { Kysely, Selectable, Transaction, Updateable } from 'kysely';
import type {
  CallTable,
  Database,
  FollowUpTable,
  MailMessageTable,
  MailOutboxTable,
  TicketEventTable,
  TicketMessageTable,
} from '../db/schema.ts';
import { TERMINAL_STATUSES } from '../tickets/lifecycle.ts';

export type Db = Kysely<Database> | Transaction<Database>;

/** The tables whose texts the purge rewrites. */
export type RedactedTable = 'tickets' | 'mail_outbox' | 'follow_ups' | 'ticket_messages' | 'mail_messages' | 'calls';

/** The tables whose rows older than the cut-off are purged on their own. */
export type PurgedTable = 'calls' | 'mail_messages' | 'ticket_messages';

/** Tickets finished (closed, rejected, merged) before the cut-off, as a subquery. */
function finishedBefore(db: Db, cut: string) {
  return db
    .selectFrom('tickets')
    .select('tickets.id')
    .where('tickets.status', 'in', TERMINAL_STATUSES)
    .where((eb) => eb(eb.fn.coalesce('tickets.closed_at', 'tickets.updated_at'), '<', cut));
}

export interface DueTicket {
  id: number;
  description: string;
  name: string | null;
  phone: string | null;
  email: string | null;
}

/** Finished tickets whose reporter is not purged yet, by id after `after`. */
export async function selectDueTickets(db: Db, cut: string, after: number, limit: number): Promise<DueTicket[]> {
  const rows = await db
    .selectFrom('ticket_reporters')
    .innerJoin('tickets', 'tickets.id', 'ticket_reporters.ticket_id')
    .select(['tickets.id', 'tickets.description', 'ticket_reporters.name', 'ticket_reporters.phone', 'ticket_reporters.email'])
    .where('ticket_reporters.purged_at', 'is', null)
    .where('tickets.id', 'in', finishedBefore(db, cut))
    .where('tickets.id', '>', after)
    .orderBy('tickets.id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ ...r, id: Number(r.id) }));
}

export type TicketMail = Pick<
  Selectable<MailMessageTable>,
  'id' | 'ticket_id' | 'reprocessed_ticket_id' | 'from_address' | 'subject' | 'reason' | 'source' | 'message_id' | 'attachments'
>;
export type TicketReply = Pick<
  Selectable<TicketMessageTable>,
  'id' | 'ticket_id' | 'from_address' | 'from_name' | 'subject' | 'text' | 'attachments'
>;
export type TicketCall = Pick<Selectable<CallTable>, 'id' | 'ticket_id' | 'caller_phone' | 'caller_name' | 'summary' | 'answer'>;
export type TicketOutboxMail = Pick<
  Selectable<MailOutboxTable>,
  'id' | 'ticket_id' | 'recipients' | 'subject' | 'text' | 'html' | 'response'
>;
export type TicketFollowUp = Pick<Selectable<FollowUpTable>, 'id' | 'ticket_id' | 'comment'>;
export type TicketEvent = Pick<Selectable<TicketEventTable>, 'id' | 'ticket_id' | 'reason' | 'data'>;

/** Every row about these tickets that may repeat the person's data. */
export interface TicketRecords {
  mails: TicketMail[];
  replies: TicketReply[];
  calls: TicketCall[];
  outbox: TicketOutboxMail[];
  followUps: TicketFollowUp[];
  events: TicketEvent[];
}

export async function selectTicketRecords(db: Db, ids: readonly number[]): Promise<TicketRecords> {
  const ticketIds = [...ids];
  const [mails, replies, calls, outbox, followUps, events] = await Promise.all([
    db
      .selectFrom('mail_messages')
      .select(['id', 'ticket_id', 'reprocessed_ticket_id', 'from_address', 'subject', 'reason', 'source', 'message_id', 'attachments'])
      .where((eb) => eb.or([eb('ticket_id', 'in', ticketIds), eb('reprocessed_ticket_id', 'in', ticketIds)]))
      .execute(),
    db
      .selectFrom('ticket_messages')
      .select(['id', 'ticket_id', 'from_address', 'from_name', 'subject', 'text', 'attachments'])
      .where('ticket_id', 'in', ticketIds)
      .execute(),
    db
      .selectFrom('calls')
      .select(['id', 'ticket_id', 'caller_phone', 'caller_name', 'summary', 'answer'])
      .where('ticket_id', 'in', ticketIds)
      .execute(),
    db
      .selectFrom('mail_outbox')
      .select(['id', 'ticket_id', 'recipients', 'subject', 'text', 'html', 'response'])
      .where('ticket_id', 'in', ticketIds)
      .execute(),
    db
      .selectFrom('follow_ups')
      .select(['id', 'ticket_id', 'comment'])
      .where('ticket_id', 'in', ticketIds)
      .where('comment', 'is not', null)
      .execute(),
    db.selectFrom('ticket_events').select(['id', 'ticket_id', 'reason', 'data']).where('ticket_id', 'in', ticketIds).execute(),
  ]);
  return { mails, replies, calls, outbox, followUps, events };
}

/** Sets these columns of one row. */
export async function updateColumns<T extends RedactedTable>(
  db: Db,
  table: T,
  id: number,
  changes: Updateable<Database[T]>,
): Promise<void> {
  // The caller's `changes` are checked against the table's columns; the generic table defeats Kysely's own check here.
  await (db as unknown as Kysely<any>)
    .updateTable(table as string)
    .set(changes)
    .where('id', '=', id)
    .execute();
}

/**
 * Removes the reporters of these tickets — unless a ticket was reopened meanwhile and is being
 * handled again; answers how many were removed.
 */
export async function clearReporters(db: Db, ticketIds: readonly number[], cut: string, at: string): Promise<number> {
  const cleared = await db
    .updateTable('ticket_reporters')
    .set({ name: null, phone: null, email: null, ip: null, user_agent: null, purged_at: at })
    .where('ticket_id', 'in', [...ticketIds])
    .where('purged_at', 'is', null)
    .where('ticket_id', 'in', finishedBefore(db, cut))
    .executeTakeFirst();
  return Number(cleared.numUpdatedRows);
}

/** Calls, mail and replies older than the cut-off, of no ticket or of a finished one, that still name a person: ids after `after`. */
export async function selectDueRowIds(db: Db, table: PurgedTable, cut: string, after: number, limit: number): Promise<number[]> {
  const finished = finishedBefore(db, cut);
  let rows: Array<{ id: number }>;
  if (table === 'calls') {
    rows = await db
      .selectFrom('calls')
      .select('id')
      .where('at', '<', cut)
      .where('purged_at', 'is', null)
      .where((eb) => eb.or([eb('ticket_id', 'is', null), eb('ticket_id', 'in', finished)]))
      .where('id', '>', after)
      .orderBy('id')
      .limit(limit)
      .execute();
  } else if (table === 'mail_messages') {
    rows = await db
      .selectFrom('mail_messages')
      .select('id')
      .where('received_at', '<', cut)
      .where((eb) => eb.or([eb('from_address', 'is not', null), eb('raw_path', 'is not', null)]))
      .where((eb) => eb.or([eb('ticket_id', 'is', null), eb('ticket_id', 'in', finished)]))
      .where((eb) => eb.or([eb('reprocessed_ticket_id', 'is', null), eb('reprocessed_ticket_id', 'in', finished)]))
      .where('id', '>', after)
      .orderBy('id')
      .limit(limit)
      .execute();
  } else {
    rows = await db
      .selectFrom('ticket_messages')
      .select('id')
      .where('at', '<', cut)
      .where((eb) => eb.or([eb('from_address', 'is not', null), eb('from_name', 'is not', null)]))
      .where('ticket_id', 'in', finished)
      .where('id', '>', after)
      .orderBy('id')
      .limit(limit)
      .execute();
  }
  return rows.map((r) => Number(r.id));
}

export type DueCall = Pick<Selectable<CallTable>, 'id' | 'caller_phone' | 'caller_name' | 'summary' | 'answer'>;
export type DueMail = Pick<
  Selectable<MailMessageTable>,
  'id' | 'from_address' | 'subject' | 'reason' | 'source' | 'message_id' | 'raw_path' | 'attachments'
>;
export type DueReply = Pick<Selectable<TicketMessageTable>, 'id' | 'from_address' | 'from_name' | 'subject' | 'text' | 'attachments'>;

export async function selectCalls(db: Db, ids: readonly number[]): Promise<DueCall[]> {
  return db
    .selectFrom('calls')
    .select(['id', 'caller_phone', 'caller_name', 'summary', 'answer'])
    .where('id', 'in', [...ids])
    .execute();
}

export async function markCallPurged(db: Db, id: number, at: string): Promise<void> {
  await db.updateTable('calls').set({ purged_at: at }).where('id', '=', id).execute();
}

export async function selectMail(db: Db, ids: readonly number[]): Promise<DueMail[]> {
  return db
    .selectFrom('mail_messages')
    .select(['id', 'from_address', 'subject', 'reason', 'source', 'message_id', 'raw_path', 'attachments'])
    .where('id', 'in', [...ids])
    .execute();
}

export async function selectReplies(db: Db, ids: readonly number[]): Promise<DueReply[]> {
  return db
    .selectFrom('ticket_messages')
    .select(['id', 'from_address', 'from_name', 'subject', 'text', 'attachments'])
    .where('id', 'in', [...ids])
    .execute();
}

/** A LIKE pattern finding the file's path inside a JSON attachment list. */
const inJson = (rel: string) => `%${JSON.stringify(rel).slice(1, -1)}%`;

/** Does any mail or reply still name the kept file? */
export async function fileStillNamed(db: Db, rel: string): Promise<boolean> {
  const like = inJson(rel);
  const [mail, reply] = await Promise.all([
    db
      .selectFrom('mail_messages')
      .select('id')
      .where((eb) => eb.or([eb('raw_path', '=', rel), eb('attachments', 'like', like)]))
      .limit(1)
      .executeTakeFirst(),
    db.selectFrom('ticket_messages').select('id').where('attachments', 'like', like).limit(1).executeTakeFirst(),
  ]);
  return Boolean(mail ?? reply);
}

/** Does a mail or reply the purge keeps (newer than the cut-off, or of a ticket not finished before it) name the file? */
export async function fileNamedByKeptRow(db: Db, cut: string, rel: string): Promise<boolean> {
  const like = inJson(rel);
  const finished = finishedBefore(db, cut);
  const [mail, reply] = await Promise.all([
    db
      .selectFrom('mail_messages')
      .select('id')
      .where((eb) => eb.or([eb('raw_path', '=', rel), eb('attachments', 'like', like)]))
      .where((eb) =>
        eb.or([
          eb('received_at', '>=', cut),
          eb.and([eb('ticket_id', 'is not', null), eb('ticket_id', 'not in', finished)]),
          eb.and([eb('reprocessed_ticket_id', 'is not', null), eb('reprocessed_ticket_id', 'not in', finished)]),
        ]),
      )
      .limit(1)
      .executeTakeFirst(),
    db
      .selectFrom('ticket_messages')
      .select('id')
      .where('attachments', 'like', like)
      .where((eb) => eb.or([eb('at', '>=', cut), eb('ticket_id', 'not in', finished)]))
      .limit(1)
      .executeTakeFirst(),
  ]);
  return Boolean(mail ?? reply);
}

/**
 * Clears the numbers of the text messages to the reporters of these tickets (sms_outbox, migration
 * 022). The texts stay: they hold the tracking code, units and dates, never a name or a number
 * (server/notify/sms-texts.ts builds them from those alone). Units' duty phones are not personal.
 */
export async function clearSmsRecipients(db: Db, ticketIds: readonly number[], dryRun = false): Promise<number> {
  if (ticketIds.length === 0) return 0;
  if (dryRun) {
    const row = await db
      .selectFrom('sms_outbox')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('ticket_id', 'in', [...ticketIds])
      .where('recipient', 'is not', null)
      .where('audience', '!=', 'unit')
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }
  const result = await db
    .updateTable('sms_outbox')
    .set({ recipient: null })
    .where('ticket_id', 'in', [...ticketIds])
    .where('recipient', 'is not', null)
    .where('audience', '!=', 'unit')
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Text messages of no ticket (one-time codes) queued before the cut-off: their numbers cleared. */
export async function clearLooseSmsRecipients(db: Db, cut: string, dryRun = false): Promise<number> {
  if (dryRun) {
    const row = await db
      .selectFrom('sms_outbox')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('ticket_id', 'is', null)
      .where('recipient', 'is not', null)
      .where('created_at', '<', cut)
      .where('status', '!=', 'pending')
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }
  const result = await db
    .updateTable('sms_outbox')
    .set({ recipient: null })
    .where('ticket_id', 'is', null)
    .where('recipient', 'is not', null)
    .where('created_at', '<', cut)
    .where('status', '!=', 'pending')
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Clears who joined ("me too", ticket_supporters) tickets finished before the cut-off; how many. */
export async function clearSupporters(db: Db, cut: string, at: string): Promise<number> {
  const cleared = await db
    .updateTable('ticket_supporters')
    .set({ name: null, phone: null, ip: null, user_agent: null, purged_at: at })
    .where('purged_at', 'is', null)
    .where('ticket_id', 'in', finishedBefore(db, cut))
    .executeTakeFirst();
  return Number(cleared.numUpdatedRows);
}

/** Supporters the purge would clear (a dry run). */
export async function countDueSupporters(db: Db, cut: string): Promise<number> {
  const row = await db
    .selectFrom('ticket_supporters')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('purged_at', 'is', null)
    .where('ticket_id', 'in', finishedBefore(db, cut))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
