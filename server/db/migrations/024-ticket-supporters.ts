import type { ColumnDefinitionBuilder, Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Dialect } from '../database.ts';

// Issue 15 item 4: "me too" (我也遇到了). A resident who sees their problem already reported nearby
// joins that ticket instead of filing a new one.
//
// 1. ticket_supporters: private, like ticket_reporters — who joined a ticket, when, from which
//    channel ('web'), with the phone number they chose to leave (another resident's lookup by phone
//    reads it) and the request's address and browser. Cleared by the retention purge (purged_at).
//    The idempotency key is the form's: a join retried after a lost answer is recorded once. One
//    phone counts once per ticket (unique ticket_id, phone; numbers left blank are all distinct).
// 2. tickets.report_count: how many reports the ticket stands for — 1 for its own, plus each web
//    join and each hotline "+1" (calls with outcome 'attached'); shown to the office and used to
//    order its queue. Backfilled here from the "+1" calls already recorded.
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const serialType = dialect === 'postgres' ? 'serial' : 'integer';
  const serialKey = (c: ColumnDefinitionBuilder) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement());

  await db.schema
    .createTable('ticket_supporters')
    .addColumn('id', serialType, serialKey)
    .addColumn('ticket_id', 'integer', (c) => c.notNull().references('tickets.id'))
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('name', 'text')
    // Digits only (server/tickets/phone.ts).
    .addColumn('phone', 'text')
    .addColumn('ip', 'text')
    .addColumn('user_agent', 'text')
    .addColumn('idempotency_key', 'text', (c) => c.unique())
    .addColumn('purged_at', 'text')
    .execute();
  await db.schema
    .createIndex('ticket_supporters_ticket_phone_idx')
    .on('ticket_supporters')
    .columns(['ticket_id', 'phone'])
    .unique()
    .execute();
  await db.schema.createIndex('ticket_supporters_phone_idx').on('ticket_supporters').column('phone').execute();

  await db.schema
    .alterTable('tickets')
    .addColumn('report_count', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await sql`UPDATE tickets SET report_count = 1 + (SELECT count(*) FROM calls WHERE calls.ticket_id = tickets.id AND calls.outcome = 'attached')`.execute(
    db,
  );
}
