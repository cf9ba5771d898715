// A sliding-window counter per key, in memory. Enough for one web process; with several web
// processes each keeps its own window, which multiplies the allowance by the number of
// processes — acceptable for throttling guesses, documented in docs/operations.md.
import type { Clock } from './clock.ts';

export interface RateLimiter {
  /** Records one hit for `key`; returns 0 when allowed, else the seconds until the next is. */
  hit(key: string): number;
  /** Seconds until `key` may hit again without recording anything (0 when it may). */
  peek(key: string): number;
}

export function createRateLimiter(options: { limit: number; windowMs: number; clock: Clock; maxKeys?: number }): RateLimiter {
  const { limit, windowMs, clock } = options;
  const maxKeys = options.maxKeys ?? 100_000;
  const hits = new Map<string, number[]>();

  function recent(key: string, now: number): number[] {
    const list = (hits.get(key) ?? []).filter((t) => now - t < windowMs);
    if (list.length === 0) hits.delete(key);
    else hits.set(key, list);
    return list;
  }
  function wait(list: number[], now: number): number {
    return list.length < limit ? 0 : Math.max(1, Math.ceil((list[0]! + windowMs - now) / 1000));
  }

  return {
    peek(key) {
      const now = clock.now().getTime();
      return wait(recent(key, now), now);
    },
    hit(key) {
      const now = clock.now().getTime();
      const list = recent(key, now);
      const retry = wait(list, now);
      if (retry > 0) return retry;
      if (!hits.has(key) && hits.size >= maxKeys) hits.delete(hits.keys().next().value!);
      list.push(now);
      hits.set(key, list);
      return 0;
    },
  };
}
