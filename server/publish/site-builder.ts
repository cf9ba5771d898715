// Builds the public site from a public snapshot (ADR 006) and switches it in atomically:
//   1. the snapshot, validated, written as JSON beside the build folder;
//   2. `astro build --root site --force` in a child process (the project's Node, process.execPath), reading
//      PUBLIC_SNAPSHOT and writing to SITE_OUT_DIR, with a timeout; its output kept for the error;
//   3. Pagefind over the output (the static full-text search index);
//   4. the photos the snapshot names, from the photo pipeline's renditions into /notices/media/
//      under the store's own names (<id>.webp, <id>.thumb.webp) — hard links on the same
//      filesystem, else copies; never re-encoded;
//   5. `.br` and `.gz` siblings of the text files (site-compress.ts);
//   6. the folder renamed from `<id>.tmp` to DATA_DIR/public-site/builds/<id>, then
//      DATA_DIR/public-site/current re-pointed: a new symlink made beside it and renamed over it
//      (rename(2) is atomic, so a reader sees the old build or the new one, never neither);
//   7. the older builds removed, keeping the newest three (and whatever `current` points at).
// A failed step removes the half-made folder, leaves `current` as it was, and throws
// SiteBuildError naming the step and the reason.
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
   * replaced as a whole when the build succeeds; nothing is switched or pruned.
   */
  outDir?: string;
  /** Kills the Astro (and Pagefind) child after this long; 10 minutes by default. */
  timeoutMs?: number;
  /** Builds kept, the new one included; 3 by default. */
  keep?: number;
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
   * 'stats': refresh only the pages that show counts (STATS_PAGES) on top of the live build —
   * Astro renders them alone (SITE_PAGES=stats skips the notices' and ads' own pages), and the
   * rest of the live build, its search index and photos included, is hard-linked into the new
   * folder unchanged. Needs a live build. 'full' (the default): the whole site.
   */
  scope?: 'full' | 'stats';
  /** Told of each finished step. */
  onStep?: (step: string, ms: number) => void;
}

export interface SiteBuildResult {
  id: string;
  /** The build's folder (absolute). */
  dir: string;
  /** HTML pages in the output (Pagefind's own files not counted). */
  pages: number;
  photos: { linked: number; copied: number; missing: string[] };
  compressed: CompressStats;
  /** Milliseconds per step, and in all. */
  timings: Record<string, number>;
  ms: number;
}

export function publicSitePaths(dataDir: string) {
  const base = path.join(path.resolve(dataDir), PUBLIC_SITE_DIR);
  return { base, builds: path.join(base, 'builds'), current: path.join(base, 'current') };
}

/** A folder name that sorts by time: 20261201-220324-123-3fa9. */
export function newBuildId(at = new Date()): string {
  const iso = at.toISOString(); // 2026-12-01T22:03:24.123Z
  const stamp = `${iso.slice(0, 10).replaceAll('-', '')}-${iso.slice(11, 19).replaceAll(':', '')}-${iso.slice(20, 23)}`;
  return `${stamp}-${randomBytes(2).toString('hex')}`;
}

const BUILD_ID = /^\d{8}-\d{6}-\d{3}-[0-9a-f]{4}$/;

/**
 * What shows counts from the ledgers (a statistics refresh renders these anew): the home page's
 * figures, /stats/, the unit pages, the bulletins (whether each problem is rectified now) and
 * the sitemap's dates. Top-level names in the build; a file's .br/.gz siblings go with it.
 */
export const STATS_PAGES = ['index.html', 'stats', 'units', 'bulletins', 'sitemap.xml'] as const;

