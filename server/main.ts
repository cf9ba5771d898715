// Starts the portal: validates the configuration, opens (and migrates) the database, loads the
// catalog, then runs this process's roles (DESIGN rule 9): `web` mounts the built Astro site and
// listens; `worker` runs the scheduler (deadlines, escalation, mail delivery). `npm start` runs
// both; `node server/main.ts --role web` or `--role worker` (or ROLES=…) runs one. A worker-only
// process needs no built site.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createPortal, portalOptions } from './app.ts';
import { systemClock } from './clock.ts';
import { EnvError, readEnv } from './env.ts';
import { createRequestHandler, listen, type AstroHandler } from './http/host.ts';
import { createLiveSite } from './http/live-site.ts';
import { createReadiness, type WorkerPulse } from './observability/readiness.ts';
import { configureLogging, flushLogs, log } from './observability/log.ts';
import type { MailTransport } from './notify/mail-transport.ts';
import { sitePlaceholderWarning } from './publish/site-placeholders.ts';
import { createPortalWorker } from './worker/portal-worker.ts';
import { rolesFromArgs } from './worker/worker-settings.ts';
import type { Scheduler } from './worker/scheduler.ts';
import type { MailboxWatcher } from './intake/mail/imap-watch.ts';

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
  // JSON lines on standard output (systemd's journal), short lines on a developer's terminal.
  configureLogging({ ...env.log, output: 'stdout' });
  // Not an error (a test or a demo runs on the seed content), but no county should go live so.
  const placeholders = sitePlaceholderWarning(env.contentDir);
  if (placeholders) log.warn(placeholders);
  let roles;
  try {
    roles = rolesFromArgs(process.argv.slice(2), env.roles);
  } catch (error) {
    throw new EnvError((error as Error).message);
  }
  const web = roles.includes('web');
  const root = path.resolve(import.meta.dirname, '..');
  const astro = web ? await loadAstro(root) : null;
  const clock = systemClock;
  const portal = await createPortal(portalOptions(env, clock));
  const content = portal.content.current();
  log.info(`content version ${content.id} in use / 内容版本 ${content.id}`, { contentHash: content.hash.slice(0, 12) });

  let server: Awaited<ReturnType<typeof listen>> | undefined;
  // The public site every web process serves: the live build in the blob store (ADR 016).
  const liveSite = astro
    ? createLiveSite({
        db: portal.database.db,
        store: portal.blobs,
        cacheDir: path.join(env.dataDir, 'site-cache'),
        cacheBytes: env.liveSite.cacheBytes,
        pollMs: env.liveSite.pollMs,
        log,
      })
    : null;
  // /readyz checks the worker too when this process runs one (server/observability/readiness.ts).
  let pulse: WorkerPulse | null = null;
  const readiness = createReadiness({
    database: portal.database,
    dataDir: env.dataDir,
    minFreeBytes: env.observability.minFreeBytes,
    worker: roles.includes('worker')
      ? { lastPass: () => pulse?.lastPass() ?? null, intervalSeconds: env.worker.intervalSeconds, startedAt: new Date() }
      : null,
  });
  if (astro) {
    const handler = createRequestHandler({
      app: portal.services,
      photos: portal.photos,
      clientDir: astro.clientDir,
      astroHandler: astro.handler,
      publicSite: { live: liveSite },
      observability: {
        metrics: portal.metrics,
        readiness,
        access: { token: env.observability.metricsToken, allow: env.observability.metricsAllow },
      },
      trustProxy: env.trustProxy,
      requestLimits: env.requestLimits,
      secureCookies: env.publicUrl.startsWith('https:'),
    });
    server = await listen(handler, env.host, env.port);
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : env.port;
    const shownHost = env.host.includes(':') ? `[${env.host}]` : env.host;
    log.info(`临城县创城问题反映平台已启动 / portal listening on http://${shownHost}:${port}/`);
  }

  let worker: Scheduler | undefined;
  let transport: MailTransport | undefined;
  let watcher: MailboxWatcher | null = null;
  if (roles.includes('worker')) {
    ({
      scheduler: worker,
      transport,
      mailboxWatcher: watcher,
    } = createPortalWorker(portal, env, clock, {
      // The web role of this process serves a new build at once (others look every SITE_POLL_SECONDS).
      ...(liveSite && { onSiteLive: () => void liveSite.refresh() }),
    }));
    const scheduler = worker;
    pulse = {
      lastPass: () => {
        const last = scheduler.lastTick();
        return last ? { at: last.endedAt, mailOk: last.report.jobs.find((j) => j.job === 'mail')?.ok ?? true } : null;
      },
      intervalSeconds: env.worker.intervalSeconds,
      startedAt: new Date(),
    };
    worker.start();
    watcher?.start();
    const w = env.worker;
    log.info(
      `worker: every ${w.intervalSeconds} s; reminders ${w.reminderHoursBefore} h before the deadline; ` +
        `escalation ladder restarts after ${w.escalationResetDays} days; mail: ${transport.kind}; ` +
        `mailbox: ${env.imap ? `${env.imap.host}:${env.imap.port}${watcher ? ' (IDLE when offered)' : ' (read every pass)'}` : 'none'}; ` +
        `text messages: ${env.sms.provider ? `aliyun (${new URL(env.sms.provider.endpoint).host})` : 'DATA_DIR/sms-out/outbox.jsonl'}`,
    );
  }
  log.info(`files (photos, kept mail): ${portal.blobs.describe()}`);
  // The last line of the start: tests/support/portal-process.ts waits for it.
  log.info(`roles: ${roles.join(', ')}; database: ${portal.database.dialect}; data: ${env.dataDir}`);

  // SIGTERM/SIGINT: stop taking requests, let the worker finish its tick, then close the
  // database. A second signal kills at once (the handlers are `once`).
  const stop = async () => {
    const closed = server ? new Promise<void>((resolve) => server!.close(() => resolve())) : Promise.resolve();
    server?.closeAllConnections();
    await Promise.all([closed, worker?.stop(), watcher?.stop()]);
    liveSite?.close();
    transport?.close();
    await portal.close();
    log.info('stopped / 已停止');
    flushLogs();
    process.exit(0);
  };
  const onSignal = () => {
    stop().catch((error: unknown) => {
      log.error('the portal did not stop cleanly', error);
      flushLogs();
      process.exit(1);
    });
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
}

main().catch((error: unknown) => {
  // A wrong setting is said in its own words (it names the variable); anything else with its stack.
  if (error instanceof EnvError) log.error(error.message);
  else log.error('the portal did not start', error);
  flushLogs();
  process.exit(1);
});
