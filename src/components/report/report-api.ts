// The island's two calls to the tRPC API, in plain fetch (no @trpc/client: the report page's
// script must stay small). Wire format: tRPC 11 without a transformer, plain JSON.
import type { SubmitResult } from '../../../server/intake/submit-result.ts';
import type { RoutingSuggestion } from '../../../server/routing/suggestion.ts';

interface TrpcErrorBody {
  error?: { message?: unknown; data?: { fields?: unknown } };
}

export type SubmitOutcome =
  | { kind: 'ok'; result: SubmitResult }
  | { kind: 'invalid'; message: string; fields: Record<string, string> }
  | { kind: 'failed'; message: string; network: boolean };

function stringRecord(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) if (typeof v === 'string') out[k] = v;
  }
  return out;
}

export async function fetchSuggestion(
  input: { text: string; category?: string; pointId?: string },
  signal: AbortSignal,
): Promise<RoutingSuggestion | null> {
  const url = `/api/trpc/routing.suggest?input=${encodeURIComponent(JSON.stringify(input))}`;
  const response = await fetch(url, { signal, headers: { accept: 'application/json' } });
  if (!response.ok) return null;
  const body = (await response.json()) as { result?: { data?: RoutingSuggestion } };
  return body.result?.data ?? null;
}

export async function submitReport(raw: Record<string, unknown>): Promise<SubmitOutcome> {
  let response: Response;
  try {
    response = await fetch('/api/trpc/report.submit', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(raw),
    });
  } catch {
    return { kind: 'failed', network: true, message: '' };
  }
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    // A proxy's HTML error page, or a cut connection: treated like any other failure below.
  }
  if (response.ok) {
    const data = (body as { result?: { data?: SubmitResult } } | null)?.result?.data;
    if (data?.trackingCode) return { kind: 'ok', result: data };
    return { kind: 'failed', network: false, message: '' };
  }
  const error = (body as TrpcErrorBody | null)?.error;
  const message = typeof error?.message === 'string' ? error.message : '';
  const fields = stringRecord(error?.data?.fields);
  if (response.status === 400 || response.status === 422 || Object.keys(fields).length > 0) {
    return { kind: 'invalid', message, fields };
  }
  return { kind: 'failed', network: false, message };
}
