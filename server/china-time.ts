// Times are stored as ISO-8601 UTC text (docs/decisions/002-storage.md); the office reads them
// in China Standard Time (UTC+8, no daylight saving). Calendar dates the office types (a date
// range, a month) are CST dates; these helpers turn them into UTC instants and back.

const HOUR_MS = 3600_000;
export const DAY_MS = 24 * HOUR_MS;
/** CST is UTC+8 all year. */
export const CST_OFFSET_MS = 8 * HOUR_MS;

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** The same instant with CST wall-clock time in its UTC fields. */
function shifted(at: string | Date): Date {
  return new Date(new Date(at).getTime() + CST_OFFSET_MS);
}

/** "2026-11-30": the CST calendar date of an instant. */
export function chinaDate(at: string | Date): string {
  const d = shifted(at);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** "2026-11-30 10:00": the CST date and time of an instant, to the minute. */
export function chinaDateTime(at: string | Date): string {
  const d = shifted(at);
  return `${chinaDate(at)} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

/**
 * A spreadsheet date has no time zone: Excel shows the serial number as it is. write-excel-file
 * converts a Date by its UTC time, so the Date handed to it carries CST wall-clock time in its
 * UTC fields, and the sheet shows what a clock in Lincheng showed. Reading the file back gives
 * that shifted Date.
 */
export function spreadsheetDate(at: string | Date): Date {
  return shifted(at);
}

export const DATE_PATTERN = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
export const MONTH_PATTERN = /^\d{4}-(0[1-9]|1[0-2])$/;

/** The UTC instant at which a CST calendar date ("2026-11-30") begins. */
export function chinaDayStart(date: string): Date {
  if (!DATE_PATTERN.test(date)) throw new RangeError(`Not a date: ${date}`);
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d) - CST_OFFSET_MS);
}

/** "2026年12月14日" for a CST calendar date "2026-12-14" (documents: supervision cards, bulletins). */
export function chineseDate(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return `${y}年${m}月${d}日`;
}

/** [from, to) in UTC for CST dates, both ends inclusive as the office means them. */
export function chinaDateRange(from?: string, to?: string): { from?: string; to?: string } {
  return {
    ...(from && { from: chinaDayStart(from).toISOString() }),
    ...(to && { to: new Date(chinaDayStart(to).getTime() + DAY_MS).toISOString() }),
  };
}

export interface MonthPeriod {
  month: string;
  /** First instant of the month in CST, as UTC ISO text. */
  from: string;
  /** First instant of the next month in CST (exclusive). */
  to: string;
  /** The CST date by which the monthly report is owed: the 5th of the next month. */
  dueDate: string;
}

export function monthPeriod(month: string): MonthPeriod {
  if (!MONTH_PATTERN.test(month)) throw new RangeError(`Not a month: ${month}`);
  const [y, m] = month.split('-').map(Number) as [number, number];
  const next = m === 12 ? { y: y + 1, m: 1 } : { y, m: m + 1 };
  return {
    month,
    from: new Date(Date.UTC(y, m - 1, 1) - CST_OFFSET_MS).toISOString(),
    to: new Date(Date.UTC(next.y, next.m - 1, 1) - CST_OFFSET_MS).toISOString(),
    dueDate: `${next.y}-${pad(next.m)}-05`,
  };
}

/** Instants compare as numbers: stored text is uniform, but input (filters, tests) may not be. */
export function ms(at: string | Date): number {
  return new Date(at).getTime();
}
