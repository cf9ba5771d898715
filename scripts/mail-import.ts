// Reads mail from files into the portal — backfill of the dedicated mailbox, and tests:
//   npm run mail:import -- inbox/*.eml archive.mbox
// Each message goes through the same pipeline as the mailbox intake (server/intake/mail/) and
// prints one JSON line: {"file", "outcome", "trackingCode"?, "subject", "reason"?}, in input
// order, though up to eight messages are processed at once (mail-import.ts). A bad file is
// reported as 'quarantined'; the command always exits 0. Uses the same settings as `npm start`.
import { createPortal, portalOptions } from '../server/app.ts';
import { readEnv } from '../server/env.ts';
import { configureLogging } from '../server/observability/log.ts';
import { importMailFiles } from '../server/intake/mail/mail-import.ts';

const files = process.argv.slice(2).filter((a) => a !== '--');
if (files.length === 0) {
  console.error('usage: npm run mail:import -- FILE.eml|FILE.mbox …');
  process.exit(2);
}
const env = readEnv();
// What server code logs goes to standard error (and LOG_FILE): standard output is the command's.
configureLogging(env.log);
const portal = await createPortal(portalOptions(env));
try {
  await importMailFiles(portal.services.mail, files, (line) => console.log(JSON.stringify(line)));
} finally {
  await portal.close();
}
