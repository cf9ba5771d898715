// The public snapshot (ADR 006): everything the public site shows that comes from the database,
// as one JSON file the site build (site/) reads. It is written only by the public projection
// (public-projection.ts) and read only through this schema, so what the public can see is
// exactly what is listed here — no reporter, caller or sender, no raw mail, no residents' words.
// Public-service ads and the site's own settings are editorial content the site reads from
// content/ directly.
import { z } from 'zod';

const unitRef = z.object({
  code: z.string(),
  name: z.string(),
  shortName: z.string(),
});

/** A photo the photo pipeline made (WebP renditions), copied into the build as it is. */
const photo = z.object({
  /** The photo pipeline's id; its renditions are media/<id>.webp and <id>.thumb.webp in the blob store (server/media/photo-store.ts). */
  id: z.string().regex(/^[0-9a-f]{32}$/),
  kind: z.enum(['before', 'after']),
  width: z.number().int().positive().nullable(),
  height: z.number().int().positive().nullable(),
  /** Written by the office or the unit for screen readers, e.g. "整改前：西关市场东门口垃圾". */
  alt: z.string(),
});

const response = z.object({
  body: z.string(),
  publishedAt: z.string(),
  photos: z.array(photo),
});

const notice = z.object({
  /** /notices/<slug>/ */
  slug: z.string().regex(/^[a-z0-9-]+$/),
  title: z.string(),
  /** The office's text (plain text, paragraphs separated by blank lines). */
  body: z.string(),
  unit: unitRef,
  publishedAt: z.string(),
  responseDueAt: z.string(),
  /** The problems' categories (names), e.g. ["市场环境卫生"]. */
  categories: z.array(z.string()),
  photos: z.array(photo),
  /** The unit's published response, if any. */
  response: response.nullable(),
  /** The deadline passed with no published response: shown publicly. */
  responseOverdue: z.boolean(),
});

/** An inspection round's public bulletin (督导通报, server/inspection/public-bulletin.ts): no inspector, note or person. */
const bulletin = z.object({
  /** /bulletins/<slug>/ */
  slug: z.string().regex(/^[a-z0-9-]+$/),
  title: z.string(),
  roundName: z.string(),
  /** China dates 'YYYY-MM-DD'. */
  startsOn: z.string(),
  endsOn: z.string(),
  publishedAt: z.string(),
  totals: z.object({
    points: z.number().int().nonnegative(),
    itemsFailed: z.number().int().nonnegative(),
    units: z.number().int().nonnegative(),
  }),
  byUnit: z.array(unitRef.extend({ failed: z.number().int().nonnegative(), rectified: z.number().int().nonnegative() })),
  byCategory: z.array(z.object({ label: z.string(), count: z.number().int().nonnegative() })),
  /** Each failed item: the point, the standard, the unit, and whether it is rectified (its ticket closed) now. */
  problems: z.array(z.object({ pointName: z.string(), standard: z.string(), unit: unitRef, rectified: z.boolean() })),
  /** The same item failed at the same point in an earlier round (named). */
  repeats: z.array(z.object({ pointName: z.string(), standard: z.string(), unit: unitRef, earlierRound: z.string() })),
});

const counts = z.object({
  received: z.number().int().nonnegative(),
  closed: z.number().int().nonnegative(),
  closedOnTime: z.number().int().nonnegative(),
  /** closedOnTime ÷ closed, 0–1; null when nothing was closed. */
  onTimeRate: z.number().min(0).max(1).nullable(),
});

const labelledCount = z.object({ code: z.string(), label: z.string(), count: z.number().int().nonnegative() });

const unitRecord = unitRef.extend({
  kind: z.string(),
  /** Slugs of the unit's published notices, newest first. */
  notices: z.array(z.string()),
  counts,
  byCategory: z.array(labelledCount),
});

export const publicSnapshotSchema = z.object({
  version: z.literal(1),
  generatedAt: z.string(),
  /** Where the photos named in notices are (DATA_DIR/media); the build copies them from there. */
  mediaDir: z.string(),
  notices: z.array(notice),
  /** Published inspection bulletins, newest first (absent in snapshots written before issue 14). */
  bulletins: z.array(bulletin).default([]),
  units: z.array(unitRecord),
  stats: z.object({
    totals: counts.extend({
      /** Tickets not closed, rejected or merged. */
      open: z.number().int().nonnegative(),
    }),
    byChannel: z.array(labelledCount),
    byCategory: z.array(labelledCount),
    /** Calendar months (China time), oldest first: "2026-11". */
    byMonth: z.array(counts.extend({ month: z.string().regex(/^\d{4}-\d{2}$/) })),
  }),
});

export type PublicSnapshot = z.infer<typeof publicSnapshotSchema>;
export type PublicNotice = PublicSnapshot['notices'][number];
export type PublicPhoto = PublicNotice['photos'][number];
export type PublicUnitRecord = PublicSnapshot['units'][number];
export type PublicBulletin = PublicSnapshot['bulletins'][number];

/** A snapshot with nothing published yet (the initial site `npm run build` makes from content alone). */
export function emptySnapshot(mediaDir: string, at = new Date()): PublicSnapshot {
  const zero = { received: 0, closed: 0, closedOnTime: 0, onTimeRate: null };
  return {
    version: 1,
    generatedAt: at.toISOString(),
    mediaDir,
    notices: [],
    bulletins: [],
    units: [],
    stats: { totals: { ...zero, open: 0 }, byChannel: [], byCategory: [], byMonth: [] },
  };
}
