// Restores a backup (`npm run restore -- --from DIR`): checks it first (verify-backup.ts) and
// refuses a damaged one; refuses a DATA_DIR that is not empty (and, on PostgreSQL, a database
// with tables) unless forced; then puts the database back (SQLite: the file; PostgreSQL:
// pg_restore), the stored files into the configured blob store (disk or bucket, whichever the
// backup came from), and migrates the database forward to this portal's level. The data key is
// never in a backup (ADR 019): `--key FILE` puts it in place (or DATA_KEY names it), and it is
// checked against the restored database.
import { chmod, copyFile, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { migrateToLatest, openDatabase } from '../db/database.ts';
import { defaultKeyFile, KEYS_DIR } from '../db/data-key-file.ts';
import { openDataKeys } from '../db/data-key-setup.ts';
import { DataKeyError } from '../db/data-keys.ts';
import type { BlobStore } from '../storage/blob-store.ts';
import { backupFileOf, type BackupManifest } from './backup-manifest.ts';
import { pgRestore } from './pg-programs.ts';
import { postgresTableCount } from './snapshot-repository.ts';
import { sqliteFileOf } from './take-backup.ts';
import { verifyBackup } from './verify-backup.ts';

export interface RestoreTarget {
  databaseUrl: string;
  dataDir: string;
  blobs: BlobStore;
  /** DATA_KEY: the data key file; unset: DATA_DIR/keys/data-key.json (ADR 019). */
  dataKey?: string | undefined;
}

export class RestoreRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RestoreRefusedError';
  }
}

/** Objects put back at once. */
const PUT_CONCURRENCY = 8;

/** Empty but for the keys folder: the data key is put there before a restore (it is never in a backup). */
async function isEmptyDir(dir: string): Promise<boolean> {
  const entries = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  return entries.every((e) => e === KEYS_DIR);
}

/**
 * The data key of the restored database (ADR 019): `keyFile` (--key) copied into place on the
 * embedded default, then checked against the keys the database was encrypted with.
 */
async function placeDataKey(target: RestoreTarget, keyFile: string | undefined): Promise<void> {
  if (keyFile) {
    if (target.dataKey) {
      throw new RestoreRefusedError(`已设置 DATA_KEY（${target.dataKey}）：请把密钥文件放到该位置，不要再加 --key`);
    }
    const destination = defaultKeyFile(target.dataDir);
    await mkdir(path.dirname(destination), { recursive: true, mode: 0o700 });
    await copyFile(keyFile, destination);
    await chmod(destination, 0o600);
  }
  const database = openDatabase(target.databaseUrl);
  try {
    await migrateToLatest(database);
    await openDataKeys(database, { file: target.dataKey, dataDir: target.dataDir });
  } catch (error) {
    if (error instanceof DataKeyError) {
      throw new RestoreRefusedError(
        `数据库和文件已恢复，但个人信息加密密钥不对或缺失 / restored, but the data key does not fit: ${error.message} （用 --key 指定备份时的密钥文件，或设置 DATA_KEY）`,
      );
    }
    throw error;
  } finally {
    await database.close();
  }
}

async function restoreDatabase(dir: string, manifest: BackupManifest, target: RestoreTarget, force: boolean): Promise<void> {
  const dump = path.join(dir, manifest.database.file);
  const sqlite = sqliteFileOf(target.databaseUrl);
  if ((sqlite ? 'sqlite' : 'postgres') !== manifest.database.kind)
    throw new RestoreRefusedError(
      `备份的数据库是 ${manifest.database.kind}，而 DATABASE_URL 指向 ${sqlite ? 'sqlite' : 'postgres'}：请改用同类数据库恢复`,
    );
  if (sqlite) {
    const existing: string[] = await readdir(path.dirname(sqlite)).catch(() => []);
    if (!force && existing.includes(path.basename(sqlite)))
      throw new RestoreRefusedError(`数据库文件已存在：${sqlite}。确认要覆盖时请加 --force`);
    await mkdir(path.dirname(sqlite), { recursive: true });
    for (const journal of ['-wal', '-shm', '-journal']) await rm(`${sqlite}${journal}`, { force: true });
    await copyFile(dump, sqlite);
    return;
  }
  const database = openDatabase(target.databaseUrl);
  try {
    const tables = await postgresTableCount(database.db);
    if (tables > 0 && !force)
      throw new RestoreRefusedError(`数据库不是空的（已有 ${tables} 张表）。请恢复到新建的空数据库，确认要覆盖时请加 --force`);
  } finally {
    await database.close();
  }
  await pgRestore(target.databaseUrl, dump, { clean: force });
}

async function restoreFiles(dir: string, manifest: BackupManifest, blobs: BlobStore): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < manifest.files.length) {
      const file = manifest.files[next++]!;
      await blobs.put(file.key, await readFile(backupFileOf(dir, file.key)), { contentType: file.contentType });
    }
  };
  await Promise.all(Array.from({ length: PUT_CONCURRENCY }, lane));
}

/** Restores the backup in `dir` into `target`; throws RestoreRefusedError when it must not. */
export async function restoreBackup(
  dir: string,
  target: RestoreTarget,
  options: { force: boolean; keyFile?: string | undefined },
): Promise<BackupManifest> {
  const { manifest, problems } = await verifyBackup(dir);
  if (!manifest || problems.length > 0) throw new RestoreRefusedError(`备份检查未通过，未恢复：\n  ${problems.join('\n  ')}`);
  if (!options.force && !(await isEmptyDir(target.dataDir)))
    throw new RestoreRefusedError(`DATA_DIR 不是空目录：${target.dataDir}。请恢复到空目录，确认要覆盖其中的文件时请加 --force`);
  await mkdir(target.dataDir, { recursive: true });
  await restoreDatabase(dir, manifest, target, options.force);
  await restoreFiles(dir, manifest, target.blobs);
  await placeDataKey(target, options.keyFile);
  return manifest;
}
