// The retention period of personal data, as a fragment for server/env.ts (validated once at
// start): how long reporters', callers' and senders' personal data is kept after a ticket is
// finished, before the worker's daily purge (or `npm run privacy:purge`) removes it (server/privacy/purge.ts).
import { z } from 'zod';

/** The default of PERSONAL_DATA_RETENTION_DAYS: two years. */
export const DEFAULT_RETENTION_DAYS = 730;

export const privacyEnvShape = {
  PERSONAL_DATA_RETENTION_DAYS: z.coerce
    .number()
    .int()
    .min(30)
    .max(36_500)
    .default(DEFAULT_RETENTION_DAYS)
    .describe('Days personal data is kept after a ticket is finished (and calls and mail after they came), before the purge removes it.'),
};

export interface PrivacySettings {
  /** PERSONAL_DATA_RETENTION_DAYS. */
  retentionDays: number;
}

export function privacySettings(values: { PERSONAL_DATA_RETENTION_DAYS: number }): PrivacySettings {
  return { retentionDays: values.PERSONAL_DATA_RETENTION_DAYS };
}
