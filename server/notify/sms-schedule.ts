// When a text message may go out: the night-time quiet hours for residents (China time, no
// daylight saving) and the China day the caps count in. Pure arithmetic on instants.
import { CST_OFFSET_MS, DAY_MS } from '../china-time.ts';
import type { QuietHours } from './sms-settings.ts';

const HOUR_MS = 3600_000;

/** The China-time hour of the day (0–23) at `at`. */
function chinaHour(at: Date): number {
  return Math.floor(((at.getTime() + CST_OFFSET_MS) % DAY_MS) / HOUR_MS);
}

/** The instant the China day holding `at` began (00:00 China time). */
export function chinaDayStartOf(at: Date): Date {
  const shifted = at.getTime() + CST_OFFSET_MS;
  return new Date(shifted - (shifted % DAY_MS) - CST_OFFSET_MS);
}

export function inQuietHours(at: Date, quiet: QuietHours): boolean {
  if (quiet.from === quiet.to) return false;
  const hour = chinaHour(at);
  return quiet.from > quiet.to ? hour >= quiet.from || hour < quiet.to : hour >= quiet.from && hour < quiet.to;
}

/** The first instant after `at` at which the China clock shows `hour`:00. */
export function nextChinaHour(at: Date, hour: number): Date {
  const candidate = chinaDayStartOf(at).getTime() + hour * HOUR_MS;
  return new Date(candidate > at.getTime() ? candidate : candidate + DAY_MS);
}

/** When the quiet hours holding `at` end (the next `to`:00 China time). */
export function quietHoursEnd(at: Date, quiet: QuietHours): Date {
  return nextChinaHour(at, quiet.to);
}
