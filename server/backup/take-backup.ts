// Takes a backup while the portal runs and takes reports (issue 18 item 2, ADR 017): the
// database snapshot FIRST — SQLite through VACUUM INTO, PostgreSQL through pg_dump -Fc, each one
// consistent transaction — and then every object of the blob store. A file the database refers
// to was stored before its row was committed (photos, raw mail and attachments are written
// before the rows that name them), so it is in the store when the copy lists it; files written
// after the snapshot are copied or not, and do not matter; a file the purge deletes meanwhile is
// missed, as it would be gone after a restore anyway. The manifest is written last.
import { KEYS_DIR } from '../db/data-key-file.ts';
import { createHash } from 'node:crypto';
import { chmod, mkdir, open, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type { DatabaseHandle } from '../db/database.ts';
import { checkedKey, type BlobStore } from '../storage/blob-store.ts';
import { backupFileOf, hashFile, writeManifest, type BackupManifest, type ManifestFile } from './backup-manifest.ts';
import { pgDump } from './pg-programs.ts';
import { migrationLevel, vacuumInto } from './snapshot-repository.ts';

export interface BackupSource {
  database: DatabaseHandle;
  databaseUrl: string;
  blobs: BlobStore;
  /** DATA_DIR: the disk store's root, whose database and backup folders are not stored files. */
  dataDir: string;
}

/** The public site's objects: rebuilt from the database by the worker, so not backed up. */
const SITE_PREFIX = 'site/';
/** A backup holds personal data: readable by the portal's user alone. */
const DIR_MODE = 0o700;
const FILE_MODE = 0o600;
/** Objects copied at once. */
const COPY_CONCURRENCY = 8;
const PROJECT_ROOT = path.resolve(import.meta.dirname, '..', '..');

/** The SQLite file a `sqlite:` URL names; null for PostgreSQL. */
export function sqliteFileOf(databaseUrl: string): string | null {
  return databaseUrl.startsWith('sqlite:') ? path.resolve(databaseUrl.slice('sqlite:'.length)) : null;
}

async function portalVersion(): Promise<string> {
  const pkg = JSON.parse(await readFile(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

/**
 * What of the store is not copied: the site's build objects; on the disk store (whose root is
 * DATA_DIR) also the SQLite file with its journal (the snapshot holds it), the site's working copy
 * and any backup folder inside DATA_DIR.
 */
function exclusions(source: BackupSource, backupDirs: readonly string[]): BackupManifest['skipped'] {
  const skipped = [{ prefix: SITE_PREFIX, reason: 'public site build objects: rebuilt by the worker from the database' }];
  if (source.blobs.kind !== 'disk') return skipped;
  const inDataDir = (absolute: string) => {
    const relative = path.relative(path.resolve(source.dataDir), absolute);
    return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative.split(path.sep).join('/') : null;
  };
  skipped.push({ prefix: 'public-site/', reason: 'working copy of the public site build: rebuilt' });
  // ADR 019: a backup with its key would protect nothing. The key is kept apart (README).
  skipped.push({ prefix: `${KEYS_DIR}/`, reason: 'the data key: never in a backup; keep a copy of it elsewhere' });
  const sqlite = sqliteFileOf(source.databaseUrl);
  const dbKey = sqlite && inDataDir(sqlite);
  if (dbKey) skipped.push({ prefix: dbKey, reason: 'the SQLite database and its journal: in the snapshot' });
  for (const dir of backupDirs) {
    const key = inDataDir(path.resolve(dir));
    if (key) skipped.push({ prefix: `${key}/`, reason: 'backups' });
  }
  return skipped;
}

/** Whether a listed key is copied: not skipped, and no temp file or upload in progress (a segment starting with a dot). */
function isCopied(key: string, skipped: BackupManifest['skipped']): boolean {
  return !key.split('/').some((s) => s.startsWith('.')) && !skipped.some((s) => key.startsWith(s.prefix));
}

/** Copies one object into the backup, hashing it on the way; null when it was deleted meanwhile. */
async function copyObject(blobs: BlobStore, key: string, dir: string): Promise<ManifestFile | null> {
  const object = await blobs.get(checkedKey(key));
  if (!object) return null;
  const file = backupFileOf(dir, key);
  await mkdir(path.dirname(file), { recursive: true, mode: DIR_MODE });
  const handle = await open(file, 'wx', FILE_MODE);
  const hash = createHash('sha256');
  let size = 0;
  try {
    for await (const chunk of object.body) {
      const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
      hash.update(bytes);
      size += bytes.length;
      await handle.write(bytes);
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
  return { key, size, sha256: hash.digest('hex'), contentType: object.contentType };
}

async function copyObjects(blobs: BlobStore, keys: readonly string[], dir: string): Promise<ManifestFile[]> {
  const copied: ManifestFile[] = [];
  let next = 0;
  const lane = async () => {
    while (next < keys.length) {
      const file = await copyObject(blobs, keys[next++]!, dir);
      if (file) copied.push(file);
    }
  };
  await Promise.all(Array.from({ length: COPY_CONCURRENCY }, lane));
  return copied.sort((a, b) => (a.key < b.key ? -1 : 1));
}

async function snapshotDatabase(source: BackupSource, dir: string): Promise<BackupManifest['database']> {
  const sqlite = sqliteFileOf(source.databaseUrl);
  const file = sqlite ? 'database.sqlite' : 'database.pgdump';
  const target = path.join(dir, file);
  if (sqlite) vacuumInto(sqlite, target);
  else await pgDump(source.databaseUrl, target);
  await chmod(target, FILE_MODE);
  return { kind: sqlite ? 'sqlite' : 'postgres', file, ...(await hashFile(target)) };
}

export interface BackupTaken {
  manifest: BackupManifest;
  /** The database file and every stored file, in bytes. */
  sizeBytes: number;
}

/**
 * Takes a backup into `dir`, which must be empty or not exist. `backupDirs` are folders of
 * backups never to be copied (BACKUP_DIR, when it is inside DATA_DIR). A backup that fails
 * midway is removed (the folder was empty before).
 */
export async function takeBackup(source: BackupSource, dir: string, now: Date, backupDirs: readonly string[] = []): Promise<BackupTaken> {
  await mkdir(dir, { recursive: true, mode: DIR_MODE });
  if ((await readdir(dir)).length > 0) throw new Error(`备份目录不是空的 / the backup folder is not empty: ${dir}`);
  try {
    return await backUpInto(source, dir, now, backupDirs);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

async function backUpInto(source: BackupSource, dir: string, now: Date, backupDirs: readonly string[]): Promise<BackupTaken> {
  const skipped = exclusions(source, [dir, ...backupDirs]);
  const migration = await migrationLevel(source.database.db);
  const database = await snapshotDatabase(source, dir);
  const keys: string[] = [];
  for await (const listed of source.blobs.list('')) if (isCopied(listed.key, skipped)) keys.push(listed.key);
  const files = await copyObjects(source.blobs, keys, dir);
  const manifest: BackupManifest = {
    format: 1,
    takenAt: now.toISOString(),
    portalVersion: await portalVersion(),
    migration,
    database,
    blobStore: source.blobs.describe(),
    files,
    skipped,
  };
  await writeManifest(dir, manifest);
  return { manifest, sizeBytes: files.reduce((sum, f) => sum + f.size, database.size) };
}
