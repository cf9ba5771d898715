// Short times for dense tables and "how long is left" for deadlines, in the county's time zone.
const TIME_ZONE = 'Asia/Shanghai';
const DAY_MS = 24 * 3600_000;

const short = new Intl.DateTimeFormat('zh-CN', {
  timeZone: TIME_ZONE,
  month: 'numeric',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

const shortWithYear = new Intl.DateTimeFormat('zh-CN', {
  timeZone: TIME_ZONE,
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

const dayOnly = new Intl.DateTimeFormat('zh-CN', { timeZone: TIME_ZONE, year: 'numeric', month: 'numeric', day: 'numeric' });

/** "12/6 15:31" in the current year, "2025/12/6 15:31" otherwise. */
export function shortDateTime(iso: string, now = new Date()): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const sameYear = dayOnly.format(d).slice(0, 4) === dayOnly.format(now).slice(0, 4);
  return (sameYear ? short : shortWithYear).format(d);
}

/** "2026/12/20". */
export function shortDate(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dayOnly.format(d);
}

/** The calendar date (YYYY-MM-DD) of an instant in China time, for <input type="date">. */
export function chinaDateInput(iso: string): string {
  const d = new Date(new Date(iso).getTime() + 8 * 3600_000);
  return d.toISOString().slice(0, 10);
}

/** The end of a China-time calendar day (YYYY-MM-DD) as an ISO timestamp with offset. */
export function endOfChinaDay(date: string): string {
  return `${date}T23:59:59.000+08:00`;
}

export interface DueState {
  text: string;
  overdue: boolean;
  /** Less than a day left. */
  soon: boolean;
}

/** "还剩3天" / "还剩5小时" / "已超期2天" for a deadline. */
export function dueState(iso: string, now = Date.now()): DueState {
  const left = new Date(iso).getTime() - now;
  if (left < 0) {
    const days = Math.floor(-left / DAY_MS);
    return { text: days >= 1 ? `已超期${days}天` : `已超期${Math.max(1, Math.floor(-left / 3600_000))}小时`, overdue: true, soon: false };
  }
  if (left < DAY_MS) return { text: `还剩${Math.max(1, Math.floor(left / 3600_000))}小时`, overdue: false, soon: true };
  return { text: `还剩${Math.floor(left / DAY_MS)}天`, overdue: false, soon: false };
}
