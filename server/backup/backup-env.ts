// The nightly backup's settings, as a fragment for server/env.ts (validated once at start):
// BACKUP_DIR turns the worker's nightly backup on; BACKUP_KEEP says how many are kept.
import path from 'node:path';
import { z } from 'zod';

export const backupEnvShape = {
  BACKUP_DIR: z
    .string()
    .min(1)
    .optional()
    .describe(
      'Folder the worker backs up into every night (after 03:00 China time), one folder per backup; unset means no nightly backup. Put it on another disk, and copy it off the machine.',
    ),
  BACKUP_KEEP: z.coerce.number().int().min(1).max(3660).default(14).describe('How many nightly backups BACKUP_DIR keeps (the oldest go).'),
};

export interface BackupSettings {
  /** BACKUP_DIR, absolute; null: no nightly backup. */
  dir: string | null;
  /** BACKUP_KEEP. */
  keep: number;
}

export function backupSettings(values: { BACKUP_DIR?: string | undefined; BACKUP_KEEP: number }): BackupSettings {
  return { dir: values.BACKUP_DIR ? path.resolve(values.BACKUP_DIR) : null, keep: values.BACKUP_KEEP };
}
