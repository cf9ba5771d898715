// Runs the worker's jobs once — reminders, acknowledgement and overdue marks, escalations, mail
// delivery — and exits. For cron-driven deployments, and to run a pass "as of" a given time:
//   npm run worker:tick                          # now
//   npm run worker:tick -- --at 2026-12-20T09:00:00+08:00
// Uses the same settings as `npm start`.
import { parseArgs } from 'node:util';
import { createPortal, portalOptions } from '../server/app.ts';
import { manualClock, systemClock } from '../server/clock.ts';
import { readEnv } from '../server/env.ts';
import { configureLogging } from '../server/observability/log.ts';
import { createPortalWorker } from '../server/worker/portal-worker.ts';

const { values } = parseArgs({ options: { at: { type: 'string' } } });
const at = values.at ? new Date(values.at) : undefined;
if (at && Number.isNaN(at.getTime())) {
  console.error(`--at: not a date: ${values.at}`);
  process.exit(2);
}
const clock = at ? manualClock(at) : systemClock;
const env = readEnv();
// What server code logs goes to standard error (and LOG_FILE): standard output is the command's.
configureLogging(env.log);
const portal = await createPortal(portalOptions(env, clock));
const { scheduler, transport } = createPortalWorker(portal, env, clock);
try {
  const summary = await scheduler.runOnce(clock.now());
  console.log(JSON.stringify({ at: clock.now().toISOString(), summary }));
} finally {
  transport.close();
  await portal.close();
}
