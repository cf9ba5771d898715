// The office's content that the public site's build reads from CONTENT_DIR (ADR 006), and what
// changed in it: site/src/content.config.ts reads the ads (ads/*.md, their images under ads/)
// and points.json and categories.json; site/src/site-config.ts reads site.json. (Units, and the
// categories' names in notices and statistics, reach the site through the public snapshot, from
// the catalog the portal loads at start; point types not at all.)
//
// A manifest maps each of those files to its size and modification time — from stat(2) alone,
// cheap enough for the worker to take every 2 s without reading an image. Comparing the manifest
// a build recorded with today's names what to rebuild for, in the words the console labels:
// `ad:<slug> published|updated|withdrawn` for an ad's Markdown file, `content:<path> updated` for
// any other file.
import fs from 'node:fs/promises';
import path from 'node:path';

/** Files at the top of CONTENT_DIR the site build reads. */
export const SITE_CONTENT_FILES = ['site.json', 'points.json', 'categories.json'] as const;
/** Folders of CONTENT_DIR whose every file the site build may read (an ad's images are named by its file). */
export const SITE_CONTENT_FOLDERS = ['ads'] as const;

/** Content-relative path ('/'-separated) → [size in bytes, modification time in whole ms]. */
export type ContentManifest = Record<string, [number, number]>;

/** More changes than this at once are queued as one request naming how many more there are. */
export const MAX_CHANGE_REASONS = 20;

/** The manifest of what the site build reads in `contentDir`; missing files are simply absent. */
export async function readContentManifest(contentDir: string): Promise<ContentManifest> {
  const root = path.resolve(contentDir);
  const files: string[] = [...SITE_CONTENT_FILES];
  for (const folder of SITE_CONTENT_FOLDERS) files.push(...(await filesUnder(root, folder)));
  const manifest: ContentManifest = {};
  for (const file of files.sort()) {
    const stats = await fs.stat(path.join(root, file)).catch(() => null);
    if (stats?.isFile()) manifest[file] = [stats.size, Math.floor(stats.mtimeMs)];
  }
  return manifest;
}

/** Every file below `folder` (relative to root), skipping hidden files and editors' backups (`~`). */
async function filesUnder(root: string, folder: string): Promise<string[]> {
  const entries = await fs.readdir(path.join(root, folder), { recursive: true }).catch(() => [] as string[]);
  return entries
    .map((entry) => path.join(folder, entry).split(path.sep).join('/'))
    .filter((file) => !file.split('/').some((part) => part.startsWith('.')) && !file.endsWith('~'));
}

/** The build requests (reasons) that the change from `before` to `after` asks for, ads first. */
export function contentChangeReasons(before: ContentManifest, after: ContentManifest): string[] {
  const ads: string[] = [];
  const others: string[] = [];
  for (const file of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
    const was = before[file];
    const is = after[file];
    if (was && is && was[0] === is[0] && was[1] === is[1]) continue;
    const slug = adSlug(file);
    if (slug) ads.push(`ad:${slug} ${!was ? 'published' : !is ? 'withdrawn' : 'updated'}`);
    else others.push(`content:${file} updated`);
  }
  const reasons = [...ads, ...others];
  if (reasons.length <= MAX_CHANGE_REASONS) return reasons;
  const kept = reasons.slice(0, MAX_CHANGE_REASONS - 1);
  return [...kept, `content:+${reasons.length - kept.length} updated`];
}

/** The ad's slug for an ad's own file (ads/<slug>.md, as the site's glob '*.md' finds them). */
function adSlug(file: string): string | null {
  const m = /^ads\/([^/]+)\.md$/.exec(file);
  return m?.[1] ?? null;
}

/**
 * Whether every file that differs from `before` was last written at least `quietMs` before
 * `nowMs`: a folder still being copied (an ad before its image) is not built half-way. A removed
 * file counts as settled.
 */
export function changesSettled(before: ContentManifest, after: ContentManifest, nowMs: number, quietMs: number): boolean {
  return Object.entries(after).every(([file, [size, mtime]]) => {
    const was = before[file];
    const unchanged = was !== undefined && was[0] === size && was[1] === mtime;
    return unchanged || nowMs - mtime >= quietMs;
  });
}

export function serializeManifest(manifest: ContentManifest): string {
  return JSON.stringify(manifest);
}

/** The manifest stored with a build; an unreadable one reads as empty (everything then counts as changed). */
export function parseManifest(text: string): ContentManifest {
  try {
    const value = JSON.parse(text) as unknown;
    if (!value || typeof value !== 'object' || Array.isArray(value)) return {};
    const manifest: ContentManifest = {};
    for (const [file, entry] of Object.entries(value)) {
      if (Array.isArray(entry) && typeof entry[0] === 'number' && typeof entry[1] === 'number') manifest[file] = [entry[0], entry[1]];
    }
    return manifest;
  } catch {
    return {};
  }
}
