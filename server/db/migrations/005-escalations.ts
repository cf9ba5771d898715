// The escalation ladder (通报 / 约谈 / 问责, server/escalation/) and the worker's last deadline
// mark. docs/decisions/004-escalation.md.
import type { ColumnDefinitionBuilder, Kysely } from 'kysely';
import type { Dialect } from '../database.ts';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const serialType = dialect === 'postgres' ? 'serial' : 'integer';
  const serialKey = (c: ColumnDefinitionBuilder) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement());

  await db.schema
    .createTable('escalations')
    .addColumn('id', serialType, serialKey)
    .addColumn('unit_code', 'text', (c) => c.notNull())
    // The unit's escalations numbered 1, 2, 3 … for ever (never reset). Unique per unit: two
    // workers that escalate the same unit at the same moment both try the same number, and the
    // second insert fails instead of climbing the unit a second time.
    .addColumn('seq', 'integer', (c) => c.notNull())
    // 1 通报, 2 约谈, 3 问责.
    .addColumn('level', 'integer', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    // JSON array of ticket ids: the tickets behind the escalation.
    .addColumn('ticket_ids', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    // The run of the ladder the escalation belongs to: the CST date its first 通报 was made.
    .addColumn('period', 'text', (c) => c.notNull())
    .addUniqueConstraint('escalations_unit_seq_uq', ['unit_code', 'seq'])
    .execute();
  await db.schema.createIndex('escalations_at_idx').on('escalations').column('at').execute();

  // When the unit was told that it had not acknowledged (签收) a dispatched ticket in time. Per
  // acknowledgement deadline: a re-dispatch sets a new acknowledge_due_at, and a mark older than
  // it no longer counts.
  await db.schema.alterTable('tickets').addColumn('acknowledge_overdue_at', 'text').execute();
}
