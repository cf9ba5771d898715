// Sign-in settings, as a fragment for server/env.ts (validated once at start): how long a session
// lasts idle and at most, an optional maximum age of passwords, and whether the office's accounts
// must use a second factor (on by default in production).
import { z } from 'zod';

export interface AccountSettings {
  /** SESSION_IDLE_MINUTES: a session unused this long ends. */
  sessionIdleMinutes: number;
  /** SESSION_MAX_HOURS: a session ends this long after sign-in, however busy. */
  sessionMaxHours: number;
  /** PASSWORD_MAX_AGE_DAYS: a password older than this must be changed; null for no limit. */
  passwordMaxAgeDays: number | null;
  /** REQUIRE_2FA: admin and dispatcher accounts must enrol a second factor before they work. */
  requireSecondFactor: boolean;
}

export const DEFAULT_ACCOUNT_SETTINGS: AccountSettings = {
  sessionIdleMinutes: 30,
  sessionMaxHours: 12,
  passwordMaxAgeDays: null,
  requireSecondFactor: false,
};

export const accountEnvShape = {
  SESSION_IDLE_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(DEFAULT_ACCOUNT_SETTINGS.sessionIdleMinutes)
    .describe('Minutes a staff session may go unused before it ends.'),
  SESSION_MAX_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 7)
    .default(DEFAULT_ACCOUNT_SETTINGS.sessionMaxHours)
    .describe('Hours after sign-in at which a staff session ends, however busy.'),
  PASSWORD_MAX_AGE_DAYS: z.coerce
    .number()
    .int()
    .min(1)
    .max(3650)
    .optional()
    .describe('Days after which a password must be changed at the next sign-in; unset: no limit.'),
  REQUIRE_2FA: z
    .enum(['true', 'false', '1', '0'], { error: 'must be true or false' })
    .optional()
    .describe('Admin and dispatcher accounts must enrol a TOTP second factor; default on when NODE_ENV=production.'),
  NODE_ENV: z.string().optional().describe('production turns REQUIRE_2FA on unless it is set.'),
};

export function accountSettings(values: {
  SESSION_IDLE_MINUTES: number;
  SESSION_MAX_HOURS: number;
  PASSWORD_MAX_AGE_DAYS?: number | undefined;
  REQUIRE_2FA?: string | undefined;
  NODE_ENV?: string | undefined;
}): AccountSettings {
  return {
    sessionIdleMinutes: values.SESSION_IDLE_MINUTES,
    sessionMaxHours: values.SESSION_MAX_HOURS,
    passwordMaxAgeDays: values.PASSWORD_MAX_AGE_DAYS ?? null,
    requireSecondFactor: values.REQUIRE_2FA === undefined ? values.NODE_ENV === 'production' : ['true', '1'].includes(values.REQUIRE_2FA),
  };
}
