// Log settings, as a fragment for server/env.ts (issue 18, item 4; server/observability/log.ts).
import path from 'node:path';
import { z } from 'zod';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const logEnvShape = {
  LOG_LEVEL: z
    .enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` })
    .default('info')
    .describe('The least severe log lines written: debug adds health checks and scrapes, warn leaves out each request.'),
  LOG_FILE: z
    .string()
    .min(1)
    .optional()
    .describe('Also write the JSON log lines to this file (appended; rotate it with logrotate copytruncate).'),
};

export interface LogSettings {
  level: LogLevel;
  /** LOG_FILE, resolved; null: standard output only. */
  file: string | null;
  /** NODE_ENV=production: JSON lines even on a terminal. */
  production: boolean;
}

export function logSettings(values: { LOG_LEVEL: LogLevel; LOG_FILE?: string | undefined; NODE_ENV?: string | undefined }): LogSettings {
  return {
    level: values.LOG_LEVEL,
    file: values.LOG_FILE ? path.resolve(values.LOG_FILE) : null,
    production: values.NODE_ENV === 'production',
  };
}
