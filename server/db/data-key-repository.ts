// The data keys the database knows (migration 037): their ids and key checks, so a process
// started with another key refuses to start instead of writing what nobody can read (ADR 019).
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

export interface StoredDataKey {
  id: string;
  check: string;
  retired: boolean;
}

export async function storedDataKeys(db: Kysely<Database>): Promise<StoredDataKey[]> {
  const rows = await db.selectFrom('data_keys').select(['id', 'key_check', 'retired_at']).orderBy('added_at').execute();
  return rows.map((r) => ({ id: r.id, check: r.key_check, retired: r.retired_at !== null }));
}

/** Records a key (several processes may start at once: the first one's row stays). */
export async function recordDataKey(db: Kysely<Database>, id: string, check: string, at: Date): Promise<void> {
  await db
    .insertInto('data_keys')
    .values({ id, key_check: check, added_at: at.toISOString(), retired_at: null })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
}

/** Marks keys no value uses any more (a rotation finished). */
export async function retireDataKeys(db: Kysely<Database>, ids: readonly string[], at: Date): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('data_keys')
    .set({ retired_at: at.toISOString() })
    .where('id', 'in', [...ids])
    .where('retired_at', 'is', null)
    .execute();
}
