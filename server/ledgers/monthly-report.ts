// 工作月报: what a task force owes the office by the 5th of the next month — tickets received,
// closed and open by unit and by category, the on-time rectification rate, the tickets overdue at
// month end and the escalations of the month. Built from the ledgers' own rows (problemLedgerAt,
// rectificationRows), so a number in the report is a count of rows the office can open.
//
// Definitions (README.md in this folder says the same for the office):
// - The month is a CST calendar month. The report describes the month as it stood at its end
//   (state replayed from the event log), so it reads the same on the 1st and on the 5th. For the
//   month in progress it stands at now.
// - received: tickets received (submitted) in the month.
// - closed: tickets the office struck off (verify) in the month, each once even if struck off,
//   reopened and struck off again within it.
// - closed on time: of those, the ones whose verified rectification (the report the month's first
//   strike-off accepted) was reported by the deadline in force when it was reported — an approved
//   extension moves the deadline, a send-back does not. A re-rectification after a send-back
//   that comes after the deadline is late even if the first report was early.
// - on-time rate = closed on time ÷ closed; null (shown as empty) when nothing was closed.
// - open: received by month end and not closed, rejected or merged at month end.
// - overdue: open at month end with the deadline passed while a unit owed the rectification.
// - by unit: closed tickets count for the unit whose rectification was verified; received, open
//   and overdue ones for the unit holding them at month end — the lead unit, or none (the
//   office's queue: triage, returned, reopened). Cooperating units are not counted.
// - by category: the top-level category (the eight focus problems and "other").
// - follow-ups (回访): the follow-up calls of closures in the month, for the unit that held the
//   ticket when it was closed; follow-up rate = callers reached ÷ follow-ups due, satisfaction
//   rate = (满意 + 基本满意) ÷ callers reached.
import { InvalidInputError } from '../errors.ts';
import { monthPeriod, ms } from '../china-time.ts';
import type { LedgerDeps } from './ledger-context.ts';
import { createLabels, type CategoryLabel, type UnitLabel } from './ledger-labels.ts';
import { selectEscalations, selectTicketsVerifiedIn, selectTrackingCodes } from './ledger-repository.ts';
import { problemLedgerAt, type ProblemLedgerRow } from './problem-ledger.ts';
import { firstStrikeOffs, rectificationRows, type RectificationLedgerRow } from './rectification-ledger.ts';
import { holdingUnitCode, isOpen } from './ticket-history.ts';
import { followUpStats, type FollowUpStats } from '../follow-ups/follow-ups.ts';
import type { PersuasionTally } from '../patrol/persuasion.ts';
import { monthPersuasion, sourceOrder, sourceRowLabel, supervisedTickets, type SupervisedTicketRow } from './monthly-supervision.ts';

export interface MonthlyCounts {
  received: number;
  closed: number;
  closedOnTime: number;
  /** closedOnTime ÷ closed, 0–1; null when nothing was closed. */
  onTimeRate: number | null;
  open: number;
  overdue: number;
}

export interface UnitMonthlyRow extends MonthlyCounts {
  /** null: tickets no unit held at month end (the campaign office's queue). */
  unit: UnitLabel | null;
}

export interface SourceMonthlyRow extends MonthlyCounts {
  /** 来源: code and label ("媒体暗访" …). */
  source: { code: string; name: string } | null;
}

export interface CategoryMonthlyRow extends MonthlyCounts {
  /** Top-level category; null for tickets without one (triage). */
  category: CategoryLabel | null;
}

export type EscalationLevel = 1 | 2 | 3;
export const ESCALATION_LEVEL_LABELS: Record<EscalationLevel, string> = { 1: '通报', 2: '约谈', 3: '问责' };

/** An escalation as the escalation module records it (table `escalations`). */
export interface EscalationInput {
  id?: number | null;
  unitCode: string;
  level: number;
  at: string;
  ticketIds: number[];
  reason: string | null;
}

export interface EscalationRow {
  id: number | null;
  at: string;
  unit: UnitLabel;
  level: number;
  /** 通报 / 约谈 / 问责 */
  levelLabel: string;
  tickets: Array<{ ticketId: number; trackingCode: string | null }>;
  reason: string | null;
}

