// Backs the portal up while it runs, or checks a backup (issue 18 item 2, docs/decisions/017-backup.md):
//   npm run backup -- --to DIR        # database snapshot, then every stored file, a manifest; verified
//   npm run backup -- --verify DIR    # database integrity and every file's size and hash
// Uses the same settings as `npm start` (DATABASE_URL, DATA_DIR, BLOB_STORE …). A backup taken
// here is recorded for the console like the worker's nightly one, and as an account action (a copy
// of every resident's data left the database: who at the command line, where to). Exit code 0 when the backup is
// good, 1 when it failed or a problem was found (each one printed), 2 for a usage error.
import { parseArgs } from 'node:util';
import path from 'node:path';
import { systemClock } from '../server/clock.ts';
import { openDatabase } from '../server/db/database.ts';
import { readEnv } from '../server/env.ts';
import { configureLogging } from '../server/observability/log.ts';
import { createBlobStore } from '../server/storage/storage-env.ts';
import { takeVerifiedBackup } from '../server/backup/verified-backup.ts';
import { recordExport } from '../server/auth/account-exports.ts';
import { verifyBackup } from '../server/backup/verify-backup.ts';

const USAGE = 'usage: npm run backup -- --to DIR | npm run backup -- --verify DIR';
let values: { to?: string; verify?: string };
try {
  ({ values } = parseArgs({
    args: process.argv.slice(2).filter((a) => a !== '--'),
    options: { to: { type: 'string' }, verify: { type: 'string' } },
    strict: true,
  }));
} catch (error) {
  console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  process.exit(2);
}
if (Boolean(values.to) === Boolean(values.verify)) {
  console.error(USAGE);
  process.exit(2);
}

if (values.verify) {
  const dir = path.resolve(values.verify);
  const { manifest, problems } = await verifyBackup(dir);
  for (const problem of problems) console.error(problem);
  if (problems.length > 0) {
    console.error(`备份有 ${problems.length} 处问题 / ${problems.length} problem(s): ${dir}`);
    process.exit(1);
  }
  console.error(`备份完好 / backup is good: ${dir}（${manifest?.files.length ?? 0} 个文件，数据库 ${manifest?.database.kind}）`);
} else {
  const env = readEnv();
  // What server code logs goes to standard error (and LOG_FILE): standard output is the command's.
  configureLogging(env.log);
  const dir = path.resolve(values.to!);
  const database = openDatabase(env.databaseUrl);
  try {
    const run = await takeVerifiedBackup(
      { database, databaseUrl: env.databaseUrl, blobs: createBlobStore(env.blobs, env.dataDir), dataDir: env.dataDir },
      dir,
      { trigger: 'manual', clock: systemClock, backupDirs: env.backup.dir ? [env.backup.dir] : [] },
    );
    console.log(JSON.stringify(run));
    const scope = { dir, status: run.status, ...(run.files !== null && { files: run.files }) };
    await recordExport(database.db, systemClock.now(), { via: 'command-line' }, { kind: 'backup', format: 'snapshot', scope });
    if (run.status === 'failed') {
      console.error(`备份失败 / backup failed: ${run.error ?? ''}`);
      process.exitCode = 1;
    } else {
      console.error(`备份完成并已检查 / backup taken and verified: ${dir}（${run.files} 个文件，共 ${run.sizeBytes} 字节）`);
    }
  } finally {
    await database.close();
  }
}
