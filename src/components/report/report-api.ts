// The report island's calls to the API, through the islands' one typed client.
import { api, outcomeOf, type ApiInputs, type ApiOutputs } from '../../lib/api-client.ts';

type SubmitResult = ApiOutputs['report']['submit'];
type RoutingSuggestion = ApiOutputs['routing']['suggest'];

export type SubmitOutcome =
  | { kind: 'ok'; result: SubmitResult }
  | { kind: 'invalid'; message: string; fields: Record<string, string> }
  | { kind: 'failed'; message: string; network: boolean };

/** The routing suggestion for what the resident typed so far; null when there is none to show. */
export async function fetchSuggestion(
  input: { text: string; category?: string; pointId?: string },
  signal: AbortSignal,
): Promise<RoutingSuggestion | null> {
  const outcome = await outcomeOf(api.routing.suggest.query(input, { signal }));
  return outcome.kind === 'ok' ? (outcome.data ?? null) : null;
}

/** The report, with the input exactly as the form built it: the server's schema judges it. */
export async function submitReport(raw: Record<string, unknown>): Promise<SubmitOutcome> {
  // Typed loosely on purpose: the form sends what the resident typed, and the server's schema answers in Chinese.
  const outcome = await outcomeOf(api.report.submit.mutate(raw as ApiInputs['report']['submit']), '');
  if (outcome.kind === 'ok') {
    if (outcome.data?.trackingCode) return { kind: 'ok', result: outcome.data };
    return { kind: 'failed', network: false, message: '' };
  }
  if (outcome.kind === 'invalid') return { kind: 'invalid', message: outcome.message, fields: outcome.fields };
  // The form says it its own way (the report is not lost: what was typed stays).
  return { kind: 'failed', network: outcome.status === 0, message: outcome.status === 0 ? '' : outcome.message };
}

export type NearbyProblem = ApiOutputs['meToo']['nearby'][number];
type JoinInput = ApiInputs['meToo']['join'];

/** Open problems of the category near the point or position (我也遇到了); empty when the call fails. */
export async function fetchNearby(
  input: Omit<JoinInput, 'problem' | 'idempotencyKey' | 'phone' | 'name'>,
  signal: AbortSignal,
): Promise<NearbyProblem[]> {
  const outcome = await outcomeOf(api.meToo.nearby.query(input, { signal }));
  return outcome.kind === 'ok' ? outcome.data : [];
}

/** Joins an open problem: its tracking code, or the message to show. */
export async function joinProblem(input: JoinInput): Promise<{ trackingCode: string } | { message: string }> {
  const outcome = await outcomeOf(api.meToo.join.mutate(input));
  if (outcome.kind === 'ok') return { trackingCode: outcome.data.trackingCode };
  return { message: Object.values(outcome.kind === 'invalid' ? outcome.fields : {})[0] ?? outcome.message };
}
