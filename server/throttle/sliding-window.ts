// The arithmetic of a sliding-window limit kept as counters of fixed slices, SLICES to a window.
// What counts at a moment is the current slice and the SLICES before it — a span between one
// window and one window plus a slice long — so no window of the limit's length ever holds more
// than the limit, and a client blocked by it may act again once the window has passed, at most a
// slice (a tenth of the window) later. Counters per slice are what let the database check and
// count in one conditional upsert: the closed slices no longer change.

export interface Limit {
  /** How many actions a window allows. */
  count: number;
  /** The window's length in milliseconds. */
  windowMs: number;
}

export const SLICES = 10;

export interface SlicePosition {
  /** floor(now / slice length): the current slice's number. */
  slice: number;
  /** How far into the current slice now is, 0 ≤ elapsed < 1. */
  elapsed: number;
}

export function sliceMs(limit: Limit): number {
  return limit.windowMs / SLICES;
}

export function positionOf(limit: Limit, nowMs: number): SlicePosition {
  const length = sliceMs(limit);
  const slice = Math.floor(nowMs / length);
  return { slice, elapsed: Math.min(1, Math.max(0, (nowMs - slice * length) / length)) };
}

/** The slices whose counters matter at `slice`: the current one and the SLICES before it. */
export function slicesInWindow(slice: number): number[] {
  return Array.from({ length: SLICES + 1 }, (_, i) => slice - SLICES + i);
}

/** What the closed slices counting at `slice` hold. */
function closedCount(counts: Map<number, number>, slice: number): number {
  let total = 0;
  for (let s = slice - SLICES; s < slice; s++) total += counts.get(s) ?? 0;
  return total;
}

/**
 * The most the current slice's counter may reach: the limit less what the closed slices still
 * counting hold. An action is allowed while the counter is below this ceiling.
 */
export function ceilingOf(limit: Limit, counts: Map<number, number>, slice: number): number {
  return limit.count - closedCount(counts, slice);
}

/**
 * Seconds (at least 1) until one more action is allowed, if none is made meanwhile — what
 * Retry-After and the Chinese message say: the start of the first slice at which enough of the
 * counted slices have dropped out.
 */
export function secondsUntilAllowed(limit: Limit, counts: Map<number, number>, position: SlicePosition): number {
  let ahead = 1;
  while (ahead <= SLICES && closedCount(counts, position.slice + ahead) + 1 > limit.count) ahead++;
  return Math.max(1, Math.ceil(((ahead - position.elapsed) * sliceMs(limit)) / 1000));
}

/** "20/10m" → 20 per 10 minutes; units s, m, h, d. */
export function parseLimit(text: string): Limit | null {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*([smhd])\s*$/.exec(text);
  if (!match) return null;
  const count = Number(match[1]);
  const unitMs = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[3] as 's' | 'm' | 'h' | 'd'];
  const windowMs = Number(match[2]) * unitMs;
  if (count < 1 || windowMs < 10_000 || windowMs > 7 * 86_400_000) return null;
  return { count, windowMs };
}

export function formatLimit(limit: Limit): string {
  const units: [string, number][] = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ];
  const [unit, ms] = units.find(([, ms]) => limit.windowMs % ms === 0) ?? ['s', 1000];
  return `${limit.count}/${limit.windowMs / ms}${unit}`;
}
