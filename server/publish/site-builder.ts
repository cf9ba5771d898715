// Builds the public site from a public snapshot (ADR 006, ADR 016) into a folder of this machine:
//   1. the snapshot, validated, written as JSON beside the build folder;
//   2. `astro build --root site --force` in a child process (the project's Node, process.execPath), reading
//      PUBLIC_SNAPSHOT and writing to SITE_OUT_DIR, with a timeout; its output kept for the error;
//   3. Pagefind over the output (the static full-text search index) — or later, off the critical
//      path, for an incremental build (indexBuild);
//   4. the photos the snapshot names, from the photo pipeline's renditions into /notices/media/
//      under the store's own names (<id>.webp, <id>.thumb.webp) — hard links on the same
//      filesystem, else copies; never re-encoded;
//   5. `.br` and `.gz` siblings of the text files (site-compress.ts);
//   6. the folder renamed from `<id>.tmp` to DATA_DIR/public-site/builds/<id>.
// The publish job (site-publisher.ts) then puts the folder into the blob store and records it live.
// An incremental build (`previous`: the live build's folder and snapshot) renders only the pages
// of the notices whose public data changed, and every page that lists or counts (lists, units,
// statistics, feed, ads, bulletins: a few hundred pages whatever the number of notices); the
// other notices' pages, their photos, the hashed assets and the search index are hard-linked
// from the live build.
// A failed step removes the half-made folder and throws SiteBuildError naming the step and the reason.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { createPhotoStore, type PhotoStore } from '../media/photo-store.ts';
import { publicSnapshotSchema, type PublicSnapshot } from './public-snapshot.ts';
import { precompressTree, type CompressStats } from './site-compress.ts';

/** Where builds live under DATA_DIR. */
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
  /** DATA_DIR: builds go to DATA_DIR/public-site/builds/<id>/, `current` beside them. Not used with `outDir`. */
  dataDir?: string;
  /** The project's root (where node_modules/ is). */
  root: string;
  /** The site's Astro root; `<root>/site` by default. */
  siteRoot?: string;
  /** The build folder's name (sortable by time); made from the time when not given. */
  id?: string;
  /**
   * Build into this folder instead of DATA_DIR/public-site (the initial site of `npm run build`):
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
   * An incremental build on top of the live build (its folder under DATA_DIR/public-site/builds and
   * the snapshot it was made from): only the notices whose public data differ are rendered again,
   * with every page that is not one notice's own page; the rest is linked from `previous.dir`.
   * Pagefind is not run (indexBuild, after the build is live). Without it: the whole site.
   */
  previous?: { dir: string; snapshot: PublicSnapshot };
  /** Told of each finished step. */
  onStep?: (step: string, ms: number) => void;
}

export interface SiteBuildResult {
  id: string;
  /** The build's folder (absolute). */
  dir: string;
  /** 'full', or 'changed': an incremental build (`previous`), whose search index is still the live build's. */
  scope: 'full' | 'changed';
  /** HTML pages in the output (Pagefind's own files not counted). */
  pages: number;
  /** Notices whose page was rendered (all of them in a full build). */
  noticesRendered: number;
  photos: { linked: number; copied: number; missing: string[] };
  compressed: CompressStats;
  /** Milliseconds per step, and in all. */
  timings: Record<string, number>;
  ms: number;
}

export function publicSitePaths(dataDir: string) {
  const base = path.join(path.resolve(dataDir), PUBLIC_SITE_DIR);
  return { base, builds: path.join(base, 'builds') };
}

/** Where a build's folder and its snapshot are. */
export function buildFiles(dataDir: string, id: string) {
  const { builds } = publicSitePaths(dataDir);
  return { dir: path.join(builds, id), snapshot: path.join(builds, `${id}.snapshot.json`) };
}

