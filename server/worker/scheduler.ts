// Runs named jobs, in order, every `intervalSeconds`. Time is injected (DESIGN rule 10): a tick
// asks the clock for `now` and hands it to every job, so tests call `runOnce(now)` and never sleep.
//
// - A job that throws is logged and the tick goes on with the next job; the job runs again next
//   tick. Nothing a job does can stop the process.
// - Ticks never overlap: the next one is scheduled when the previous one has finished.
// - `stop()` lets the running tick finish (SIGTERM), then resolves; no tick starts after it.
// - Several worker processes may run at once (PostgreSQL): each job's writes are claimed with
//   conditional updates or unique keys (the outboxes with FOR UPDATE SKIP LOCKED), and the
//   single-reader jobs hold a lease (lease.ts), so it is the jobs, not the scheduler, that make
//   several workers safe.
//
// Logging: each pass runs with an id of its own (`pass`), and each job run within it with `job`
// and `runId` (server/observability/log-context.ts), so every line a job writes — its own, its
// repositories', its errors — says which run it belongs to.
import type { Clock } from '../clock.ts';
import { log as serverLog } from '../observability/log.ts';
import { newLogId, withLogContext } from '../observability/log-context.ts';

export interface Job {
  name: string;
  run(now: Date): Promise<unknown>;
}

export interface WorkerLog {
  info(message: string): void;
  error(message: string, error: unknown): void;
}

/** The server's log (server/observability/log.ts), as the worker's parts take it. */
export const workerLog: WorkerLog = serverLog;

export interface JobOutcome {
  job: string;
  ok: boolean;
  /** What the job returned (counts, ids), when it succeeded. */
  result?: unknown;
  /** The error's message, when it failed. */
  error?: string;
  ms: number;
}

export interface TickReport {
  at: string;
  jobs: JobOutcome[];
}

export interface SchedulerOptions {
  jobs: readonly Job[];
  clock: Clock;
  /** Seconds between the end of one tick and the start of the next (default 60). */
  intervalSeconds?: number;
  log?: WorkerLog;
  /** What a job's result says in the log, or null to say nothing (nothing happened). */
  summarize?: (job: string, result: unknown) => string | null;
}

export interface Scheduler {
  /** One tick at `now` (the clock's time by default): every job once, in order. */
  runOnce(now?: Date): Promise<TickReport>;
  /** Ticks now and then every interval until stopped. */
  start(): void;
  /** Lets the running tick finish; no tick starts afterwards. */
  stop(): Promise<void>;
  readonly running: boolean;
  /** The last tick that ended and when, if any (/readyz). */
  lastTick(): { report: TickReport; endedAt: Date } | null;
}

export function createScheduler(options: SchedulerOptions): Scheduler {
  const { jobs, clock } = options;
  const intervalMs = (options.intervalSeconds ?? 60) * 1000;
  const log = options.log ?? workerLog;
  const summarize = options.summarize ?? (() => null);
  const names = new Set<string>();
  for (const job of jobs) {
    if (names.has(job.name)) throw new Error(`Two worker jobs are named ${job.name}`);
    names.add(job.name);
  }

  let timer: NodeJS.Timeout | undefined;
  let current: Promise<TickReport> | undefined;
  let started = false;
  let stopped = false;
  let last: { report: TickReport; endedAt: Date } | null = null;

  async function runJob(job: Job, now: Date): Promise<JobOutcome> {
    const began = performance.now();
    let result: unknown;
    try {
      result = await job.run(now);
    } catch (error) {
      log.error(`[worker] job ${job.name} failed (tried again next tick):`, error);
      return { job: job.name, ok: false, error: error instanceof Error ? error.message : String(error), ms: performance.now() - began };
    }
    const said = summarize(job.name, result);
    if (said) log.info(`[worker] ${job.name}: ${said}`);
    return { job: job.name, ok: true, result, ms: performance.now() - began };
  }

  async function tick(now: Date): Promise<TickReport> {
    const report: TickReport = { at: now.toISOString(), jobs: [] };
    for (const job of jobs) {
      report.jobs.push(await withLogContext({ job: job.name, runId: newLogId() }, () => runJob(job, now)));
    }
    last = { report, endedAt: new Date() };
    return report;
  }

  function runOnce(now: Date = clock.now()): Promise<TickReport> {
    // One tick at a time in a process: a tick asked for while one runs waits for it first.
    const previous = current;
    const next = (async () => {
      if (previous) await previous.catch(() => {});
      return withLogContext({ pass: newLogId() }, () => tick(now));
    })();
    current = next;
    void next.finally(() => {
      if (current === next) current = undefined;
    });
    return next;
  }

  function schedule(delayMs: number): void {
    if (stopped) return;
    timer = setTimeout(() => {
      timer = undefined;
      void runOnce().finally(() => schedule(intervalMs));
    }, delayMs);
  }

  return {
    runOnce,
    lastTick: () => last,
    start() {
      if (started) return;
      started = true;
      schedule(0);
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      while (current) await current.catch(() => {});
    },
    get running() {
      return started && !stopped;
    },
  };
}
