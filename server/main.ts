// Starts the portal: validates the configuration, opens (and migrates) the database, loads the
// catalog, mounts the built Astro site and listens. `npm start` runs this.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createPortal } from './app.ts';
import { EnvError, readEnv } from './env.ts';
import { createRequestHandler, listen, type AstroHandler } from './http/host.ts';

async function loadAstro(root: string): Promise<{ handler: AstroHandler; clientDir: string }> {
  const entry = path.join(root, 'dist', 'server', 'entry.mjs');
  if (!fs.existsSync(entry)) {
    throw new Error('The site is not built yet: run `npm run build` first (dist/server/entry.mjs is missing).');
  }
  const mod = (await import(pathToFileURL(entry).href)) as { handler: AstroHandler };
  return { handler: mod.handler, clientDir: path.join(root, 'dist', 'client') };
}

async function main(): Promise<void> {
  const env = readEnv();
  const root = path.resolve(import.meta.dirname, '..');
  const astro = await loadAstro(root);
  const portal = await createPortal({
    databaseUrl: env.databaseUrl,
    dataDir: env.dataDir,
    contentDir: env.contentDir,
    routingThreshold: env.routingThreshold,
    acknowledgeHours: env.acknowledgeHours,
    publicUrl: env.publicUrl,
    messageIdDomain: env.mail.messageIdDomain,
  });
  const handler = createRequestHandler({
    app: portal.services,
    photos: portal.photos,
    clientDir: astro.clientDir,
    astroHandler: astro.handler,
    trustProxy: env.trustProxy,
    secureCookies: env.publicUrl.startsWith('https:'),
  });
  const server = await listen(handler, env.host, env.port);
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : env.port;
  const shownHost = env.host.includes(':') ? `[${env.host}]` : env.host;
  console.log(`临城县创城问题反映平台已启动 / portal listening on http://${shownHost}:${port}/`);
  console.log(`database: ${portal.database.dialect}; data: ${env.dataDir}`);

  const stop = () => {
    server.close(() => void portal.close().then(() => process.exit(0)));
    server.closeAllConnections();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof EnvError ? error.message : error);
  process.exit(1);
});
