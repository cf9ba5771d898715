// The live public site as a plain directory for nginx (issue 19, ADR 020): on the disk blob store
// (one machine), the worker that records a build live also lays the live manifest out as
//   DATA_DIR/public-site/builds/<build>-<revision>/   hard links to the stored objects, each file
//                                                     with its `.br`/`.gz` beside it (nginx's
//                                                     brotli_static and gzip_static look there)
//   DATA_DIR/public-site/current -> builds/<build>-<revision>
// `current` is switched atomically (a symlink made under a temporary name, renamed over it), so
// nginx sees the old build or the new one, never a mix. The builds that were current just before
// are kept (a request may still be reading them); older ones are removed. On a bucket (BLOB_STORE=s3)
// nothing is written: nginx then proxies every request to Node, which serves the site itself.
// The web processes do not need this directory: they follow the manifest (server/http/live-site.ts).
// nginx's workers run as another user (www-data): the folders are made 0755 and the files 0644
// whatever the worker's umask — they are the public site — so nginx needs only to pass through
// DATA_DIR (mode 0711 or 0751), never to read the rest of it.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { BlobStore } from '../storage/blob-store.ts';
import { liveManifest } from './site-build-repository.ts';
import { PUBLIC_SITE_DIR } from './site-builder.ts';
import { readManifest, siblingKeys, siteObjectKey } from './site-store.ts';

export interface SiteDirectoryOptions {
  db: Kysely<Database>;
  store: BlobStore;
  dataDir: string;
  /** Build directories kept, the current one included; 3 by default. */
  keep?: number;
  log?: { info(message: string): void; error(message: string, error: unknown): void };
}

export interface SiteDirectory {
  /**
   * Lays out the live build and points `current` at it, unless it does already; answers the
   * directory's name, or null (a bucket, or no build live yet). One update at a time.
   */
  update(): Promise<string | null>;
}

/** Where nginx reads the live site: DATA_DIR/public-site/current. */
export function siteDirectoryPaths(dataDir: string) {
  const base = path.join(path.resolve(dataDir), PUBLIC_SITE_DIR);
  return { base, builds: path.join(base, 'builds'), current: path.join(base, 'current') };
}

const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const LINK_CONCURRENCY = 16;

export function createSiteDirectory(options: SiteDirectoryOptions): SiteDirectory {
  const { db, store } = options;
  const paths = siteDirectoryPaths(options.dataDir);
  const keep = Math.max(2, options.keep ?? 3);
  let queue: Promise<unknown> = Promise.resolve();

  async function update(): Promise<string | null> {
    // Only the disk store has files to link; `localPath` is null on a bucket.
    if (store.localPath('site/manifests/probe.json') === null) return null;
    const live = await liveManifest(db);
    if (!live) return null;
    const name = path.posix.basename(live.key, '.json');
    if (!SAFE_NAME.test(name)) throw new Error(`unexpected manifest name ${live.key}`);
    const target = path.join(paths.builds, name);
    const before = await fs.readlink(paths.current).catch(() => null);
    const relative = path.posix.join('builds', name);
    if (before === relative && (await isDir(target))) return name;
    if (!(await isDir(target))) await layOut(live.key, target);
    await switchCurrent(relative);
    await prune(new Set([name, ...(before ? [path.posix.basename(before)] : [])]));
    options.log?.info(`[publish] nginx's site directory now holds build ${name}`);
    return name;
  }

  /** The manifest's files as hard links (copies across filesystems) in a new folder, renamed into place when complete. */
  async function layOut(key: string, target: string): Promise<void> {
    const manifest = await readManifest(store, key);
    if (!manifest) throw new Error(`the live build's manifest ${key} is not in the store`);
    await fs.mkdir(paths.builds, { recursive: true });
    await Promise.all([paths.base, paths.builds].map((d) => fs.chmod(d, 0o755)));
    const temp = path.join(paths.builds, `.${path.basename(target)}.${randomBytes(4).toString('hex')}.partial`);
    try {
      const entries = Object.entries(manifest.files);
      const folders = new Set<string>([temp]);
      let next = 0;
      const work = async () => {
        while (next < entries.length) {
          const [rel, file] = entries[next++]!;
          const parts = rel.split('/');
          if (parts.some((p) => p === '' || p === '.' || p === '..')) throw new Error(`unexpected path ${rel} in ${key}`);
          const dest = path.join(temp, ...parts);
          for (let d = path.dirname(dest); d.length > temp.length; d = path.dirname(d)) folders.add(d);
          await fs.mkdir(path.dirname(dest), { recursive: true });
          await linkObject(siteObjectKey(file, rel), dest, true);
          for (const [suffix, siblingKey] of siblingKeys(file, rel)) await linkObject(siblingKey, `${dest}${suffix}`, false);
        }
      };
      await Promise.all(Array.from({ length: Math.min(LINK_CONCURRENCY, entries.length) }, work));
      for (const folder of folders) await fs.chmod(folder, 0o755);
      await fs.rename(temp, target).catch(async (error: NodeJS.ErrnoException) => {
        // Laid out meanwhile by another worker on this machine: theirs is the same build.
        if ((error.code === 'ENOTEMPTY' || error.code === 'EEXIST') && (await isDir(target))) return;
        throw error;
      });
    } finally {
      await fs.rm(temp, { recursive: true, force: true });
    }
  }

  async function linkObject(objectKey: string, dest: string, required: boolean): Promise<void> {
    const source = store.localPath(objectKey);
    if (!source) throw new Error(`the store has no local file for ${objectKey}`);
    try {
      await fs.link(source, dest);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // A missing sibling: nginx then sends the file itself, compressed on the fly or not at all.
      if (code === 'ENOENT' && !required) return;
      // The blob directory on another filesystem than DATA_DIR: a copy.
      if (code !== 'EXDEV') throw error;
      await fs.copyFile(source, dest);
    }
    // The object itself (a public file of the site) readable by nginx's user.
    await fs.chmod(dest, 0o644);
  }

  async function switchCurrent(relative: string): Promise<void> {
    const temp = path.join(paths.base, `.current.${randomBytes(4).toString('hex')}.link`);
    await fs.symlink(relative, temp);
    try {
      await fs.rename(temp, paths.current);
    } catch (error) {
      await fs.rm(temp, { force: true });
      throw error;
    }
  }

  /** Removes build directories other than `wanted` and the newest `keep`; half-made ones an hour old. */
  async function prune(wanted: Set<string>): Promise<void> {
    const names = (await fs.readdir(paths.builds).catch(() => [] as string[])).sort().reverse();
    const complete = names.filter((n) => !n.startsWith('.'));
    const kept = new Set([...wanted, ...complete.filter((n) => !wanted.has(n)).slice(0, Math.max(0, keep - wanted.size))]);
    const hourAgo = Date.now() - 3_600_000;
    for (const n of names) {
      const dir = path.join(paths.builds, n);
      if (n.startsWith('.')) {
        const stats = await fs.stat(dir).catch(() => null);
        if (stats && stats.mtimeMs < hourAgo) await fs.rm(dir, { recursive: true, force: true });
      } else if (!kept.has(n)) await fs.rm(dir, { recursive: true, force: true });
    }
  }

  return {
    update() {
      const run = queue.then(update);
      queue = run.catch(() => {});
      return run;
    },
  };
}

async function isDir(p: string): Promise<boolean> {
  return fs.stat(p).then(
    (s) => s.isDirectory(),
    () => false,
  );
}
