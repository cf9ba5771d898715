// Inspection rounds (督导, issue 14 items 2–4). The office plans a round — a name, a date range,
// the points in walking order and the inspectors — and the inspectors record, point by point, a
// pass or a fail for each checklist item of the point's type (content/inspection-checklists.json).
// A failed item becomes a ticket through submitReport (channel `inspection`); a round may also
// re-check (复查) the problems earlier rounds found at its points. Closing the round freezes it
// for the supervision cards (督办交办卡) and the bulletin (通报).
import type { ColumnDefinitionBuilder, Kysely } from 'kysely';
import type { Dialect } from '../database.ts';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const serialType = dialect === 'postgres' ? 'serial' : 'integer';
  const serialKey = (c: ColumnDefinitionBuilder) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement());

  await db.schema
    .createTable('inspection_rounds')
    .addColumn('id', serialType, serialKey)
    .addColumn('name', 'text', (c) => c.notNull())
    // China dates, 'YYYY-MM-DD', both days included.
    .addColumn('starts_on', 'text', (c) => c.notNull())
    .addColumn('ends_on', 'text', (c) => c.notNull())
    // 'open' (being inspected) or 'closed' (the office closed it; nothing more is recorded).
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_by', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('closed_by', 'integer', (c) => c.references('users.id'))
    .addColumn('closed_at', 'text')
    // When the public version of the round's bulletin was published (null: not published).
    .addColumn('bulletin_published_at', 'text')
    .execute();
  await db.schema.createIndex('inspection_rounds_status_idx').on('inspection_rounds').columns(['status', 'starts_on']).execute();

  await db.schema
    .createTable('inspection_round_points')
    .addColumn('round_id', 'integer', (c) => c.notNull().references('inspection_rounds.id'))
    .addColumn('point_id', 'text', (c) => c.notNull())
    // Walking order, from 1.
    .addColumn('position', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('inspection_round_points_pk', ['round_id', 'point_id'])
    .execute();

  await db.schema
    .createTable('inspection_round_inspectors')
    .addColumn('round_id', 'integer', (c) => c.notNull().references('inspection_rounds.id'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
    .addPrimaryKeyConstraint('inspection_round_inspectors_pk', ['round_id', 'user_id'])
    .execute();
  await db.schema.createIndex('inspection_round_inspectors_user_idx').on('inspection_round_inspectors').column('user_id').execute();

  // One row per checklist item inspected at a point in a round: its result, and for a failed item
  // the ticket it became. The idempotency key is the device's, per item, so a result sent twice
  // (the phone lost its signal before the answer came) is recorded once.
  await db.schema
    .createTable('inspection_results')
    .addColumn('id', serialType, serialKey)
    .addColumn('round_id', 'integer', (c) => c.notNull().references('inspection_rounds.id'))
    .addColumn('point_id', 'text', (c) => c.notNull())
    .addColumn('item_code', 'text', (c) => c.notNull())
    // 'pass' or 'fail'.
    .addColumn('result', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('ticket_id', 'integer', (c) => c.references('tickets.id'))
    .addColumn('inspector_id', 'integer', (c) => c.notNull().references('users.id'))
    // When the inspector recorded it on the device, and when the server received it.
    .addColumn('observed_at', 'text', (c) => c.notNull())
    .addColumn('recorded_at', 'text', (c) => c.notNull())
    .addColumn('idempotency_key', 'text', (c) => c.notNull().unique())
    .addUniqueConstraint('inspection_results_item_uq', ['round_id', 'point_id', 'item_code'])
    .execute();
  await db.schema.createIndex('inspection_results_point_idx').on('inspection_results').columns(['point_id', 'recorded_at']).execute();
  await db.schema.createIndex('inspection_results_ticket_idx').on('inspection_results').column('ticket_id').execute();

  // 复查: a round's re-check of a problem an earlier round found (a ticket of channel `inspection`
  // at one of its points). Planned with the round (result null), then recorded by an inspector.
  await db.schema
    .createTable('inspection_rechecks')
    .addColumn('round_id', 'integer', (c) => c.notNull().references('inspection_rounds.id'))
    .addColumn('ticket_id', 'integer', (c) => c.notNull().references('tickets.id'))
    // null (not yet re-checked), 'fixed' or 'not_fixed'.
    .addColumn('result', 'text')
    .addColumn('note', 'text')
    // 1 when not fixed although the unit had reported it fixed or it had been closed: rework (返工).
    .addColumn('rework', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('inspector_id', 'integer', (c) => c.references('users.id'))
    .addColumn('observed_at', 'text')
    .addColumn('recorded_at', 'text')
    .addColumn('idempotency_key', 'text', (c) => c.unique())
    .addPrimaryKeyConstraint('inspection_rechecks_pk', ['round_id', 'ticket_id'])
    .execute();
  await db.schema.createIndex('inspection_rechecks_ticket_idx').on('inspection_rechecks').column('ticket_id').execute();
}
