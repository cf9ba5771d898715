// One backup as the worker and `npm run backup -- --to` take it: taken, verified, and its
// outcome recorded in backup_runs for the console. A backup that fails (takeBackup removes what
// it wrote) or fails its check is removed, so a folder of backups holds only good ones.
import { rm } from 'node:fs/promises';
import type { Clock } from '../clock.ts';
import { insertBackupRun, type BackupRun } from './backup-runs-repository.ts';
import { takeBackup, type BackupSource } from './take-backup.ts';
import { verifyBackup } from './verify-backup.ts';

export async function takeVerifiedBackup(
  source: BackupSource,
  dir: string,
  options: { trigger: BackupRun['trigger']; clock: Clock; backupDirs?: readonly string[] },
): Promise<Omit<BackupRun, 'id'>> {
  const startedAt = options.clock.now();
  let outcome: Pick<BackupRun, 'status' | 'sizeBytes' | 'files' | 'error'>;
  try {
    const taken = await takeBackup(source, dir, startedAt, options.backupDirs);
    const { problems } = await verifyBackup(dir);
    if (problems.length > 0) await rm(dir, { recursive: true, force: true });
    outcome =
      problems.length === 0
        ? { status: 'ok', sizeBytes: taken.sizeBytes, files: taken.manifest.files.length, error: null }
        : { status: 'failed', sizeBytes: null, files: null, error: `备份检查未通过：${problems.join('；')}` };
  } catch (error) {
    outcome = { status: 'failed', sizeBytes: null, files: null, error: error instanceof Error ? error.message : String(error) };
  }
  const run = {
    trigger: options.trigger,
    startedAt: startedAt.toISOString(),
    finishedAt: options.clock.now().toISOString(),
    dir,
    ...outcome,
  };
  await insertBackupRun(source.database.db, run);
  return run;
}
