import type { ColumnDefinitionBuilder, Kysely } from 'kysely';
import type { Dialect } from '../database.ts';

// Issue 15 item 1: text messages (短信), the outbox beside mail_outbox. A message is inserted in the
// transaction of the change that caused it and delivered later by the worker (server/notify/sms-*),
// with the same retries and audit as mail. Chinese providers send only approved templates, so a
// row keeps the kind and its parameters (the template code comes from the settings for the kind
// at delivery) and the text the resident reads, for the console and the no-provider outbox file.
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const serialType = dialect === 'postgres' ? 'serial' : 'integer';
  const serialKey = (c: ColumnDefinitionBuilder) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement());

  await db.schema
    .createTable('sms_outbox')
    .addColumn('id', serialType, serialKey)
    .addColumn('kind', 'text', (c) => c.notNull())
    // 'reporter', 'unit' or 'lookup' (a one-time code the resident asked for).
    .addColumn('audience', 'text', (c) => c.notNull())
    .addColumn('ticket_id', 'integer', (c) => c.references('tickets.id'))
    .addColumn('unit_code', 'text')
    // Digits only (server/tickets/phone.ts); cleared by the retention purge.
    .addColumn('recipient', 'text')
    .addColumn('params', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    // 1: may be sent in the night-time quiet hours (a one-time code the resident is waiting for).
    .addColumn('urgent', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    // 'pending', 'sent', 'failed' (gave up) or 'skipped' (a cap or a switched-off kind; last_error says which).
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending'))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'text', (c) => c.notNull())
    .addColumn('claimed_until', 'text')
    .addColumn('last_error', 'text')
    // Why a pending message waits without an attempt counted: 'quiet-hours', 'number-cap' or 'daily-budget'.
    .addColumn('hold_reason', 'text')
    .addColumn('sent_at', 'text')
    .addColumn('response', 'text')
    .execute();
  await db.schema.createIndex('sms_outbox_due_idx').on('sms_outbox').columns(['status', 'next_attempt_at']).execute();
  await db.schema.createIndex('sms_outbox_ticket_idx').on('sms_outbox').column('ticket_id').execute();
  // The caps: messages to a number today, messages sent today.
  await db.schema.createIndex('sms_outbox_recipient_idx').on('sms_outbox').columns(['recipient', 'sent_at']).execute();
  await db.schema.createIndex('sms_outbox_sent_idx').on('sms_outbox').column('sent_at').execute();

  // A unit's duty phones (值班手机), set by the office beside the unit's mailboxes (unit_contacts):
  // dispatches, reminders and overdue marks reach them as text messages. JSON array of numbers.
  await db.schema
    .createTable('unit_duty_phones')
    .addColumn('unit_code', 'text', (c) => c.primaryKey())
    .addColumn('phones', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'integer')
    .execute();
}
