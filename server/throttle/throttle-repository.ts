// SQL of the throttles: read a key's counters of one window's slices, bump the current slice's counter only while
// it stays under a ceiling (one statement: `INSERT … ON CONFLICT DO UPDATE … WHERE count < ceiling
// RETURNING count`, atomic on SQLite and PostgreSQL alike), give one count back, sweep old rows.
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';

/** The counters of the given slices of one key, by slice number (missing ones are 0). */
export async function readSlices(db: Kysely<Database>, scope: string, key: string, slices: number[]): Promise<Map<number, number>> {
  const rows = await db
    .selectFrom('throttle_counts')
    .select(['bucket', 'count'])
    .where('scope', '=', scope)
    .where('key', '=', key)
    .where('bucket', '>=', Math.min(...slices))
    .where('bucket', '<=', Math.max(...slices))
    .execute();
  return new Map(rows.map((r) => [Number(r.bucket), Number(r.count)]));
}

/**
 * Adds one to the slice's counter when it is below `ceiling` (≥ 1); returns the new count, or
 * null when the counter was already at the ceiling (nothing written).
 */
export async function incrementBelow(
  db: Kysely<Database>,
  row: { scope: string; key: string; bucket: number; expiresAt: string },
  ceiling: number,
): Promise<number | null> {
  const result = await db
    .insertInto('throttle_counts')
    .values({ scope: row.scope, key: row.key, bucket: row.bucket, count: 1, expires_at: row.expiresAt })
    .onConflict((oc) =>
      oc
        .columns(['scope', 'key', 'bucket'])
        .doUpdateSet((eb) => ({ count: eb('throttle_counts.count', '+', 1) }))
        .where('throttle_counts.count', '<', ceiling),
    )
    .returning('count')
    .executeTakeFirst();
  return result ? Number(result.count) : null;
}

/** Takes back one count of a slice (an attempt that turned out not to count). */
export async function decrement(db: Kysely<Database>, scope: string, key: string, bucket: number): Promise<void> {
  await db
    .updateTable('throttle_counts')
    .set((eb) => ({ count: eb('count', '-', 1) }))
    .where('scope', '=', scope)
    .where('key', '=', key)
    .where('bucket', '=', bucket)
    .where('count', '>', 0)
    .execute();
}

/** How many rows can no longer limit anything. */
export async function countExpired(db: Kysely<Database>, now: Date): Promise<number> {
  const row = await db
    .selectFrom('throttle_counts')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('expires_at', '<=', now.toISOString())
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Rows that can no longer limit anything. */
export async function deleteExpired(db: Kysely<Database>, now: Date): Promise<number> {
  const result = await db.deleteFrom('throttle_counts').where('expires_at', '<=', now.toISOString()).executeTakeFirst();
  return Number(result.numDeletedRows);
}

export interface ThrottleRow {
  scope: string;
  key: string;
  bucket: number;
  count: number;
}

/** The counters still in force (for `npm run admin -- throttles`). */
export async function listActive(db: Kysely<Database>, now: Date, limit = 10_000): Promise<ThrottleRow[]> {
  const rows = await db
    .selectFrom('throttle_counts')
    .select(['scope', 'key', 'bucket', 'count'])
    .where('expires_at', '>', now.toISOString())
    .where('count', '>', 0)
    .orderBy('scope')
    .orderBy('key')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ scope: r.scope, key: r.key, bucket: Number(r.bucket), count: Number(r.count) }));
}

/** Forgets every count of one key in one scope (an administrator lifting a block). */
export async function clearKey(db: Kysely<Database>, scope: string, key: string): Promise<number> {
  const result = await db.deleteFrom('throttle_counts').where('scope', '=', scope).where('key', '=', key).executeTakeFirst();
  return Number(result.numDeletedRows);
}
