// The retention purge as a worker job (issue 15, item 7): personal data past its retention period
// goes once a day without anyone running `npm run privacy:purge`. The job runs on the first pass
// of each China day (the first pass after a start included); a failed run is tried again at the
// next pass. The purge changes nothing more when run again, so a second worker process running it
// the same day costs a few queries.
import { chinaDate } from '../china-time.ts';
import type { PurgeCounts, PurgeResult } from './purge.ts';

export interface DailyPurgeRun {
  /** The China day the purge last ran for. */
  day: string;
  /** What this pass removed; null when the day's purge had already run. */
  removed: PurgeCounts | null;
}

export function createDailyPurge(purge: { purge(): Promise<PurgeResult> }) {
  let lastDay: string | null = null;
  return async function runDaily(now: Date): Promise<DailyPurgeRun> {
    const day = chinaDate(now);
    if (day === lastDay) return { day, removed: null };
    const result = await purge.purge();
    lastDay = day;
    return { day, removed: result.removed };
  };
}
