// Imports call records exported by the phone system as CSV (issue 5, item 6):
//   npm run hotline:import -- calls.csv [more.csv …]
// Every row goes through the hotline service like a call logged in the console
// (server/hotline/call-import.ts) and prints one JSON line:
//   {"file", "line", "outcome": "created"|"attached"|"answered"|"referred"|"duplicate"|"error", "callId"?, "trackingCode"?, "error"?}
// and each file a summary on stderr. Exit code 0 when every file was read (bad rows included),
// 1 when a file could not be read or is no call export (the other files are still imported),
// 2 for a usage error. Uses the same settings as `npm start`; columns in README.md ("Hotline").
import { createPortal, portalOptions } from '../server/app.ts';
import { readEnv } from '../server/env.ts';
import { configureLogging } from '../server/observability/log.ts';
import { importCallFiles } from '../server/hotline/call-import.ts';

const args = process.argv.slice(2).filter((a) => a !== '--');
const options = args.filter((a) => a.startsWith('-'));
if (args.length === 0 || options.length > 0) {
  if (options.some((o) => o !== '--help' && o !== '-h')) console.error(`unknown option: ${options.join(' ')}`);
  console.error('usage: npm run hotline:import -- FILE.csv [FILE.csv …]   (columns: README.md, "Hotline")');
  process.exit(2);
}
const env = readEnv();
// What server code logs goes to standard error (and LOG_FILE): standard output is the command's.
configureLogging(env.log);
const portal = await createPortal(portalOptions(env));
let unread = 0;
try {
  const files = await importCallFiles({ hotline: portal.services.hotline, catalog: portal.services.catalog }, args, (line) =>
    console.log(JSON.stringify(line)),
  );
  for (const f of files) {
    if (f.error) {
      unread++;
      console.error(`${f.file}: not imported — ${f.error}`);
      continue;
    }
    const c = f.counts;
    const rows = Object.values(c).reduce((a, b) => a + b, 0);
    console.error(
      `${f.file} (${f.encoding}): ${rows} rows — created ${c.created}, attached ${c.attached}, answered ${c.answered}, referred ${c.referred}, duplicate ${c.duplicate}, error ${c.error}` +
        (f.ignoredColumns.length > 0 ? `; columns ignored: ${f.ignoredColumns.join(', ')}` : ''),
    );
  }
} finally {
  await portal.close();
}
process.exitCode = unread > 0 ? 1 : 0;