/** A folder name that sorts by time: 20261201-220324-123-3fa9. */
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
  // Live builds (DATA_DIR/public-site/builds) or one folder replaced as a whole (outDir).
  const files = options.outDir ? null : buildFiles(options.dataDir ?? '', id);
  const finalDir = files ? files.dir : path.resolve(options.outDir ?? '');
  const workDir = `${finalDir}.tmp`;
  const snapshotFile = files ? files.snapshot : `${finalDir}.snapshot.json`;
  const timeoutMs = options.timeoutMs ?? 10 * 60_000;
  const previous = options.previous ?? null;
  if (previous && !files) throw new SiteBuildError('prepare', 'an incremental build needs a live build to build on');
  // An incremental build renders into its own folder; the new build is assembled in workDir.
  const renderDir = previous ? `${finalDir}.render.tmp` : workDir;
  const noticeList = `${finalDir}.notices.json`;

  try {
    const snapshot = await step('snapshot', async () => {
      const parsed = publicSnapshotSchema.safeParse(options.snapshot);
      if (!parsed.success) {
        const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
        throw new SiteBuildError('snapshot', `the snapshot is not valid: ${issues.join('; ')}`);
      }
      await fs.mkdir(path.dirname(snapshotFile), { recursive: true });
      await fs.rm(workDir, { recursive: true, force: true });
      await fs.rm(renderDir, { recursive: true, force: true });
      await fs.mkdir(renderDir, { recursive: true });
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
      const argv = options.command ?? [process.execPath, astroBin(root), 'build', '--root', siteRoot, '--force'];
      const [cmd, ...args] = argv;
      if (!cmd) throw new SiteBuildError('astro', 'no command');
      await runChild('astro', cmd, args, {
        cwd: root,
        env: {
          ...childEnv(),
          ...options.env,
          PUBLIC_SNAPSHOT: snapshotFile,
          SITE_OUT_DIR: renderDir,
          ASTRO_TELEMETRY_DISABLED: '1',
          ...(previous && { SITE_NOTICES: noticeList }),
        },
        timeoutMs,
      });
    });

    await step('check', async () => {
      if ((await countHtml(renderDir)) === 0) throw new SiteBuildError('check', `the build wrote no HTML page into ${renderDir}`);
    });

    const mediaDir = path.join(workDir, PUBLIC_PHOTO_DIR);
    const photoSource = options.photos ?? createPhotoStore({ dir: snapshot.mediaDir });
    let compressed: CompressStats;
    let photos: SiteBuildResult['photos'];
    if (previous) {
      // Compressed before assembly: what is linked from the live build brings its siblings along.
      compressed = await step('compress', () => precompressTree(renderDir, { reuseFrom: previous.dir }));
      await step('assemble', () => assembleIncremental(previous.dir, renderDir, workDir, snapshot, rendered));
      photos = await step('photos', () => copyPhotos(rendered, mediaDir, photoSource, { skipExisting: true }));
    } else {
      if (options.pagefind !== false) await step('pagefind', () => runPagefind(root, workDir, timeoutMs));
      photos = await step('photos', () => copyPhotos(snapshot.notices, mediaDir, photoSource));
      const live = files ? await liveDirFor(options.dataDir ?? '') : null;
      compressed = await step('compress', () => precompressTree(workDir, live ? { reuseFrom: live } : {}));
    }
    const pages = await countHtml(workDir);

    await step('switch', async () => {
      // The initial site: swap the folders (a short gap is fine at build time).
      if (!files) await fs.rm(finalDir, { recursive: true, force: true });
      await fs.rename(workDir, finalDir);
      if (!files) await fs.rm(snapshotFile, { force: true });
      await fs.rm(noticeList, { force: true });
    });

    return {
      id,
      dir: finalDir,
      scope: previous ? 'changed' : 'full',
      pages,
      noticesRendered: rendered.length,
      photos,
      compressed,
      timings,
      ms: Math.round(performance.now() - began),
    };
  } catch (error) {
    await fs.rm(workDir, { recursive: true, force: true }).catch(() => {});
    await fs.rm(renderDir, { recursive: true, force: true }).catch(() => {});
    await fs.rm(snapshotFile, { force: true }).catch(() => {});
    await fs.rm(noticeList, { force: true }).catch(() => {});
    throw error;
  }
}

/**
 * The search index of a build made without one (an incremental build, once it is live): Pagefind
 * over the whole folder into a fresh `pagefind/`, compressed, replacing the one linked from the
 * build before.
 */
