// The per-key turns of concurrent processMail calls: messages that share a Message-ID, content or
// sender are handled one after the other in call order, so a duplicate in the same batch gets the
// earlier outcome (never a second ticket) and the per-sender caps count as if the messages had
// come one after the other.

/** A message's place in line for its keys (createTurns). */
export interface Turn {
  /** Waits until every earlier-called message holding one of `keys` has left; at most once. */
  take(keys: readonly string[]): Promise<void>;
  /** Done (or failed): later messages waiting for this one's keys may go on. */
  leave(): void;
}

/**
 * Turns per key, in call order. A message enters when processMail is called; once its keys are
 * known it takes them — but only after every message that entered before it has taken its own
 * (or left), so that which of two duplicates goes first does not depend on which parsed faster —
 * and then waits for the earlier holders of the same keys to leave. A message only ever waits
 * for earlier ones: no deadlock.
 */
export function createTurns() {
  let lastTaken: Promise<void> = Promise.resolve();
  const holders = new Map<string, Promise<void>>();
  return {
    enter(): Turn {
      const previous = lastTaken;
      let taken!: () => void;
      lastTaken = new Promise<void>((resolve) => (taken = resolve));
      let release = () => {};
      return {
        async take(keys) {
          await previous;
          const own = [...new Set(keys)];
          let left!: () => void;
          const mine = new Promise<void>((resolve) => (left = resolve));
          const earlier: Array<Promise<void>> = [];
          for (const key of own) {
            const holder = holders.get(key);
            if (holder) earlier.push(holder);
            holders.set(key, mine);
          }
          release = () => {
            for (const key of own) if (holders.get(key) === mine) holders.delete(key);
            left();
          };
          taken();
          await Promise.all(earlier);
        },
        leave() {
          taken();
          release();
        },
      };
    },
  };
}
