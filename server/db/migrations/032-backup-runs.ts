import type { ColumnDefinitionBuilder, Kysely } from 'kysely';
import type { Dialect } from '../database.ts';

// Issue 18 item 2: every backup taken (the worker's nightly one and `npm run backup -- --to`)
// records its outcome here, after it was verified, so the console's system page shows the last
// one and warns when no good one is recent (server/backup/, docs/decisions/017-backup.md).
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const serialType = dialect === 'postgres' ? 'serial' : 'integer';
  const serialKey = (c: ColumnDefinitionBuilder) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement());

  await db.schema
    .createTable('backup_runs')
    .addColumn('id', serialType, serialKey)
    // 'nightly' (the worker) or 'manual' (npm run backup).
    .addColumn('trigger', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text', (c) => c.notNull())
    // The backup's folder (removed again when the backup failed).
    .addColumn('dir', 'text', (c) => c.notNull())
    // 'ok' (taken and verified) or 'failed'.
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('size_bytes', 'bigint')
    .addColumn('files', 'integer')
    .addColumn('error', 'text')
    .execute();
  await db.schema.createIndex('backup_runs_started_idx').on('backup_runs').columns(['started_at']).execute();
}