export async function buildSite(options: SiteBuildOptions): Promise<SiteBuildResult> {
  const began = performance.now();
  const timings: Record<string, number> = {};
  const step = async <T>(name: string, run: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try {
      const value = await run();
      timings[name] = Math.round(performance.now() - t0);
      options.onStep?.(name, timings[name]);
      return value;
    } catch (error) {
      if (error instanceof SiteBuildError) throw error;
      throw new SiteBuildError(name, error instanceof Error ? error.message : String(error));
    }
  };

  const id = options.id ?? newBuildId();
  if (!BUILD_ID.test(id) && !options.outDir) throw new SiteBuildError('prepare', `not a build id: ${id}`);
  const root = path.resolve(options.root);
  const siteRoot = path.resolve(options.siteRoot ?? path.join(root, 'site'));
  if (!options.outDir && !options.dataDir) throw new SiteBuildError('prepare', 'neither a data directory nor an output folder was given');
  // Live builds (DATA_DIR/public-site, switched in) or one folder replaced as a whole (outDir).
  const paths = options.outDir ? null : publicSitePaths(options.dataDir ?? '');
  const finalDir = paths ? path.join(paths.builds, id) : path.resolve(options.outDir ?? '');
  const workDir = `${finalDir}.tmp`;
  const snapshotFile = paths ? path.join(paths.builds, `${id}.snapshot.json`) : `${finalDir}.snapshot.json`;
  const timeoutMs = options.timeoutMs ?? 10 * 60_000;
  const statsOnly = options.scope === 'stats';
  if (statsOnly && !paths) throw new SiteBuildError('prepare', 'a statistics refresh needs a live build to refresh');
  // A statistics refresh renders into its own folder; the new build is assembled in workDir.
  const renderDir = statsOnly ? `${finalDir}.render.tmp` : workDir;

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
          ...(statsOnly && { SITE_PAGES: 'stats' }),
        },
        timeoutMs,
      });
    });

    await step('check', async () => {
      if ((await countHtml(renderDir)) === 0) throw new SiteBuildError('check', `the build wrote no HTML page into ${renderDir}`);
    });

    const previous = paths ? await fs.realpath(paths.current).catch(() => null) : null;
    let compressed = emptyCompressStats();
    if (statsOnly) {
      if (!previous) throw new SiteBuildError('assemble', 'there is no live build to refresh');
      compressed = await step('compress', () => precompressTree(renderDir, { reuseFrom: previous }));
      await step('assemble', () => assembleStatsRefresh(previous, renderDir, workDir));
    }
    const pages = await countHtml(workDir);

    if (options.pagefind !== false && !statsOnly) {
      await step('pagefind', () =>
        runChild('pagefind', process.execPath, [pagefindBin(root), '--site', workDir, '--quiet'], {
          cwd: root,
          env: childEnv(),
          timeoutMs,
        }),
      );
    }

    // A statistics refresh keeps the live build's photos (linked with the rest).
    const photos = statsOnly
      ? { linked: 0, copied: 0, missing: [] }
      : await step('photos', () =>
          copyPhotos(snapshot, path.join(workDir, PUBLIC_PHOTO_DIR), options.photos ?? createPhotoStore({ dir: snapshot.mediaDir })),
        );

    if (!statsOnly) compressed = await step('compress', () => precompressTree(workDir, previous ? { reuseFrom: previous } : {}));

    await step('switch', async () => {
      if (!paths) {
        // The initial site: swap the folders (a short gap is fine at build time).
        await fs.rm(finalDir, { recursive: true, force: true });
        await fs.rename(workDir, finalDir);
        await fs.rm(snapshotFile, { force: true });
        return;
      }
      await fs.rename(workDir, finalDir);
      await switchCurrent(paths.current, path.relative(path.dirname(paths.current), finalDir));
    });

    if (paths) await step('prune', () => pruneBuilds(paths, options.keep ?? 3));

    return { id, dir: finalDir, pages, photos, compressed, timings, ms: Math.round(performance.now() - began) };
  } catch (error) {
    await fs.rm(workDir, { recursive: true, force: true }).catch(() => {});
    await fs.rm(renderDir, { recursive: true, force: true }).catch(() => {});
    await fs.rm(snapshotFile, { force: true }).catch(() => {});
    throw error;
  }
}

