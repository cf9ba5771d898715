// Loads the office's content files into the database as a new content version (issue 16, ADR 015):
//   npm run content:load                      # the files of CONTENT_DIR
//   npm run content:load -- --dir ./content   # another folder
// The files are checked exactly as a start checks them; a wrong file is refused with the message
// naming the file, the entry and the field (exit code 1), and the stored version stays. Files equal
// to the newest stored version add nothing. Every process (web and worker) switches to the new
// version within CONTENT_POLL_SECONDS, without a restart. Prints one JSON line: { id, hash, added }.
// Uses the same settings as `npm start` (DATABASE_URL, CONTENT_DIR).
import path from 'node:path';
import { parseArgs } from 'node:util';
import { systemClock } from '../server/clock.ts';
import { loadContentIntoDatabase } from '../server/content/live-content.ts';
import { migrateToLatest, openDatabase } from '../server/db/database.ts';
import { readEnv } from '../server/env.ts';
import { configureLogging } from '../server/observability/log.ts';

const USAGE = 'usage: npm run content:load [-- --dir FOLDER]';
let values: { dir?: string };
try {
  ({ values } = parseArgs({ args: process.argv.slice(2).filter((a) => a !== '--'), options: { dir: { type: 'string' } }, strict: true }));
} catch (error) {
  console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  process.exit(2);
}

const env = readEnv();
// What server code logs goes to standard error (and LOG_FILE): standard output is the command's.
configureLogging(env.log);
const dir = values.dir === undefined ? env.contentDir : path.resolve(values.dir);
const database = openDatabase(env.databaseUrl);
try {
  await migrateToLatest(database);
  const loaded = await loadContentIntoDatabase(database, dir, systemClock);
  console.log(JSON.stringify(loaded));
  console.error(
    loaded.added
      ? `content version ${loaded.id} stored from ${dir}; every process switches to it within ${env.content.pollSeconds} s`
      : `${dir} is the same as the stored content version ${loaded.id}: nothing added`,
  );
} catch (error) {
  console.error(`content not loaded, the stored version stays: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  await database.close();
}
