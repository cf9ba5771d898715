// /readyz (issue 18, item 3): whether this process can do its work now, for a load balancer or an
// orchestrator; /healthz stays the liveness answer (the process runs). Each check names itself:
// - database: a query answers within a few seconds;
// - migrations: every migration of this release is applied (a new release started on an old
//   database, or the other way round, is not ready);
// - data-dir: DATA_DIR takes a file, and has at least READY_MIN_FREE_MB free;
// - worker (only in a process that runs the worker): its last pass ended within three intervals
//   and its mail job did not fail. A web process does not check the worker: a load balancer would
//   otherwise take every web process out when the worker stops; the worker's lag is in /metrics.
// The answer is 200 {"ready":true,"checks":{…}} or 503 naming the failed checks.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { DatabaseHandle } from '../db/database.ts';
import { pendingMigrations } from '../db/database.ts';
import { ping } from './metrics-repository.ts';

export interface WorkerPulse {
  /** When the last pass ended and whether its mail job succeeded; null before the first. */
  lastPass(): { at: Date; mailOk: boolean } | null;
  /** Seconds between passes. */
  intervalSeconds: number;
  startedAt: Date;
}

export interface ReadinessOptions {
  database: DatabaseHandle;
  dataDir: string;
  minFreeBytes: number;
  /** The worker of this process, when it runs one. */
  worker?: WorkerPulse | null;
  now?: () => Date;
}

export type CheckResult = { ok: true } | { ok: false; reason: string };

export interface Readiness {
  check(): Promise<{ ready: boolean; checks: Record<string, CheckResult> }>;
}

const TIMEOUT_MS = 3000;

export function createReadiness(options: ReadinessOptions): Readiness {
  const now = options.now ?? (() => new Date());
  const checks: Record<string, () => Promise<CheckResult>> = {
    database: async () => {
      await ping(options.database.db);
      return { ok: true };
    },
    migrations: async () => {
      const pending = await pendingMigrations(options.database);
      return pending.length === 0 ? { ok: true } : { ok: false, reason: `not applied: ${pending.join(', ')}` };
    },
    'data-dir': () => dataDirCheck(options.dataDir, options.minFreeBytes),
  };
  const worker = options.worker;
  if (worker) checks['worker'] = async () => workerCheck(worker, now());

  return {
    async check() {
      const results = await Promise.all(
        Object.entries(checks).map(async ([name, run]): Promise<[string, CheckResult]> => [name, await withTimeout(run)]),
      );
      const named = Object.fromEntries(results);
      return { ready: results.every(([, r]) => r.ok), checks: named };
    },
  };
}

async function withTimeout(run: () => Promise<CheckResult>): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<CheckResult>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, reason: `no answer within ${TIMEOUT_MS / 1000} s` }), TIMEOUT_MS);
  });
  try {
    return await Promise.race([
      run().catch((error: unknown) => ({ ok: false as const, reason: error instanceof Error ? error.message : String(error) })),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

async function dataDirCheck(dir: string, minFreeBytes: number): Promise<CheckResult> {
  const probe = path.join(dir, `.ready-${randomBytes(4).toString('hex')}`);
  try {
    await fs.writeFile(probe, 'ok');
  } catch (error) {
    return { ok: false, reason: `cannot write to the data directory: ${(error as NodeJS.ErrnoException).code ?? String(error)}` };
  } finally {
    await fs.rm(probe, { force: true }).catch(() => {});
  }
  const stats = await fs.statfs(dir);
  const free = stats.bavail * stats.bsize;
  if (free < minFreeBytes)
    return { ok: false, reason: `${Math.floor(free / 1048576)} MB free, less than ${Math.floor(minFreeBytes / 1048576)} MB` };
  return { ok: true };
}

function workerCheck(worker: WorkerPulse, now: Date): CheckResult {
  const limitMs = 3 * worker.intervalSeconds * 1000 + 60_000;
  const last = worker.lastPass();
  const since = now.getTime() - (last?.at ?? worker.startedAt).getTime();
  if (since > limitMs)
    return {
      ok: false,
      reason: last ? `no pass ended for ${Math.round(since / 1000)} s` : `no pass ended since the start ${Math.round(since / 1000)} s ago`,
    };
  if (last && !last.mailOk) return { ok: false, reason: 'the last pass could not send the notification mail' };
  return { ok: true };
}
