// Checks a backup folder (`npm run backup -- --verify DIR`, and the worker after each nightly
// backup): the manifest reads; the database file has its recorded size and sha256 and is sound
// (SQLite: PRAGMA integrity_check on the copy; PostgreSQL: pg_restore --list reads the dump);
// every stored file has its recorded size and sha256. Each problem is one line of Chinese
// (with the file or key it concerns); none means the backup is good.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { backupFileOf, hashFile, readManifest, type BackupManifest } from './backup-manifest.ts';
import { pgDumpProblem } from './pg-programs.ts';
import { sqliteIntegrityProblems } from './snapshot-repository.ts';

export interface Verification {
  manifest: BackupManifest | null;
  problems: string[];
}

/** Problems of one file against its recorded size and hash. */
async function fileProblems(file: string, expected: { size: number; sha256: string }, name: string): Promise<string[]> {
  const found = await stat(file).catch(() => null);
  if (!found?.isFile()) return [`${name}：文件缺失`];
  if (found.size !== expected.size) return [`${name}：大小不符（应为 ${expected.size} 字节，实为 ${found.size} 字节）`];
  const { sha256 } = await hashFile(file);
  return sha256 === expected.sha256 ? [] : [`${name}：内容校验值（SHA-256）不符，文件已被改动或损坏`];
}

async function databaseProblems(dir: string, database: BackupManifest['database']): Promise<string[]> {
  const file = path.join(dir, database.file);
  const problems = await fileProblems(file, database, `数据库 ${database.file}`);
  if (problems.some((p) => p.endsWith('文件缺失'))) return problems;
  if (database.kind === 'sqlite') {
    problems.push(...sqliteIntegrityProblems(file).map((p) => `数据库 ${database.file}：完整性检查未通过：${p}`));
  } else {
    const unreadable = await pgDumpProblem(file);
    if (unreadable) problems.push(`数据库 ${database.file}：pg_restore 无法读取：${unreadable}`);
  }
  return problems;
}

export async function verifyBackup(dir: string): Promise<Verification> {
  let manifest: BackupManifest;
  try {
    manifest = await readManifest(dir);
  } catch (error) {
    return { manifest: null, problems: [`manifest.json 无法读取：${error instanceof Error ? error.message : String(error)}`] };
  }
  const problems = await databaseProblems(dir, manifest.database);
  for (const file of manifest.files) problems.push(...(await fileProblems(backupFileOf(dir, file.key), file, `文件 ${file.key}`)));
  return { manifest, problems };
}
