// Builds the public site from a public snapshot (ADR 006, ADR 016) into the worker's working
// copy of the live build, DATA_DIR/public-site/site:
//   1. the snapshot, validated, written as JSON beside it;
//   2. `astro build --root site --force` in a child process (the project's Node, process.execPath), reading
//      PUBLIC_SNAPSHOT and writing to SITE_OUT_DIR, with a timeout; its output kept for the error;
//   3. Pagefind over the output (the static full-text search index) — for an incremental build
//      later, off the critical path (indexBuild);
//   4. the photos the snapshot names, from the photo pipeline's renditions into /notices/media/
//      under the store's own names (<id>.webp, <id>.thumb.webp) — hard links on the same
//      filesystem, else copies; never re-encoded;
//   5. `.br` and `.gz` siblings of the text files (site-compress.ts);
//   6. into the working copy: a full build replaces the folder; an incremental one moves its files
//      in and removes what the new build no longer has.
// The publish job (site-publisher.ts) then puts the changed files into the blob store, records the
// build live, and marks the working copy as that build's (markWorkingCopy).
// An incremental build (`previous`: the live build's snapshot and paths) renders only the pages of
// the notices whose public data changed, and every page that lists or counts (lists, units,
// statistics, feed, ads, bulletins: a few hundred pages whatever the number of notices); the other
// notices' pages, their photos, the hashed assets and the search index stay as they are.
// Files are only ever replaced by rename, never written over: on the disk store the stored objects
// are hard links to them.
// A failed step removes what it made and throws SiteBuildError naming the step and the reason; a
// failure while the working copy is changed leaves it unmarked, so the next build is a full one.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { createPhotoStore, type PhotoStore } from '../media/photo-store.ts';
import { publicSnapshotSchema, type PublicSnapshot } from './public-snapshot.ts';
import { siteBuildRoot } from './site-build-root.ts';
import { precompressTree, type CompressStats } from './site-compress.ts';

/** Where the working copy lives under DATA_DIR. */
export const PUBLIC_SITE_DIR = 'public-site';
/** The URL folder (and build sub-folder) the snapshot's photos are copied to: /notices/media/<id>.webp, <id>.thumb.webp. */
export const PUBLIC_PHOTO_DIR = 'notices/media';

export class SiteBuildError extends Error {
  readonly step: string;
  constructor(step: string, message: string) {
    super(`${step}: ${message}`);
    this.name = 'SiteBuildError';
    this.step = step;
  }
}

export interface SiteBuildOptions {
  /** Validated again here: an invalid snapshot fails the build before anything runs. */
  snapshot: unknown;
  /** DATA_DIR: the working copy is DATA_DIR/public-site/site. Not used with `outDir`. */
  dataDir?: string;
  /** The project's root (where node_modules/ is). */
  root: string;
  /** The site's Astro root; `<root>/site` by default. */
  siteRoot?: string;
  /** The build's id (sortable by time); made from the time when not given. */
  id?: string;
  /**
   * Build into this folder instead of the working copy (the initial site of `npm run build`):
   * replaced as a whole when the build succeeds.
   */
  outDir?: string;
  /** Kills the Astro (and Pagefind) child after this long; 10 minutes by default. */
  timeoutMs?: number;
  /** Run instead of Astro (tests): argv, run with PUBLIC_SNAPSHOT and SITE_OUT_DIR set, in `root`. */
  command?: readonly string[];
  /** More environment for the Astro child, e.g. CONTENT_DIR, PUBLIC_SITE_URL. */
  env?: Record<string, string>;
  /**
   * Where the snapshot's photos are read from: the portal's photo store (the blob store, disk or
   * bucket). Without it, files in the snapshot's mediaDir (a disk-only build).
   */
  photos?: Pick<PhotoStore, 'copyRendition'>;
  /** Skip Pagefind (tests of the switching only). */
  pagefind?: boolean;
  /**
   * An incremental build on top of the working copy, which holds the live build: the snapshot it
   * was made from and its paths (the manifest's). Only the notices whose public data differ are
   * rendered again, with every page that is not one notice's own; Pagefind is not run
   * (indexBuild, after the build is live). Without it: the whole site.
   */
  previous?: { snapshot: PublicSnapshot; paths: readonly string[] };
  /** Build from a build root of its own even when the project is writable (tests; site-build-root.ts). */
  separateRoot?: boolean;
  /** Told of each finished step. */
  onStep?: (step: string, ms: number) => void;
}