export interface MonthlyReport {
  /** "2026-11" */
  month: string;
  /** The month in UTC instants: [from, to). */
  from: string;
  to: string;
  /** CST date the report is owed by (the 5th of the next month). */
  dueDate: string;
  /** The instant the report describes: month end, or now for the month in progress. */
  asOf: string;
  generatedAt: string;
  totals: MonthlyCounts;
  byUnit: UnitMonthlyRow[];
  byCategory: CategoryMonthlyRow[];
  /** Tickets overdue at `asOf`, most days overdue first (problem ledger rows as of then). */
  overdue: ProblemLedgerRow[];
  /** The verified rectifications behind `closed`, one per ticket (rectification ledger rows). */
  closures: RectificationLedgerRow[];
  escalations: EscalationRow[];
  /** Follow-up calls (回访) of the month's closures, by unit, and their total. */
  followUps: Array<Omit<FollowUpStats, 'unitCode'> & { unit: UnitLabel | null }>;
  followUpTotals: Omit<FollowUpStats, 'unitCode'>;
  /** Where escalations came from: the escalations table, the caller, or nowhere (no table yet). */
  escalationsSource: 'table' | 'input' | 'none';
  /** The counts by source (来源: residents, inspection group, patrol group, media, leaders, NPC/CPPCC). */
  bySource: SourceMonthlyRow[];
  /** Tickets under a leader's 督办 mark in the month (monthly-supervision.ts). */
  supervised: SupervisedTicketRow[];
  /** The patrol group's persuasion tally (劝导) of the month. */
  persuasion: PersuasionTally;
}

export interface MonthlyReportOptions {
  /** Escalations to report instead of reading the escalations table (those in the month are kept). */
  escalations?: readonly EscalationInput[];
}

const emptyCounts = (): MonthlyCounts => ({ received: 0, closed: 0, closedOnTime: 0, onTimeRate: null, open: 0, overdue: 0 });

function withRate(c: MonthlyCounts): MonthlyCounts {
  return { ...c, onTimeRate: c.closed > 0 ? c.closedOnTime / c.closed : null };
}

