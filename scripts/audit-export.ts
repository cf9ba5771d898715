// The audit records of a date range as CSV for the assessor (issue 18 item 6, ADR 018;
// server/audit/audit-export.ts):
//   npm run audit:export -- --from 2026-06-01 --to 2026-11-30 [--out audit.csv]
// Dates are China dates, both included. Without --out the CSV goes to stdout. UTF-8 with a
// byte-order mark, so Excel shows the Chinese. Exit code 0, 2 for a usage error. Writes nothing
// but the record of the export itself (an account action: the range, the operating-system user).
import fs from 'node:fs';
import { finished } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { DATE_PATTERN } from '../server/china-time.ts';
import { openDatabase } from '../server/db/database.ts';
import { readEnv } from '../server/env.ts';
import { configureLogging } from '../server/observability/log.ts';
import { auditCsv } from '../server/audit/audit-export.ts';
import { recordExport } from '../server/auth/account-exports.ts';
import { systemClock } from '../server/clock.ts';

const USAGE = 'usage: npm run audit:export -- --from YYYY-MM-DD --to YYYY-MM-DD [--out file.csv]';
let values: { from?: string; to?: string; out?: string };
try {
  ({ values } = parseArgs({
    args: process.argv.slice(2).filter((a) => a !== '--'),
    options: { from: { type: 'string' }, to: { type: 'string' }, out: { type: 'string' } },
    strict: true,
  }));
} catch (error) {
  console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  process.exit(2);
}
const { from, to, out } = values;
for (const [name, value] of [
  ['--from', from],
  ['--to', to],
] as const) {
  if (!value || !DATE_PATTERN.test(value)) {
    console.error(`${name}: 需要日期 YYYY-MM-DD${value ? `，而不是 ${value}` : ''}\n${USAGE}`);
    process.exit(2);
  }
}
if (from! > to!) {
  console.error(`--from ${from} 晚于 --to ${to}\n${USAGE}`);
  process.exit(2);
}

const env = readEnv();
// What server code logs goes to standard error (and LOG_FILE): standard output is the command's.
configureLogging(env.log);
const database = openDatabase(env.databaseUrl);
try {
  // Recorded before it is written: a file cut short has still left the portal.
  await recordExport(database.db, systemClock.now(), { via: 'command-line' }, { kind: 'audit-records', format: 'csv', from, to });
  const target = out ? fs.createWriteStream(out) : process.stdout;
  for await (const chunk of auditCsv(database.db, from!, to!)) {
    if (!target.write(chunk)) await new Promise<void>((resolve) => target.once('drain', () => resolve()));
  }
  if (out) {
    target.end();
    await finished(target);
    console.error(`已导出 ${from} 至 ${to} 的审计记录：${out}`);
  }
} finally {
  await database.close();
}
