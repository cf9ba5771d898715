// 问题台帐: every ticket, one row each — what, where, who leads, by when, where it stands, and
// whether it is overdue. Filtered and paged in the database for the screen; all rows for the
// export. No reporter data: the office sees who reported on the ticket page, not in a ledger.
import { STATUS_LABELS, type Status } from '../tickets/lifecycle.ts';
import { sourceLabel } from '../tickets/ticket-source.ts';
import { chinaDateRange } from '../china-time.ts';
import { pageOf, type LedgerDeps, type LedgerPage } from './ledger-context.ts';
import type { ProblemLedgerFilter } from './ledger-filters.ts';
import { createLabels, type CategoryLabel, type Labels, type PointLabel, type UnitLabel } from './ledger-labels.ts';
import { selectProblemBatches, selectProblems, selectTicketsForStateAt, type ProblemWhere, type TicketFacts } from './ledger-repository.ts';
import { daysOverdue, initialState, isOpen, stateBefore, type TicketState } from './ticket-history.ts';

export interface ProblemLedgerRow {
  ticketId: number;
  trackingCode: string;
  receivedAt: string;
  channel: string;
  /** "网站", "热线电话" … */
  channelLabel: string;
  /** 来源: resident, inspection, patrol, media, leader, npc_cppcc (server/tickets/ticket-source.ts). */
  source: string;
  /** "群众反映", "媒体暗访" … */
  sourceLabel: string;
  /** 督办 as it stands now: the leader's 批示, or null when not marked. */
  supervision: { at: string; instruction: string } | null;
  category: CategoryLabel | null;
  point: PointLabel | null;
  locationAddress: string | null;
  description: string;
  status: Status;
  /** The Chinese label of lifecycle.ts, e.g. "整改中". */
  statusLabel: string;
  leadUnit: UnitLabel | null;
  cooperatingUnits: UnitLabel[];
  deadlineAt: string | null;
  closedAt: string | null;
  /** The deadline has passed while a unit owes the rectification (ticket-history.ts). */
  overdue: boolean;
  /** Started days past the deadline; 0 when not overdue. */
  daysOverdue: number;
}

export function toProblemRow(labels: Labels, facts: TicketFacts, state: TicketState, now: Date): ProblemLedgerRow {
  const late = daysOverdue(state.status, state.deadlineAt, now);
  return {
    ticketId: facts.id,
    trackingCode: facts.trackingCode,
    receivedAt: facts.receivedAt,
    channel: facts.channel,
    channelLabel: labels.channel(facts.channel),
    source: facts.source,
    sourceLabel: sourceLabel(facts.source),
    supervision: facts.supervision,
    category: labels.category(state.categoryCode),
    point: labels.point(facts.pointId),
    locationAddress: facts.locationAddress,
    description: facts.description,
    status: state.status,
    statusLabel: STATUS_LABELS[state.status] ?? state.status,
    leadUnit: labels.unit(state.leadUnitCode),
    cooperatingUnits: state.cooperatingUnitCodes.map((c) => labels.unit(c)!),
    deadlineAt: state.deadlineAt,
    closedAt: state.closedAt,
    overdue: late > 0,
    daysOverdue: late,
  };
}

function resolveWhere(labels: Labels, filter: ProblemLedgerFilter, now: Date): ProblemWhere {
  const range = chinaDateRange(filter.dateFrom, filter.dateTo);
  return {
    ...(filter.statuses && { statuses: filter.statuses }),
    ...(filter.unitCode && { unitCode: filter.unitCode, includeCooperating: filter.includeCooperating ?? false }),
    ...(filter.categoryCode && { categoryCodes: labels.withSubcategories(filter.categoryCode) }),
    ...(filter.pointId && { pointId: filter.pointId }),
    ...(filter.channel && { channel: filter.channel }),
    ...(filter.source && { source: filter.source }),
    ...(filter.supervisedOnly && { supervisedOnly: true }),
    ...(range.from && { receivedFrom: range.from }),
    ...(range.to && { receivedBefore: range.to }),
    ...(filter.overdueOnly && { overdueAt: now.toISOString() }),
  };
}

/** One page of the problem ledger, newest first (default page 1 of 50). */
export async function problemLedgerPage(deps: LedgerDeps, filter: ProblemLedgerFilter): Promise<LedgerPage<ProblemLedgerRow>> {
  const labels = createLabels(deps.catalog);
  const now = deps.clock.now();
  const { page, pageSize, offset, limit } = pageOf(filter);
  const { tickets, total } = await selectProblems(deps.db, resolveWhere(labels, filter, now), { offset, limit });
  return { rows: tickets.map((t) => toProblemRow(labels, t.facts, t.state, now)), total, page, pageSize };
}

/**
 * Every row the filter matches (paging ignored), newest first, a batch at a time as the database
 * is read (ledger-repository.ts: selectProblemBatches): for exports of any size.
 */
export function problemLedgerBatches(deps: LedgerDeps, filter: ProblemLedgerFilter = {}): AsyncGenerator<ProblemLedgerRow[]> {
  const labels = createLabels(deps.catalog);
  const now = deps.clock.now();
  const batches = selectProblemBatches(deps.db, resolveWhere(labels, filter, now));
  return (async function* () {
    for await (const tickets of batches) yield tickets.map((t) => toProblemRow(labels, t.facts, t.state, now));
  })();
}

/** Every row the filter matches (paging ignored), newest first. */
export async function problemLedgerRows(deps: LedgerDeps, filter: ProblemLedgerFilter = {}): Promise<ProblemLedgerRow[]> {
  const rows: ProblemLedgerRow[] = [];
  for await (const batch of problemLedgerBatches(deps, filter)) rows.push(...batch);
  return rows;
}

/**
 * The problem ledger as it stood at `at` (state replayed from the event log, "overdue" as of
 * `at`), for every ticket received in [receivedFrom, at) and every older one open at `at`:
 * what a monthly report needs, whenever it is generated. Oldest first.
 */
export async function problemLedgerAt(deps: LedgerDeps, at: string, receivedFrom: string): Promise<ProblemLedgerRow[]> {
  const labels = createLabels(deps.catalog);
  const tickets = await selectTicketsForStateAt(deps.db, at, receivedFrom);
  const rows: ProblemLedgerRow[] = [];
  for (const t of tickets) {
    const state = t.changedSince ? stateBefore(t.events, at, initialState(t.state.categoryCode)) : t.state;
    if (state && (t.facts.receivedAt >= receivedFrom || isOpen(state.status)))
      rows.push(toProblemRow(labels, t.facts, state, new Date(at)));
  }
  return rows;
}