export interface SiteBuildResult {
  id: string;
  /** The folder built: the working copy, or `outDir`. */
  dir: string;
  /** 'full', or 'changed': an incremental build (`previous`), whose search index is still the live build's. */
  scope: 'full' | 'changed';
  /** HTML pages in the output (Pagefind's own files not counted). */
  pages: number;
  /** Notices whose page was rendered (all of them in a full build). */
  noticesRendered: number;
  /** An incremental build: the paths it wrote and removed (files, not their .br/.gz). */
  changes?: SiteChanges;
  photos: { linked: number; copied: number; missing: string[] };
  compressed: CompressStats;
  /** Milliseconds per step, and in all. */
  timings: Record<string, number>;
  ms: number;
}

export interface SiteChanges {
  written: string[];
  removed: string[];
}

/** The worker's working copy of the live build, the snapshot it was made from, and the mark naming that build. */
export function workingCopy(dataDir: string) {
  const base = path.join(path.resolve(dataDir), PUBLIC_SITE_DIR);
  return { base, dir: path.join(base, 'site'), snapshot: path.join(base, 'site.snapshot.json'), mark: path.join(base, 'site.live') };
}

/** Records that the working copy is the build `id` (once it is live), or that it is no build's (null). */
export async function markWorkingCopy(dataDir: string, id: string | null): Promise<void> {
  const { mark } = workingCopy(dataDir);
  if (id === null) return fs.rm(mark, { force: true });
  const temp = `${mark}.${randomBytes(4).toString('hex')}.tmp`;
  await fs.writeFile(temp, id);
  await fs.rename(temp, mark);
}

/** The build the working copy holds, with its snapshot; null when it is no live build's (a failed change, another machine). */
export async function readWorkingCopy(dataDir: string): Promise<{ id: string; snapshot: PublicSnapshot } | null> {
  const copy = workingCopy(dataDir);
  const [id, text] = await Promise.all([
    fs.readFile(copy.mark, 'utf8').catch(() => null),
    fs.readFile(copy.snapshot, 'utf8').catch(() => null),
  ]);
  if (!id || !text) return null;
  const parsed = publicSnapshotSchema.safeParse(JSON.parse(text));
  return parsed.success ? { id: id.trim(), snapshot: parsed.data } : null;
}

/** A build id that sorts by time: 20261201-220324-123-3fa9. */
export function newBuildId(at = new Date()): string {
  const iso = at.toISOString(); // 2026-12-01T22:03:24.123Z
  const stamp = `${iso.slice(0, 10).replaceAll('-', '')}-${iso.slice(11, 19).replaceAll(':', '')}-${iso.slice(20, 23)}`;
  return `${stamp}-${randomBytes(2).toString('hex')}`;
}

const BUILD_ID = /^\d{8}-\d{6}-\d{3}-[0-9a-f]{4}$/;

/** The notices of `next` whose public data differ from `before` (or are new): their pages are rendered again. */
export function changedNotices(before: PublicSnapshot, next: PublicSnapshot): PublicSnapshot['notices'] {
  const old = new Map(before.notices.map((n) => [n.slug, JSON.stringify(n)]));
  return next.notices.filter((n) => old.get(n.slug) !== JSON.stringify(n));
}

