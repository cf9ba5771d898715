// The public site's builds in the blob store (issue 16, ADR 016), so that every web process
// serves the live build without a shared disk:
// - each file of a build is an object named by the SHA-256 of its bytes and its extension,
//   `site/files/<h[0..2]>/<h><ext>`, with its precompressed siblings beside it (`….br`, `….gz`):
//   a file unchanged from one build to the next is the same object, uploaded once;
// - a build's manifest, `site/manifests/<build id>-<revision>.json`, maps each URL path of the
//   build to its object; the live build's manifest key is recorded in `site_builds`
//   (site-build-repository.ts) and the web processes follow it (server/http/live-site.ts).
// On the disk store, objects are hard links to the worker's build folder: no second copy.
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { readBlob, type BlobStore } from '../storage/blob-store.ts';
import { filesIn, type SiteChanges } from './site-builder.ts';

/** One file of a build: the hash and size of its bytes, and which precompressed siblings it has. */
export interface SiteFile {
  h: string;
  n: number;
  /** 'b': a `.br` sibling, 'g': a `.gz` sibling. */
  z?: string;
}

export interface SiteManifest {
  version: 1;
  build: string;
  /** The site's code the build was made with (siteCodeVersion): an incremental build needs the same. */
  siteVersion: string;
  /** By path in the build, `/`-separated: `index.html`, `notices/<slug>/index.html` … */
  files: Record<string, SiteFile>;
}

const SIBLINGS = [
  ['b', '.br'],
  ['g', '.gz'],
] as const;

/** The object key of a file (`variant`: a precompressed sibling's suffix, '.br' or '.gz'). */
export function siteObjectKey(file: SiteFile, filePath: string, variant = ''): string {
  const ext = path
    .extname(filePath)
    .toLowerCase()
    .replace(/[^.a-z0-9]/g, '');
  return `site/files/${file.h.slice(0, 2)}/${file.h}${ext}${variant}`;
}

export function manifestKey(build: string, revision: number): string {
  return `site/manifests/${build}-${revision}.json`;
}

/** The siblings a file has: [suffix, key] pairs. */
export function siblingKeys(file: SiteFile, filePath: string): Array<[string, string]> {
  return SIBLINGS.filter(([flag]) => file.z?.includes(flag)).map(([, suffix]) => [suffix, siteObjectKey(file, filePath, suffix)]);
}

export async function readManifest(store: Pick<BlobStore, 'get'>, key: string): Promise<SiteManifest | null> {
  const body = await readBlob(store, key);
  if (!body) return null;
  const manifest = JSON.parse(body.toString('utf8')) as SiteManifest;
  if (manifest.version !== 1 || typeof manifest.files !== 'object') throw new Error(`${key} is not a site manifest`);
  return manifest;
}

export async function writeManifest(store: BlobStore, key: string, manifest: SiteManifest): Promise<void> {
  await store.put(key, Buffer.from(JSON.stringify(manifest)), { contentType: 'application/json' });
}

export interface UploadStats {
  files: number;
  /** Objects written (files and siblings); the rest were in the store already. */
  uploaded: number;
  bytes: number;
}

/**
 * The manifest of the build folder `dir`, its new objects put into the store. With `base` (an
 * incremental build, or a new search index), the live build's manifest with the changed paths:
 * only the files written are read; without it, every file of the folder.
 */
