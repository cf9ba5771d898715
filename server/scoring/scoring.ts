// Scoring the units (考核, issue 14 item 6): a score per unit per month and per year by the
// county's rules (content/scoring.json), the ranking with its red and black lists (红黑榜), and a
// unit's trend over the months. The office and leaders see every unit and the tickets behind each
// part; a unit's staff see the ranking and only their own unit's tickets.
import { CST_OFFSET_MS, monthPeriod, ms } from '../china-time.ts';
import type { StaffUser } from '../auth/roles.ts';
import { ForbiddenError, InvalidInputError, NotFoundError } from '../errors.ts';
import type { LedgerDeps } from '../ledgers/ledger-context.ts';
import { createLabels, type UnitLabel } from '../ledgers/ledger-labels.ts';
import type { ScoringRules } from './scoring-rules.ts';
import { gatherUnitFacts, type ScorePeriod } from './unit-facts.ts';
import { PART_LABELS, rank, scoreUnit, type Ranked } from './unit-score.ts';

const PERIOD_PATTERN = /^(\d{4})(?:-(0[1-9]|1[0-2]))?$/;
const TREND_MONTHS = 12;

export interface ScoreRow extends Ranked {
  unit: UnitLabel;
}

export interface ScoreBoard {
  /** "2026-12" (a month) or "2026" (a year). */
  period: string;
  /** "2026年12月" / "2026年度" */
  periodLabel: string;
  from: string;
  to: string;
  /** The instant the scores describe: the period's end, or now while it runs. */
  asOf: string;
  /** The parts and their weights, for the table's header. */
  parts: Array<{ code: string; label: string; weight: number }>;
  rows: ScoreRow[];
}

export interface UnitTrend {
  unit: UnitLabel;
  months: Array<{ month: string; total: number | null; band: string | null }>;
}

/** A month "2026-12" or a year "2026", as China-time instants. */
function periodOf(text: string, now: Date): ScorePeriod & { label: string } {
  const match = PERIOD_PATTERN.exec(text);
  if (!match) throw new InvalidInputError('考核期间格式不正确，例如 2026-12（月度）或 2026（年度）', { period: '请填写月份或年份' });
  const year = Number(match[1]);
  const month = match[2];
  const yearStart = (y: number) => new Date(Date.UTC(y, 0, 1) - CST_OFFSET_MS).toISOString();
  const { from, to } = month ? monthPeriod(text) : { from: yearStart(year), to: yearStart(year + 1) };
  if (now.getTime() < ms(from)) throw new InvalidInputError('该期间尚未开始，还没有考核数据', { period: '该期间尚未开始' });
  const asOf = now.getTime() < ms(to) ? now.toISOString() : to;
  return { from, to, asOf, label: month ? `${year}年${Number(month)}月` : `${year}年度` };
}

/** The month before "2026-01" is "2025-12". */
function previousMonth(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
}

function mayReadScores(user: StaffUser): void {
  if (!['admin', 'dispatcher', 'leader', 'unit'].includes(user.role)) throw new ForbiddenError('您的账号不能查看单位考核');
}

export function createScoring(deps: LedgerDeps & { rules: ScoringRules }) {
  const labels = createLabels(deps.catalog);

  async function scores(period: ScorePeriod) {
    return (await gatherUnitFacts(deps, period)).map((f) => scoreUnit(f, deps.rules));
  }

  /** The ranking of a month or a year; a unit's staff see the other units' totals but not their tickets. */
  async function board(user: StaffUser, periodText: string): Promise<ScoreBoard> {
    mayReadScores(user);
    const period = periodOf(periodText, deps.clock.now());
    const ranked = rank(await scores(period), deps.rules);
    const ownOnly = user.role === 'unit';
    return {
      period: periodText,
      periodLabel: period.label,
      from: period.from,
      to: period.to,
      asOf: period.asOf,
      parts: Object.entries(deps.rules.parts).map(([code, p]) => ({
        code,
        label: PART_LABELS[code as keyof typeof PART_LABELS],
        weight: p.weight,
      })),
      rows: ranked.map((r) => ({
        ...r,
        unit: labels.unit(r.unitCode)!,
        parts: ownOnly && r.unitCode !== user.unitCode ? r.parts.map((p) => ({ ...p, tickets: [] })) : r.parts,
      })),
    };
  }

  /** A unit's monthly totals over the last twelve months up to `month` (this month by default). */
  async function trend(user: StaffUser, unitCode: string, month?: string): Promise<UnitTrend> {
    mayReadScores(user);
    if (user.role === 'unit' && user.unitCode !== unitCode) throw new ForbiddenError('只能查看本单位的考核走势');
    const unit = labels.unit(unitCode);
    if (!unit) throw new NotFoundError('没有这个单位');
    const now = deps.clock.now();
    let m = month ?? new Date(now.getTime() + CST_OFFSET_MS).toISOString().slice(0, 7);
    const months: UnitTrend['months'] = [];
    for (let i = 0; i < TREND_MONTHS; i++, m = previousMonth(m)) {
      if (now.getTime() < ms(monthPeriod(m).from)) continue;
      const score = (await scores(periodOf(m, now))).find((s) => s.unitCode === unitCode);
      months.unshift({ month: m, total: score?.total ?? null, band: score?.band ?? null });
    }
    return { unit, months };
  }

  return { board, trend };
}

export type Scoring = ReturnType<typeof createScoring>;
