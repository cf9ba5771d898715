// The value axis of a chart of counts (件): whole numbers only, from 0 in even steps of 1, 2 or 5
// times a power of ten, the top gridline at or just above the largest count — never "0.5 件",
// never a 0–1 axis stretched over a chart with no counts.

export interface CountAxis {
  /** The value at the top of the plot (the scale's maximum). */
  top: number;
  /** Gridlines from 0 up to and including `top`. */
  ticks: number[];
}

/** The axis for counts up to `max`, with at most `maxSteps` steps between gridlines. */
export function countAxis(max: number, maxSteps = 4): CountAxis {
  if (!(max > 0)) return { top: 0, ticks: [0] };
  const step = niceStep(max / maxSteps);
  const top = Math.ceil(max / step) * step;
  const ticks: number[] = [];
  for (let t = 0; t <= top; t += step) ticks.push(t);
  return { top, ticks };
}

/** The smallest whole 1, 2 or 5 × 10ⁿ at least `rough`. */
function niceStep(rough: number): number {
  if (rough <= 1) return 1;
  const power = 10 ** Math.floor(Math.log10(rough));
  return [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough) ?? 10 * power;
}
