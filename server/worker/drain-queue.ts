// Drains a queue the way the outboxes need it (issue 16 item 5): claims a batch at a time for
// this worker (the claim is what keeps two workers off one item), hands the items to at most
// `concurrency` handlers at once — so one slow answer (an SMTP server taking its time) holds up
// one lane, not the rest — and claims the next batch when the claimed ones run out, until the
// queue is empty or `maxItems` were taken, so a pass always ends.

export interface DrainOptions<T> {
  /** Claims up to `limit` due items for this worker; an empty list when none are left. */
  claim(limit: number): Promise<T[]>;
  /** Handles one claimed item (records its outcome itself). */
  handle(item: T): Promise<void>;
  /** Items handled at once, at most. */
  concurrency: number;
  /** Items taken in one pass, at most. */
  maxItems: number;
  /** Items claimed at once. */
  batchSize: number;
}

/** Handles every item it claims; answers how many. Throws after the pass when a handler or a claim failed. */
export async function drainQueue<T>(options: DrainOptions<T>): Promise<number> {
  const { claim, handle } = options;
  const concurrency = Math.max(1, options.concurrency);
  const maxItems = Math.max(0, options.maxItems);
  const batchSize = Math.max(1, options.batchSize);
  const buffer: T[] = [];
  const failures: unknown[] = [];
  let claimed = 0;
  let handled = 0;
  let exhausted = false;
  let refilling: Promise<void> | null = null;

  async function refill(): Promise<void> {
    const want = Math.min(batchSize, maxItems - claimed);
    if (want <= 0) {
      exhausted = true;
      return;
    }
    try {
      const items = await claim(want);
      claimed += items.length;
      if (items.length === 0) exhausted = true;
      buffer.push(...items);
    } catch (error) {
      exhausted = true;
      failures.push(error);
    }
  }

  async function next(): Promise<T | undefined> {
    for (;;) {
      if (buffer.length > 0) return buffer.shift();
      if (exhausted) return undefined;
      refilling ??= refill().finally(() => {
        refilling = null;
      });
      await refilling;
    }
  }

  async function lane(): Promise<void> {
    for (let item = await next(); item !== undefined; item = await next()) {
      try {
        await handle(item);
        handled++;
      } catch (error) {
        // The item's claim runs out and it is due again; the others go on.
        failures.push(error);
      }
    }
  }

  await Promise.all(Array.from({ length: concurrency }, () => lane()));
  if (failures.length > 0) {
    const first = failures[0] instanceof Error ? failures[0].message : String(failures[0]);
    throw new AggregateError(failures, `${failures.length} item(s) failed (tried again later): ${first}`);
  }
  return handled;
}
