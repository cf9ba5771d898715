// The hotline islands' calls to the API (staff.hotline.*, staff.followUps.*, and the public
// router's suggestion), through the console's plain-fetch helpers.
import type { RoutingSuggestion } from '../../../server/routing/suggestion.ts';
import type { CallInput } from '../../../server/hotline/call-schema.ts';
import type { FollowUpInput } from '../../../server/follow-ups/follow-up-schema.ts';
import type { FollowUpResult, FollowUpTask } from '../../../server/follow-ups/follow-ups.ts';
import type { CallerHistory, DuplicateCandidate, LoggedCall, RecentCall } from '../../../server/hotline/call-types.ts';
import { callMutation, callQuery } from '../console/staff-api.ts';
import type { ChosenPoint } from './hotline-model.ts';

export type { CallerHistory, DuplicateCandidate, FollowUpResult, FollowUpTask, LoggedCall, RecentCall, RoutingSuggestion };

export const logCall = (input: CallInput) => callMutation<LoggedCall>('staff.hotline.logCall', input);

export const callerHistory = (phone: string, signal: AbortSignal) => callQuery<CallerHistory>('staff.hotline.history', { phone }, signal);

export const likelyDuplicates = (input: { pointId?: string; categoryCode?: string; address?: string }, signal: AbortSignal) =>
  callQuery<DuplicateCandidate[]>('staff.hotline.duplicates', input, signal);

export const searchPoints = (q: string, signal: AbortSignal) => callQuery<ChosenPoint[]>('staff.hotline.points', { q }, signal);

export const recentCalls = (input: { phone?: string; since?: string; limit?: number }, signal: AbortSignal) =>
  callQuery<RecentCall[]>('staff.hotline.calls', input, signal);

export const suggestRoute = (input: { text: string; category?: string; pointId?: string }, signal: AbortSignal) =>
  callQuery<RoutingSuggestion>('routing.suggest', input, signal);

export const recordFollowUp = (input: FollowUpInput) => callMutation<FollowUpResult>('staff.followUps.record', input);
