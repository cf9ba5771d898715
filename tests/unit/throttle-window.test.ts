// The sliding window's arithmetic, the key of a client address, and the address behind our own
// proxies (TRUST_PROXY hops).
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { clientAddress } from '../../server/http/request.ts';
import {
  ceilingOf,
  formatLimit,
  parseLimit,
  positionOf,
  secondsUntilAllowed,
  SLICES,
  slicesInWindow,
} from '../../server/throttle/sliding-window.ts';
import { addressKey, waitText } from '../../server/throttle/throttles.ts';

const TEN_MINUTES = { count: 20, windowMs: 600_000 };
const SLICE = TEN_MINUTES.windowMs / SLICES;

function allows(limit: typeof TEN_MINUTES, counts: Map<number, number>, at: number): boolean {
  const position = positionOf(limit, at);
  return (counts.get(position.slice) ?? 0) < ceilingOf(limit, counts, position.slice);
}

/** Simulates a client acting `at` the given times (ms), one action each if allowed; returns the allowed ones. */
function simulate(limit: typeof TEN_MINUTES, times: number[]): number[] {
  const counts = new Map<number, number>();
  const allowed: number[] = [];
  for (const at of times) {
    const position = positionOf(limit, at);
    if ((counts.get(position.slice) ?? 0) < ceilingOf(limit, counts, position.slice)) {
      counts.set(position.slice, (counts.get(position.slice) ?? 0) + 1);
      allowed.push(at);
    }
  }
  return allowed;
}

describe('sliding window', () => {
  it('never lets more than the limit through in any window, however the attempts fall', () => {
    const times = Array.from({ length: 5000 }, (_, i) => 1_000_000_000 + i * 997);
    const allowed = simulate(TEN_MINUTES, times);
    for (const start of allowed) {
      expect(allowed.filter((t) => t >= start && t < start + TEN_MINUTES.windowMs).length).toBeLessThanOrEqual(20);
    }
    // …and lets close to the limit through over time (a steady client is not starved).
    expect(allowed.length).toBeGreaterThanOrEqual(Math.floor((5000 * 997) / (TEN_MINUTES.windowMs + SLICE)) * 20);
  });

  it('blocks a burst until the window has passed, and at most a slice longer', () => {
    const start = 1_000_000_000 + 123_456;
    const burst = Array.from({ length: 20 }, () => start);
    const counts = new Map<number, number>();
    for (const at of burst) {
      const p = positionOf(TEN_MINUTES, at);
      counts.set(p.slice, (counts.get(p.slice) ?? 0) + 1);
    }
    const position = positionOf(TEN_MINUTES, start + 1000);
    expect(allows(TEN_MINUTES, counts, start + 1000)).toBe(false);
    const wait = secondsUntilAllowed(TEN_MINUTES, counts, position) * 1000;
    expect(wait).toBeGreaterThanOrEqual(TEN_MINUTES.windowMs - 1000);
    expect(wait).toBeLessThanOrEqual(TEN_MINUTES.windowMs + SLICE);
    // And it is right: allowed then, not a second before.
    expect(allows(TEN_MINUTES, counts, start + 1000 + wait)).toBe(true);
    expect(allows(TEN_MINUTES, counts, start + wait - 1000)).toBe(false);
  });

  it('reads the slices of one window', () => {
    expect(slicesInWindow(100)).toEqual([90, 91, 92, 93, 94, 95, 96, 97, 98, 99, 100]);
  });

  it('reads and writes limits as COUNT/WINDOW', () => {
    expect(parseLimit('20/10m')).toEqual({ count: 20, windowMs: 600_000 });
    expect(parseLimit(' 5 / 15m ')).toEqual({ count: 5, windowMs: 900_000 });
    expect(parseLimit('1000/1h')).toEqual({ count: 1000, windowMs: 3_600_000 });
    for (const bad of ['20', '20/10', '0/10m', '20/5s', '20/8d', 'x/10m', '-1/10m']) expect(parseLimit(bad)).toBeNull();
    expect(formatLimit({ count: 20, windowMs: 600_000 })).toBe('20/10m');
    expect(formatLimit({ count: 3, windowMs: 86_400_000 })).toBe('3/1d');
    expect(waitText(40)).toBe('40秒');
    expect(waitText(61)).toBe('2分钟');
  });
});

describe('client addresses', () => {
  it('keys IPv4 as it is (also IPv4-mapped) and IPv6 by its /64', () => {
    expect(addressKey('198.51.100.7')).toBe('198.51.100.7');
    expect(addressKey('::ffff:198.51.100.7')).toBe('198.51.100.7');
    expect(addressKey('2001:db8:aa:bb:1:2:3:4')).toBe('2001:db8:aa:bb::/64');
    expect(addressKey('2001:0db8:00aa:00bb::9')).toBe('2001:db8:aa:bb::/64');
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
  });

  function request(peer: string, forwardedFor?: string): IncomingMessage {
    return {
      socket: { remoteAddress: peer },
      headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
    } as unknown as IncomingMessage;
  }

  it('takes the socket peer without TRUST_PROXY, whatever X-Forwarded-For says', () => {
    expect(clientAddress(request('203.0.113.5', '198.51.100.1'), 0)).toBe('203.0.113.5');
  });

  it('behind N proxies of ours takes the N-th entry from the right, never what the client wrote further left', () => {
    // nginx appends the address it was connected from: "what the client wrote, the client".
    expect(clientAddress(request('127.0.0.1', 'spoofed, 198.51.100.1'), 1)).toBe('198.51.100.1');
    expect(clientAddress(request('127.0.0.1', '198.51.100.1'), 1)).toBe('198.51.100.1');
    expect(clientAddress(request('127.0.0.1', 'a, b,198.51.100.1 '), 1)).toBe('198.51.100.1');
    // A load balancer, then nginx: the balancer's own entry is the second from the right.
    expect(clientAddress(request('10.0.0.2', 'spoofed, 198.51.100.1, 10.0.0.1'), 2)).toBe('198.51.100.1');
    // Fewer entries than proxies (a request that reached nginx directly): the left-most there is.
    expect(clientAddress(request('127.0.0.1'), 1)).toBe('127.0.0.1');
    expect(clientAddress(request('10.0.0.2', '198.51.100.1'), 3)).toBe('198.51.100.1');
  });
});
