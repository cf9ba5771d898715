// How a web process follows the live public site (issue 16, ADR 016), as a fragment for
// server/env.ts: how often it looks for a newer live build, and how much of the site it keeps on
// its own disk when the files are in a bucket.
import { z } from 'zod';

export const liveSiteEnvShape = {
  SITE_POLL_SECONDS: z.coerce
    .number()
    .min(0.2)
    .max(300)
    .default(2)
    .describe('How often each web process looks for a newer live build of the public site in the database.'),
  SITE_CACHE_MB: z.coerce
    .number()
    .int()
    .min(8)
    .max(1_000_000)
    .default(256)
    .describe("With BLOB_STORE=s3: the most of the public site's files (and their .br/.gz) a web process keeps on its own disk."),
};

export interface LiveSiteSettings {
  pollMs: number;
  cacheBytes: number;
}

export function liveSiteSettings(values: { SITE_POLL_SECONDS: number; SITE_CACHE_MB: number }): LiveSiteSettings {
  return { pollMs: Math.round(values.SITE_POLL_SECONDS * 1000), cacheBytes: values.SITE_CACHE_MB * 1024 * 1024 };
}
