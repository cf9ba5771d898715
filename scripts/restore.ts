// Restores a backup taken by `npm run backup` or the worker (issue 18 item 2, docs/decisions/017-backup.md):
//   npm run restore -- --from DIR            # into an empty DATA_DIR (and an empty PostgreSQL database)
//   npm run restore -- --from DIR --force    # over what is there
//   npm run restore -- --from DIR --key FILE # with the data key file of the backup's time (ADR 019;
//                                            # copied to DATA_DIR/keys/; with DATA_KEY set, put it there instead)
// Uses the same settings as `npm start`: the database of DATABASE_URL (SQLite under DATA_DIR by
// default), the blob store of BLOB_STORE. The backup is checked first; the database is migrated
// forward after. Exit code 0 when restored, 1 when refused or failed, 2 for a usage error.
import { parseArgs } from 'node:util';
import path from 'node:path';
import { readEnv } from '../server/env.ts';
import { configureLogging } from '../server/observability/log.ts';
import { createBlobStore } from '../server/storage/storage-env.ts';
import { restoreBackup } from '../server/backup/restore-backup.ts';

const USAGE = 'usage: npm run restore -- --from DIR [--force] [--key FILE]';
let values: { from?: string; force?: boolean; key?: string };
try {
  ({ values } = parseArgs({
    args: process.argv.slice(2).filter((a) => a !== '--'),
    options: { from: { type: 'string' }, force: { type: 'boolean' }, key: { type: 'string' } },
    strict: true,
  }));
} catch (error) {
  console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  process.exit(2);
}
if (!values.from) {
  console.error(USAGE);
  process.exit(2);
}

const env = readEnv();
// What server code logs goes to standard error (and LOG_FILE): standard output is the command's.
configureLogging(env.log);
const dir = path.resolve(values.from);
try {
  const manifest = await restoreBackup(
    dir,
    { databaseUrl: env.databaseUrl, dataDir: env.dataDir, blobs: createBlobStore(env.blobs, env.dataDir), dataKey: env.dataKey },
    { force: values.force ?? false, keyFile: values.key === undefined ? undefined : path.resolve(values.key) },
  );
  console.error(
    `已恢复 / restored: ${dir}（${manifest.takenAt} 的备份，${manifest.files.length} 个文件，数据库已迁移到最新）→ ${env.dataDir}`,
  );
} catch (error) {
  console.error(`未恢复 / not restored: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
