// The escalation ladder's rules without a database: climbing, staying on 问责, the reset after
// ESCALATION_RESET_DAYS without a new escalation, the period and the recorded reason.
import { describe, expect, it } from 'vitest';
import {
  chinaDate,
  currentLevel,
  escalationReason,
  nextEscalation,
  resetsAt,
  type EscalationLevel,
} from '../../server/escalation/ladder.ts';

const DAY = 24 * 3600_000;
const start = new Date('2026-12-07T03:00:00.000Z');
const later = (days: number) => new Date(start.getTime() + days * DAY);

/** The levels of escalations at the given day offsets, each following the previous one. */
function climb(days: number[], resetDays = 90): Array<{ level: EscalationLevel; period: string }> {
  let previous: Parameters<typeof nextEscalation>[0] = null;
  const out = [];
  for (const d of days) {
    const at = later(d);
    const next = nextEscalation(previous, at, resetDays);
    out.push({ level: next.level, period: next.period });
    previous = { level: next.level, at: at.toISOString(), period: next.period, countInPeriod: next.countInPeriod };
  }
  return out;
}

describe('escalation ladder', () => {
  it('climbs 通报, 约谈, 问责 and stays on 问责', () => {
    expect(climb([0, 10, 20, 30, 40]).map((e) => e.level)).toEqual([1, 2, 3, 3, 3]);
  });

  it('keeps one period for a run, named by the China date of its first 通报', () => {
    const run = climb([0, 10, 20]);
    expect(new Set(run.map((e) => e.period))).toEqual(new Set(['2026-12-07']));
    // 23:30 UTC is already the next morning in Lincheng.
    expect(chinaDate('2026-12-07T23:30:00.000Z')).toBe('2026-12-08');
  });

  it('restarts at 通报 once 90 days pass without a new escalation, not a moment earlier', () => {
    expect(climb([0, 10, 99.99]).map((e) => e.level)).toEqual([1, 2, 3]);
    const reset = climb([0, 10, 100]);
    expect(reset.map((e) => e.level)).toEqual([1, 2, 1]);
    expect(reset[2]!.period).toBe(chinaDate(later(100)));
    // The gap counts from the last escalation, not the first: a steady offender keeps climbing.
    expect(climb([0, 80, 160, 240]).map((e) => e.level)).toEqual([1, 2, 3, 3]);
    expect(climb([0, 10], 7).map((e) => e.level)).toEqual([1, 1]);
  });

  it('says where a unit stands now, and when that ends', () => {
    const last = { level: 2 as const, at: start.toISOString(), period: '2026-12-07' };
    expect(currentLevel(null, start)).toBe(0);
    expect(currentLevel(last, later(89))).toBe(2);
    expect(currentLevel(last, later(90))).toBe(0);
    expect(resetsAt(last.at, 90)).toBe(later(90).toISOString());
  });

  it('records a reason that names the tickets and the rung', () => {
    const first = nextEscalation(null, start);
    expect(escalationReason(first, ['AC3-K7M-9XP'])).toBe('1个问题超过整改期限仍未整改（AC3-K7M-9XP），首次出现超期未整改，予以通报。');
    const fourth = nextEscalation({ level: 3, at: later(5).toISOString(), period: '2026-12-07', countInPeriod: 3 }, later(6));
    expect(fourth).toMatchObject({ level: 3, countInPeriod: 4, startsPeriod: false });
    expect(escalationReason(fourth, ['A', 'B'])).toBe('2个问题超过整改期限仍未整改（A、B），自2026-12-07起第4次出现超期未整改，予以问责。');
  });
});
