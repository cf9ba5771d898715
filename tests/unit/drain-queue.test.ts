// drainQueue (server/worker/drain-queue.ts): claims in batches until the queue is empty or the
// pass's maximum is reached, with at most `concurrency` handlers running, and a failing item
// holds back none of the others.
import { describe, expect, it } from 'vitest';
import { drainQueue } from '../../server/worker/drain-queue.ts';

/** A queue of `n` numbered items, handed out in claims of at most the asked size. */
function queue(n: number) {
  const items = Array.from({ length: n }, (_, i) => i);
  const claims: number[] = [];
  return {
    claims,
    claim: async (limit: number) => {
      claims.push(limit);
      return items.splice(0, limit);
    },
    left: () => items.length,
  };
}

describe('drainQueue', () => {
  it('handles every item, never more than `concurrency` at once, claiming a batch when the last one runs out', async () => {
    const q = queue(23);
    let inFlight = 0;
    let most = 0;
    const handled: number[] = [];
    const n = await drainQueue({
      claim: q.claim,
      handle: async (item) => {
        inFlight++;
        most = Math.max(most, inFlight);
        await new Promise((resolve) => setImmediate(resolve));
        inFlight--;
        handled.push(item);
      },
      concurrency: 3,
      maxItems: 100,
      batchSize: 5,
    });
    expect(n).toBe(23);
    expect([...handled].sort((a, b) => a - b)).toEqual(Array.from({ length: 23 }, (_, i) => i));
    expect(most).toBe(3);
    // Five full batches, the last partial one, and the empty answer that ends the pass.
    expect(q.claims).toEqual([5, 5, 5, 5, 5, 5]);
  });

  it('takes at most `maxItems` in a pass, asking for no more than it may take', async () => {
    const q = queue(50);
    const n = await drainQueue({ claim: q.claim, handle: async () => {}, concurrency: 4, maxItems: 12, batchSize: 5 });
    expect(n).toBe(12);
    expect(q.claims).toEqual([5, 5, 2]);
    expect(q.left()).toBe(38);
  });

  it('goes on past a failing item and reports the failures after the pass', async () => {
    const q = queue(10);
    const handled: number[] = [];
    const pass = drainQueue({
      claim: q.claim,
      handle: async (item) => {
        if (item === 3 || item === 7) throw new Error(`item ${item} broke`);
        handled.push(item);
      },
      concurrency: 2,
      maxItems: 100,
      batchSize: 4,
    });
    await expect(pass).rejects.toThrow(/2 item\(s\) failed.*item 3 broke/);
    expect(handled).toHaveLength(8);
  });
});
