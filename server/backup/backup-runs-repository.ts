// The backups' outcomes (table backup_runs, migration 032): one row per backup once it was taken
// and verified, or failed. Plain objects out (DESIGN rule 4).
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';

export interface BackupRun {
  id: number;
  trigger: 'nightly' | 'manual';
  startedAt: string;
  finishedAt: string;
  dir: string;
  status: 'ok' | 'failed';
  sizeBytes: number | null;
  files: number | null;
  error: string | null;
}

export type NewBackupRun = Omit<BackupRun, 'id'>;

export async function insertBackupRun(db: Kysely<Database>, run: NewBackupRun): Promise<void> {
  await db
    .insertInto('backup_runs')
    .values({
      trigger: run.trigger,
      started_at: run.startedAt,
      finished_at: run.finishedAt,
      dir: run.dir,
      status: run.status,
      size_bytes: run.sizeBytes,
      files: run.files,
      error: run.error,
    })
    .execute();
}

/** The newest runs first (`status` narrows to good or failed ones), at most `limit`. */
export async function selectBackupRuns(db: Kysely<Database>, limit: number, status?: 'ok' | 'failed'): Promise<BackupRun[]> {
  let query = db
    .selectFrom('backup_runs')
    .select(['id', 'trigger', 'started_at', 'finished_at', 'dir', 'status', 'size_bytes', 'files', 'error'])
    .orderBy('started_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit);
  if (status) query = query.where('status', '=', status);
  const rows = await query.execute();
  return rows.map((r) => ({
    id: r.id,
    trigger: r.trigger,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    dir: r.dir,
    status: r.status,
    // PostgreSQL answers a bigint as text.
    sizeBytes: r.size_bytes === null ? null : Number(r.size_bytes),
    files: r.files,
    error: r.error,
  }));
}

/** Whether a run with this outcome started at or after `since`. */
export async function anyBackupRunSince(db: Kysely<Database>, since: string, status: 'ok' | 'failed'): Promise<boolean> {
  const row = await db
    .selectFrom('backup_runs')
    .select('id')
    .where('started_at', '>=', since)
    .where('status', '=', status)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
