// The hotline (issue 5): every call an operator takes is a row in `calls`, whatever it became —
// a new ticket, a "+1" on an existing one, a consultation answered on the line, a referral
// (110/119/120 …). Closed tickets whose reporter can be phoned get a follow-up call (回访) task in
// `follow_ups`; its result (reached, fixed, satisfaction) feeds the units' record. A reporter's
// wish to be called back is kept with the reporter.
import type { ColumnDefinitionBuilder, Kysely } from 'kysely';
import type { Dialect } from '../database.ts';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const serialType = dialect === 'postgres' ? 'serial' : 'integer';
  const serialKey = (c: ColumnDefinitionBuilder) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement());

  await db.schema
    .createTable('calls')
    .addColumn('id', serialType, serialKey)
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('operator_id', 'integer', (c) => c.references('users.id'))
    // Imported calls name their operator as the phone system knows them.
    .addColumn('operator_name', 'text')
    // Digits only (see server/tickets/phone.ts); null when the number was withheld or purged.
    .addColumn('caller_phone', 'text')
    .addColumn('caller_name', 'text')
    .addColumn('anonymous', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('wants_callback', 'integer', (c) => c.notNull().defaultTo(0))
    // 'ticket', 'attached', 'answered' or 'referred'.
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('ticket_id', 'integer', (c) => c.references('tickets.id'))
    // What the caller said (the problem, or the question).
    .addColumn('summary', 'text', (c) => c.notNull())
    // The answer given (consultation) or where the caller was referred.
    .addColumn('answer', 'text')
    .addColumn('referred_to', 'text')
    .addColumn('category_code', 'text')
    // 'console' or 'import'.
    .addColumn('source', 'text', (c) => c.notNull())
    // The phone system's id of an imported call: importing a file twice records each call once.
    .addColumn('external_id', 'text', (c) => c.unique())
    .addColumn('idempotency_key', 'text', (c) => c.unique())
    .addColumn('purged_at', 'text')
    .execute();
  await db.schema.createIndex('calls_caller_idx').on('calls').columns(['caller_phone', 'at']).execute();
  await db.schema.createIndex('calls_ticket_idx').on('calls').columns(['ticket_id', 'at']).execute();
  await db.schema.createIndex('calls_at_idx').on('calls').column('at').execute();

  await db.schema
    .createTable('follow_ups')
    .addColumn('id', serialType, serialKey)
    .addColumn('ticket_id', 'integer', (c) => c.notNull().references('tickets.id'))
    // The closure this follow-up is about: a ticket closed again after reopening gets another.
    .addColumn('closed_at', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    // 'pending' until done; 'done' with the result.
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_attempt_at', 'text')
    .addColumn('reached', 'integer')
    .addColumn('fixed', 'integer')
    // 'satisfied' (满意), 'fair' (基本满意), 'unsatisfied' (不满意).
    .addColumn('satisfaction', 'text')
    .addColumn('comment', 'text')
    .addColumn('operator_id', 'integer', (c) => c.references('users.id'))
    .addColumn('completed_at', 'text')
    .addColumn('reopened', 'integer', (c) => c.notNull().defaultTo(0))
    // The unit that held the ticket when it was closed: the result counts on its record.
    .addColumn('unit_code', 'text')
    .addUniqueConstraint('follow_ups_ticket_closure', ['ticket_id', 'closed_at'])
    .execute();
  await db.schema.createIndex('follow_ups_status_idx').on('follow_ups').columns(['status', 'created_at']).execute();
  await db.schema.createIndex('follow_ups_unit_idx').on('follow_ups').columns(['unit_code', 'completed_at']).execute();

  await db.schema
    .alterTable('ticket_reporters')
    .addColumn('wants_callback', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('ticket_reporters').addColumn('purged_at', 'text').execute();
  // Caller history looks tickets up by the reporter's number: ticket_reporters_phone_idx (001).
  // Likely duplicates of a call: open tickets at a point, or in a category, newest first.
  await db.schema.createIndex('tickets_point_idx').on('tickets').columns(['point_id', 'created_at']).execute();
  await db.schema.createIndex('tickets_category_idx').on('tickets').columns(['category_code', 'created_at']).execute();
}
