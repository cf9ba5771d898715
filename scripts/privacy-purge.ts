// Removes personal data past its retention period (issue 5, item 5; server/privacy/purge.ts):
//   npm run privacy:purge                                  # finished more than PERSONAL_DATA_RETENTION_DAYS ago
//   npm run privacy:purge -- --dry-run                     # count only, change nothing
//   npm run privacy:purge -- --before 2025-01-01T00:00:00+08:00
// Prints one JSON line with the counts of what was (or, in a dry run, would be) removed, and the
// same in words on stderr. Running it again removes nothing more. Exit code 0, 2 for a usage
// error. Uses the same settings as `npm start` (DATABASE_URL, DATA_DIR …); run it from cron.
import { parseArgs } from 'node:util';
import { systemClock } from '../server/clock.ts';
import { migrateToLatest, openDatabase } from '../server/db/database.ts';
import { protectDatabase } from '../server/db/data-key-setup.ts';
import { readEnv } from '../server/env.ts';
import { configureLogging } from '../server/observability/log.ts';
import { createPrivacyPurge } from '../server/privacy/purge.ts';
import { createBlobStore } from '../server/storage/storage-env.ts';

const USAGE = 'usage: npm run privacy:purge [-- --dry-run] [-- --before ISO-8601]';
let values: { 'dry-run'?: boolean; before?: string };
try {
  ({ values } = parseArgs({
    args: process.argv.slice(2).filter((a) => a !== '--'),
    options: { 'dry-run': { type: 'boolean' }, before: { type: 'string' } },
    strict: true,
  }));
} catch (error) {
  console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  process.exit(2);
}
const before = values.before === undefined ? undefined : new Date(values.before);
if (before && (Number.isNaN(before.getTime()) || !/^\d{4}-\d{2}-\d{2}/.test(values.before!))) {
  console.error(`--before: not an ISO-8601 date: ${values.before}\n${USAGE}`);
  process.exit(2);
}
if (before && before.getTime() > systemClock.now().getTime()) {
  console.error(`--before: ${values.before} is in the future\n${USAGE}`);
  process.exit(2);
}

const env = readEnv();
// What server code logs goes to standard error (and LOG_FILE): standard output is the command's.
configureLogging(env.log);
const opened = openDatabase(env.databaseUrl);
try {
  await migrateToLatest(opened);
  // The purge reads names and numbers (to redact them from descriptions): with the data key.
  const database = await protectDatabase(opened, { file: env.dataKey, cipher: env.dataCipher, dataDir: env.dataDir });
  const purge = createPrivacyPurge({
    db: database.db,
    blobs: createBlobStore(env.blobs, env.dataDir),
    clock: systemClock,
    retentionDays: env.privacy.retentionDays,
  });
  if (before && before > purge.cutoff()) {
    console.error(
      `note: --before is later than the retention period's cut-off (${env.privacy.retentionDays} days: ${purge.cutoff().toISOString()})`,
    );
  }
  const result = await purge.purge({ ...(before && { before }), dryRun: values['dry-run'] ?? false });
  console.log(JSON.stringify(result));
  const r = result.removed;
  console.error(
    `${result.dryRun ? 'dry run — would remove' : 'removed'} personal data finished/recorded before ${result.before}: ` +
      `${r.reporters} reporters, ${r.calls} calls, ${r.mailMessages} mails, ${r.ticketMessages} replies, ` +
      `${r.outboxMails} notification mails, ${r.texts} other texts, ${r.rawMailFiles} raw mail files, ${r.attachmentFiles} attachment files, ${r.throttleCounters} throttle counters, ${r.supporters} "me too" supporters` +
      (r.eventsLeft > 0 ? `; ${r.eventsLeft} event reasons still name a person (the event log is append-only: not changed)` : ''),
  );
} finally {
  await opened.close();
}
