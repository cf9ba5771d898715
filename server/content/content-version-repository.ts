// SQL of the stored content versions (migration 030): the newest version's id and hash (the
// cheap query every process polls), one version's files, and a new version.
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';

export interface ContentVersionMark {
  id: number;
  hash: string;
}

export interface StoredContentVersion extends ContentVersionMark {
  files: Map<string, string>;
  loadedAt: string;
  source: string;
}

/** The newest version's id and hash; null before any was stored. */
export async function newestContentVersion(db: Kysely<Database>): Promise<ContentVersionMark | null> {
  const row = await db.selectFrom('content_versions').select(['id', 'hash']).orderBy('id', 'desc').limit(1).executeTakeFirst();
  return row ? { id: Number(row.id), hash: row.hash } : null;
}

export async function readContentVersion(db: Kysely<Database>, id: number): Promise<StoredContentVersion | null> {
  const row = await db
    .selectFrom('content_versions')
    .select(['id', 'hash', 'files', 'loaded_at', 'source'])
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) return null;
  const files = new Map(Object.entries(JSON.parse(row.files) as Record<string, string>));
  return { id: Number(row.id), hash: row.hash, files, loadedAt: row.loaded_at, source: row.source };
}

/** Stores a version unless the newest has the same hash (checked and written in one transaction); returns the newest. */
export async function addContentVersion(
  db: Kysely<Database>,
  version: { hash: string; files: ReadonlyMap<string, string>; loadedAt: string; source: string },
): Promise<{ mark: ContentVersionMark; added: boolean }> {
  return db.transaction().execute(async (trx) => {
    const newest = await newestContentVersion(trx);
    if (newest?.hash === version.hash) return { mark: newest, added: false };
    const row = await trx
      .insertInto('content_versions')
      .values({
        hash: version.hash,
        files: JSON.stringify(Object.fromEntries([...version.files].sort(([a], [b]) => (a < b ? -1 : 1)))),
        loaded_at: version.loadedAt,
        source: version.source,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { mark: { id: Number(row.id), hash: version.hash }, added: true };
  });
}
