// What the console's system page shows of the backups (issue 18 item 2): the last one with its
// time, size and result, the last good one, the recent ones, and whether the admins are warned —
// no good backup finished within STALE_HOURS.
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/schema.ts';
import { selectBackupRuns, type BackupRun } from './backup-runs-repository.ts';

export type { BackupRun } from './backup-runs-repository.ts';

/** Without a good backup for this long (a night missed and more), admins are warned. */
export const STALE_HOURS = 36;
const RECENT = 14;

export interface BackupStatus {
  last: BackupRun | null;
  lastGood: BackupRun | null;
  recent: BackupRun[];
  /** No good backup finished within STALE_HOURS. */
  stale: boolean;
  /** STALE_HOURS, for the warning's text. */
  staleHours: number;
}

export interface BackupStatusService {
  status(): Promise<BackupStatus>;
  /** Only whether admins are warned (the console's header asks on every page). */
  stale(): Promise<boolean>;
  /** Seconds since the last good backup finished (the metrics' gauge); null before the first. */
  ageSeconds(): Promise<number | null>;
}

export function createBackupStatus({ db, clock }: { db: Kysely<Database>; clock: Clock }): BackupStatusService {
  const isStale = (lastGood: BackupRun | null) =>
    lastGood === null || clock.now().getTime() - new Date(lastGood.finishedAt).getTime() > STALE_HOURS * 3_600_000;
  const lastGood = async () => (await selectBackupRuns(db, 1, 'ok'))[0] ?? null;
  return {
    async status() {
      const recent = await selectBackupRuns(db, RECENT);
      const good = await lastGood();
      return { last: recent[0] ?? null, lastGood: good, recent, stale: isStale(good), staleHours: STALE_HOURS };
    },
    stale: async () => isStale(await lastGood()),
    async ageSeconds() {
      const good = await lastGood();
      return good && Math.max(0, (clock.now().getTime() - new Date(good.finishedAt).getTime()) / 1000);
    },
  };
}
