// The console islands' calls to the staff API in plain fetch (tRPC 11 wire format without a
// transformer: a mutation's input is the JSON body, a query's the URL-encoded `input` parameter;
// the answer `{result: {data}}` or `{error}`).
import type { TicketActionInput } from '../../../server/staff/action-schema.ts';

export type ApiOutcome<T> =
  | { kind: 'ok'; data: T }
  /** Input the person can correct: field messages keyed by field name (without the `act.` prefix). */
  | { kind: 'invalid'; message: string; fields: Record<string, string> }
  | { kind: 'failed'; message: string; status: number };

const NETWORK_FAILED = '网络连接失败，操作没有完成。请检查网络后再试。';
const SERVER_FAILED = '系统暂时出了问题，操作没有完成，请稍后再试。';

function fieldsOf(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (typeof v === 'string') out[k.replace(/^(act|changes)\./, '')] = v;
    }
  }
  return out;
}

export async function callMutation<T>(path: string, input: unknown): Promise<ApiOutcome<T>> {
  let response: Response;
  try {
    response = await fetch(`/api/trpc/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(input),
      credentials: 'same-origin',
    });
  } catch {
    return { kind: 'failed', message: NETWORK_FAILED, status: 0 };
  }
  return readOutcome<T>(response);
}

/**
 * A tRPC query (GET, the input URL-encoded JSON). An aborted request (the person typed on, a newer
 * query replaced it) answers `failed` with status 0 like a network failure: check `signal.aborted`.
 */
export async function callQuery<T>(path: string, input?: unknown, signal?: AbortSignal): Promise<ApiOutcome<T>> {
  const query = input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`;
  let response: Response;
  try {
    response = await fetch(`/api/trpc/${path}${query}`, {
      headers: { accept: 'application/json' },
      credentials: 'same-origin',
      ...(signal && { signal }),
    });
  } catch {
    return { kind: 'failed', message: NETWORK_FAILED, status: 0 };
  }
  return readOutcome<T>(response);
}

async function readOutcome<T>(response: Response): Promise<ApiOutcome<T>> {
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    // Not JSON (a proxy's error page): the status decides below.
  }
  if (response.ok) {
    const data = (body as { result?: { data?: T } } | null)?.result?.data;
    return { kind: 'ok', data: data as T };
  }
  const error = (body as { error?: { message?: unknown; data?: { fields?: unknown } } } | null)?.error;
  const message = typeof error?.message === 'string' && error.message ? error.message : '';
  if (response.status === 401) return { kind: 'failed', message: '登录已过期，请重新登录后再办理。', status: 401 };
  const fields = fieldsOf(error?.data?.fields);
  if (response.status === 400 || Object.keys(fields).length > 0) return { kind: 'invalid', message: message || SERVER_FAILED, fields };
  return { kind: 'failed', message: message || SERVER_FAILED, status: response.status };
}

export function actOnTicket(trackingCode: string, expectedVersion: number, act: TicketActionInput) {
  return callMutation<{ status: string; version: number }>('staff.tickets.act', { trackingCode, expectedVersion, act });
}