export async function buildSite(options: SiteBuildOptions): Promise<SiteBuildResult> {
  const began = performance.now();
  const timings: Record<string, number> = {};
  const step = stepTimer(timings, options.onStep);

  const id = options.id ?? newBuildId();
  if (!BUILD_ID.test(id) && !options.outDir) throw new SiteBuildError('prepare', `not a build id: ${id}`);
  const root = path.resolve(options.root);
  const siteRoot = path.resolve(options.siteRoot ?? path.join(root, 'site'));
  if (!options.outDir && !options.dataDir) throw new SiteBuildError('prepare', 'neither a data directory nor an output folder was given');
  const copy = options.outDir ? null : workingCopy(options.dataDir ?? '');
  const finalDir = copy ? copy.dir : path.resolve(options.outDir ?? '');
  const workDir = `${finalDir}.${id}.tmp`;
  const snapshotFile = `${finalDir}.${id}.snapshot.json`;
  const noticeList = `${finalDir}.${id}.notices.json`;
  const timeoutMs = options.timeoutMs ?? 10 * 60_000;
  const previous = options.previous ?? null;
  if (previous && !copy) throw new SiteBuildError('prepare', 'an incremental build needs the working copy to build on');

  try {
    const snapshot = await step('snapshot', async () => {
      const parsed = publicSnapshotSchema.safeParse(options.snapshot);
      if (!parsed.success) {
        const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
        throw new SiteBuildError('snapshot', `the snapshot is not valid: ${issues.join('; ')}`);
      }
      await fs.mkdir(path.dirname(snapshotFile), { recursive: true });
      await fs.rm(workDir, { recursive: true, force: true });
      await fs.mkdir(workDir, { recursive: true });
      // The site reads a relative mediaDir from the snapshot file's folder: make it absolute here.
      const data = { ...parsed.data, mediaDir: path.resolve(parsed.data.mediaDir) };
      await fs.writeFile(snapshotFile, JSON.stringify(data));
      return data;
    });
    const rendered = previous ? changedNotices(previous.snapshot, snapshot) : snapshot.notices;
    if (previous) await fs.writeFile(noticeList, JSON.stringify(rendered.map((n) => n.slug)));

    await step('astro', async () => {
      // --force: Astro's content store (in the site's cacheDir) keeps an entry whose text is unchanged
      // with the path it was first read from, so an ad moved with CONTENT_DIR (another folder, same
      // files) would look for its images in the old folder. The store is re-read each build (a few
      // Markdown files); the processed images stay cached.
      // The worker's builds: from a build root beside the working copy when the project is read-only (site-build-root.ts).
      const build =
        copy && !options.siteRoot && !options.command
          ? await siteBuildRoot(root, copy.base, { separate: options.separateRoot ?? false })
          : { root, siteRoot, env: {} };
      const argv = options.command ?? [process.execPath, astroBin(build.root), 'build', '--root', build.siteRoot, '--force'];
      const [cmd, ...args] = argv;
      if (!cmd) throw new SiteBuildError('astro', 'no command');
      await runChild('astro', cmd, args, {
        cwd: build.root,
        env: {
          ...childEnv(),
          ...build.env,
          ...options.env,
          PUBLIC_SNAPSHOT: snapshotFile,
          SITE_OUT_DIR: workDir,
          ASTRO_TELEMETRY_DISABLED: '1',
          ...(previous && { SITE_NOTICES: noticeList }),
        },
        timeoutMs,
      });
    });

    await step('check', async () => {
      if ((await countHtml(workDir)) === 0) throw new SiteBuildError('check', `the build wrote no HTML page into ${workDir}`);
    });

    if (options.pagefind !== false && !previous) await step('pagefind', () => runPagefind(root, workDir, timeoutMs));
    const liveMedia = path.join(finalDir, PUBLIC_PHOTO_DIR);
    const photos = await step('photos', () =>
      copyPhotos(rendered, path.join(workDir, PUBLIC_PHOTO_DIR), options.photos ?? createPhotoStore({ dir: snapshot.mediaDir }), {
        // An incremental build has the live build's photos already.
        ...(previous && { skipIn: liveMedia }),
      }),
    );
    const live = await isDir(finalDir);
    const compressed = await step('compress', () => precompressTree(workDir, live ? { reuseFrom: finalDir } : {}));

    // Counted before the switch: an incremental build's pages are the live build's with its changes (no walk of every file).
    const fullPages = previous ? 0 : await countHtml(workDir);
    let changes: SiteChanges | undefined;
    await step('switch', async () => {
      // From here the working copy changes: it is no live build's until the publish job records this one.
      if (copy) await markWorkingCopy(options.dataDir ?? '', null);
      if (previous) changes = await applyIncremental(workDir, finalDir, previous.paths, snapshot, rendered);
      else await replaceFolder(workDir, finalDir);
      if (copy) await fs.rename(snapshotFile, copy.snapshot);
      else await fs.rm(snapshotFile, { force: true });
      await fs.rm(noticeList, { force: true });
    });
    const pages = previous && changes ? pagesAfter(previous.paths, changes) : fullPages;

    return {
      id,
      dir: finalDir,
      scope: previous ? 'changed' : 'full',
      pages,
      noticesRendered: rendered.length,
      ...(changes && { changes }),
      photos,
      compressed,
      timings,
      ms: Math.round(performance.now() - began),
    };
  } catch (error) {
    await fs.rm(workDir, { recursive: true, force: true }).catch(() => {});
    await fs.rm(snapshotFile, { force: true }).catch(() => {});
    await fs.rm(noticeList, { force: true }).catch(() => {});
    throw error;
  }
}

