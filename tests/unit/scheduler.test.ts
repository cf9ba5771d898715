// The worker's scheduler: jobs in order with the injected clock's time, a failing job logged and
// the others still run, no overlapping ticks, and stop() waiting for the running tick. Timers
// are vitest's fake timers: nothing sleeps.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { manualClock } from '../../server/clock.ts';
import { createScheduler, type Job, type WorkerLog } from '../../server/worker/scheduler.ts';
import { log } from '../../server/observability/log.ts';
import { expectConsoleError, loggedLines } from '../setup/fail-on-console-error.ts';

const quiet: WorkerLog = { info: () => {}, error: (message, error) => console.error(message, error) };

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('scheduler', () => {
  it('runs each pass and each job run under an id of its own: whatever a job logs says which run it was', async () => {
    expectConsoleError(1);
    const job = (name: string, fails = false): Job => ({
      name,
      run: async () => {
        await new Promise((resolve) => setImmediate(resolve));
        log.info(`${name} working`);
        if (fails) throw new Error(`${name} broke`);
      },
    });
    const scheduler = createScheduler({ jobs: [job('a'), job('b', true)], clock: manualClock('2026-12-01T00:00:00.000Z') });
    await scheduler.runOnce();
    await scheduler.runOnce();
    const working = loggedLines('info').filter((l) => l.msg.endsWith('working'));
    expect(working.map((l) => l['job'])).toEqual(['a', 'b', 'a', 'b']);
    const [a1, b1, a2] = working;
    expect(a1!['pass']).toBe(b1!['pass']);
    expect(a2!['pass']).not.toBe(a1!['pass']);
    expect(new Set(working.map((l) => l['runId'])).size).toBe(4);
    // The failure is logged once (the second is a repeat within the minute), in the run that failed.
    expect(loggedLines('error')).toHaveLength(1);
    expect(loggedLines('error')[0]).toMatchObject({ job: 'b', runId: b1!['runId'], pass: b1!['pass'], err: { message: 'b broke' } });
  });

  it('runs every job once per tick, in order, at the time it is given', async () => {
    const seen: string[] = [];
    const job = (name: string): Job => ({ name, run: async (now) => void seen.push(`${name}@${now.toISOString()}`) });
    const clock = manualClock('2026-12-01T00:00:00.000Z');
    const scheduler = createScheduler({ jobs: [job('a'), job('b')], clock, log: quiet });
    await scheduler.runOnce();
    clock.advance(60_000);
    const report = await scheduler.runOnce(new Date('2026-12-24T00:00:00.000Z'));
    expect(seen).toEqual([
      'a@2026-12-01T00:00:00.000Z',
      'b@2026-12-01T00:00:00.000Z',
      'a@2026-12-24T00:00:00.000Z',
      'b@2026-12-24T00:00:00.000Z',
    ]);
    expect(report.jobs.map((j) => [j.job, j.ok])).toEqual([
      ['a', true],
      ['b', true],
    ]);
  });

  it('logs a failing job and runs the others; the job runs again next tick', async () => {
    expectConsoleError(1);
    let attempts = 0;
    const ran: string[] = [];
    const scheduler = createScheduler({
      jobs: [
        {
          name: 'flaky',
          run: async () => {
            if (++attempts === 1) throw new Error('database away');
          },
        },
        { name: 'after', run: async () => void ran.push('after') },
      ],
      clock: manualClock('2026-12-01T00:00:00.000Z'),
      log: quiet,
    });
    const first = await scheduler.runOnce();
    expect(first.jobs).toMatchObject([
      { job: 'flaky', ok: false, error: 'database away' },
      { job: 'after', ok: true },
    ]);
    const second = await scheduler.runOnce();
    expect(second.jobs).toMatchObject([
      { job: 'flaky', ok: true },
      { job: 'after', ok: true },
    ]);
    expect(ran).toEqual(['after', 'after']);
    expect(attempts).toBe(2);
  });

  it('refuses two jobs of one name', () => {
    const job: Job = { name: 'x', run: async () => {} };
    expect(() => createScheduler({ jobs: [job, job], clock: manualClock('2026-12-01T00:00:00.000Z') })).toThrow(/x/);
  });

  it('ticks every interval after the previous tick ends, never overlapping, and stops after the running tick', async () => {
    vi.useFakeTimers();
    const gates: Array<ReturnType<typeof deferred>> = [];
    let active = 0;
    let maxActive = 0;
    const slow: Job = {
      name: 'slow',
      run: async () => {
        active++;
        maxActive = Math.max(maxActive, active);
        const gate = deferred();
        gates.push(gate);
        await gate.promise;
        active--;
      },
    };
    const scheduler = createScheduler({ jobs: [slow], clock: manualClock('2026-12-01T00:00:00.000Z'), intervalSeconds: 60, log: quiet });
    scheduler.start();
    expect(scheduler.running).toBe(true);
    await vi.advanceTimersByTimeAsync(0);
    expect(gates).toHaveLength(1);
    // The first tick is still running: however long it takes, no second tick starts.
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(gates).toHaveLength(1);
    gates[0]!.resolve();
    await vi.advanceTimersByTimeAsync(59_000);
    expect(gates).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(gates).toHaveLength(2);

    // SIGTERM during the second tick: stop() waits for it, and nothing runs afterwards.
    let stopped = false;
    const stopping = scheduler.stop().then(() => (stopped = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(false);
    gates[1]!.resolve();
    await stopping;
    expect(scheduler.running).toBe(false);
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(gates).toHaveLength(2);
    expect(maxActive).toBe(1);
  });

  it('queues a tick asked for while one runs', async () => {
    const order: string[] = [];
    const gate = deferred();
    let calls = 0;
    const scheduler = createScheduler({
      jobs: [
        {
          name: 'j',
          run: async (now) => {
            const n = ++calls;
            order.push(`start ${n} ${now.toISOString().slice(0, 10)}`);
            if (n === 1) await gate.promise;
            order.push(`end ${n}`);
          },
        },
      ],
      clock: manualClock('2026-12-01T00:00:00.000Z'),
      log: quiet,
    });
    const a = scheduler.runOnce();
    const b = scheduler.runOnce(new Date('2026-12-02T00:00:00.000Z'));
    await Promise.resolve();
    gate.resolve();
    await Promise.all([a, b]);
    expect(order).toEqual(['start 1 2026-12-01', 'end 1', 'start 2 2026-12-02', 'end 2']);
  });
});
