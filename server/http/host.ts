// The one HTTP server of a web process: the tRPC API, photo uploads and renditions, the public
// site (ADR 006, ADR 016: the live build from the blob store, or dist/public until a build is live), the app's
// built static files (dist/client) and Astro's on-demand pages (middleware mode), in that order.
// See docs/decisions/001-one-http-host.md for why this is our own node:http server.
// Static text files go out precompressed (.br/.gz) when accepted; while the elderly-mode cookie
// is set, HTML (static or rendered) gets class="elderly" on <html> (elderly-mode.ts).
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import path from 'node:path';
import type { PortalServices, RequestContext } from '../app-services.ts';
import type { PhotoStore } from '../media/photo-store.ts';
import type { StaffUser } from '../auth/roles.ts';
import { clientContext, sendJson } from './request.ts';
import { DEFAULT_REQUEST_LIMITS, type RequestLimits } from './request-limits.ts';
import { createLedgerDownloads } from './ledger-downloads.ts';
import { createCardDownloads } from './card-downloads.ts';
import { createMediaHandler } from './media-handler.ts';
import { createPageBodies } from './page-body.ts';
import { sendFile } from './send-file.ts';
import { createStaticSite, firstServable, folderSource, type SiteSource } from './static-site.ts';
import { createTrpcHandler } from './trpc-handler.ts';
import { createUploadHandler } from './upload-handler.ts';
import { addElderlyClass, handleElderlySwitch, isElderly, rewriteHtmlResponse } from './elderly-mode.ts';
import { routeOf, type Metrics } from '../observability/metrics.ts';
import { mayReadMetrics, type MetricsAccess } from '../observability/metrics-access.ts';
import type { Readiness } from '../observability/readiness.ts';
import { log } from '../observability/log.ts';
import { requestIdFrom, withLogContext } from '../observability/log-context.ts';

export type AstroHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  next: (err?: unknown) => void,
  locals: { app: PortalServices; request: RequestContext; user: StaffUser | null; secureCookies: boolean },
) => Promise<void>;

export interface HostOptions {
  app: PortalServices;
  photos: PhotoStore;
  /** dist/client of the Astro build. */
  clientDir: string;
  astroHandler: AstroHandler;
  trustProxy: number;
  /** Mark cookies Secure: the portal is served over HTTPS (PUBLIC_URL). */
  secureCookies: boolean;
  /**
   * The public site: the live build (`live`, server/http/live-site.ts, switched by the worker's
   * builds) once there is one, else `initialDir` (dist/public, built by `npm run build`; by
   * default beside the client folder).
   */
  publicSite?: { live?: SiteSource | null; initialDir?: string };
  /** Idle timeout of request bodies and the caps on concurrent uploads (REQUEST_BODY_IDLE_SECONDS, UPLOAD_MAX_*). */
  requestLimits?: RequestLimits;
  /** /metrics (and every request counted in it) and /readyz; without it, both answer 404. */
  observability?: { metrics: Metrics; readiness: Readiness; access: MetricsAccess };
}

/** Paths the app answers itself, never the public site. */
const APP_PATHS = /^\/(report|track|console)(\/|$)/;

/** Health checks and scrapes: logged at debug. */
const PROBES = new Set(['/healthz', '/readyz', '/metrics']);

const SECURITY_HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
  'permissions-policy': 'geolocation=(self), camera=(self), microphone=()',
};

