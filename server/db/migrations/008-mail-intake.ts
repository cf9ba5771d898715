// The dedicated mailbox (issue 4): every mail read is a row in mail_messages with what it became
// (a ticket, a reply on one, ignored, or quarantined with the reason), so that a message read
// twice — a crash between commit and IMAP move, a second worker, a re-import — is answered from
// its row instead of making a second ticket. The unique constraints are the guard under a race.
// Replies and bounces concerning a ticket are kept in ticket_messages for the staff timeline.
import type { ColumnDefinitionBuilder, Kysely } from 'kysely';
import type { Dialect } from '../database.ts';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const serialType = dialect === 'postgres' ? 'serial' : 'integer';
  const serialKey = (c: ColumnDefinitionBuilder) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement());

  await db.schema
    .createTable('mail_messages')
    .addColumn('id', serialType, serialKey)
    // Several NULLs are allowed by a unique constraint on both SQLite and PostgreSQL.
    .addColumn('message_id', 'text', (c) => c.unique())
    .addColumn('content_hash', 'text', (c) => c.notNull().unique())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addColumn('from_address', 'text')
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('ticket_id', 'integer', (c) => c.references('tickets.id'))
    .addColumn('raw_path', 'text')
    .addColumn('attachments', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('source', 'text')
    .execute();
  // The flood cap's question: how many tickets did this sender make lately?
  await db.schema.createIndex('mail_messages_sender_idx').on('mail_messages').columns(['from_address', 'received_at']).execute();
  await db.schema.createIndex('mail_messages_outcome_idx').on('mail_messages').columns(['outcome', 'received_at']).execute();

  await db.schema
    .createTable('ticket_messages')
    .addColumn('id', serialType, serialKey)
    .addColumn('ticket_id', 'integer', (c) => c.notNull().references('tickets.id'))
    .addColumn('mail_message_id', 'integer', (c) => c.references('mail_messages.id').unique())
    // 'reply' (the reporter wrote again) or 'bounce' (a mail we sent about the ticket came back).
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('from_address', 'text')
    .addColumn('from_name', 'text')
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('attachments', 'text', (c) => c.notNull().defaultTo('[]'))
    .execute();
  await db.schema.createIndex('ticket_messages_ticket_idx').on('ticket_messages').columns(['ticket_id', 'at']).execute();
}
