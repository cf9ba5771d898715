// The hotline's rules: who may take calls, what a valid call record is, and what row it becomes.
import { canSeeReporter, type StaffUser } from '../auth/roles.ts';
import type { Catalog } from '../catalog/types.ts';
import { ForbiddenError, InvalidInputError } from '../errors.ts';
import { fieldErrors } from '../field-errors.ts';
import type { Status } from '../tickets/lifecycle.ts';
import { callInputSchema, REFERRALS, type ParsedCall } from './call-schema.ts';
import type { NewCall } from './call-repository.ts';
import type { CallOutcome } from './call-types.ts';

/** Tickets that are still being handled: a call about the same problem is a "+1" on them. */
export const OPEN_STATUSES: readonly Status[] = [
  'received',
  'dispatched',
  'accepted',
  'rectifying',
  'extension_requested',
  'reported',
  'returned',
  'reopened',
];

export function mayTakeCalls(user: StaffUser): void {
  if (!canSeeReporter(user)) throw new ForbiddenError('只有热线话务员和创城办可以登记来电');
}

export function parseCall(raw: unknown): ParsedCall {
  const parsed = callInputSchema.safeParse(raw);
  if (!parsed.success) {
    const fields = fieldErrors(parsed.error);
    throw new InvalidInputError(Object.values(fields)[0] ?? '来电登记内容有误', fields);
  }
  return parsed.data;
}

export function checkReferences(catalog: Catalog, call: ParsedCall): void {
  if (call.categoryCode && !catalog.category(call.categoryCode))
    throw new InvalidInputError('所选问题类别不存在', { categoryCode: '所选问题类别不存在' });
  if (call.pointId && !catalog.point(call.pointId)) throw new InvalidInputError('所选点位不存在', { pointId: '所选点位不存在' });
}

/** Who took the call, when, from where (console or import), and the key that makes it happen once. */
export type CallTaking = Pick<NewCall, 'at' | 'operatorId' | 'operatorName' | 'source' | 'externalId' | 'idempotencyKey'>;

/** What is kept of a call: an anonymous caller's name is not; the answer or referral only for those outcomes. */
export function callRecord(call: ParsedCall, ticketId: number | null, outcome: CallOutcome, taking: CallTaking): NewCall {
  return {
    ...taking,
    callerPhone: call.caller.phone ?? null,
    callerName: call.caller.anonymous ? null : (call.caller.name ?? null),
    anonymous: call.caller.anonymous,
    wantsCallback: call.caller.wantsCallback,
    outcome,
    ticketId,
    summary: call.description,
    answer: call.outcome === 'answer' ? (call.answer ?? null) : null,
    referredTo: call.outcome === 'refer' ? (REFERRALS[call.referredTo!] ?? call.referredTo!) : null,
    categoryCode: call.categoryCode ?? null,
  };
}
