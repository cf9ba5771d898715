// Where the content in use comes from, as a fragment for server/env.ts (ADR 015): whether a start
// stores CONTENT_DIR's files as a new version when they changed, and how often every process looks
// for a newer stored version.
import { z } from 'zod';

export const contentEnvShape = {
  CONTENT_LOAD_AT_START: z
    .enum(['true', 'false'], { error: 'must be true or false' })
    .default('true')
    .describe(
      "Store CONTENT_DIR's files as a new content version at start when they differ from the newest stored one. Set false on every machine but one (or all, and use npm run content:load) when several share a database.",
    ),
  CONTENT_POLL_SECONDS: z.coerce
    .number()
    .min(0)
    .max(300)
    .default(5)
    .describe('How often each process looks for a newer content version in the database (0: never; a restart picks it up).'),
};

export interface ContentSettings {
  /** CONTENT_LOAD_AT_START. */
  loadAtStart: boolean;
  /** CONTENT_POLL_SECONDS. */
  pollSeconds: number;
}

export function contentSettings(values: { CONTENT_LOAD_AT_START: 'true' | 'false'; CONTENT_POLL_SECONDS: number }): ContentSettings {
  return { loadAtStart: values.CONTENT_LOAD_AT_START === 'true', pollSeconds: values.CONTENT_POLL_SECONDS };
}
