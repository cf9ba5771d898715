// A lease on a single-reader job (issue 16 item 5): of several workers on one database, only the
// one holding the job's lease does it — reads the dedicated mailbox (and keeps its IMAP IDLE
// connection), builds the public site. The lease is a row in worker_leases held until a time
// (lease-repository.ts): the holder renews it while it works (every third of its length), so a
// worker that dies simply stops renewing, and once the lease has run out another worker takes it
// over — within `ttlMs` plus one look (`keep` looks every third of `ttlMs`).
//
// Time: the expiry is written and compared with the given clock's time (the deployment passes the
// real clock, so a pass run "as of" another moment holds no lease until then; tests pass a
// manual one and advance it to "kill" a holder); the renewals' rhythm is real time (timers).
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/schema.ts';
import { dropLease, takeLease } from './lease-repository.ts';
import { log as serverLog } from '../observability/log.ts';
import { newLogId, withLogContext } from '../observability/log-context.ts';

/** 40 s: a dead holder's job is taken over within a minute (40 s plus one look every ~13 s). */
export const DEFAULT_LEASE_MS = 40_000;

export interface LeaseOptions {
  db: Kysely<Database>;
  clock: Clock;
  /** The job: 'mailbox', 'site-build'. */
  name: string;
  /** Who asks; by default this process (host, pid and a random part, so two workers on one host differ). */
  holder?: string;
  ttlMs?: number;
  log?: { error(message: string, error: unknown): void };
}

export type LeaseRun<T> = { ran: true; value: T } | { ran: false };

export interface Lease {
  readonly name: string;
  readonly holder: string;
  /** Takes the lease, or renews it when this worker has it; false while another worker's runs. */
  acquire(now?: Date): Promise<boolean>;
  /**
   * Runs `work` only when this worker holds (or can take) the lease, renewing it while `work`
   * runs; `release` gives it up afterwards (a job any worker may do next), else it is kept until
   * it runs out (a job that stays with its worker, like the mailbox).
   */
  run<T>(work: () => Promise<T>, options?: { release?: boolean }): Promise<LeaseRun<T>>;
  /**
   * Looks every third of the lease's length: takes it when free, renews it when held, and tells
   * `onChange` when this worker gains or loses it. For a job that runs between passes (the IDLE
   * watcher). Stops with `release`.
   */
  keep(onChange: (held: boolean) => void | Promise<void>): void;
  /** Stops keeping and gives the lease up now, so another worker need not wait for it to run out. */
  release(): Promise<void>;
}

export function defaultLeaseHolder(): string {
  return `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

export function createLease(options: LeaseOptions): Lease {
  const { db, clock, name } = options;
  const holder = options.holder ?? defaultLeaseHolder();
  const ttlMs = options.ttlMs ?? DEFAULT_LEASE_MS;
  const everyMs = Math.max(1, Math.floor(ttlMs / 3));
  const log = options.log ?? serverLog;
  let keeper: NodeJS.Timeout | undefined;
  let keeping = false;
  let looking: Promise<void> | null = null;
  let held = false;

  async function acquire(now: Date = clock.now()): Promise<boolean> {
    return takeLease(db, name, holder, now, new Date(now.getTime() + ttlMs));
  }

  /** Renews every third of the lease until the returned function is called. */
  function renewing(): () => void {
    const timer = setInterval(() => {
      acquire().catch((error: unknown) => log.error(`[lease] could not renew ${name}:`, error));
    }, everyMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  return {
    name,
    holder,
    acquire,
    async run(work, runOptions = {}) {
      if (!(await acquire())) return { ran: false };
      const stop = renewing();
      try {
        return { ran: true, value: await work() };
      } finally {
        stop();
        if (runOptions.release)
          await dropLease(db, name, holder).catch((error: unknown) => log.error(`[lease] could not give up ${name}:`, error));
      }
    },
    keep(onChange) {
      if (keeping) return;
      keeping = true;
      const look = async () => {
        let now = false;
        try {
          now = await acquire();
        } catch (error) {
          // Unsure whether it is still ours: stop the job; another worker may be taking over.
          log.error(`[lease] could not look at ${name}:`, error);
        }
        if (now !== held && keeping) {
          held = now;
          await onChange(now);
        }
      };
      const loop = () => {
        looking = look()
          .catch((error: unknown) => log.error(`[lease] ${name}:`, error))
          .finally(() => {
            looking = null;
            if (keeping) keeper = setTimeout(loop, everyMs);
          });
      };
      keeper = setTimeout(loop, 0);
    },
    async release() {
      keeping = false;
      if (keeper) clearTimeout(keeper);
      keeper = undefined;
      // A look under way could take the lease again after it is given up: let it finish first.
      if (looking) await looking;
      held = false;
      await dropLease(db, name, holder);
    },
  };
}

/** Something that runs between passes until stopped (the mailbox's IDLE watcher). */
export interface Service {
  start(): void;
  stop(): Promise<void>;
}

/**
 * Runs a service only while this worker holds `lease`: started when the lease is taken, stopped
 * when it is lost (another worker took it over after this one failed to renew), a fresh one made
 * each time. `stop` stops it and gives the lease up, so another worker takes over at once.
 */
export function whileLeased<S extends Service>(
  lease: Lease,
  make: () => S,
): { start(): void; stop(): Promise<void>; readonly current: S | null } {
  let current: S | null = null;
  let started = false;
  let stopping = false;
  return {
    start() {
      if (started) return;
      started = true;
      // The lease's looks and each run of the service log as the job (`job`, and `runId` per run).
      withLogContext({ job: lease.name }, () =>
        lease.keep(async (held) => {
          if (stopping) return;
          if (held && !current) {
            current = withLogContext({ runId: newLogId() }, () => {
              const service = make();
              service.start();
              return service;
            });
          } else if (!held && current) {
            const s = current;
            current = null;
            await s.stop();
          }
        }),
      );
    },
    async stop() {
      // The service first (a read under way finishes), then the lease, so the next holder starts clean.
      stopping = true;
      const s = current;
      current = null;
      await s?.stop();
      await lease.release();
    },
    get current() {
      return current;
    },
  };
}
