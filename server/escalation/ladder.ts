// The escalation ladder as rules, without storage (docs/decisions/004-escalation.md):
//
// - A unit climbs one rung each time a worker pass finds tickets of it newly overdue (open past
//   their deadline and not yet behind any escalation of that unit): 1 通报, 2 约谈, 3 问责, and
//   问责 again for every further one — the ladder has three rungs and stays on the top one.
// - The count restarts (the next escalation is a 通报 again) once `resetDays` (90 by default)
//   have passed since the unit's last escalation: a quarter of a year in which none of its
//   tickets newly went overdue.
// - Each run of the ladder is named by its period: the China-time date of the run's first 通报.

export const ESCALATION_LEVELS = [1, 2, 3] as const;
export type EscalationLevel = (typeof ESCALATION_LEVELS)[number];

export const ESCALATION_LEVEL_LABELS: Record<EscalationLevel, '通报' | '约谈' | '问责'> = { 1: '通报', 2: '约谈', 3: '问责' };

export const DEFAULT_RESET_DAYS = 90;

const DAY_MS = 24 * 3600_000;
const CST_OFFSET_MS = 8 * 3600_000;

/** "2026-12-07": the date in China Standard Time (UTC+8 all year) of an instant. */
export function chinaDate(at: Date | string): string {
  return new Date(new Date(at).getTime() + CST_OFFSET_MS).toISOString().slice(0, 10);
}

export function isEscalationLevel(value: number): value is EscalationLevel {
  return value === 1 || value === 2 || value === 3;
}

/** The unit's latest escalation, as far as the ladder cares. */
export interface PreviousEscalation {
  level: EscalationLevel;
  at: string;
  period: string;
}

export interface NextEscalation {
  level: EscalationLevel;
  period: string;
  /** Which escalation of its run this is (1, 2, 3, 4 …): above 3 the level stays 3. */
  countInPeriod: number;
  /** True when this starts a new run (first ever, or after a reset). */
  startsPeriod: boolean;
}

/** Whether a run whose last escalation was at `lastAt` is still running at `now`. */
export function runIsLive(lastAt: string, now: Date, resetDays: number): boolean {
  return now.getTime() - new Date(lastAt).getTime() < resetDays * DAY_MS;
}

/** When a run whose last escalation was at `lastAt` ends if nothing else goes overdue. */
export function resetsAt(lastAt: string, resetDays: number): string {
  return new Date(new Date(lastAt).getTime() + resetDays * DAY_MS).toISOString();
}

/**
 * The rung of a new escalation at `at`, given the unit's previous one (null: never escalated)
 * and how many escalations its run has had so far.
 */
export function nextEscalation(
  previous: (PreviousEscalation & { countInPeriod: number }) | null,
  at: Date,
  resetDays: number = DEFAULT_RESET_DAYS,
): NextEscalation {
  if (!previous || !runIsLive(previous.at, at, resetDays)) {
    return { level: 1, period: chinaDate(at), countInPeriod: 1, startsPeriod: true };
  }
  const level = Math.min(previous.level + 1, 3) as EscalationLevel;
  return { level, period: previous.period, countInPeriod: previous.countInPeriod + 1, startsPeriod: false };
}

/** The rung a unit stands on at `now`: its last escalation's, or 0 once the run has reset. */
export function currentLevel(last: PreviousEscalation | null, now: Date, resetDays: number = DEFAULT_RESET_DAYS): 0 | EscalationLevel {
  return last && runIsLive(last.at, now, resetDays) ? last.level : 0;
}

/** The recorded reason, in Chinese, naming the tickets behind the escalation. */
export function escalationReason(next: NextEscalation, trackingCodes: readonly string[]): string {
  const label = ESCALATION_LEVEL_LABELS[next.level];
  const count = next.startsPeriod ? '首次' : `第${next.countInPeriod}次`;
  const since = next.startsPeriod ? '' : `自${next.period}起`;
  return `${trackingCodes.length}个问题超过整改期限仍未整改（${trackingCodes.join('、')}），${since}${count}出现超期未整改，予以${label}。`;
}
