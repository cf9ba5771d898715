// Small helpers for node:http requests and responses shared by the host's handlers.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestContext } from '../app-services.ts';
import { isSameOrigin, readSessionToken } from './session-cookie.ts';

export class PayloadTooLargeError extends Error {
  constructor() {
    super('payload too large');
    this.name = 'PayloadTooLargeError';
  }
}

/** Reads the whole body, refusing (before reading when Content-Length says so) past `limit` bytes. */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > limit) throw new PayloadTooLargeError();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new PayloadTooLargeError();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

/** Parses a multipart/form-data or urlencoded body already read into memory. */
export async function parseForm(req: IncomingMessage, body: Buffer): Promise<FormData> {
  const contentType = req.headers['content-type'] ?? '';
  return new Response(new Uint8Array(body), { headers: { 'content-type': contentType } }).formData();
}

export function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  const body = JSON.stringify(value);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(body);
}

export function clientContext(req: IncomingMessage, trustProxy: boolean): RequestContext {
  const forwarded = trustProxy
    ? String(req.headers['x-forwarded-for'] ?? '')
        .split(',')[0]
        ?.trim()
    : '';
  const ua = req.headers['user-agent'];
  const sessionToken = readSessionToken(req);
  return {
    ip: forwarded || req.socket.remoteAddress || 'unknown',
    ...(ua && { userAgent: ua.slice(0, 300) }),
    sameOrigin: isSameOrigin(req, trustProxy),
    ...(sessionToken && { sessionToken }),
  };
}
