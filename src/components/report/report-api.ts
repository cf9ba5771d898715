// The report island's two calls to the API, through the islands' one typed client.
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
