// The one HTTP server of a web process: the tRPC API, photo uploads and renditions, the built
// static site (dist/client) and Astro's on-demand pages (middleware mode), in that order.
// See docs/decisions/001-one-http-host.md for why this is our own node:http server.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import path from 'node:path';
import type { PortalServices, RequestContext } from '../app-services.ts';
import type { PhotoStore } from '../media/photo-store.ts';
import type { StaffUser } from '../auth/roles.ts';
import { clientContext, sendJson } from './request.ts';
import { createLedgerDownloads } from './ledger-downloads.ts';
import { createMediaHandler } from './media-handler.ts';
import { sendFile } from './send-file.ts';
import { createStaticSite } from './static-site.ts';
import { createTrpcHandler } from './trpc-handler.ts';
import { createUploadHandler } from './upload-handler.ts';

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
  trustProxy: boolean;
  /** Mark cookies Secure: the portal is served over HTTPS (PUBLIC_URL). */
  secureCookies: boolean;
}

const SECURITY_HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
  'permissions-policy': 'geolocation=(self), camera=(self), microphone=()',
};

export function createRequestHandler(options: HostOptions) {
  const { app, trustProxy } = options;
  const handleUpload = createUploadHandler(app, trustProxy);
  const handleTrpc = createTrpcHandler(app, trustProxy, options.secureCookies);
  const handleLedgerDownload = createLedgerDownloads(app, trustProxy);
  const notFoundPage = path.join(options.clientDir, '404.html');
  const handleMedia = createMediaHandler(options.photos);
  const assets = createStaticSite(options.clientDir);

  function notFound(res: ServerResponse) {
    const fallback = () => {
      res.writeHead(404, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><meta charset="utf-8"><title>页面不存在</title><p>页面不存在</p>');
    };
    sendFile(res.req, res, notFoundPage, { cacheControl: 'no-cache', status: 404, missing: fallback });
  }

  return function handle(req: IncomingMessage, res: ServerResponse): void {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    const url = req.url ?? '/';
    const pathname = url.split('?')[0] ?? '/';

    if (pathname === '/healthz') return sendJson(res, 200, { ok: true });
    if (pathname.startsWith('/api/trpc/')) {
      void handleTrpc(req, res);
      return;
    }
    if (pathname.startsWith('/api/ledgers/')) {
      void handleLedgerDownload(req, res, () => notFound(res));
      return;
    }
    if (pathname === '/api/uploads') {
      void handleUpload(req, res);
      return;
    }
    if (pathname.startsWith('/media/')) return handleMedia(req, res, () => notFound(res));
    const renderPage = () => {
      const request = clientContext(req, trustProxy);
      app
        .userOf(request)
        .then((user) => options.astroHandler(req, res, () => notFound(res), { app, request, user, secureCookies: options.secureCookies }))
        .catch((error: unknown) => {
          console.error('[astro]', error);
          if (!res.headersSent) res.writeHead(500).end();
        });
    };
    if (req.method === 'GET' || req.method === 'HEAD') return assets(req, res, renderPage);
    renderPage();
  };
}

export function listen(handler: http.RequestListener, host: string, port: number): Promise<http.Server> {
  const server = http.createServer({ keepAliveTimeout: 65_000 }, handler);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
