// Throttles: how often one client may do what an attacker would do at scale — guess passwords,
// guess tracking codes, flood the report form or the photo upload. Counted in the database
// (migration 016), so every web process of a deployment shares one allowance and a restart
// resets nothing. `take` checks and counts in one step: of many simultaneous attempts (a tRPC
// batch, parallel sockets, two processes) exactly as many as the limit allows get through, and
// past the limit nothing does — not the right password, not the right code — until the window
// slides on. An attempt that turns out not to count (a successful login, a code that exists)
// gives its count back with `release()`.
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/schema.ts';
import type { WriteBatcher } from '../db/write-batcher.ts';
import { clearKey, decrement, deleteExpired, incrementBelow, listActive, readSlices } from './throttle-repository.ts';
import { ceilingOf, positionOf, secondsUntilAllowed, sliceMs, slicesInWindow, SLICES, type Limit } from './sliding-window.ts';

export const THROTTLE_SCOPES = [
  'report',
  'upload',
  'track',
  'login-account',
  'login-address',
  'answer-ticket',
  'answer-address',
  'nearby',
  // One-time codes to look up one's tickets by mobile number (server/phone-lookup/): per number
  // in an hour and in a day (keyed by the number's digits), and per client address.
  'lookup-number',
  'lookup-number-day',
  'lookup-address',
] as const;
export type ThrottleScope = (typeof THROTTLE_SCOPES)[number];
export type ThrottleLimits = Record<ThrottleScope, Limit>;

/** Far above what a resident or a member of staff ever does; see README "Settings". */
export const DEFAULT_LIMITS: ThrottleLimits = {
  report: { count: 20, windowMs: 10 * 60_000 },
  upload: { count: 120, windowMs: 10 * 60_000 },
  track: { count: 10, windowMs: 15 * 60_000 },
  'login-account': { count: 5, windowMs: 15 * 60_000 },
  'login-address': { count: 20, windowMs: 15 * 60_000 },
  // 网上回访: wrong last four digits of the reporter's phone, per ticket and per client address.
  'answer-ticket': { count: 5, windowMs: 86_400_000 },
  'answer-address': { count: 10, windowMs: 60 * 60_000 },
  // The report form asks once per category or point the resident picks.
  nearby: { count: 120, windowMs: 10 * 60_000 },
  'lookup-number': { count: 3, windowMs: 60 * 60_000 },
  'lookup-number-day': { count: 5, windowMs: 24 * 60 * 60_000 },
  'lookup-address': { count: 10, windowMs: 60 * 60_000 },
};

/** Scopes counted per account, number or ticket (its tracking code) rather than per client address. */
const KEYED_AS_WRITTEN: readonly ThrottleScope[] = ['login-account', 'lookup-number', 'lookup-number-day', 'answer-ticket'];

/** The counted key: a username lower-cased, a number as its digits, an address by addressKey. */
function keyOf(scope: ThrottleScope, raw: string): string {
  return KEYED_AS_WRITTEN.includes(scope) ? raw.trim().toLowerCase() : addressKey(raw);
}

export interface ThrottleStanding {
  scope: ThrottleScope;
  /** The address (as addressKey writes it) or the username. */
  key: string;
  /** Actions counted in the window now. */
  used: number;
  limit: number;
  /** 0 when the next action is allowed, else how long it is refused. */
  retryAfterSeconds: number;
}

/**
 * `last`: this action took the allowance's last count, so the next is refused until the window
 * slides on — a lockout begins unless the action is given back.
 */
export type Taken = { allowed: true; last: boolean; release(): Promise<void> } | { allowed: false; retryAfterSeconds: number };

/**
 * The key of a client address: IPv4 as it is (also when written IPv4-mapped), IPv6 by its /64 —
 * one household or phone is given a whole /64, so counting single IPv6 addresses limits nothing.
 */
export function addressKey(ip: string): string {
  const address = ip.trim().toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  if (mapped) return mapped[1]!;
  if (!address.includes(':')) return address;
  const [head = '', tail = ''] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = address.includes('::')
    ? [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

/** "3分钟", "40秒": how long to wait, in the words of the refusal. */
export function waitText(seconds: number): string {
  return seconds < 60 ? `${seconds}秒` : `${Math.ceil(seconds / 60)}分钟`;
}

export interface ThrottleDeps {
  db: Kysely<Database>;
  writes: WriteBatcher;
  clock: Clock;
  limits?: Partial<ThrottleLimits>;
}

export function createThrottles({ db, writes, clock, limits: overrides = {} }: ThrottleDeps) {
  const limits: ThrottleLimits = { ...DEFAULT_LIMITS, ...overrides };

  async function take(scope: ThrottleScope, rawKey: string): Promise<Taken> {
    const limit = limits[scope];
    const key = keyOf(scope, rawKey);
    const position = positionOf(limit, clock.now().getTime());
    const { slice } = position;
    const counts = await readSlices(db, scope, key, slicesInWindow(slice));
    const ceiling = ceilingOf(limit, counts, slice);
    const expiresAt = new Date((slice + SLICES + 1) * sliceMs(limit)).toISOString();
    // Through the write batcher: on SQLite the count shares its commit with the reports and other
    // writes of the moment (a commit of its own per request would halve the intake's throughput);
    // on PostgreSQL the one statement is its own transaction, without BEGIN and COMMIT round trips.
    const count =
      ceiling >= 1
        ? await writes.runStatement((target) => incrementBelow(target, { scope, key, bucket: slice, expiresAt }, ceiling))
        : null;
    if (count !== null) {
      return {
        allowed: true,
        last: count >= ceiling,
        release: () => writes.runStatement((target) => decrement(target, scope, key, slice)),
      };
    }
    // Refused: read again, the counters may have moved since (many attempts at once).
    const now = await readSlices(db, scope, key, slicesInWindow(slice));
    return { allowed: false, retryAfterSeconds: secondsUntilAllowed(limit, now, position) };
  }

  return {
    limits,
    take,
    /** Removes the counters that can no longer limit anything (worker housekeeping). */
    sweep: (now: Date) => deleteExpired(db, now),
    /** Who has used how much of which allowance now, and who is refused for how long (busiest first). */
    async standing(): Promise<ThrottleStanding[]> {
      const now = clock.now().getTime();
      const byKey = new Map<string, { scope: ThrottleScope; key: string; counts: Map<number, number> }>();
      for (const row of await listActive(db, new Date(now))) {
        const id = `${row.scope}\u0000${row.key}`;
        const entry = byKey.get(id) ?? { scope: row.scope as ThrottleScope, key: row.key, counts: new Map<number, number>() };
        entry.counts.set(row.bucket, row.count);
        byKey.set(id, entry);
      }
      const standings = [...byKey.values()].flatMap(({ scope, key, counts }) => {
        const limit = limits[scope];
        if (!limit) return [];
        const position = positionOf(limit, now);
        const used = slicesInWindow(position.slice).reduce((sum, s) => sum + (counts.get(s) ?? 0), 0);
        const blocked = (counts.get(position.slice) ?? 0) >= ceilingOf(limit, counts, position.slice);
        return [{ scope, key, used, limit: limit.count, retryAfterSeconds: blocked ? secondsUntilAllowed(limit, counts, position) : 0 }];
      });
      return standings.filter((s) => s.used > 0).sort((a, b) => b.used / b.limit - a.used / a.limit);
    },
    /** Lifts every count of one key (a username, or an address as `addressKey` writes it). */
    clear: (scope: ThrottleScope, key: string) => clearKey(db, scope, keyOf(scope, key)),
  };
}

export type Throttles = ReturnType<typeof createThrottles>;
