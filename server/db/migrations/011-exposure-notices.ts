// Exposure notices (曝光) and the exposed units' public responses (公开回应), issue 6. The office
// composes a notice from tickets (text, chosen before/after photos, the responsible unit, a
// response deadline) and publishes it; the unit writes its response, the office reviews and
// publishes it. Only published notices and responses reach the public site (ADR 006).
import type { ColumnDefinitionBuilder, Kysely } from 'kysely';
import type { Dialect } from '../database.ts';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const serialType = dialect === 'postgres' ? 'serial' : 'integer';
  const serialKey = (c: ColumnDefinitionBuilder) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement());

  await db.schema
    .createTable('notices')
    .addColumn('id', serialType, serialKey)
    // The public page's address: /notices/<slug>/ (e.g. "2026-12-001"), unique.
    .addColumn('slug', 'text', (c) => c.notNull().unique())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('unit_code', 'text', (c) => c.notNull())
    // 'draft', 'published' or 'withdrawn'.
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('response_due_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'integer', (c) => c.references('users.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('published_at', 'text')
    .addColumn('published_by', 'integer', (c) => c.references('users.id'))
    .execute();
  await db.schema.createIndex('notices_unit_idx').on('notices').columns(['unit_code', 'published_at']).execute();
  await db.schema.createIndex('notices_status_idx').on('notices').columns(['status', 'published_at']).execute();

  await db.schema
    .createTable('notice_tickets')
    .addColumn('notice_id', 'integer', (c) => c.notNull().references('notices.id'))
    .addColumn('ticket_id', 'integer', (c) => c.notNull().references('tickets.id'))
    .addPrimaryKeyConstraint('notice_tickets_pk', ['notice_id', 'ticket_id'])
    .execute();

  await db.schema
    .createTable('notice_responses')
    .addColumn('id', serialType, serialKey)
    .addColumn('notice_id', 'integer', (c) => c.notNull().references('notices.id'))
    .addColumn('body', 'text', (c) => c.notNull())
    // 'draft', 'submitted' (waiting for the office), 'returned' (to the unit, with a note), 'published'.
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('author_id', 'integer', (c) => c.references('users.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('submitted_at', 'text')
    .addColumn('reviewed_by', 'integer', (c) => c.references('users.id'))
    .addColumn('reviewed_at', 'text')
    .addColumn('review_note', 'text')
    .addColumn('published_at', 'text')
    .execute();
  await db.schema.createIndex('notice_responses_notice_idx').on('notice_responses').columns(['notice_id', 'status']).execute();

  // Photos shown with a notice ('before', 'after') or a response ('after'): the photo pipeline's
  // renditions, referenced by id, copied into the public build (never re-encoded).
  await db.schema
    .createTable('notice_photos')
    .addColumn('notice_id', 'integer', (c) => c.references('notices.id'))
    .addColumn('response_id', 'integer', (c) => c.references('notice_responses.id'))
    .addColumn('photo_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .execute();
}
