// The public statistics' month chart counts whole reports: its axis never shows fractions or a
// 0–1 scale, and its top gridline is at or just above the largest count.
import { describe, expect, it } from 'vitest';
import { countAxis } from '../../site/src/count-axis.ts';

describe('countAxis', () => {
  it('has only the zero line when there is nothing to count', () => {
    expect(countAxis(0)).toEqual({ top: 0, ticks: [0] });
    expect(countAxis(Number.NaN)).toEqual({ top: 0, ticks: [0] });
  });

  it('counts in ones while the counts are small', () => {
    expect(countAxis(1)).toEqual({ top: 1, ticks: [0, 1] });
    expect(countAxis(3)).toEqual({ top: 3, ticks: [0, 1, 2, 3] });
    expect(countAxis(4)).toEqual({ top: 4, ticks: [0, 1, 2, 3, 4] });
  });

  it('steps by 2, 5 or 10 × a power of ten above that, the top line at or above the largest count', () => {
    expect(countAxis(5)).toEqual({ top: 6, ticks: [0, 2, 4, 6] });
    expect(countAxis(7)).toEqual({ top: 8, ticks: [0, 2, 4, 6, 8] });
    expect(countAxis(18)).toEqual({ top: 20, ticks: [0, 5, 10, 15, 20] });
    expect(countAxis(37)).toEqual({ top: 40, ticks: [0, 10, 20, 30, 40] });
    expect(countAxis(1234)).toEqual({ top: 1500, ticks: [0, 500, 1000, 1500] });
  });

  it('gives whole-number gridlines, at most five, for any count', () => {
    for (let max = 1; max <= 2000; max++) {
      const { top, ticks } = countAxis(max);
      expect(ticks.every(Number.isInteger), `max ${max}`).toBe(true);
      expect(ticks.length, `max ${max}`).toBeLessThanOrEqual(5);
      expect(top, `max ${max}`).toBeGreaterThanOrEqual(max);
      expect(ticks.at(-1), `max ${max}`).toBe(top);
    }
  });
});
