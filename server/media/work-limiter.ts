// A small in-process semaphore with a bounded queue. Photo decoding is the one CPU- and
// memory-heavy thing the web process does; without a bound, twenty residents uploading at once
// would start twenty libvips pipelines, oversubscribe the two cores, fill libuv's four-thread
// pool (starving file I/O) and hold twenty decode buffers. With it, at most `concurrency` run
// and at most `maxQueued` wait; beyond that the upload is refused at once with "try again in a
// few seconds" rather than held (each waiting upload keeps its bytes in memory).
import { TooManyRequestsError } from '../errors.ts';

export interface WorkLimiter {
  /** Runs `task` when a slot is free; throws TooManyRequestsError when the queue is full. */
  run<T>(task: () => Promise<T>): Promise<T>;
  readonly active: number;
  readonly queued: number;
}

export const BUSY_MESSAGE = '现在上传照片的人较多，请稍等几秒后重新上传这张照片。';

export function createWorkLimiter(options: { concurrency: number; maxQueued: number; retryAfterSeconds?: number }): WorkLimiter {
  const { concurrency, maxQueued, retryAfterSeconds = 5 } = options;
  if (!(concurrency >= 1)) throw new RangeError('concurrency must be at least 1');
  let active = 0;
  const waiting: Array<() => void> = [];

  const release = () => {
    const next = waiting.shift();
    if (next)
      next(); // hand the slot over directly: `active` stays the same
    else active--;
  };

  return {
    get active() {
      return active;
    },
    get queued() {
      return waiting.length;
    },
    async run<T>(task: () => Promise<T>): Promise<T> {
      if (active < concurrency) {
        active++;
      } else {
        if (waiting.length >= maxQueued) throw new TooManyRequestsError(BUSY_MESSAGE, retryAfterSeconds);
        await new Promise<void>((resolve) => waiting.push(resolve));
      }
      try {
        return await task();
      } finally {
        release();
      }
    },
  };
}
