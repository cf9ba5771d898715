import type { ColumnDefinitionBuilder, Kysely } from 'kysely';
import type { Dialect } from '../database.ts';

// The outbox of notification mail (server/notify/). A mail is inserted in the same transaction
// as the change that caused it, so it exists exactly when that change committed; the worker
// delivers it later, retrying while the mail server is away.
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const serialType = dialect === 'postgres' ? 'serial' : 'integer';
  const serialKey = (c: ColumnDefinitionBuilder) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement());

  await db.schema
    .createTable('mail_outbox')
    .addColumn('id', serialType, serialKey)
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('ticket_id', 'integer', (c) => c.references('tickets.id'))
    .addColumn('unit_code', 'text')
    .addColumn('recipients', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('html', 'text', (c) => c.notNull())
    .addColumn('message_id', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending'))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'text', (c) => c.notNull())
    .addColumn('last_error', 'text')
    .addColumn('sent_at', 'text')
    .addColumn('response', 'text')
    .execute();
  // The worker's question: which pending mails are due?
  await db.schema.createIndex('mail_outbox_due_idx').on('mail_outbox').columns(['status', 'next_attempt_at']).execute();
  await db.schema.createIndex('mail_outbox_ticket_idx').on('mail_outbox').column('ticket_id').execute();
  await db.schema.createIndex('mail_outbox_unit_idx').on('mail_outbox').columns(['unit_code', 'created_at']).execute();
}
