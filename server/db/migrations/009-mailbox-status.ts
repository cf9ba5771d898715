// The dedicated mailbox's health for the console (issue 4, item 6): how the last reads of the
// mailbox went (mailbox_status, one row per mailbox, written by the worker), and the re-processing
// of a quarantined mail by the office after fixing the cause. A re-processed row is kept as the
// record of what happened; its dedupe keys are released so the message can be processed afresh.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('mailbox_status')
    .addColumn('mailbox', 'text', (c) => c.primaryKey())
    .addColumn('last_attempt_at', 'text')
    .addColumn('last_success_at', 'text')
    .addColumn('last_error', 'text')
    .addColumn('last_error_at', 'text')
    .addColumn('consecutive_failures', 'integer', (c) => c.notNull().defaultTo(0))
    // JSON: what the last successful run did ({handled, quarantined, failed, remaining}).
    .addColumn('last_run', 'text')
    // 'idle' while a worker holds an IDLE connection on the inbox, 'poll' otherwise.
    .addColumn('mode', 'text', (c) => c.notNull().defaultTo('poll'))
    .addColumn('mode_since', 'text')
    .execute();

  await db.schema.alterTable('mail_messages').addColumn('reprocessed_at', 'text').execute();
  await db.schema.alterTable('mail_messages').addColumn('reprocessed_by', 'integer').execute();
  await db.schema.alterTable('mail_messages').addColumn('reprocessed_outcome', 'text').execute();
  await db.schema.alterTable('mail_messages').addColumn('reprocessed_ticket_id', 'integer').execute();
}