export async function indexBuild(
  root: string,
  dir: string,
  options: { timeoutMs?: number; onStep?: (step: string, ms: number) => void } = {},
) {
  const timings: Record<string, number> = {};
  const step = stepTimer(timings, options.onStep);
  const fresh = path.join(dir, 'pagefind.tmp');
  await fs.rm(fresh, { recursive: true, force: true });
  try {
    await step('pagefind', () => runPagefind(path.resolve(root), dir, options.timeoutMs ?? 10 * 60_000, fresh));
    await step('compress', () => precompressTree(fresh, { reuseFrom: path.join(dir, 'pagefind') }));
    await fs.rm(path.join(dir, 'pagefind'), { recursive: true, force: true });
    await fs.rename(fresh, path.join(dir, 'pagefind'));
  } catch (error) {
    await fs.rm(fresh, { recursive: true, force: true }).catch(() => {});
    throw error;
  }
  return timings;
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

/** The newest finished build folder of this machine (to re-use its compressed siblings), if any. */
async function liveDirFor(dataDir: string): Promise<string | null> {
  const { builds } = publicSitePaths(dataDir);
  const names = (await fs.readdir(builds, { withFileTypes: true }).catch(() => []))
    .filter((e) => e.isDirectory() && BUILD_ID.test(e.name))
    .map((e) => e.name)
    .sort();
  const newest = names.at(-1);
  return newest ? path.join(builds, newest) : null;
}

/**
 * An incremental build in `into`: everything rendered (`render`, used up), and from the live build
 * `from`, hard-linked, the pages of the notices still published and not rendered again, the
 * photos the snapshot still names, the hashed assets the render did not make, and the search
 * index. Whatever else the live build had (a withdrawn notice, a list page that no longer exists)
 * is not carried over.
 */
async function assembleIncremental(
  from: string,
  render: string,
  into: string,
  snapshot: PublicSnapshot,
  rendered: PublicSnapshot['notices'],
) {
  await fs.rename(render, into);
  const again = new Set(rendered.map((n) => n.slug));
  const kept = snapshot.notices.filter((n) => !again.has(n.slug));
  const photoFiles = new Set(photoNames(kept));
  const link = (rel: string, isDirectory: boolean) => linkTree(path.join(from, rel), path.join(into, rel), isDirectory);
  await inPool(kept, 8, async (n) => {
    const rel = path.join('notices', n.slug);
    if ((await isDir(path.join(from, rel))) && !(await isDir(path.join(into, rel)))) await link(rel, true);
  });
  const media = (await fs.readdir(path.join(from, PUBLIC_PHOTO_DIR)).catch(() => [])).filter((name) => photoFiles.has(name));
  if (media.length > 0) await fs.mkdir(path.join(into, PUBLIC_PHOTO_DIR), { recursive: true });
  await inPool(media, 8, (name) => link(path.join(PUBLIC_PHOTO_DIR, name), false));
  await linkMissing(path.join(from, '_astro'), path.join(into, '_astro'));
  if (!(await isDir(path.join(into, 'pagefind'))) && (await isDir(path.join(from, 'pagefind')))) await link('pagefind', true);
}

/** Links the files of `from` that `to` does not have (a flat folder). */
async function linkMissing(from: string, to: string): Promise<void> {
  const names = await fs.readdir(from).catch(() => [] as string[]);
  if (names.length === 0) return;
  await fs.mkdir(to, { recursive: true });
  const have = new Set(await fs.readdir(to));
  await inPool(
    names.filter((n) => !have.has(n)),
    8,
    (n) => fs.link(path.join(from, n), path.join(to, n)),
  );
}

async function isDir(p: string): Promise<boolean> {
  return fs.stat(p).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

/** A copy of a file or folder made of hard links (the same filesystem: builds live side by side). */
async function linkTree(from: string, to: string, isDirectory: boolean): Promise<void> {
  if (!isDirectory) {
    await fs.link(from, to);
    return;
  }
  await fs.mkdir(to, { recursive: true });
  const entries = await fs.readdir(from, { withFileTypes: true });
  await inPool(entries, 8, (e) => linkTree(path.join(from, e.name), path.join(to, e.name), e.isDirectory()));
}

/**
 * Keeps the newest `keep` builds of this machine and the live one (`liveId`); removes the rest,
 * their snapshots, and half-made folders of builds that died (a killed worker) an hour ago.
 */
export async function pruneBuilds(dataDir: string, keep: number, liveId: string | null): Promise<string[]> {
  const { builds: buildsDir } = publicSitePaths(dataDir);
  const entries = await fs.readdir(buildsDir, { withFileTypes: true }).catch(() => []);
  const builds = entries
    .filter((e) => e.isDirectory() && BUILD_ID.test(e.name))
    .map((e) => e.name)
    .sort()
    .reverse();
  const keepSet = new Set(builds.slice(0, Math.max(1, keep)));
  if (liveId) keepSet.add(liveId);
  const removed: string[] = [];
  for (const name of builds) {
    if (keepSet.has(name)) continue;
    await fs.rm(path.join(buildsDir, name), { recursive: true, force: true });
    await fs.rm(path.join(buildsDir, `${name}.snapshot.json`), { force: true });
    removed.push(name);
  }
  const hourAgo = Date.now() - 3_600_000;
  for (const e of entries) {
    const stale =
      e.name.endsWith('.tmp') ||
      e.name.endsWith('.notices.json') ||
      (e.name.endsWith('.snapshot.json') && !keepSet.has(e.name.slice(0, -'.snapshot.json'.length)));
    if (!stale) continue;
    const file = path.join(buildsDir, e.name);
    const stats = await fs.stat(file).catch(() => null);
    if (stats && stats.mtimeMs < hourAgo) await fs.rm(file, { recursive: true, force: true });
  }
  return removed;
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
  options: { skipExisting?: boolean } = {},
) {
  const result = { linked: 0, copied: 0, missing: [] as string[] };
  const files = photoNames(notices);
  if (files.length === 0) return result;
  await fs.mkdir(dir, { recursive: true });
  const have = options.skipExisting ? new Set(await fs.readdir(dir)) : new Set<string>();
  await inPool(
    files.filter((name) => !have.has(name)),
    8,
    async (name) => {
      const outcome = await photos.copyRendition(name, path.join(dir, name));
      if (outcome === 'missing') result.missing.push(name);
      else result[outcome]++;
    },
  );
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
