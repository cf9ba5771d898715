// The live public site as a web process serves it (issue 16, ADR 016): the newest live build
// recorded in `site_builds` names a manifest in the blob store (server/publish/site-store.ts);
// this process reads it, looks for a newer one every few seconds, and answers a path of the site
// with a file on its own disk:
// - on the disk store, the object's own file (the worker's build, hard-linked);
// - on a bucket, a copy in a bounded local cache (DATA_DIR/site-cache), fetched on first use with
//   its `.br`/`.gz` siblings and dropped least recently used first when the cache is full.
// A process switches to a new build at its next look (SITE_POLL_SECONDS), no restart. Until a
// build is live (or when the store cannot be read) the site is served from the initial folder.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { liveManifest } from '../publish/site-build-repository.ts';
import { readManifest, siblingKeys, siteObjectKey, type SiteFile } from '../publish/site-store.ts';
import { readBlob, type BlobStore } from '../storage/blob-store.ts';
import type { SiteSource } from './static-site.ts';

export interface LiveSiteOptions {
  db: Kysely<Database>;
  store: BlobStore;
  /** Where copies of a bucket's objects are kept; emptied at start. */
  cacheDir: string;
  cacheBytes: number;
  /** How often the live build is looked up; 0: never by itself (refresh()). */
  pollMs: number;
  log?: { error(message: string, error: unknown): void };
}

export interface LiveSite extends SiteSource {
  /** Looks up the live build and switches to it; true when it switched. */
  refresh(): Promise<boolean>;
  /** The build served now, if any. */
  build(): string | null;
  close(): void;
}

interface Served {
  build: string;
  key: string;
  files: Map<string, SiteFile>;
}

export function createLiveSite(options: LiveSiteOptions): LiveSite {
  const { db, store } = options;
  let served: Served | null = null;
  let failing = false;
  const cache = createObjectCache(store, options.cacheDir, options.cacheBytes);

  async function refresh(): Promise<boolean> {
    try {
      const live = await liveManifest(db);
      if (!live || live.key === served?.key) return false;
      const manifest = await readManifest(store, live.key);
      if (!manifest) throw new Error(`the live build's manifest ${live.key} is not in the store`);
      served = { build: live.build, key: live.key, files: new Map(Object.entries(manifest.files)) };
      failing = false;
      return true;
    } catch (error) {
      // Reported once until it works again: the process keeps serving the build it has.
      if (!failing) options.log?.error('[site] cannot read the live build; still serving the one before:', error);
      failing = true;
      return false;
    }
  }

  let ready: Promise<unknown> = cache.clear().then(refresh);
  const look = () => {
    ready = ready.then(refresh);
  };
  const timer = options.pollMs > 0 ? setInterval(look, options.pollMs) : null;
  timer?.unref();

  return {
    async file(relative) {
      await ready;
      const entry = served?.files.get(relative);
      if (!entry) return null;
      const local = store.localPath(siteObjectKey(entry, relative));
      return local ?? cache.file(entry, relative);
    },
    refresh: () => (ready = ready.then(refresh)) as Promise<boolean>,
    build: () => served?.build ?? null,
    close: () => {
      if (timer) clearInterval(timer);
    },
  };
}

/**
 * Objects of a bucket copied to this disk, named as in the store (`<hash><ext>`, siblings beside),
 * at most `limit` bytes: the least recently used are removed first (a response still sending one
 * keeps its open file).
 */
function createObjectCache(store: BlobStore, dir: string, limit: number) {
  const entries = new Map<string, number>(); // file name → bytes (with siblings), oldest use first
  const fetching = new Map<string, Promise<string | null>>();
  let total = 0;

  async function fetchObject(entry: SiteFile, relative: string, name: string): Promise<string | null> {
    const target = path.join(dir, name);
    let bytes = 0;
    for (const [suffix, key] of [['', siteObjectKey(entry, relative)], ...siblingKeys(entry, relative)] as Array<[string, string]>) {
      const body = await readBlob(store, key);
      if (!body) {
        if (suffix) continue; // a missing sibling: the file itself is sent
        return null;
      }
      const temp = path.join(dir, `.${randomBytes(6).toString('hex')}.tmp`);
      await fs.writeFile(temp, body);
      await fs.rename(temp, `${target}${suffix}`);
      bytes += body.length;
    }
    entries.set(name, bytes);
    total += bytes;
    await evict(name);
    return target;
  }

  async function evict(keep: string): Promise<void> {
    for (const [name, bytes] of entries) {
      if (total <= limit) return;
      if (name === keep) continue;
      entries.delete(name);
      total -= bytes;
      const file = path.join(dir, name);
      await Promise.all(['', '.br', '.gz'].map((suffix) => fs.rm(`${file}${suffix}`, { force: true })));
    }
  }

  return {
    async clear() {
      await fs.rm(dir, { recursive: true, force: true });
      await fs.mkdir(dir, { recursive: true });
    },
    file(entry: SiteFile, relative: string): Promise<string | null> {
      const name = path.posix.basename(siteObjectKey(entry, relative));
      const bytes = entries.get(name);
      if (bytes !== undefined) {
        entries.delete(name);
        entries.set(name, bytes);
        return Promise.resolve(path.join(dir, name));
      }
      let pending = fetching.get(name);
      if (!pending) {
        pending = fetchObject(entry, relative, name).finally(() => fetching.delete(name));
        fetching.set(name, pending);
      }
      return pending;
    },
  };
}
