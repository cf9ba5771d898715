import { sql, type ColumnDefinitionBuilder, type Kysely } from 'kysely';
import type { Dialect } from '../database.ts';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  // An auto-incrementing integer key: `serial` on PostgreSQL, INTEGER PRIMARY KEY AUTOINCREMENT on SQLite.
  const serialType = dialect === 'postgres' ? 'serial' : 'integer';
  const serialKey = (c: ColumnDefinitionBuilder) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement());

  await db.schema
    .createTable('tickets')
    .addColumn('id', serialType, serialKey)
    .addColumn('tracking_code', 'text', (c) => c.notNull().unique())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('category_code', 'text')
    .addColumn('suggested_category_code', 'text')
    .addColumn('suggested_unit_code', 'text')
    .addColumn('routing_confidence', 'real')
    .addColumn('lead_unit_code', 'text')
    .addColumn('cooperating_unit_codes', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('point_id', 'text')
    .addColumn('location_address', 'text')
    .addColumn('location_lat', 'double precision')
    .addColumn('location_lng', 'double precision')
    .addColumn('deadline_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('closed_at', 'text')
    .addColumn('merged_into_id', 'integer', (c) => c.references('tickets.id'))
    .addColumn('idempotency_key', 'text', (c) => c.unique())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('tickets_status_idx').on('tickets').columns(['status', 'created_at']).execute();
  await db.schema.createIndex('tickets_unit_idx').on('tickets').columns(['lead_unit_code', 'status']).execute();

  await db.schema
    .createTable('ticket_reporters')
    .addColumn('ticket_id', 'integer', (c) => c.primaryKey().references('tickets.id').onDelete('cascade'))
    .addColumn('anonymous', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('name', 'text')
    .addColumn('phone', 'text')
    .addColumn('email', 'text')
    .addColumn('ip', 'text')
    .addColumn('user_agent', 'text')
    .execute();
  await db.schema.createIndex('ticket_reporters_phone_idx').on('ticket_reporters').column('phone').execute();

  await db.schema
    .createTable('ticket_events')
    .addColumn('id', serialType, serialKey)
    .addColumn('ticket_id', 'integer', (c) => c.notNull().references('tickets.id'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('actor_kind', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('from_status', 'text')
    .addColumn('to_status', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('data', 'text', (c) => c.notNull().defaultTo('{}'))
    .addUniqueConstraint('ticket_events_ticket_seq_uq', ['ticket_id', 'seq'])
    .execute();

  await db.schema
    .createTable('photos')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('ticket_id', 'integer', (c) => c.references('tickets.id'))
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('width', 'integer', (c) => c.notNull())
    .addColumn('height', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('uploaded_at', 'text', (c) => c.notNull())
    .addColumn('position', 'integer')
    .execute();
  await db.schema.createIndex('photos_ticket_idx').on('photos').column('ticket_id').execute();

  // The event log is append-only: the database itself refuses updates and deletes.
  if (dialect === 'postgres') {
    await sql`CREATE FUNCTION ticket_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'ticket_events is append-only'; END $$`.execute(db);
    await sql`CREATE TRIGGER ticket_events_no_change BEFORE UPDATE OR DELETE ON ticket_events
      FOR EACH ROW EXECUTE FUNCTION ticket_events_append_only()`.execute(db);
  } else {
    await sql`CREATE TRIGGER ticket_events_no_update BEFORE UPDATE ON ticket_events
      BEGIN SELECT RAISE(ABORT, 'ticket_events is append-only'); END`.execute(db);
    await sql`CREATE TRIGGER ticket_events_no_delete BEFORE DELETE ON ticket_events
      BEGIN SELECT RAISE(ABORT, 'ticket_events is append-only'); END`.execute(db);
  }
}
