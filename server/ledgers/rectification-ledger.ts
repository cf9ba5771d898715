// 整改台帐: one row per rectification a unit reported (event reportRectification), with its
// evidence (text, after-photos), the deadline in force when it was reported, and the office's
// verdict (struck off, sent back with a reason, or still waiting). A ticket sent back and
// reported again has one row per report.
import type { Status } from '../tickets/lifecycle.ts';
import { chinaDateRange, ms } from '../china-time.ts';
import { pageOf, type LedgerDeps, type LedgerPage } from './ledger-context.ts';
import type { RectificationLedgerFilter } from './ledger-filters.ts';
import { createLabels, type CategoryLabel, type Labels, type UnitLabel } from './ledger-labels.ts';
import { selectRectificationReportPage, selectRectifiedTicketBatches, type TicketWithHistory } from './ledger-repository.ts';
import { initialState, rectificationRounds, type RectificationOutcome } from './ticket-history.ts';

export const OUTCOME_LABELS: Record<RectificationOutcome, string> = {
  verified: '核验通过，已销号',
  sentBack: '退回重新整改',
  pending: '待核验',
};

export interface RectificationLedgerRow {
  ticketId: number;
  trackingCode: string;
  /** The ticket's status now. */
  ticketStatus: Status;
  /** 1 for the first report on the ticket, 2 after a send-back … */
  round: number;
  /** The unit that reported: the lead unit at the time. */
  unit: UnitLabel | null;
  /** The ticket's lead unit now (another after a reassignment): whose staff may open the ticket. */
  leadUnitCode: string | null;
  category: CategoryLabel | null;
  reportedAt: string;
  text: string;
  photoIds: string[];
  photoCount: number;
  /** The deadline in force when it was reported (after any approved extension). */
  deadlineAt: string | null;
  onTime: boolean;
  outcome: RectificationOutcome;
  outcomeLabel: string;
  verifiedAt: string | null;
  sentBackAt: string | null;
  sendBackReason: string | null;
}

/** The rows of some tickets, newest report first. */
export function rectificationRows(labels: Labels, tickets: readonly TicketWithHistory[]): RectificationLedgerRow[] {
  return newestFirst(unsortedRows(labels, tickets));
}

/**
 * The first strike-off (销号) of each ticket in [from, before), with the rectification it accepted:
 * a ticket struck off, reopened and struck off again within the period counts once. The monthly
 * report's "closed" and the units' on-time score read this.
 */
export function firstStrikeOffs(rows: readonly RectificationLedgerRow[], from: string, before: string): RectificationLedgerRow[] {
  const closures = new Map<number, RectificationLedgerRow>();
  for (const r of rows) {
    if (r.outcome !== 'verified' || ms(r.verifiedAt!) < ms(from) || ms(r.verifiedAt!) >= ms(before)) continue;
    const earlier = closures.get(r.ticketId);
    if (!earlier || ms(r.verifiedAt!) < ms(earlier.verifiedAt!)) closures.set(r.ticketId, r);
  }
  return [...closures.values()];
}

function unsortedRows(
  labels: Labels,
  tickets: readonly TicketWithHistory[],
  keep: (ticketId: number, seq: number) => boolean = () => true,
): RectificationLedgerRow[] {
  const rows: RectificationLedgerRow[] = [];
  for (const t of tickets) {
    for (const r of rectificationRounds(t.events, initialState(t.state.categoryCode))) {
      if (!keep(t.facts.id, r.seq)) continue;
      rows.push({
        ticketId: t.facts.id,
        trackingCode: t.facts.trackingCode,
        ticketStatus: t.state.status,
        round: r.round,
        unit: labels.unit(r.unitCode),
        leadUnitCode: t.state.leadUnitCode,
        category: labels.category(r.categoryCode),
        reportedAt: r.reportedAt,
        text: r.text,
        photoIds: r.photoIds,
        photoCount: r.photoIds.length,
        deadlineAt: r.deadlineAt,
        onTime: r.onTime,
        outcome: r.outcome,
        outcomeLabel: OUTCOME_LABELS[r.outcome],
        verifiedAt: r.outcome === 'verified' ? r.decidedAt : null,
        sentBackAt: r.outcome === 'sentBack' ? r.decidedAt : null,
        sendBackReason: r.outcome === 'sentBack' ? r.decisionReason : null,
      });
    }
  }
  return rows;
}

/** Newest report first, like the problem ledger; times parsed once per row, not per comparison (70,000 rows). */
function newestFirst(rows: RectificationLedgerRow[]): RectificationLedgerRow[] {
  const keyed = rows.map((row) => ({ row, at: ms(row.reportedAt) }));
  keyed.sort((a, b) => b.at - a.at || b.row.ticketId - a.row.ticketId || b.row.round - a.row.round);
  return keyed.map((k) => k.row);
}

/** Every row the filter matches (paging ignored), newest report first: for exports. */
export async function rectificationLedgerRows(deps: LedgerDeps, filter: RectificationLedgerFilter = {}): Promise<RectificationLedgerRow[]> {
  const labels = createLabels(deps.catalog);
  const range = chinaDateRange(filter.dateFrom, filter.dateTo);
  // The database narrows to tickets with a report in the range; the rows are then the reports
  // themselves in the range, of the unit and outcome asked for (both known only from the history).
  // Read a batch of tickets at a time (ledger-repository.ts), so that no query holds the web process.
  const batches = selectRectifiedTicketBatches(deps.db, { ...(range.from && { from: range.from }), ...(range.to && { before: range.to }) });
  const rows: RectificationLedgerRow[] = [];
  for await (const tickets of batches) {
    for (const r of unsortedRows(labels, tickets)) {
      if (
        (!range.from || ms(r.reportedAt) >= ms(range.from)) &&
        (!range.to || ms(r.reportedAt) < ms(range.to)) &&
        (!filter.unitCode || r.unit?.code === filter.unitCode) &&
        (!filter.outcome || r.outcome === filter.outcome)
      )
        rows.push(r);
    }
  }
  return newestFirst(rows);
}

/** One page of the rectification ledger (default page 1 of 50). */
export async function rectificationLedgerPage(
  deps: LedgerDeps,
  filter: RectificationLedgerFilter,
): Promise<LedgerPage<RectificationLedgerRow>> {
  const { page, pageSize, offset, limit } = pageOf(filter);
  if (!filter.unitCode && !filter.outcome) {
    // Without a unit or an outcome (known only from each ticket's history) every report in the
    // range is a row: the database pages the reports themselves, and only the page's tickets are replayed.
    const range = chinaDateRange(filter.dateFrom, filter.dateTo);
    const { reports, total, tickets } = await selectRectificationReportPage(
      deps.db,
      { ...(range.from && { from: range.from }), ...(range.to && { before: range.to }) },
      { offset, limit },
    );
    const onPage = new Set(reports.map((r) => `${r.ticketId}:${r.seq}`));
    const rows = newestFirst(unsortedRows(createLabels(deps.catalog), tickets, (id, seq) => onPage.has(`${id}:${seq}`)));
    return { rows, total, page, pageSize };
  }
  const all = await rectificationLedgerRows(deps, filter);
  return { rows: all.slice(offset, offset + limit), total: all.length, page, pageSize };
}
