// The ids every log line carries without anyone passing them by hand: `reqId` of the HTTP request
// being answered (tRPC procedures, repositories, Astro pages and their errors included), `pass`
// of the worker's pass and `job` + `runId` of the job run within it. Held in an AsyncLocalStorage,
// so they follow the work through awaits, timers and callbacks started inside it.
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';

export interface LogContext {
  reqId?: string;
  pass?: string;
  job?: string;
  runId?: string;
}

const storage = new AsyncLocalStorage<LogContext>();

/** The ids of the work under way, or an empty object outside any. */
export function logContext(): LogContext {
  return storage.getStore() ?? {};
}

/** Runs `work` with these ids added to those of the work it is part of. */
export function withLogContext<T>(ids: LogContext, work: () => T): T {
  return storage.run({ ...storage.getStore(), ...ids }, work);
}

/** A fresh id: 12 URL-safe characters (72 random bits), short enough to read in a log. */
export function newLogId(): string {
  return randomBytes(9).toString('base64url');
}

const SANE_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * The request's id: the one our proxy sent (X-Request-Id, so nginx's log and ours line up) when
 * it is sane — letters, digits, `-` and `_`, at most 64 — and the request came through a proxy of
 * ours (TRUST_PROXY > 0); otherwise a fresh one. A client talking to the portal directly never
 * chooses what the log says.
 */
export function requestIdFrom(header: string | string[] | undefined, trustProxy: number): string {
  const given = Array.isArray(header) ? header[0] : header;
  return trustProxy > 0 && given !== undefined && SANE_ID.test(given) ? given : newLogId();
}
