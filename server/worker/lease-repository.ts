// The worker_leases table (migration 028): one row per single-reader job. Taking, renewing and
// taking over are one conditional statement each, so of two workers asking at once exactly one
// holds the lease: an insert that only succeeds when nobody ever held it, else an update that
// only matches while the row is ours or has expired.
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

/**
 * Takes the lease `name` for `holder` until `until`, or renews it when `holder` has it. True
 * when `holder` holds it now; false while another holder's lease runs.
 */
export async function takeLease(db: Db, name: string, holder: string, now: Date, until: Date): Promise<boolean> {
  const at = now.toISOString();
  const inserted = await db
    .insertInto('worker_leases')
    .values({ name, holder, acquired_at: at, expires_at: until.toISOString() })
    .onConflict((oc) => oc.column('name').doNothing())
    .executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1) return true;
  const updated = await db
    .updateTable('worker_leases')
    .set((eb) => ({
      holder,
      // A renewal keeps the time it was first taken; a takeover starts its own.
      acquired_at: eb.case().when('holder', '=', holder).then(eb.ref('acquired_at')).else(at).end(),
      expires_at: until.toISOString(),
    }))
    .where('name', '=', name)
    .where((eb) => eb.or([eb('holder', '=', holder), eb('expires_at', '<=', at)]))
    .executeTakeFirst();
  return Number(updated.numUpdatedRows) === 1;
}

/** Gives the lease up at once (a worker stopping), so another need not wait for it to expire. */
export async function dropLease(db: Db, name: string, holder: string): Promise<void> {
  await db.deleteFrom('worker_leases').where('name', '=', name).where('holder', '=', holder).execute();
}

/** Who holds the lease `name` and until when (for the log and tests); null when nobody does. */
export async function leaseHolder(db: Db, name: string, now: Date): Promise<{ holder: string; expiresAt: string } | null> {
  const row = await db
    .selectFrom('worker_leases')
    .select(['holder', 'expires_at'])
    .where('name', '=', name)
    .where('expires_at', '>', now.toISOString())
    .executeTakeFirst();
  return row ? { holder: row.holder, expiresAt: row.expires_at } : null;
}
