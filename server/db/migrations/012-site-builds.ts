// Builds of the public site (ADR 006): each request to publish (a notice, a response, content) is
// a row; the worker's publish job takes the queued ones together into one build, and records when
// it went live — or why it failed, for the console.
import type { ColumnDefinitionBuilder, Kysely } from 'kysely';
import type { Dialect } from '../database.ts';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const serialType = dialect === 'postgres' ? 'serial' : 'integer';
  const serialKey = (c: ColumnDefinitionBuilder) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement());
  await db.schema
    .createTable('site_builds')
    .addColumn('id', serialType, serialKey)
    // What asked for it, e.g. "notice:12 published", "response:3 published", "start".
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('requested_at', 'text', (c) => c.notNull())
    // 'queued', 'building', 'live', 'failed' or 'superseded' (taken into a later build).
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text')
    .addColumn('finished_at', 'text')
    // The build folder's name under DATA_DIR/public-site/builds/.
    .addColumn('build_dir', 'text')
    .addColumn('pages', 'integer')
    .addColumn('error', 'text')
    .execute();
  await db.schema.createIndex('site_builds_status_idx').on('site_builds').columns(['status', 'requested_at']).execute();
}
