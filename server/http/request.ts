// Small helpers for node:http requests and responses shared by the host's handlers.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestContext } from '../app-services.ts';
import { DEFAULT_REQUEST_LIMITS } from './request-limits.ts';
import { isSameOrigin, readSessionToken } from './session-cookie.ts';

export class PayloadTooLargeError extends Error {
  constructor() {
    super('payload too large');
    this.name = 'PayloadTooLargeError';
  }
}

/**
 * The body stopped before it was complete: the client went away (`client`), or sent nothing for
 * the idle timeout (`idle`: we ended the request and destroyed its socket). Nothing can be
 * answered; the message is the one line the handlers log.
 */
export class RequestBodyAbortedError extends Error {
  readonly reason: 'client' | 'idle';
  /** Bytes of the body received before it stopped. */
  readonly bytes: number;
  constructor(reason: 'client' | 'idle', bytes: number, idleMs = 0) {
    // The byte count is not in the message: it goes into the log line as a field of its own, and
    // the same message from many sockets is collapsed into one line with a count.
    super(reason === 'client' ? 'aborted by client' : `no data for ${idleMs / 1000} s, ended`);
    this.name = 'RequestBodyAbortedError';
    this.reason = reason;
    this.bytes = bytes;
  }
}

/**
 * Calls `onIdle` once the body has sent nothing for `idleMs`; `touch()` after every chunk,
 * `stop()` when the body is complete or given up. While `weAreBehind()` says the request is
 * paused on our side (the disk is slower than the client), the wait does not count.
 */
export function bodyIdleTimer(idleMs: number, onIdle: () => void, weAreBehind?: () => boolean) {
  let touches = 0;
  let stopped = false;
  const timer = setTimeout(() => {
    if (weAreBehind?.()) return void timer.refresh();
    // After the event loop was held up (a long GC, a starved CPU) timers run before the sockets
    // are read: give the data that waited a chance to arrive before calling the client idle.
    const seen = touches;
    setImmediate(() => {
      if (!stopped && touches === seen) onIdle();
    });
  }, idleMs);
  timer.unref();
  return {
    touch() {
      touches++;
      timer.refresh();
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

/**
 * Reads the whole body, refusing (before reading when Content-Length says so) past `limit`
 * bytes. A body that sends nothing for `idleMs` is ended and its socket destroyed; that, and a
 * client that goes away, throw RequestBodyAbortedError.
 */
export async function readBody(req: IncomingMessage, limit: number, idleMs = DEFAULT_REQUEST_LIMITS.bodyIdleMs): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > limit) throw new PayloadTooLargeError();
  const chunks: Buffer[] = [];
  let size = 0;
  let idle = false;
  const timer = bodyIdleTimer(idleMs, () => {
    idle = true;
    req.destroy();
    req.socket.destroy();
  });
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      timer.touch();
      size += chunk.length;
      if (size > limit) throw new PayloadTooLargeError();
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof PayloadTooLargeError) throw error;
    if (idle) throw new RequestBodyAbortedError('idle', size, idleMs);
    if (!req.complete) throw new RequestBodyAbortedError('client', size);
    throw error;
  } finally {
    timer.stop();
  }
  if (idle) throw new RequestBodyAbortedError('idle', size, idleMs);
  if (!req.complete) throw new RequestBodyAbortedError('client', size);
  return Buffer.concat(chunks, size);
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