export function createRequestHandler(options: HostOptions) {
  const { app, trustProxy } = options;
  const limits = options.requestLimits ?? DEFAULT_REQUEST_LIMITS;
  const handleUpload = createUploadHandler(app, trustProxy, options.photos, limits);
  const handleTrpc = createTrpcHandler(app, trustProxy, options.secureCookies, limits.bodyIdleMs);
  const receivePageBody = createPageBodies({ incomingDir: options.photos.incomingDir, trustProxy, idleMs: limits.bodyIdleMs });
  const handleLedgerDownload = createLedgerDownloads(app, trustProxy);
  const handleCardDownload = createCardDownloads(app, trustProxy);
  const notFoundPage = path.join(options.clientDir, '404.html');
  const handleMedia = createMediaHandler(options.photos);
  const assets = createStaticSite(options.clientDir);
  const initial = folderSource(options.publicSite?.initialDir ?? path.join(path.dirname(path.resolve(options.clientDir)), 'public'));
  // Asked per request: the worker switches the live build at any moment, and a web-only process
  // sees the first build appear without a restart.
  const publicFiles = options.publicSite?.live ? firstServable(options.publicSite.live, initial) : initial;
  const publicSite = createStaticSite(publicFiles);

  function notFound(res: ServerResponse) {
    const req = res.req;
    const rewriteHtml = isElderly(req) ? addElderlyClass : undefined;
    const fallback = () => {
      res.writeHead(404, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><meta charset="utf-8"><title>页面不存在</title><p>页面不存在</p>');
    };
    const appPage = () => sendFile(req, res, notFoundPage, { cacheControl: 'no-cache', status: 404, missing: fallback, rewriteHtml });
    const pathname = (req.url ?? '/').split('?')[0] ?? '/';
    if (APP_PATHS.test(pathname)) return appPage();
    // Elsewhere the public site's own 404 page, when it has one.
    publicFiles
      .file('404.html')
      .then(
        (file) => (file ? sendFile(req, res, file, { cacheControl: 'no-cache', status: 404, missing: appPage, rewriteHtml }) : appPage()),
        appPage,
      );
  }

  const observability = options.observability;
  function observed(req: IncomingMessage, res: ServerResponse, pathname: string): void {
    if (!observability) return;
    const began = process.hrtime.bigint();
    res.once('finish', () => {
      const seconds = Number(process.hrtime.bigint() - began) / 1e9;
      observability.metrics.observeRequest(routeOf(pathname), req.method ?? 'GET', res.statusCode, seconds);
    });
  }

  function serveObservability(req: IncomingMessage, res: ServerResponse, pathname: string): boolean {
    if (!observability || (pathname !== '/readyz' && pathname !== '/metrics')) return false;
    res.setHeader('cache-control', 'no-store');
    if (pathname === '/readyz') {
      observability.readiness.check().then(
        (answer) => sendJson(res, answer.ready ? 200 : 503, answer),
        (error: unknown) => sendJson(res, 503, { ready: false, error: String(error) }),
      );
      return true;
    }
    if (!mayReadMetrics(req, clientContext(req, trustProxy).ip, observability.access)) {
      sendJson(res, 403, { error: 'metrics are read from the configured addresses or with the token' });
      return true;
    }
    observability.metrics.render().then(
      (text) => {
        res.writeHead(200, { 'content-type': observability.metrics.contentType });
        res.end(text);
      },
      (error: unknown) => {
        log.error('[metrics] could not render the metrics', error);
        if (!res.headersSent) res.writeHead(500).end();
      },
    );
    return true;
  }

  /**
   * One line per request, when it has been answered (or the client went away): method, path —
   * never the query string, where tracking codes and one-time keys travel — status and time.
   * Health checks and scrapes come every few seconds: they are logged at debug.
   */
  function accessLog(req: IncomingMessage, res: ServerResponse, pathname: string, reqId: string): void {
    const began = process.hrtime.bigint();
    res.once('close', () => {
      const fields = {
        reqId,
        method: req.method ?? 'GET',
        path: pathname.length > 200 ? `${pathname.slice(0, 200)}…` : pathname,
        // null: the request was ended, or its client went away, before any answer was sent.
        status: res.headersSent ? res.statusCode : null,
        ms: Math.round(Number(process.hrtime.bigint() - began) / 1e5) / 10,
        ...(!res.writableFinished && { aborted: true }),
      };
      if (PROBES.has(pathname)) log.debug('http', fields);
      else log.info('http', fields);
    });
  }

  return function handle(req: IncomingMessage, res: ServerResponse): void {
    const reqId = requestIdFrom(req.headers['x-request-id'], trustProxy);
    res.setHeader('x-request-id', reqId);
    const pathname = (req.url ?? '/').split('?')[0] ?? '/';
    accessLog(req, res, pathname, reqId);
    // Everything logged while answering — procedures, repositories, pages, errors — carries reqId.
    withLogContext({ reqId }, () => route(req, res, pathname));
  };

  function route(req: IncomingMessage, res: ServerResponse, pathname: string): void {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    observed(req, res, pathname);

    if (pathname === '/healthz') return sendJson(res, 200, { ok: true });
    if (serveObservability(req, res, pathname)) return;
    if (pathname.startsWith('/api/trpc/')) {
      void handleTrpc(req, res);
      return;
    }
    if (pathname.startsWith('/api/ledgers/')) {
      void handleLedgerDownload(req, res, () => notFound(res));
      return;
    }
    if (pathname.startsWith('/api/inspection/')) {
      void handleCardDownload(req, res, () => notFound(res));
      return;
    }
    if (pathname === '/api/uploads') {
      void handleUpload(req, res);
      return;
    }
    if (pathname.startsWith('/media/')) return handleMedia(req, res, () => notFound(res));
    const elderly = isElderly(req);
    if (pathname === '/elderly' && (req.method === 'GET' || req.method === 'HEAD')) {
      return handleElderlySwitch(req, res, options.secureCookies);
    }
    const renderPage = () => {
      if (elderly) rewriteHtmlResponse(res, addElderlyClass);
      const request = clientContext(req, trustProxy);
      app
        .userOf(request)
        .then((user) => options.astroHandler(req, res, () => notFound(res), { app, request, user, secureCookies: options.secureCookies }))
        .catch((error: unknown) => {
          log.error('[astro] the page failed', error);
          if (!res.headersSent) res.writeHead(500).end();
        });
    };
    if (req.method === 'GET' || req.method === 'HEAD') {
      const staticOptions = { rewriteHtml: elderly ? addElderlyClass : undefined };
      const appFiles = () => assets(req, res, renderPage, staticOptions);
      if (APP_PATHS.test(pathname)) return appFiles();
      return publicSite(req, res, appFiles, staticOptions);
    }
    // A form posted to a page: the host receives its body (page-body.ts), then Astro reads it.
    receivePageBody(req, res).then(
      (done) => {
        if (!done) return;
        res.once('close', done);
        renderPage();
      },
      (error: unknown) => {
        log.error('[page] the form post failed', error);
        if (!res.headersSent) res.writeHead(500).end();
      },
    );
  }
}

export function listen(handler: http.RequestListener, host: string, port: number): Promise<http.Server> {
  const server = http.createServer({ keepAliveTimeout: 65_000 }, handler);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
