// Residents' personal data at rest (ADR 019): the key file and the commands that walk the database.
//   npm run data:new-key -- FILE      # a new key file (mode 0600), e.g. for PostgreSQL's DATA_KEY
//   npm run data:encrypt              # encrypt every clear value, and seal every kept mail file, in place (resumable)
//   npm run data:rotate-key           # a new active key; every value and kept mail file re-encrypted; the old key dropped
// Both walks go batch by batch, each batch in one transaction, and leave what is done as it is:
// interrupted (Ctrl-C, a crash), they are run again and go on. Rotation: stop the portal's
// processes first (they hold the old key file), run it, then start them again. Uses the same
// settings as `npm start` (DATABASE_URL, DATA_DIR, DATA_KEY, DATA_CIPHER, and the blob store's). Exit code 0, 1 on an
// error, 2 for a usage error.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { migrateToLatest, openDatabase } from '../server/db/database.ts';
import { createKeyFile, defaultKeyFile } from '../server/db/data-key-file.ts';
import { encryptInPlace, rotateDataKey } from '../server/db/data-key-commands.ts';
import { readEnv } from '../server/env.ts';
import { createBlobStore } from '../server/storage/storage-env.ts';

const USAGE = 'usage: npm run data:new-key -- FILE | npm run data:encrypt [-- --batch N] | npm run data:rotate-key [-- --batch N]';
let parsed: { values: { batch?: string }; positionals: string[] };
try {
  parsed = parseArgs({
    args: process.argv.slice(2).filter((a) => a !== '--'),
    options: { batch: { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
} catch (error) {
  console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  process.exit(2);
}
const [command, file] = parsed.positionals;
const batchSize = parsed.values.batch === undefined ? 500 : Number(parsed.values.batch);
if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 100_000) {
  console.error(`--batch: a whole number from 1 to 100000\n${USAGE}`);
  process.exit(2);
}

const env = readEnv();
if (command === 'new') {
  if (!file) {
    console.error(USAGE);
    process.exit(2);
  }
  const [key] = createKeyFile(path.resolve(file), env.dataCipher);
  console.log(
    `key ${key!.id} (${key!.cipher}) written to ${path.resolve(file)}: set DATA_KEY to it on every machine, and keep a copy elsewhere`,
  );
  process.exit(0);
}
if (command !== 'encrypt' && command !== 'rotate') {
  console.error(USAGE);
  process.exit(2);
}

// Ctrl-C stops between two batches: what is done stays done.
const stop = new AbortController();
process.once('SIGINT', () => stop.abort());
process.once('SIGTERM', () => stop.abort());

const database = openDatabase(env.databaseUrl);
try {
  await migrateToLatest(database);
  const keyFile = env.dataKey ?? defaultKeyFile(env.dataDir);
  const blobs = createBlobStore(env.blobs, env.dataDir);
  const options = {
    batchSize,
    signal: stop.signal,
    onBatch: ({ table, rowsChanged }: { table: string; rowsChanged: number }) =>
      console.error(`${table}: ${rowsChanged} ${table.startsWith('files:') ? 'kept mail files' : 'rows'} encrypted`),
  };
  const report =
    command === 'rotate'
      ? await rotateDataKey(database, blobs, keyFile, env.dataCipher, options)
      : await encryptInPlace(database, blobs, keyFile, options);
  console.log(JSON.stringify({ command, ...report }));
  if (report.added)
    console.error(`new data key ${report.added} (${env.dataCipher}) is now first in ${keyFile}; older keys kept for reading`);
  if (!report.complete) {
    console.error(
      `stopped with ${report.valuesLeft} values and ${report.filesLeft} kept mail files left to do: run the command again to go on`,
    );
    process.exitCode = 1;
  } else if (command === 'rotate') {
    console.error(
      `every value and kept mail file is under key ${report.activeKey}${report.dropped.length > 0 ? `; key ${report.dropped.join(', ')} dropped from ${keyFile}` : ''}. ` +
        'Copy the key file to every machine and to your safe copy, then start the portal again. Backups taken before hold data under the old key: keep the old key file with them.',
    );
  } else {
    console.error(`every personal value and kept mail file is encrypted under key ${report.activeKey}`);
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
} finally {
  await database.close();
}