/**
 * The new build of a statistics refresh, in `into`: the live build `from` hard-linked as it is,
 * except STATS_PAGES, which come from the fresh render (their .br/.gz already made). `render` is
 * used up.
 */
async function assembleStatsRefresh(from: string, render: string, into: string): Promise<void> {
  const isStatsPage = (name: string) => STATS_PAGES.some((p) => name === p || name.startsWith(`${p}.`));
  await fs.mkdir(into, { recursive: true });
  for (const entry of await fs.readdir(from, { withFileTypes: true })) {
    if (isStatsPage(entry.name)) continue;
    await linkTree(path.join(from, entry.name), path.join(into, entry.name), entry.isDirectory());
  }
  for (const entry of await fs.readdir(render, { withFileTypes: true })) {
    if (isStatsPage(entry.name)) await fs.rename(path.join(render, entry.name), path.join(into, entry.name));
  }
  await fs.rm(render, { recursive: true, force: true });
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

function emptyCompressStats(): CompressStats {
  return { files: 0, compressed: 0, reused: 0, bytes: 0, brBytes: 0, gzBytes: 0 };
}

/** Points `current` at `target` atomically: a new symlink beside it, renamed over it. */
export async function switchCurrent(current: string, target: string): Promise<void> {
  const next = `${current}.next-${randomBytes(4).toString('hex')}`;
  await fs.symlink(target, next, 'dir');
  try {
    await fs.rename(next, current);
  } catch (error) {
    await fs.rm(next, { force: true }).catch(() => {});
    throw error;
  }
}

/** Keeps the newest `keep` builds and the one `current` points at; removes the rest and stale half-made ones. */
export async function pruneBuilds(paths: ReturnType<typeof publicSitePaths>, keep: number): Promise<string[]> {
  const live = await fs.realpath(paths.current).catch(() => null);
  const entries = await fs.readdir(paths.builds, { withFileTypes: true }).catch(() => []);
  const builds = entries
    .filter((e) => e.isDirectory() && BUILD_ID.test(e.name))
    .map((e) => e.name)
    .sort()
    .reverse();
  const keepSet = new Set(builds.slice(0, Math.max(1, keep)));
  if (live) keepSet.add(path.basename(live));
  const removed: string[] = [];
  for (const name of builds) {
    if (keepSet.has(name)) continue;
    await fs.rm(path.join(paths.builds, name), { recursive: true, force: true });
    await fs.rm(path.join(paths.builds, `${name}.snapshot.json`), { force: true });
    removed.push(name);
  }
  // Folders and snapshots of builds that died half-way (a killed worker) and are an hour old.
  const hourAgo = Date.now() - 3_600_000;
  for (const e of entries) {
    const stale = e.name.endsWith('.tmp') || (e.name.endsWith('.snapshot.json') && !keepSet.has(e.name.slice(0, -'.snapshot.json'.length)));
    if (!stale) continue;
    const file = path.join(paths.builds, e.name);
    const stats = await fs.stat(file).catch(() => null);
    if (stats && stats.mtimeMs < hourAgo) await fs.rm(file, { recursive: true, force: true });
  }
  return removed;
}

async function copyPhotos(snapshot: PublicSnapshot, dir: string, photos: Pick<PhotoStore, 'copyRendition'>) {
  const ids = new Set<string>();
  for (const notice of snapshot.notices) {
    for (const p of notice.photos) ids.add(p.id);
    for (const p of notice.response?.photos ?? []) ids.add(p.id);
  }
  const result = { linked: 0, copied: 0, missing: [] as string[] };
  if (ids.size === 0) return result;
  await fs.mkdir(dir, { recursive: true });
  const files = [...ids].flatMap((id) => [`${id}.webp`, `${id}.thumb.webp`]);
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
