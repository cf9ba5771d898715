// The monthly report's parts of issue 14 item 5: tickets counted by source (来源), the tickets under
// a leader's 督办 mark in the month, and the patrol group's persuasion tally (劝导).
//
// Definitions (README.md in this folder says the same for the office):
// - by source: received, closed, closed on time, open and overdue as in the report's other
//   tables, grouped by the ticket's source.
// - 督办 tickets: every ticket under a leader's mark at some moment of the month (marked before
//   month end, not lifted before month start), with the latest 批示 given by then, the unit
//   holding it and its state at month end, and whether it was rectified on time: the rectification
//   the office verified (or the one awaiting verification) reported by its deadline — 按期 or
//   逾期; for a ticket not yet reported, 逾期 once the deadline has passed, otherwise not yet known.
// - persuasion: the records whose date falls in the month (CST).
import { ms } from '../china-time.ts';
import { persuasionTally, monthDates, type PersuasionTally } from '../patrol/persuasion.ts';
import { STATUS_LABELS, type Status } from '../tickets/lifecycle.ts';
import { SOURCES, sourceLabel } from '../tickets/ticket-source.ts';
import type { LedgerDeps } from './ledger-context.ts';
import type { Labels, UnitLabel } from './ledger-labels.ts';
import { selectTicketsSupervisedBefore, type TicketWithHistory } from './ledger-repository.ts';
import { daysOverdue, holdingUnitCode, initialState, rectificationRounds, stateBefore, type HistoryEvent } from './ticket-history.ts';

export interface SupervisedTicketRow {
  ticketId: number;
  trackingCode: string;
  description: string;
  /** The 批示 in force (the latest given before month end). */
  instruction: string;
  markedAt: string;
  /** When the mark was lifted, if it was before month end. */
  liftedAt: string | null;
  unit: UnitLabel | null;
  status: Status;
  statusLabel: string;
  deadlineAt: string | null;
  /** true 按期, false 逾期, null not yet known (not reported, deadline not passed). */
  onTime: boolean | null;
}

/** One mark's life: given (and re-given) by `supervise`, ended by `liftSupervision`. */
function markDuring(events: readonly HistoryEvent[], from: string, before: string) {
  let instruction = '';
  let markedAt: string | null = null;
  let liftedAt: string | null = null;
  let active = false;
  for (const e of events) {
    if (ms(e.at) >= ms(before)) break;
    if (e.action === 'supervise') {
      if (!active) markedAt = e.at;
      active = true;
      liftedAt = null;
      instruction = e.reason ?? '';
    } else if (e.action === 'liftSupervision' && active) {
      active = false;
      liftedAt = e.at;
    }
  }
  const inMonth = markedAt !== null && (active || (liftedAt !== null && ms(liftedAt) >= ms(from)));
  return inMonth ? { instruction, markedAt: markedAt!, liftedAt } : null;
}

function onTimeAt(t: TicketWithHistory, status: Status, deadlineAt: string | null, asOf: string): boolean | null {
  const rounds = rectificationRounds(
    t.events.filter((e) => ms(e.at) < ms(asOf)),
    initialState(t.state.categoryCode),
  );
  const last = rounds.findLast((r) => r.outcome !== 'sentBack');
  if (last && (status === 'closed' || status === 'reported')) return last.onTime;
  if (daysOverdue(status, deadlineAt, new Date(asOf)) > 0) return false;
  return null;
}

/** The 督办 tickets of the month [from, asOf), the earliest marked first. */
export async function supervisedTickets(deps: LedgerDeps, labels: Labels, from: string, asOf: string): Promise<SupervisedTicketRow[]> {
  const tickets = await selectTicketsSupervisedBefore(deps.db, asOf);
  const rows: SupervisedTicketRow[] = [];
  for (const t of tickets) {
    const mark = markDuring(t.events, from, asOf);
    const state = stateBefore(t.events, asOf, initialState(t.state.categoryCode));
    if (!mark || !state) continue;
    rows.push({
      ticketId: t.facts.id,
      trackingCode: t.facts.trackingCode,
      description: t.facts.description,
      ...mark,
      unit: labels.unit(holdingUnitCode(state) ?? state.leadUnitCode),
      status: state.status,
      statusLabel: STATUS_LABELS[state.status],
      deadlineAt: state.deadlineAt,
      onTime: onTimeAt(t, state.status, state.deadlineAt, asOf),
    });
  }
  return rows.sort((a, b) => ms(a.markedAt) - ms(b.markedAt));
}

/** The order of the sources in the report, then any unknown one. */
export function sourceOrder(): readonly string[] {
  return SOURCES;
}

export function sourceRowLabel(source: string | null): { code: string; name: string } | null {
  return source === null ? null : { code: source, name: sourceLabel(source) };
}

/** The persuasion tally of the month ("2026-12"). */
export function monthPersuasion(deps: LedgerDeps, month: string): Promise<PersuasionTally> {
  const { from, to } = monthDates(month);
  return persuasionTally(deps.db, deps.persuasionKinds ?? [], from, to);
}