export async function uploadBuild(
  store: BlobStore,
  dir: string,
  meta: { build: string; siteVersion: string },
  base: { manifest: SiteManifest; changes: SiteChanges } | null,
  concurrency = 16,
): Promise<{ manifest: SiteManifest; stats: UploadStats }> {
  const files: Record<string, SiteFile> = {};
  const stored = new Set<string>();
  let paths: string[];
  if (base) {
    const dropped = new Set([...base.changes.removed, ...base.changes.written]);
    for (const [p, file] of Object.entries(base.manifest.files)) {
      stored.add(siteObjectKey(file, p));
      if (!dropped.has(p)) files[p] = file;
    }
    paths = base.changes.written;
  } else {
    paths = (await filesIn(dir)).filter((p) => !p.endsWith('.br') && !p.endsWith('.gz'));
  }
  const stats: UploadStats = { files: paths.length, uploaded: 0, bytes: 0 };
  // Two paths with the same bytes are one object: put it once.
  const putting = new Map<string, Promise<void>>();
  let next = 0;
  const work = async () => {
    while (next < paths.length) {
      const rel = paths[next++] as string;
      const file = path.join(dir, ...rel.split('/'));
      const body = await fs.readFile(file);
      const z = ((await exists(`${file}.br`)) ? 'b' : '') + ((await exists(`${file}.gz`)) ? 'g' : '');
      const entry: SiteFile = { h: createHash('sha256').update(body).digest('hex'), n: body.length, ...(z && { z }) };
      files[rel] = entry;
      const key = siteObjectKey(entry, rel);
      if (stored.has(key) && !putting.has(key)) continue;
      let put = putting.get(key);
      if (!put) {
        put = putObject(store, key, file, body, stats).then(async () => {
          for (const [suffix, siblingKey] of siblingKeys(entry, rel)) await putObject(store, siblingKey, `${file}${suffix}`, null, stats);
        });
        putting.set(key, put);
      }
      await put;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, paths.length) }, work));
  return { manifest: { version: 1, build: meta.build, siteVersion: meta.siteVersion, files }, stats };
}

/** Puts a file unless the object is there; on the disk store, as a hard link to the file. */
async function putObject(store: BlobStore, key: string, file: string, body: Buffer | null, stats: UploadStats): Promise<void> {
  const local = store.localPath(key);
  if (local) {
    if (await exists(local)) return;
    await fs.mkdir(path.dirname(local), { recursive: true });
    const linked = await fs.link(file, local).then(
      () => true,
      (error: NodeJS.ErrnoException) => (error.code === 'EEXIST' ? true : false),
    );
    if (linked) {
      stats.uploaded++;
      return;
    }
  } else if (await store.head(key)) return;
  const bytes = body ?? (await fs.readFile(file));
  await store.put(key, bytes, { contentType: 'application/octet-stream' });
  stats.uploaded++;
  stats.bytes += bytes.length;
}

/**
 * Removes the store's site objects and manifests that none of `keep` names, when they are older
 * than `olderThan` (an object a build is putting now is younger). Answers how many it removed.
 */
export async function collectSiteGarbage(
  store: BlobStore,
  keep: { keys: string[]; manifests: SiteManifest[] },
  olderThan: Date,
): Promise<number> {
  const wanted = new Set(keep.keys);
  for (const manifest of keep.manifests) {
    for (const [p, file] of Object.entries(manifest.files)) {
      wanted.add(siteObjectKey(file, p));
      for (const [, key] of siblingKeys(file, p)) wanted.add(key);
    }
  }
  let removed = 0;
  for (const prefix of ['site/files/', 'site/manifests/']) {
    for await (const object of store.list(prefix)) {
      if (wanted.has(object.key) || object.lastModified >= olderThan) continue;
      await store.delete(object.key);
      removed++;
    }
  }
  return removed;
}

async function exists(file: string): Promise<boolean> {
  return fs.stat(file).then(
    (s) => s.isFile(),
    () => false,
  );
}

/**
 * The version of the code the public site is rendered with: the site's own sources and the app's
 * components and styles it imports, and the Astro and Pagefind versions. An incremental build
 * renders only some pages, so it needs the live build to be of the same version.
 */
export async function siteCodeVersion(root: string): Promise<string> {
  const hash = createHash('sha256');
  const folders = [
    'site/src',
    'site/public',
    'site/astro.config.mjs',
    'src/components',
    'src/styles',
    'server/publish/public-snapshot.ts',
    'node_modules/astro/package.json',
    'node_modules/pagefind/package.json',
  ];
  for (const folder of folders) {
    const base = path.join(root, folder);
    const stat = await fs.stat(base).catch(() => null);
    if (!stat) continue;
    const entries = stat.isDirectory()
      ? (await fs.readdir(base, { recursive: true, withFileTypes: true }))
          .filter((e) => e.isFile())
          .map((e) => path.join(e.parentPath, e.name))
          .sort()
      : [base];
    for (const file of entries)
      hash
        .update(path.relative(root, file))
        .update('\0')
        .update(await fs.readFile(file))
        .update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}
