// A web process of the portal serving the API only (no built site needed), started by tests
// that need separate processes — several web processes on one database, as a city deploys, or
// one watched from outside (its memory in /proc, its log: tests/integration/upload-limits.test.ts):
//   node tests/support/api-process.ts   (settings from the environment, as `npm start`)
// Prints {"port": N} on its first line of output once it listens; SIGTERM stops it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createPortal, portalOptions } from '../../server/app.ts';
import { readEnv } from '../../server/env.ts';
import { configureLogging } from '../../server/observability/log.ts';
import { createRequestHandler, listen } from '../../server/http/host.ts';

const env = readEnv();
configureLogging(env.log);
const portal = await createPortal(portalOptions(env));
const clientDir = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-api-client-'));
const handler = createRequestHandler({
  app: portal.services,
  photos: portal.photos,
  clientDir,
  astroHandler: async (_req, _res, next) => next(),
  trustProxy: env.trustProxy,
  secureCookies: false,
  requestLimits: env.requestLimits,
});
const server = await listen(handler, env.host, env.port);
const address = server.address();
process.stdout.write(`${JSON.stringify({ port: typeof address === 'object' && address ? address.port : env.port })}\n`);
process.once('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => {
    fs.rmSync(clientDir, { recursive: true, force: true });
    void portal.close().then(() => process.exit(0));
  });
});
