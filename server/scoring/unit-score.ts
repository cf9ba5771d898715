// A unit's score for a period from what it did in the period (UnitFacts), by the county's rules
// (content/scoring.json). Pure: the facts are gathered in ./unit-facts.ts. Every part is a score
// of 0–100 with the measure behind it and the tickets it counts; the total is the weighted mean
// of the parts that have data (a unit that had no follow-up call is not scored on satisfaction,
// rather than given 0 or 100 for it). Counted events (overdue tickets, exposures, escalations)
// cost their penalty each, down to 0.
import type { PartCode, ScoringRules } from './scoring-rules.ts';

export interface TicketRef {
  ticketId: number;
  trackingCode: string;
}

/** What a unit did in a period: the facts each part of its score is computed from. */
export interface UnitFacts {
  unitCode: string;
  /** Rectifications struck off (销号) in the period: reported by their deadline or not. */
  rectifications: Array<TicketRef & { onTime: boolean }>;
  /** Dispatches to the unit in the period whose acknowledgement was due by the period's end. */
  dispatches: Array<TicketRef & { onTime: boolean }>;
  /** Rectifications the office decided in the period, and re-inspections that found one not fixed: reworked or not. */
  decided: Array<TicketRef & { reworked: boolean }>;
  /** Tickets the unit held overdue at the end of the period. */
  overdue: TicketRef[];
  exposures: Array<{ noticeId: number; title: string; tickets: TicketRef[] }>;
  escalations: Array<{ level: number; tickets: TicketRef[] }>;
  /** byPhone + online = reached: by an operator's call (电话回访) or the reporter online (网上回访). */
  followUps: { reached: number; satisfied: number; byPhone?: number; online?: number };
  /** Checklist items inspected at the unit's points in the period, with their weights. */
  inspected: Array<{ weight: number; passed: boolean; ticket: TicketRef | null }>;
}

export interface ScorePart {
  code: PartCode;
  label: string;
  weight: number;
  /** What was measured, as the office reads it: "8/10 件按期", "2 件". */
  measure: string;
  /** 0–100, one decimal; null when the period gave no data for it. */
  score: number | null;
  /** The tickets behind the part, those that cost points first. */
  tickets: Array<TicketRef & { counted: boolean }>;
}

export interface UnitScore {
  unitCode: string;
  parts: ScorePart[];
  /** Weighted mean of the parts with data; null when no part that measures work done has data. */
  total: number | null;
  band: string | null;
}

export const PART_LABELS: Record<PartCode, string> = {
  onTimeRectification: '按期整改率',
  acknowledgedOnTime: '按时签收率',
  rework: '返工率',
  overdue: '超期件数',
  exposures: '曝光次数',
  escalations: '通报约谈问责',
  satisfaction: '回访满意率',
  inspectionPassRate: '督导检查合格率',
};

/** Parts that measure the unit's handling of work; a unit none of these has data for is not ranked. */
const WORK_PARTS: readonly PartCode[] = ['onTimeRectification', 'acknowledgedOnTime', 'rework', 'satisfaction', 'inspectionPassRate'];

const round1 = (n: number) => Math.round(n * 10) / 10;
const percent = (hits: number, of: number) => `${round1((hits / of) * 100)}%`;

function rate(
  code: PartCode,
  rules: ScoringRules,
  hits: number,
  of: number,
  unit: string,
  tickets: ScorePart['tickets'],
  invert = false,
): ScorePart {
  const r = of > 0 ? hits / of : null;
  return {
    code,
    label: PART_LABELS[code],
    weight: rules.parts[code].weight,
    measure: of > 0 ? `${hits}/${of} ${unit}（${percent(hits, of)}）` : '本期无数据',
    score: r === null ? null : round1((invert ? 1 - r : r) * 100),
    tickets,
  };
}

/** The satisfaction measure says how the answers came: 电话回访 n / 网上回访 m. */
function withChannels(part: ScorePart, f: UnitFacts['followUps']): ScorePart {
  if (f.reached === 0 || f.byPhone === undefined || f.online === undefined) return part;
  return { ...part, measure: `${part.measure}；电话回访 ${f.byPhone} / 网上回访 ${f.online}` };
}

function count(code: PartCode, rules: ScoringRules, n: number, cost: number, unit: string, tickets: ScorePart['tickets']): ScorePart {
  return {
    code,
    label: PART_LABELS[code],
    weight: rules.parts[code].weight,
    measure: `${n} ${unit}`,
    score: round1(Math.max(0, 100 - cost)),
    tickets,
  };
}

