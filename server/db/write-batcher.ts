// Group commit for SQLite. SQLite has one writer, and each commit appends every page it changed
// to the write-ahead log: with a ticket touching a dozen table and index pages, the commit is
// most of the cost of a report (≈370 µs alone, ≈80 µs when 16 share a commit, measured here).
// Writes that arrive together are therefore run in one transaction, each inside its own
// savepoint so that one failing is rolled back alone, and every caller is answered only after
// the shared COMMIT — a report is still acknowledged only once it is durable.
// PostgreSQL has real concurrent transactions: there each write is its own transaction, and a
// write that is one statement (`runStatement`) runs without BEGIN and COMMIT — PostgreSQL makes
// every statement atomic on its own, and the two round trips were a fifth of a web report's.
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
  if (handle.dialect !== 'sqlite') return { run: (work) => db.transaction().execute(work), runStatement: (work) => work(db) };

  const maxBatch = options.maxBatch ?? 16;
  const queue: Pending[] = [];
  let flushing = false;

  async function runBatch(batch: Pending[]): Promise<Outcome[]> {
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

  async function flush(): Promise<void> {
    flushing = true;
    while (queue.length > 0) {
      const batch = queue.splice(0, maxBatch);
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

  return { run, runStatement: run };
}
