// The hotline islands' calls to the API (staff.hotline.*, staff.followUps.*, and the public
// router's suggestion), through the islands' one typed client.
import { api, outcomeOf, type ApiInputs, type ApiOutputs } from '../../lib/api-client.ts';

type Hotline = ApiOutputs['staff']['hotline'];
export type LoggedCall = Hotline['logCall'];
export type CallerHistory = Hotline['history'];
export type DuplicateCandidate = Hotline['duplicates'][number];
export type RecentCall = Hotline['calls'][number];
export type FollowUpTask = ApiOutputs['staff']['followUps']['pending']['items'][number];
export type FollowUpResult = ApiOutputs['staff']['followUps']['record'];
export type RoutingSuggestion = ApiOutputs['routing']['suggest'];

export const logCall = (input: ApiInputs['staff']['hotline']['logCall']) => outcomeOf(api.staff.hotline.logCall.mutate(input));

export const callerHistory = (phone: string, signal: AbortSignal) => outcomeOf(api.staff.hotline.history.query({ phone }, { signal }));

export const likelyDuplicates = (input: ApiInputs['staff']['hotline']['duplicates'], signal: AbortSignal) =>
  outcomeOf(api.staff.hotline.duplicates.query(input, { signal }));

export const searchPoints = (q: string, signal: AbortSignal) => outcomeOf(api.staff.hotline.points.query({ q }, { signal }));

export const recentCalls = (input: ApiInputs['staff']['hotline']['calls'], signal: AbortSignal) =>
  outcomeOf(api.staff.hotline.calls.query(input, { signal }));

export const suggestRoute = (input: ApiInputs['routing']['suggest'], signal: AbortSignal) =>
  outcomeOf(api.routing.suggest.query(input, { signal }));

export const recordFollowUp = (input: ApiInputs['staff']['followUps']['record']) => outcomeOf(api.staff.followUps.record.mutate(input));
