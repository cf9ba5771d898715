// The public snapshot (ADR 006) the pages are built from: PUBLIC_SNAPSHOT names a JSON file,
// validated here with the contract's schema. Without PUBLIC_SNAPSHOT the site is built from
// content alone (an empty snapshot): the initial site before anything is published.
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve, dirname } from 'node:path';
import { emptySnapshot, publicSnapshotSchema, type PublicNotice, type PublicSnapshot } from '../../server/publish/public-snapshot.ts';

let cached: PublicSnapshot | undefined;
let newestFirst: PublicNotice[] | undefined;
let bySlug: Map<string, PublicNotice> | undefined;

/**
 * SITE_NOTICES: an incremental build (server/publish/site-builder.ts, scope 'changed') renders the
 * pages of only the notices this file names (a JSON array of slugs) and every other page; the
 * live build's copies of the other notices' pages are kept. Unset: every notice's page.
 */
export function noticePageWanted(slug: string): boolean {
  noticesToRender ??= readNoticeList();
  return noticesToRender === 'all' || noticesToRender.has(slug);
}

let noticesToRender: Set<string> | 'all' | undefined;

function readNoticeList(): Set<string> | 'all' {
  const file = process.env['SITE_NOTICES'];
  if (!file) return 'all';
  const slugs: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (!Array.isArray(slugs) || !slugs.every((s) => typeof s === 'string')) throw new Error(`SITE_NOTICES ${file} is not a list of slugs`);
  return new Set(slugs);
}

/** Notices on one page of the list (/notices/, /notices/page/2/ …). */
export const NOTICES_PER_PAGE = 30;

/** The snapshot's path, absolute, or null when the site is built without one. */
export function snapshotPath(): string | null {
  const path = process.env['PUBLIC_SNAPSHOT'];
  return path ? resolve(path) : null;
}

export function loadSnapshotFile(path: string): PublicSnapshot {
  const result = publicSnapshotSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!result.success) {
    const issues = result.error.issues
      .slice(0, 10)
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
      .join('; ');
    throw new Error(`PUBLIC_SNAPSHOT ${path} does not match the public snapshot schema: ${issues}`);
  }
  const snapshot = result.data;
  // A relative mediaDir (test fixtures) is read from the snapshot file's folder.
  return isAbsolute(snapshot.mediaDir) ? snapshot : { ...snapshot, mediaDir: resolve(dirname(path), snapshot.mediaDir) };
}

export function snapshot(): PublicSnapshot {
  if (cached) return cached;
  const path = snapshotPath();
  cached = path ? loadSnapshotFile(path) : emptySnapshot('');
  return cached;
}

/** Notices newest first. */
export function noticesNewestFirst(): PublicNotice[] {
  newestFirst ??= [...snapshot().notices].sort(
    (a, b) => Date.parse(b.publishedAt) - Date.parse(a.publishedAt) || a.slug.localeCompare(b.slug),
  );
  return newestFirst;
}

export function noticeBySlug(slug: string): PublicNotice | undefined {
  bySlug ??= new Map(snapshot().notices.map((n) => [n.slug, n]));
  return bySlug.get(slug);
}

/** Where a photo rendition is published in the built site (copied there by the build, never re-encoded). */
export function photoUrl(id: string, thumb = false): string {
  return `/notices/media/${id}${thumb ? '.thumb' : ''}.webp`;
}

/** Percentage for display: 0.8333 → "83.3%"; null → "—". */
export function percent(rate: number | null): string {
  return rate === null ? '—' : `${(Math.round(rate * 1000) / 10).toFixed(1)}%`;
}
