// A ticket's history read from its append-only event log: the state it was in at any moment
// (status, lead unit, category, deadline in force), and its rectification rounds with the
// office's verdict on each. The ledgers and the monthly report read both from here, so "overdue",
// "on time" and "closed" mean one thing everywhere. Pure functions: no database, no clock.
import { DEADLINE_RUNNING_STATUSES, OFFICE_QUEUE_STATUSES, TERMINAL_STATUSES, type Status } from '../tickets/lifecycle.ts';
import { DAY_MS, ms } from '../china-time.ts';

export interface HistoryEvent {
  seq: number;
  at: string;
  action: string;
  toStatus: Status;
  reason: string | null;
  data: Record<string, unknown>;
}

export interface TicketState {
  status: Status;
  categoryCode: string | null;
  leadUnitCode: string | null;
  cooperatingUnitCodes: string[];
  /** The deadline in force. */
  deadlineAt: string | null;
  /** When the office struck it off; null unless the ticket is closed. */
  closedAt: string | null;
}

export function isOpen(status: Status): boolean {
  return !TERMINAL_STATUSES.includes(status);
}

/**
 * Whole days a ticket is overdue at `now` (0 when it is not): the deadline has passed while a
 * unit owes the rectification. Any part of a day counts as a day, so a ticket one hour past its
 * deadline is one day overdue.
 */
export function daysOverdue(status: Status, deadlineAt: string | null, now: Date): number {
  if (deadlineAt === null || !DEADLINE_RUNNING_STATUSES.includes(status)) return 0;
  const late = now.getTime() - ms(deadlineAt);
  return late > 0 ? Math.ceil(late / DAY_MS) : 0;
}

/**
 * The unit a ticket's open count belongs to: its lead unit while a unit holds it, none (the
 * campaign office's queue) while it waits for the office to dispatch it again.
 */
export function holdingUnitCode(state: Pick<TicketState, 'status' | 'leadUnitCode'>): string | null {
  return OFFICE_QUEUE_STATUSES.includes(state.status) ? null : state.leadUnitCode;
}

/** A rectification is on time when it was reported by the deadline in force; without a deadline it cannot be late. */
export function isOnTime(reportedAt: string, deadlineAt: string | null): boolean {
  return deadlineAt === null || ms(reportedAt) <= ms(deadlineAt);
}

/**
 * The state before any event. `categoryCode` is the ticket's current one: a category the resident
 * chose on a report that went to triage is on the ticket but in no event.
 */
export function initialState(categoryCode: string | null): TicketState {
  return { status: 'received', categoryCode, leadUnitCode: null, cooperatingUnitCodes: [], deadlineAt: null, closedAt: null };
}

const stringOrNull = (v: unknown): v is string | null => typeof v === 'string' || v === null;

/**
 * Applies one event. An event's `data` holds the fields its action set (docs/decisions/
 * 003-staff-side.md): dispatch and reassign set unit, category and deadline; an approved
 * extension sets the deadline. The moment the office struck the ticket off is the verify event's.
 */
export function foldEvent(state: TicketState, e: HistoryEvent): TicketState {
  const d = e.data;
  const next: TicketState = { ...state, status: e.toStatus };
  if ('leadUnitCode' in d && stringOrNull(d['leadUnitCode'])) next.leadUnitCode = d['leadUnitCode'];
  if (Array.isArray(d['cooperatingUnitCodes'])) next.cooperatingUnitCodes = d['cooperatingUnitCodes'].filter((c) => typeof c === 'string');
  if ('categoryCode' in d && stringOrNull(d['categoryCode'])) next.categoryCode = d['categoryCode'];
  if ('deadlineAt' in d && stringOrNull(d['deadlineAt'])) next.deadlineAt = d['deadlineAt'];
  next.closedAt = e.toStatus !== 'closed' ? null : e.action === 'verify' ? e.at : state.closedAt;
  return next;
}

/** The state just before `at` (events at `at` or later not applied); null when the ticket did not exist yet. */
export function stateBefore(events: readonly HistoryEvent[], at: string, initial: TicketState): TicketState | null {
  const limit = ms(at);
  let state: TicketState | null = null;
  for (const e of events) {
    if (ms(e.at) >= limit) break;
    state = foldEvent(state ?? initial, e);
  }
  return state;
}

export type RectificationOutcome = 'verified' | 'sentBack' | 'pending';

export interface RectificationRound {
  /** Seq of the reportRectification event. */
  seq: number;
  /** 1 for the unit's first report on the ticket, 2 after one send-back, … */
  round: number;
  reportedAt: string;
  text: string;
  photoIds: string[];
  /** The unit that reported: the lead unit when it reported. */
  unitCode: string | null;
  categoryCode: string | null;
  /** The deadline in force when it reported. */
  deadlineAt: string | null;
  onTime: boolean;
  outcome: RectificationOutcome;
  /** When the office verified it or sent it back. */
  decidedAt: string | null;
  /** The office's reason for sending it back (or note on verifying). */
  decisionReason: string | null;
}

/**
 * Every rectification report of one ticket (events in seq order), each with the state it was
 * made in and the office's verdict: the verify or sendBack that follows it (the lifecycle allows
 * nothing else from "reported").
 */
export function rectificationRounds(events: readonly HistoryEvent[], initial: TicketState): RectificationRound[] {
  const rounds: RectificationRound[] = [];
  let state = initial;
  let awaiting: RectificationRound | null = null;
  for (const e of events) {
    if (e.action === 'reportRectification') {
      const photoIds = Array.isArray(e.data['photoIds']) ? e.data['photoIds'].filter((p) => typeof p === 'string') : [];
      awaiting = {
        seq: e.seq,
        round: rounds.length + 1,
        reportedAt: e.at,
        text: typeof e.data['text'] === 'string' ? e.data['text'] : '',
        photoIds,
        unitCode: state.leadUnitCode,
        categoryCode: state.categoryCode,
        deadlineAt: state.deadlineAt,
        onTime: isOnTime(e.at, state.deadlineAt),
        outcome: 'pending',
        decidedAt: null,
        decisionReason: null,
      };
      rounds.push(awaiting);
    } else if (awaiting && (e.action === 'verify' || e.action === 'sendBack')) {
      awaiting.outcome = e.action === 'verify' ? 'verified' : 'sentBack';
      awaiting.decidedAt = e.at;
      awaiting.decisionReason = e.reason;
      awaiting = null;
    }
    state = foldEvent(state, e);
  }
  return rounds;
}
