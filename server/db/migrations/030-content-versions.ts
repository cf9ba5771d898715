import type { ColumnDefinitionBuilder, Kysely } from 'kysely';
import type { Dialect } from '../database.ts';

// Issue 16 item 3: the office's content (units, categories, points, routing, scoring …) lives in the
// database, one row per version, so every web process and worker routes and sets deadlines from the
// same bytes. A start (or `npm run content:load`) adds a row only when the files' hash differs from
// the newest row's; processes poll the newest id and reload (ADR 015).
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const serialType = dialect === 'postgres' ? 'serial' : 'integer';
  const serialKey = (c: ColumnDefinitionBuilder) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement());

  await db.schema
    .createTable('content_versions')
    .addColumn('id', serialType, serialKey)
    .addColumn('hash', 'text', (c) => c.notNull())
    // JSON object: file name → text. A few hundred kilobytes at most.
    .addColumn('files', 'text', (c) => c.notNull())
    .addColumn('loaded_at', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .execute();
}