/** The HTML pages of a build made of `paths` with `changes` (the search index's own files not counted). */
function pagesAfter(paths: readonly string[], changes: SiteChanges): number {
  const after = new Set(paths);
  for (const p of changes.removed) after.delete(p);
  for (const p of changes.written) after.add(p);
  return [...after].filter((p) => p.endsWith('.html') && !p.startsWith('pagefind/')).length;
}

/** Swaps `from` in for `to` (a full build): the old folder is renamed away, then removed. */
async function replaceFolder(from: string, to: string): Promise<void> {
  const old = `${to}.${randomBytes(4).toString('hex')}.old`;
  await fs.rename(to, old).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
  await fs.rename(from, to);
  await fs.rm(old, { recursive: true, force: true });
}

/**
 * Moves an incremental build's files (`render`, used up) into the working copy `into` (each file
 * by rename, its .br/.gz with it or removed), and removes the live build's paths the new build
 * does not have: the pages of notices no longer published, photos no notice names, and any page
 * that lists or counts which was not rendered again (a list page beyond the last).
 */
async function applyIncremental(
  render: string,
  into: string,
  livePaths: readonly string[],
  snapshot: PublicSnapshot,
  rendered: PublicSnapshot['notices'],
): Promise<SiteChanges> {
  const written = (await filesIn(render)).filter((p) => !p.endsWith('.br') && !p.endsWith('.gz'));
  const writing = new Set(written);
  const slugs = new Set(snapshot.notices.map((n) => n.slug));
  const again = new Set(rendered.map((n) => n.slug));
  const photos = new Set(photoNames(snapshot.notices));
  const keeps = (p: string): boolean => {
    if (writing.has(p)) return false;
    if (p.startsWith('_astro/') || p.startsWith('pagefind/')) return true;
    if (p.startsWith(`${PUBLIC_PHOTO_DIR}/`)) return photos.has(p.slice(PUBLIC_PHOTO_DIR.length + 1));
    const notice = /^notices\/([^/]+)\//.exec(p)?.[1];
    if (notice && notice !== 'page' && slugs.has(notice)) return !again.has(notice);
    return false;
  };
  const removed = livePaths.filter((p) => !writing.has(p) && !keeps(p));

  const made = new Set<string>();
  for (const rel of written) {
    const target = path.join(into, ...rel.split('/'));
    const parent = path.dirname(target);
    if (!made.has(parent)) {
      await fs.mkdir(parent, { recursive: true });
      made.add(parent);
    }
    const from = path.join(render, ...rel.split('/'));
    for (const suffix of ['.br', '.gz']) {
      await fs.rename(`${from}${suffix}`, `${target}${suffix}`).catch(async (error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
        await fs.rm(`${target}${suffix}`, { force: true });
      });
    }
    await fs.rename(from, target);
  }
  for (const rel of removed) {
    const target = path.join(into, ...rel.split('/'));
    await Promise.all(['', '.br', '.gz'].map((suffix) => fs.rm(`${target}${suffix}`, { force: true })));
  }
  // The folders of withdrawn notices, now empty.
  const gone = new Set(
    removed.map((p) => /^notices\/([^/]+)\//.exec(p)?.[1]).filter((n): n is string => !!n && n !== 'page' && n !== 'media'),
  );
  for (const slug of gone) if (!slugs.has(slug)) await fs.rm(path.join(into, 'notices', slug), { recursive: true, force: true });
  await fs.rm(render, { recursive: true, force: true });
  return { written, removed };
}

/**
 * The search index of an incremental build, once it is live: Pagefind over the working copy into
 * a fresh folder, compressed, then swapped for `pagefind/`. Answers the paths it wrote; every path
 * under `pagefind/` before is replaced.
 */
export async function indexBuild(
  root: string,
  dir: string,
  options: { timeoutMs?: number; onStep?: (step: string, ms: number) => void } = {},
): Promise<{ written: string[]; timings: Record<string, number> }> {
  const timings: Record<string, number> = {};
  const step = stepTimer(timings, options.onStep);
  const fresh = `${dir}.pagefind.tmp`;
  await fs.rm(fresh, { recursive: true, force: true });
  try {
    await step('pagefind', () => runPagefind(path.resolve(root), dir, options.timeoutMs ?? 10 * 60_000, fresh));
    await step('compress', () => precompressTree(fresh, { reuseFrom: path.join(dir, 'pagefind') }));
    await replaceFolder(fresh, path.join(dir, 'pagefind'));
  } catch (error) {
    await fs.rm(fresh, { recursive: true, force: true }).catch(() => {});
    throw error;
  }
  const written = (await filesIn(path.join(dir, 'pagefind')))
    .filter((p) => !p.endsWith('.br') && !p.endsWith('.gz'))
    .map((p) => `pagefind/${p}`);
  return { written, timings };
}

/** Every file under `dir`, as `/`-separated paths relative to it. */
export async function filesIn(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'));
}

function stepTimer(timings: Record<string, number>, onStep?: (step: string, ms: number) => void) {
  return async <T>(name: string, run: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try {
      const value = await run();
      timings[name] = Math.round(performance.now() - t0);
      onStep?.(name, timings[name]);
      return value;
    } catch (error) {
      if (error instanceof SiteBuildError) throw error;
      throw new SiteBuildError(name, error instanceof Error ? error.message : String(error));
    }
  };
}

function runPagefind(root: string, site: string, timeoutMs: number, output?: string): Promise<void> {
  const args = [pagefindBin(root), '--site', site, '--quiet', ...(output ? ['--output-path', output] : [])];
  return runChild('pagefind', process.execPath, args, { cwd: root, env: childEnv(), timeoutMs });
}

async function isDir(p: string): Promise<boolean> {
  return fs.stat(p).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

/** Removes what builds that died half-way (a killed worker) left beside the working copy, an hour on. */
export async function removeStaleBuildFiles(dataDir: string): Promise<void> {
  const { base } = workingCopy(dataDir);
  const hourAgo = Date.now() - 3_600_000;
  for (const name of await fs.readdir(base).catch(() => [] as string[])) {
    if (!/\.(tmp|old|snapshot\.json|notices\.json)$/.test(name) || name === 'site.snapshot.json') continue;
    const file = path.join(base, name);
    const stats = await fs.stat(file).catch(() => null);
    if (stats && stats.mtimeMs < hourAgo) await fs.rm(file, { recursive: true, force: true });
  }
}

function photoNames(notices: PublicSnapshot['notices']): string[] {
  const ids = new Set<string>();
  for (const notice of notices) {
    for (const p of notice.photos) ids.add(p.id);
    for (const p of notice.response?.photos ?? []) ids.add(p.id);
  }
  return [...ids].flatMap((id) => [`${id}.webp`, `${id}.thumb.webp`]);
}

async function copyPhotos(
  notices: PublicSnapshot['notices'],
  dir: string,
  photos: Pick<PhotoStore, 'copyRendition'>,
  options: { skipIn?: string } = {},
) {
  const result = { linked: 0, copied: 0, missing: [] as string[] };
  const have = new Set(options.skipIn ? await fs.readdir(options.skipIn).catch(() => [] as string[]) : []);
  const files = photoNames(notices).filter((name) => !have.has(name));
  if (files.length === 0) return result;
  await fs.mkdir(dir, { recursive: true });
  await inPool(files, 8, async (name) => {
    const outcome = await photos.copyRendition(name, path.join(dir, name));
    if (outcome === 'missing') result.missing.push(name);
    else result[outcome]++;
  });
  return result;
}

async function countHtml(dir: string): Promise<number> {
  let count = 0;
  for (const entry of await fs.readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile() && entry.name.endsWith('.html')) count++;
  }
  return count;
}

export async function inPool<T>(items: readonly T[], size: number, run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await run(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker));
}

function astroBin(root: string): string {
  return path.join(root, 'node_modules', 'astro', 'bin', 'astro.mjs');
}

function pagefindBin(root: string): string {
  // The package exports only its API (for `import`); its command-line wrapper is this file.
  return path.join(root, 'node_modules', 'pagefind', 'lib', 'runner', 'bin.cjs');
}

/** The child's environment: ours, without the test runner's markers (Vite changes its behaviour under them). */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k === 'VITEST' || k.startsWith('VITEST_') || k === 'TEST' || k === 'NODE_ENV') continue;
    env[k] = v;
  }
  return env;
}

function runChild(
  name: string,
  cmd: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-8000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new SiteBuildError(name, `could not start: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return resolve();
      const why = timedOut
        ? `timed out after ${Math.round(options.timeoutMs / 1000)} s`
        : signal
          ? `killed by ${signal}`
          : `exit code ${code}`;
      reject(new SiteBuildError(name, `${why}\n${lastLines(output)}`));
    });
  });
}

// The part of a failed child's output that says why (ANSI colours removed).
function lastLines(output: string): string {
  const plain = output.replace(/\x1b\[[0-9;]*m/g, '').trimEnd();
  return plain.split('\n').slice(-25).join('\n').slice(-3000);
}