const refs = <T extends TicketRef>(items: readonly T[], counted: (t: T) => boolean) =>
  items
    .map(({ ticketId, trackingCode, ...rest }) => ({ ticketId, trackingCode, counted: counted({ ticketId, trackingCode, ...rest } as T) }))
    .sort((a, b) => Number(b.counted) - Number(a.counted));

export function scoreParts(facts: UnitFacts, rules: ScoringRules): ScorePart[] {
  const { parts } = rules;
  const ok = <T extends { onTime: boolean }>(list: readonly T[]) => list.filter((t) => t.onTime).length;
  const reworked = facts.decided.filter((d) => d.reworked).length;
  const levelCost = (level: number) => parts.escalations.penaltyByLevel[String(level) as '1' | '2' | '3'] ?? 0;
  const inspectedWeight = facts.inspected.reduce((n, i) => n + i.weight, 0);
  const passedWeight = facts.inspected.filter((i) => i.passed).reduce((n, i) => n + i.weight, 0);
  const failedTickets = facts.inspected.flatMap((i) => (i.ticket ? [{ ...i.ticket, counted: true }] : []));
  return [
    rate(
      'onTimeRectification',
      rules,
      ok(facts.rectifications),
      facts.rectifications.length,
      '件按期',
      refs(facts.rectifications, (t) => !t.onTime),
    ),
    rate(
      'acknowledgedOnTime',
      rules,
      ok(facts.dispatches),
      facts.dispatches.length,
      '次按时',
      refs(facts.dispatches, (t) => !t.onTime),
    ),
    rate(
      'rework',
      rules,
      reworked,
      facts.decided.length,
      '件返工',
      refs(facts.decided, (t) => t.reworked),
      true,
    ),
    count(
      'overdue',
      rules,
      facts.overdue.length,
      facts.overdue.length * parts.overdue.penalty,
      '件',
      refs(facts.overdue, () => true),
    ),
    count(
      'exposures',
      rules,
      facts.exposures.length,
      facts.exposures.length * parts.exposures.penalty,
      '次',
      refs(
        facts.exposures.flatMap((e) => e.tickets),
        () => true,
      ),
    ),
    count(
      'escalations',
      rules,
      facts.escalations.length,
      facts.escalations.reduce((n, e) => n + levelCost(e.level), 0),
      '次',
      refs(
        facts.escalations.flatMap((e) => e.tickets),
        () => true,
      ),
    ),
    withChannels(rate('satisfaction', rules, facts.followUps.satisfied, facts.followUps.reached, '人满意', []), facts.followUps),
    {
      ...rate('inspectionPassRate', rules, passedWeight, inspectedWeight, '分合格', failedTickets),
      measure:
        inspectedWeight > 0
          ? `${facts.inspected.filter((i) => i.passed).length}/${facts.inspected.length} 项合格（按权重 ${percent(passedWeight, inspectedWeight)}）`
          : '本期无数据',
    },
  ];
}

export function bandOf(total: number, rules: ScoringRules): string {
  return (rules.bands.find((b) => total >= b.min) ?? rules.bands[rules.bands.length - 1]!).label;
}

export function scoreUnit(facts: UnitFacts, rules: ScoringRules): UnitScore {
  const parts = scoreParts(facts, rules);
  const measured = parts.filter((p) => p.score !== null && p.weight > 0);
  const worked = measured.some((p) => WORK_PARTS.includes(p.code));
  const weights = measured.reduce((n, p) => n + p.weight, 0);
  const total = worked && weights > 0 ? round1(measured.reduce((n, p) => n + p.weight * p.score!, 0) / weights) : null;
  return { unitCode: facts.unitCode, parts, total, band: total === null ? null : bandOf(total, rules) };
}

export interface Ranked extends UnitScore {
  /** 1 for the best; units without a total are not ranked. */
  rank: number | null;
  list: 'red' | 'black' | null;
}

/** Best first; equal totals share a rank. The red list names the best `honourRoll`, the black list the lowest `blackList`, never both. */
export function rank(scores: readonly UnitScore[], rules: ScoringRules): Ranked[] {
  const scored = scores.filter((s) => s.total !== null).sort((a, b) => b.total! - a.total!);
  const ranked: Ranked[] = scored.map((s) => ({ ...s, rank: 1 + scored.filter((o) => o.total! > s.total!).length, list: null }));
  const red = Math.min(rules.honourRoll, ranked.length);
  const black = Math.min(rules.blackList, ranked.length - red);
  ranked.forEach((r, i) => {
    if (i < red) r.list = 'red';
    else if (i >= ranked.length - black) r.list = 'black';
  });
  return [...ranked, ...scores.filter((s) => s.total === null).map((s) => ({ ...s, rank: null, list: null }))];
}
