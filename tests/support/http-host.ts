// The portal's real HTTP host in front of a test portal, on a free loopback port. Pages are
// Astro's and covered by the browser tests; here every page request is "not found".
import fs from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createRequestHandler, listen, type HostOptions } from '../../server/http/host.ts';
import type { TestPortal } from './portal.ts';

export interface TestHost {
  base: string;
  server: Server;
  close(): Promise<void>;
}

export async function serveTestPortal(
  t: TestPortal,
  options: { trustProxy?: number; observability?: HostOptions['observability'] } = {},
): Promise<TestHost> {
  const clientDir = path.join(t.database.dataDir, 'client');
  fs.mkdirSync(clientDir, { recursive: true });
  const handler = createRequestHandler({
    app: t.portal.services,
    photos: t.portal.photos,
    clientDir,
    astroHandler: async (_req, _res, next) => next(),
    trustProxy: options.trustProxy ?? 0,
    secureCookies: false,
    ...(options.observability && { observability: options.observability }),
  });
  const server = await listen(handler, '127.0.0.1', 0);
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    server,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
