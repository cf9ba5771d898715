// Brings the database's schema up to this release's and exits — what an upgrade runs before it
// switches the installed release (the bundle's bin/portal-migrate; docs/deploy.md):
//   npm run migrate
// Every start migrates as well (server/app.ts); this runs the same migrations alone, so that an
// upgrade finds a failing migration before any process of the new release serves. Migrations are
// forward-only. Prints one JSON line: { applied: [names…], dialect }. Exit code 0 when the schema
// is current, 1 when a migration failed (the database stays at the last one that succeeded), 2 for
// a usage error. Uses the same settings as `npm start` (DATABASE_URL, DATA_DIR).
import { migrateToLatest, openDatabase, pendingMigrations } from '../server/db/database.ts';
import { readEnv } from '../server/env.ts';
import { configureLogging } from '../server/observability/log.ts';

const args = process.argv.slice(2).filter((a) => a !== '--');
if (args.length > 0) {
  console.error(`unknown argument: ${args.join(' ')}\nusage: npm run migrate`);
  process.exit(2);
}

const env = readEnv();
// What server code logs goes to standard error (and LOG_FILE): standard output is the command's.
configureLogging(env.log);
const database = openDatabase(env.databaseUrl);
try {
  const pending = await pendingMigrations(database);
  await migrateToLatest(database);
  console.log(JSON.stringify({ applied: pending, dialect: database.dialect }));
  console.error(pending.length > 0 ? `${pending.length} migration(s) applied` : 'the schema was already current: nothing applied');
} catch (error) {
  console.error(`migration failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  await database.close();
}
