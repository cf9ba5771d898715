// Checks the audit records' hash chains (issue 18 item 6, ADR 018; server/audit/audit-verify.ts):
//   npm run audit:verify
// Recomputes every audited table's chain, names the first broken row (an edit, a row missing in
// the middle or at the end), shows each table's checkpoint and counts rows unsealed for more than
// ten minutes. Prints the result in words; exit code 0 when all is in order, 1 when anything is
// wrong. Read-only; uses the same settings as `npm start` (DATABASE_URL …).
import { systemClock } from '../server/clock.ts';
import { openDatabase, pendingMigrations } from '../server/db/database.ts';
import { readEnv } from '../server/env.ts';
import { configureLogging } from '../server/observability/log.ts';
import { verificationReport, verifyAuditRecords } from '../server/audit/audit-verify.ts';

const env = readEnv();
// What server code logs goes to standard error (and LOG_FILE): standard output is the command's.
configureLogging(env.log);
const database = openDatabase(env.databaseUrl);
try {
  const pending = await pendingMigrations(database);
  if (pending.length > 0) {
    console.error(`数据库尚未升级到当前版本（缺少迁移 ${pending.join('、')}）：先启动一次平台（npm start）再核验。`);
    process.exitCode = 1;
  } else {
    const result = await verifyAuditRecords(database.db, systemClock.now());
    console.log(verificationReport(result));
    process.exitCode = result.ok ? 0 : 1;
  }
} finally {
  await database.close();
}
