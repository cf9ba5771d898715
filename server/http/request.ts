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

/**
 * The client's address. Behind `trustProxy` (TRUST_PROXY) proxies of our own, each of which
 * appends the address it received the request from to X-Forwarded-For, the client is that many
 * entries from the right of [...X-Forwarded-For, socket peer]; whatever stands further left the
 * client wrote itself and is never believed.
 */
export function clientAddress(req: IncomingMessage, trustProxy: number): string {
  const peer = req.socket.remoteAddress || 'unknown';
  if (trustProxy <= 0) return peer;
  const forwarded = String(req.headers['x-forwarded-for'] ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  const chain = [...forwarded, peer];
  return chain[Math.max(0, chain.length - 1 - trustProxy)] ?? peer;
}

export function clientContext(req: IncomingMessage, trustProxy: number): RequestContext {
  const ua = req.headers['user-agent'];
  const sessionToken = readSessionToken(req);
  return {
    ip: clientAddress(req, trustProxy),
    ...(ua && { userAgent: ua.slice(0, 300) }),
    sameOrigin: isSameOrigin(req, trustProxy),
    ...(sessionToken && { sessionToken }),
  };
}
