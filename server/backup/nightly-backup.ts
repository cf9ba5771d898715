// The worker's nightly backup (issue 18 item 2): when BACKUP_DIR is set, the first pass at or
// after 03:00 China time takes a backup into BACKUP_DIR/<UTC time>/ (verified-backup.ts), and
// once it is good removes the oldest so that BACKUP_KEEP remain. Whether tonight's is done is
// read from backup_runs, so a restart does not back up twice and several workers back up once
// (the one holding the 'backup' lease takes it). A failed backup is tried again an hour later.
import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Clock } from '../clock.ts';
import { chinaDate, chinaDayStart } from '../china-time.ts';
import type { Lease } from '../worker/lease.ts';
import { MANIFEST_FILE } from './backup-manifest.ts';
import { anyBackupRunSince, type BackupRun } from './backup-runs-repository.ts';
import type { BackupSettings } from './backup-env.ts';
import type { BackupSource } from './take-backup.ts';
import { takeVerifiedBackup } from './verified-backup.ts';

/** The hour of the China day the nightly backup is due from: reports are fewest then. */
export const BACKUP_HOUR_CST = 3;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** A backup folder's name: the UTC time it was started, `2026-12-07T19-00-05Z`. */
const FOLDER_NAME = /^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}Z$/;

export type NightlyBackupResult =
  { skipped: string } | { backup: Pick<BackupRun, 'dir' | 'status' | 'sizeBytes' | 'files' | 'error'>; removed: string[] };

/** The latest 03:00 China time at or before `now`. */
export function backupSlot(now: Date): Date {
  const today = chinaDayStart(chinaDate(now)).getTime() + BACKUP_HOUR_CST * HOUR_MS;
  return new Date(today <= now.getTime() ? today : today - DAY_MS);
}

export function backupFolderName(at: Date): string {
  return `${at.toISOString().slice(0, 19).replaceAll(':', '-')}Z`;
}

/** Removes the oldest backup folders so that `keep` remain; answers the names removed. */
export async function rotateBackups(root: string, keep: number): Promise<string[]> {
  const names: string[] = [];
  for (const name of await readdir(root)) {
    if (FOLDER_NAME.test(name) && (await stat(path.join(root, name, MANIFEST_FILE)).catch(() => null))) names.push(name);
  }
  const old = names.sort().reverse().slice(keep);
  for (const name of old) await rm(path.join(root, name), { recursive: true, force: true });
  return old;
}

export interface NightlyBackupDeps {
  source: BackupSource;
  settings: BackupSettings & { dir: string };
  /** Times recorded for the backup (the worker's clock). */
  clock: Clock;
  /** The 'backup' lease: one worker backs up. */
  lease: Lease;
}

export function createNightlyBackup({ source, settings, clock, lease }: NightlyBackupDeps) {
  const { db } = source.database;
  /** Why no backup is due at `now`, or null when one is. */
  async function notDue(now: Date): Promise<string | null> {
    if (await anyBackupRunSince(db, backupSlot(now).toISOString(), 'ok')) return "tonight's backup is done";
    if (await anyBackupRunSince(db, new Date(now.getTime() - HOUR_MS).toISOString(), 'failed')) return 'a backup failed within the hour';
    return null;
  }

  return async function runNightly(now: Date): Promise<NightlyBackupResult> {
    const before = await notDue(now);
    if (before) return { skipped: before };
    const outcome = await lease.run(
      async (): Promise<NightlyBackupResult> => {
        const reason = await notDue(now);
        if (reason) return { skipped: reason };
        const dir = path.join(settings.dir, backupFolderName(now));
        const run = await takeVerifiedBackup(source, dir, { trigger: 'nightly', clock, backupDirs: [settings.dir] });
        if (run.status === 'failed') throw new Error(`nightly backup failed (recorded; tried again in an hour): ${run.error ?? ''}`);
        return { backup: run, removed: await rotateBackups(settings.dir, settings.keep) };
      },
      { release: true },
    );
    return outcome.ran ? outcome.value : { skipped: 'another worker is backing up' };
  };
}
