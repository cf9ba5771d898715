// What a backup folder holds (docs/decisions/017-backup.md):
//   DIR/manifest.json        this manifest, written last: a folder without it is no backup
//   DIR/database.sqlite      the SQLite snapshot (VACUUM INTO), or
//   DIR/database.pgdump      PostgreSQL's `pg_dump -Fc`
//   DIR/files/<key>          every object of the blob store, under its key
// The manifest names each file with its size and sha256, so `--verify` finds a changed or cut file.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { checkedKey } from '../storage/blob-store.ts';

export const MANIFEST_FILE = 'manifest.json';
export const FILES_DIR = 'files';

export interface ManifestFile {
  key: string;
  size: number;
  sha256: string;
  contentType: string;
}

export interface BackupManifest {
  format: 1;
  /** When the database snapshot was taken: every file the database refers to then is in the backup. */
  takenAt: string;
  portalVersion: string;
  /** The newest migration applied to the database. */
  migration: string | null;
  database: { kind: 'sqlite' | 'postgres'; file: string; size: number; sha256: string };
  /** Where the files came from (the store's describe(): no secrets). */
  blobStore: string;
  files: ManifestFile[];
  /** Key prefixes of the store deliberately left out, and why. */
  skipped: Array<{ prefix: string; reason: string }>;
}

export async function writeManifest(dir: string, manifest: BackupManifest): Promise<void> {
  const temp = path.join(dir, `.${MANIFEST_FILE}.tmp`);
  await writeFile(temp, `${JSON.stringify(manifest, null, 2)}\n`, { flush: true, mode: 0o600 });
  await rename(temp, path.join(dir, MANIFEST_FILE));
}

export async function readManifest(dir: string): Promise<BackupManifest> {
  const text = await readFile(path.join(dir, MANIFEST_FILE), 'utf8');
  const manifest = JSON.parse(text) as BackupManifest;
  if (manifest.format !== 1 || !manifest.database || !Array.isArray(manifest.files))
    throw new Error('not a backup manifest of this portal');
  return manifest;
}

/** The file of a stored object inside a backup folder (a key that could leave the folder is refused). */
export function backupFileOf(dir: string, key: string): string {
  return path.join(dir, FILES_DIR, ...checkedKey(key).split('/'));
}

/** Size and sha256 of a file, read as a stream. */
export async function hashFile(file: string): Promise<{ size: number; sha256: string }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(file)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { size, sha256: hash.digest('hex') };
}