/** Counts grouped by a key, reported in the given order (groups with nothing to report left out). */
class Tally {
  readonly #groups = new Map<string | null, MonthlyCounts>();
  add(key: string | null, field: 'received' | 'closed' | 'closedOnTime' | 'open' | 'overdue'): void {
    let c = this.#groups.get(key);
    if (!c) this.#groups.set(key, (c = emptyCounts()));
    c[field] += 1;
  }
  rows(order: readonly string[]): Array<{ key: string | null; counts: MonthlyCounts }> {
    const keys = [
      ...order.filter((k) => this.#groups.has(k)),
      ...[...this.#groups.keys()].filter((k) => k !== null && !order.includes(k)),
      null,
    ];
    return keys.filter((k) => this.#groups.has(k)).map((key) => ({ key, counts: withRate(this.#groups.get(key)!) }));
  }
}

export async function monthlyReport(deps: LedgerDeps, month: string, options: MonthlyReportOptions = {}): Promise<MonthlyReport> {
  const labels = createLabels(deps.catalog);
  const period = monthPeriod(month);
  const now = deps.clock.now();
  if (now.getTime() < ms(period.from)) throw new InvalidInputError('该月份尚未开始，不能生成月报', { month: '该月份尚未开始' });
  const asOf = now.getTime() < ms(period.to) ? now.toISOString() : period.to;

  const [problems, verifiedTickets, escalations, followUps, supervised, persuasion] = await Promise.all([
    problemLedgerAt(deps, asOf, period.from),
    selectTicketsVerifiedIn(deps.db, period.from, asOf),
    escalationsOf(deps, period.from, asOf, options),
    followUpStats(deps.db, { from: period.from, before: asOf }),
    supervisedTickets(deps, labels, period.from, asOf),
    monthPersuasion(deps, month),
  ]);
  const sourceOf = new Map(verifiedTickets.map((t) => [t.facts.id, t.facts.source]));

  const closures = firstStrikeOffs(rectificationRows(labels, verifiedTickets), period.from, asOf);

  const byUnit = new Tally();
  const byCategory = new Tally();
  const bySource = new Tally();
  const total = new Tally();
  const count = (unit: string | null, category: string | null, field: Parameters<Tally['add']>[1], source: string | null) => {
    byUnit.add(unit, field);
    byCategory.add(category, field);
    bySource.add(source, field);
    total.add('all', field);
  };
  for (const p of problems) {
    const unit = holdingUnitCode({ status: p.status, leadUnitCode: p.leadUnit?.code ?? null });
    const category = labels.topCategory(p.category?.code ?? null)?.code ?? null;
    if (ms(p.receivedAt) >= ms(period.from)) count(unit, category, 'received', p.source);
    if (isOpen(p.status)) count(unit, category, 'open', p.source);
    if (p.overdue) count(unit, category, 'overdue', p.source);
  }
  for (const c of closures) {
    const category = labels.topCategory(c.category?.code ?? null)?.code ?? null;
    const source = sourceOf.get(c.ticketId) ?? null;
    count(c.unit?.code ?? null, category, 'closed', source);
    if (c.onTime) count(c.unit?.code ?? null, category, 'closedOnTime', source);
  }

  const unitOrder = deps.catalog.units.map((u) => u.code);
  const categoryOrder = deps.catalog.categories.filter((c) => c.parentCode === null).map((c) => c.code);
  return {
    month,
    from: period.from,
    to: period.to,
    dueDate: period.dueDate,
    asOf,
    generatedAt: now.toISOString(),
    totals: total.rows(['all'])[0]?.counts ?? emptyCounts(),
    byUnit: byUnit.rows(unitOrder).map(({ key, counts }) => ({ unit: labels.unit(key), ...counts })),
    byCategory: byCategory.rows(categoryOrder).map(({ key, counts }) => ({ category: labels.topCategory(key), ...counts })),
    overdue: problems.filter((p) => p.overdue).sort((a, b) => b.daysOverdue - a.daysOverdue || ms(a.receivedAt) - ms(b.receivedAt)),
    closures: [...closures].sort((a, b) => ms(a.verifiedAt!) - ms(b.verifiedAt!)),
    ...escalations,
    followUps: followUps
      .sort((a, b) => unitOrder.indexOf(a.unitCode) - unitOrder.indexOf(b.unitCode))
      .map(({ unitCode, ...counts }) => ({ unit: labels.unit(unitCode), ...counts })),
    followUpTotals: totalFollowUps(followUps),
    bySource: bySource.rows(sourceOrder()).map(({ key, counts }) => ({ source: sourceRowLabel(key), ...counts })),
    supervised,
    persuasion,
  };
}

function totalFollowUps(rows: readonly FollowUpStats[]): Omit<FollowUpStats, 'unitCode'> {
  const sum = (k: 'due' | 'done' | 'reached' | 'fixed' | 'satisfied' | 'fair' | 'unsatisfied' | 'byPhone' | 'online') =>
    rows.reduce((n, r) => n + r[k], 0);
  const due = sum('due');
  const reached = sum('reached');
  return {
    due,
    done: sum('done'),
    reached,
    fixed: sum('fixed'),
    satisfied: sum('satisfied'),
    fair: sum('fair'),
    unsatisfied: sum('unsatisfied'),
    byPhone: sum('byPhone'),
    online: sum('online'),
    followUpRate: due > 0 ? reached / due : null,
    satisfactionRate: reached > 0 ? (sum('satisfied') + sum('fair')) / reached : null,
  };
}

async function escalationsOf(
  deps: LedgerDeps,
  from: string,
  before: string,
  options: MonthlyReportOptions,
): Promise<Pick<MonthlyReport, 'escalations' | 'escalationsSource'>> {
  const labels = createLabels(deps.catalog);
  let source: MonthlyReport['escalationsSource'] = 'input';
  let list: readonly EscalationInput[] | null = options.escalations ?? null;
  if (list === null) {
    list = await selectEscalations(deps.db, from, before);
    source = list === null ? 'none' : 'table';
  }
  const inMonth = (list ?? []).filter((e) => ms(e.at) >= ms(from) && ms(e.at) < ms(before)).sort((a, b) => ms(a.at) - ms(b.at));
  const codes = await selectTrackingCodes(deps.db, [...new Set(inMonth.flatMap((e) => e.ticketIds))]);
  return {
    escalationsSource: source,
    escalations: inMonth.map((e) => ({
      id: e.id ?? null,
      at: e.at,
      unit: labels.unit(e.unitCode)!,
      level: e.level,
      levelLabel: ESCALATION_LEVEL_LABELS[e.level as EscalationLevel] ?? String(e.level),
      tickets: e.ticketIds.map((id) => ({ ticketId: id, trackingCode: codes.get(id) ?? null })),
      reason: e.reason,
    })),
  };
}
