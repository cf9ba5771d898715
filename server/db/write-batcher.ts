// Group commit. SQLite has one writer, and each commit appends every page it changed
// to the write-ahead log: with a ticket touching a dozen table and index pages, the commit is
// most of the cost of a report (≈370 µs alone, ≈80 µs when 16 share a commit, measured here).
// Writes that arrive together are therefore run in one transaction, each inside its own
// savepoint so that one failing is rolled back alone, and every caller is answered only after
// the shared COMMIT — a report is still acknowledged only once it is durable.
// On PostgreSQL the writes that arrive together share one transaction too, but without
// savepoints: each would cost two round trips (SAVEPOINT, RELEASE) to save the two of its own
// BEGIN and COMMIT. There a failed statement aborts the whole transaction, and a write that
// throws may have left rows in it, so when any write of a group fails the group is rolled back
// and each of its writes runs again alone, in its own transaction: the failing one fails alone,
// and no caller is answered before the commit that holds its write. A write that is one
// statement (`runStatement`) runs without BEGIN and COMMIT there: PostgreSQL makes every
// statement atomic on its own.
import type { Kysely, Transaction } from 'kysely';
import type { DatabaseHandle } from './database.ts';
import type { Database } from './schema.ts';

export type Write<T> = (trx: Transaction<Database>) => Promise<T>;

/** A write that is exactly one SQL statement. */
export type StatementWrite<T> = (db: Kysely<Database>) => Promise<T>;

export interface WriteBatcher {
  run<T>(work: Write<T>): Promise<T>;
  /** One statement: on SQLite it shares the batch's commit like `run`; on PostgreSQL it is its own implicit transaction. */
  runStatement<T>(work: StatementWrite<T>): Promise<T>;
}

interface Pending {
  work: Write<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

export function createWriteBatcher(handle: DatabaseHandle, options: { maxBatch?: number } = {}): WriteBatcher {
  const { db } = handle;
  const sqlite = handle.dialect === 'sqlite';
  const maxBatch = options.maxBatch ?? 16;
  const queue: Pending[] = [];
  let flushing = false;

  /** SQLite: one transaction, each write in its own savepoint. */
  async function savepointBatch(batch: Pending[]): Promise<Outcome[]> {
    const trx = await db.startTransaction().execute();
    const outcomes: Outcome[] = [];
    try {
      for (const item of batch) {
        const savepoint = await trx.savepoint('report').execute();
        try {
          const value = await item.work(savepoint);
          await savepoint.releaseSavepoint('report').execute();
          outcomes.push({ ok: true, value });
        } catch (error) {
          await savepoint.rollbackToSavepoint('report').execute();
          await savepoint.releaseSavepoint('report').execute();
          outcomes.push({ ok: false, error });
        }
      }
      await trx.commit().execute();
    } catch (error) {
      await trx
        .rollback()
        .execute()
        .catch(() => {});
      throw error;
    }
    return outcomes;
  }

  /**
   * PostgreSQL: one transaction for the group. When a write fails, the group is rolled back and
   * each write runs again alone; when the COMMIT fails every caller gets the error, as on SQLite
   * (whether it committed is then unknown, so nothing is run a second time).
   */
  async function groupBatch(batch: Pending[]): Promise<Outcome[]> {
    if (batch.length === 1) return [await alone(batch[0]!)];
    const trx = await db.startTransaction().execute();
    const values: unknown[] = [];
    try {
      for (const item of batch) values.push(await item.work(trx));
    } catch {
      await trx
        .rollback()
        .execute()
        .catch(() => {});
      return Promise.all(batch.map(alone));
    }
    await trx.commit().execute();
    return values.map((value) => ({ ok: true, value }));
  }

  function alone(item: Pending): Promise<Outcome> {
    return db
      .transaction()
      .execute(item.work)
      .then(
        (value): Outcome => ({ ok: true, value }),
        (error: unknown): Outcome => ({ ok: false, error }),
      );
  }

  const runBatch = sqlite ? savepointBatch : groupBatch;

  async function settle(batch: Pending[]): Promise<void> {
    try {
      const outcomes = await runBatch(batch);
      batch.forEach((item, i) => {
        const outcome = outcomes[i]!;
        if (outcome.ok) item.resolve(outcome.value);
        else item.reject(outcome.error);
      });
    } catch (error) {
      for (const item of batch) item.reject(error);
    }
  }

  async function flush(): Promise<void> {
    flushing = true;
    while (queue.length > 0) {
      const batch = queue.splice(0, maxBatch);
      // SQLite has one writer: one batch at a time. PostgreSQL's groups run side by side, each on
      // a connection of the pool.
      if (sqlite) await settle(batch);
      else void settle(batch);
    }
    flushing = false;
  }

  function run<T>(work: Write<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      queue.push({ work, resolve: resolve as (v: unknown) => void, reject });
      // Let the requests that arrived in the same turn of the event loop join this batch.
      if (!flushing) {
        flushing = true;
        setImmediate(() => void flush());
      }
    });
  }

  return { run, runStatement: sqlite ? run : (work) => work(db) };
}
