// The retention purge as the worker runs it (server/privacy/daily-purge.ts): once a China day,
// the first pass after a start included, and again at the next pass when a run failed.
import { describe, expect, it } from 'vitest';
import { createDailyPurge } from '../../server/privacy/daily-purge.ts';
import type { PurgeCounts, PurgeResult } from '../../server/privacy/purge.ts';

const removed: PurgeCounts = {
  reporters: 2,
  calls: 0,
  mailMessages: 0,
  ticketMessages: 0,
  outboxMails: 1,
  smsRecipients: 0,
  texts: 0,
  rawMailFiles: 0,
  attachmentFiles: 0,
  throttleCounters: 0,
  eventsLeft: 0,
  supporters: 0,
};

function fakePurge(failFirst = false) {
  let runs = 0;
  return {
    get runs() {
      return runs;
    },
    async purge(): Promise<PurgeResult> {
      runs += 1;
      if (failFirst && runs === 1) throw new Error('database is locked');
      return { before: '2024-12-07T00:00:00.000Z', dryRun: false, removed };
    },
  };
}

describe('the daily retention purge', () => {
  it('runs on the first pass, then once per China day', async () => {
    const purge = fakePurge();
    const daily = createDailyPurge(purge);
    expect(await daily(new Date('2026-12-07T02:00:00.000Z'))).toEqual({ day: '2026-12-07', removed });
    expect(await daily(new Date('2026-12-07T15:59:00.000Z'))).toEqual({ day: '2026-12-07', removed: null });
    // 16:00 UTC is midnight in China: a new day.
    expect(await daily(new Date('2026-12-07T16:00:00.000Z'))).toEqual({ day: '2026-12-08', removed });
    expect(purge.runs).toBe(2);
  });

  it('tries again at the next pass when a run failed', async () => {
    const purge = fakePurge(true);
    const daily = createDailyPurge(purge);
    await expect(daily(new Date('2026-12-07T02:00:00.000Z'))).rejects.toThrow('database is locked');
    expect(await daily(new Date('2026-12-07T02:01:00.000Z'))).toEqual({ day: '2026-12-07', removed });
    expect(await daily(new Date('2026-12-07T02:02:00.000Z'))).toEqual({ day: '2026-12-07', removed: null });
    expect(purge.runs).toBe(2);
  });
});
