// The islands' one client of the API (/api/trpc), typed by the router itself: `api` has exactly
// the shape of @trpc/client's client for AppRouter (`api.staff.tickets.act.mutate(input)`,
// `api.routing.suggest.query(input, { signal })`), and all types come by `import type`, so
// nothing of server/ reaches the browser.
//
// Why not @trpc/client's runtime: it adds ~7 KB gzip to the residents' report page, which then
// exceeds its JavaScript budget (tests/e2e/report-budget.spec.ts); what the islands need of it
// is tRPC 11's plain wire format without a transformer — a query is a GET with the input as
// URL-encoded JSON, a mutation a POST with the JSON body, the answer `{result: {data}}` or
// `{error: {message, data}}` — one request per call (the server refuses batches so that one
// request cannot try many passwords or tracking codes). Same-origin cookies go with every call;
// the server checks the browser's Origin / Sec-Fetch-Site on mutations.
//
// Calls are wrapped in outcomeOf(), which answers an ApiOutcome rather than throwing: the islands
// branch on its kind and on the HTTP status (401/403 → sign in again, 409 → refresh), never on
// the message's text.
import type { TRPCClient } from '@trpc/client';
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from '../../server/trpc/app-router.ts';

export type ApiInputs = inferRouterInputs<AppRouter>;
export type ApiOutputs = inferRouterOutputs<AppRouter>;

/** A refused or failed call. Status 0: no answer came at all (offline, or the call was aborted). */
class ApiError extends Error {
  readonly status: number;
  readonly fields: Record<string, string>;
  constructor(message: string, status: number, fields: Record<string, string> = {}) {
    super(message);
    this.status = status;
    this.fields = fields;
  }
}

async function call(path: string, type: 'query' | 'mutate', input: unknown, signal?: AbortSignal): Promise<unknown> {
  const query = type === 'query' && input !== undefined ? `?input=${encodeURIComponent(JSON.stringify(input))}` : '';
  let response: Response;
  try {
    response = await fetch(`/api/trpc/${path}${query}`, {
      credentials: 'same-origin',
      ...(signal && { signal }),
      ...(type === 'mutate'
        ? { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(input) }
        : { headers: { accept: 'application/json' } }),
    });
  } catch {
    throw new ApiError('', 0);
  }
  // Not JSON (a proxy's error page): the status alone speaks, with no message worth showing.
  const body = (await response.json().catch(() => null)) as {
    result?: { data?: unknown };
    error?: { message?: unknown; data?: { fields?: unknown } };
  } | null;
  if (response.ok && body?.result) return body.result.data;
  const message = typeof body?.error?.message === 'string' ? body.error.message : '';
  throw new ApiError(message, response.ok ? 502 : response.status, fieldsOf(body?.error?.data?.fields));
}

function fieldsOf(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (typeof v === 'string') out[k.replace(/^(act|changes)\./, '')] = v;
    }
  }
  return out;
}

/** `api.a.b.query(input, { signal })` / `api.a.b.mutate(input)` calls procedure `a.b`. */
function procedures(path: readonly string[]): unknown {
  return new Proxy(() => undefined, {
    get: (_target, key) => (typeof key === 'string' ? procedures([...path, key]) : undefined),
    apply: (_target, _this, args: [unknown?, { signal?: AbortSignal }?]) => {
      const type = path.at(-1);
      if (type !== 'query' && type !== 'mutate') throw new TypeError(`api.${path.join('.')} is not a call`);
      return call(path.slice(0, -1).join('.'), type, args[0], args[1]?.signal);
    },
  });
}

export const api = procedures([]) as TRPCClient<AppRouter>;

export type ApiOutcome<T> =
  | { kind: 'ok'; data: T }
  /** Input the person can correct: field messages keyed by field path (without the `act.`/`changes.` prefix). */
  | { kind: 'invalid'; message: string; fields: Record<string, string>; status: number }
  /** Anything else. Status 0: no answer came (offline, or aborted — check the signal). */
  | { kind: 'failed'; message: string; status: number };

const NETWORK_FAILED = '网络连接失败，操作没有完成。请检查网络后再试。';
const SERVER_FAILED = '系统暂时出了问题，操作没有完成，请稍后再试。';
const SIGNED_OUT = '登录已过期，请重新登录后再办理。';

/**
 * The call's answer, or why it failed in Chinese: the server's message, or `fallback` when the
 * server gave none (a page that words it its own way passes '').
 */
export async function outcomeOf<T>(pending: Promise<T>, fallback = SERVER_FAILED): Promise<ApiOutcome<T>> {
  try {
    return { kind: 'ok', data: await pending };
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    const { status, fields } = error;
    if (status === 0) return { kind: 'failed', message: NETWORK_FAILED, status };
    if (status === 401) return { kind: 'failed', message: SIGNED_OUT, status };
    const message = error.message || fallback;
    if (status === 400 || status === 422 || Object.keys(fields).length > 0) return { kind: 'invalid', message, fields, status };
    return { kind: 'failed', message, status };
  }
}

/** What the person can do about a failure: sign in again (401, 403), refresh the page (409), or nothing. */
export function remedyOf(status: number): 'signIn' | 'refresh' | null {
  if (status === 401 || status === 403) return 'signIn';
  if (status === 409) return 'refresh';
  return null;
}
