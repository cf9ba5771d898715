// The call-taking screen's form as plain data: what the operator has typed, the call it becomes
// (checked with the one schema of a call, server/hotline/call-schema.ts, before it is sent), which
// field each message belongs to, and the words the screen shows for the server's codes.
import type { CallOutcome, DuplicateCandidate } from '../../../server/hotline/call-types.ts';
import { callInputSchema, REFERRALS, type CallInput } from '../../../server/hotline/call-schema.ts';
import { normalizePhone } from '../../../server/tickets/phone.ts';
import type { Status } from '../../../server/tickets/lifecycle.ts';

export type OutcomeChoice = 'ticket' | 'attach' | 'answer' | 'refer';

export interface OutcomeOption {
  value: OutcomeChoice;
  label: string;
  /** The digit of its Alt+digit shortcut. */
  key: string;
  submit: string;
}

export const OUTCOME_OPTIONS: readonly OutcomeOption[] = [
  { value: 'ticket', label: '新建工单', key: '1', submit: '登记，生成工单' },
  { value: 'attach', label: '追加到工单', key: '2', submit: '登记，追加到工单' },
  { value: 'answer', label: '咨询已答复', key: '3', submit: '登记咨询答复' },
  { value: 'refer', label: '转办', key: '4', submit: '登记转办' },
];

/** The referral choices: the numbers call-schema knows, then "another body" typed in. */
export const REFERRAL_OPTIONS: ReadonlyArray<{ value: string; label: string }> = [
  ...Object.entries(REFERRALS).map(([value, label]) => ({ value, label })),
  { value: 'other', label: '其他单位（请填写）' },
];

export interface ChosenPoint {
  id: string;
  name: string;
  address: string;
  unit: string | null;
}

export interface CallForm {
  phone: string;
  name: string;
  anonymous: boolean;
  wantsCallback: boolean;
  description: string;
  categoryCode: string;
  address: string;
  /** What is typed in the point search box; `point` is set only when one is chosen from the list. */
  pointQuery: string;
  point: ChosenPoint | null;
  outcome: OutcomeChoice;
  attachTo: string;
  answer: string;
  referral: string;
  referralOther: string;
}

export function emptyForm(): CallForm {
  return {
    phone: '',
    name: '',
    anonymous: false,
    wantsCallback: true,
    description: '',
    categoryCode: '',
    address: '',
    pointQuery: '',
    point: null,
    outcome: 'ticket',
    attachTo: '',
    answer: '',
    referral: '',
    referralOther: '',
  };
}

/** The call as staff.hotline.logCall takes it; fields of other outcomes are left out. */
export function toCallInput(form: CallForm, idempotencyKey: string): CallInput {
  const referredTo = form.referral === 'other' ? form.referralOther : form.referral;
  return {
    caller: {
      ...(form.phone.trim() && { phone: form.phone }),
      ...(form.name.trim() && !form.anonymous && { name: form.name }),
      anonymous: form.anonymous,
      wantsCallback: form.wantsCallback,
    },
    outcome: form.outcome,
    description: form.description,
    ...(form.categoryCode && { categoryCode: form.categoryCode }),
    ...(form.point && { pointId: form.point.id }),
    ...(form.address.trim() && { address: form.address }),
    ...(form.outcome === 'attach' && { attachTo: form.attachTo }),
    ...(form.outcome === 'answer' && { answer: form.answer }),
    ...(form.outcome === 'refer' && { referredTo }),
    idempotencyKey,
  };
}

/** The element of each field the schema (and the server) may name, in the screen's order. */
export const FIELD_IDS: ReadonlyArray<[field: string, id: string]> = [
  ['caller.phone', 'hl-phone'],
  ['caller.name', 'hl-name'],
  ['description', 'hl-description'],
  ['categoryCode', 'hl-category'],
  ['pointId', 'hl-point'],
  ['address', 'hl-address'],
  ['outcome', 'hl-outcome-ticket'],
  ['attachTo', 'hl-attach'],
  ['answer', 'hl-answer'],
  ['referredTo', 'hl-referral'],
];

export type FieldErrors = Record<string, string>;

/** The schema's messages by field (the first one of each), or none. */
export function checkCall(input: CallInput): FieldErrors {
  const parsed = callInputSchema.safeParse(input);
  if (parsed.success) return {};
  const errors: FieldErrors = {};
  for (const issue of parsed.error.issues) {
    const key = issue.path.map(String).join('.') || 'form';
    errors[key] ??= issue.message;
  }
  return errors;
}

/** The id of the element to focus for the first invalid field, in screen order. */
export function firstInvalidId(errors: FieldErrors, form: CallForm): string | null {
  for (const [field, id] of FIELD_IDS) {
    if (!(field in errors)) continue;
    if (field === 'referredTo' && form.referral === 'other') return 'hl-referral-other';
    return id;
  }
  return null;
}

/** Messages of fields the screen has no place for (shown at the top of the form). */
export function unplacedMessages(errors: FieldErrors): string[] {
  const placed = new Set(FIELD_IDS.map(([f]) => f));
  return Object.entries(errors)
    .filter(([field]) => !placed.has(field))
    .map(([, message]) => message);
}

/**
 * A fresh key per call, so a double submit (or a retry after a lost answer) records the call once.
 * crypto.randomUUID exists only in secure contexts; a console on a plain-HTTP intranet address is
 * not one, while getRandomValues works everywhere.
 */
export function newIdempotencyKey(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return `call-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** The digits of a number as the phone system shows it ("+86 139-1234-5678" → "13912345678"). */
export function phoneDigits(raw: string): string {
  return normalizePhone(raw);
}

/** A number long enough to be a caller's (a landline without area code has 7 digits). */
export const HISTORY_MIN_DIGITS = 7;

export const CALL_OUTCOME_LABELS: Record<CallOutcome, string> = {
  ticket: '新建工单',
  attached: '追加到工单',
  answered: '咨询已答复',
  referred: '转办',
};

export function duplicateReason(d: Pick<DuplicateCandidate, 'reason' | 'distanceMetres'>): string {
  switch (d.reason) {
    case 'point':
      return '同一点位';
    case 'nearby':
      return d.distanceMetres !== null ? `附近 ${d.distanceMetres} 米` : '附近';
    case 'address':
      return '同一地址';
  }
}

/** Tickets still being handled: a call about the same problem may be added to them ("+1"). */
export function isOpenStatus(status: Status): boolean {
  return status !== 'closed' && status !== 'rejected' && status !== 'merged';
}

const chinaDay = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', year: 'numeric', month: 'numeric', day: 'numeric' });
const chinaClock = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

/** Whether an instant falls on today's calendar day in China time. */
export function isToday(iso: string, now = new Date()): boolean {
  return chinaDay.format(new Date(iso)) === chinaDay.format(now);
}

/** "09:41". */
export function clockTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : chinaClock.format(d);
}
