// /api/trpc/*: tRPC's fetch adapter behind a node:http request. The body is read whole (with a
// limit) and the answer written in one piece with a Content-Length: for the small JSON this API
// speaks, that costs far less than tRPC's node adapter piping web streams in chunks.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import type { PortalServices } from '../app-services.ts';
import { appRouter } from '../trpc/app-router.ts';
import { clientContext, PayloadTooLargeError, readBody, RequestBodyAbortedError, sendJson } from './request.ts';
import { log } from '../observability/log.ts';

const BODY_LIMIT = 256 * 1024;

// The only request headers tRPC's HTTP layer reads (content negotiation); procedures get the
// client's address and agent through the context instead.
const FORWARDED_HEADERS = ['content-type', 'accept', 'trpc-accept', 'last-event-id'] as const;

function requestHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of FORWARDED_HEADERS) {
    const value = req.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  return headers;
}

export function createTrpcHandler(app: PortalServices, trustProxy: number, secureCookies: boolean, bodyIdleMs?: number) {
  return async function handleTrpc(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const method = req.method ?? 'GET';
      const body = method === 'GET' || method === 'HEAD' ? undefined : new Uint8Array(await readBody(req, BODY_LIMIT, bodyIdleMs));
      const request = new Request(`http://portal${req.url ?? '/'}`, { method, headers: requestHeaders(req), body: body ?? null });
      const response = await fetchRequestHandler({
        endpoint: '/api/trpc',
        req: request,
        router: appRouter,
        // Nothing of ours batches, and a batch would let one request try many passwords or
        // tracking codes at once: every call is a request of its own.
        allowBatching: false,
        createContext: async ({ resHeaders }) => {
          const request = clientContext(req, trustProxy);
          return { app, request, user: await app.userOf(request), resHeaders, secureCookies };
        },
      });
      const payload = Buffer.from(await response.arrayBuffer());
      const headers: Record<string, string> = { 'cache-control': 'no-store' };
      response.headers.forEach((value, name) => (headers[name] = value));
      const cookies = response.headers.getSetCookie();
      headers['content-length'] = String(payload.length);
      delete headers['set-cookie'];
      if (cookies.length > 0) res.setHeader('set-cookie', cookies);
      res.writeHead(response.status, headers);
      res.end(payload);
    } catch (error) {
      // The client went away or stalled mid-body: its socket is gone, one line says so.
      if (error instanceof RequestBodyAbortedError) return log.warn(`[trpc] ${error.message}`, { bytes: error.bytes });
      if (error instanceof PayloadTooLargeError) {
        return sendJson(res, 413, {
          error: { message: '提交的内容太长了，请精简后再提交', code: -32600, data: { code: 'PAYLOAD_TOO_LARGE', httpStatus: 413 } },
        });
      }
      log.error('[trpc] the request failed', error);
      if (!res.headersSent)
        sendJson(res, 500, {
          error: { message: '服务器暂时出错，请稍后再试', code: -32603, data: { code: 'INTERNAL_SERVER_ERROR', httpStatus: 500 } },
        });
    }
  };
}
