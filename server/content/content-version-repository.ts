// SQL of the stored content versions (migration 030): the newest version's id and hash (the
// cheap query every process polls), one version's files, and a new version — announced on
// PostgreSQL with NOTIFY on the channel content_versions, which every process LISTENs to.
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import type { Dialect } from '../db/database.ts';
import type { Database } from '../db/schema.ts';

const CHANNEL = 'content_versions';

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

/**
 * Stores a version unless the newest has the same hash (checked and written in one transaction);
 * returns the newest. On PostgreSQL the new version is announced (NOTIFY, delivered at commit).
 */
export async function addContentVersion(
  db: Kysely<Database>,
  dialect: Dialect,
  version: { hash: string; files: ReadonlyMap<string, string>; loadedAt: string; source: string },
): Promise<{ mark: ContentVersionMark; added: boolean }> {
  return db.transaction().execute(async (trx) => {
    // Two machines starting at once with the same new files store one version, not two.
    if (dialect === 'postgres') await sql`SELECT pg_advisory_xact_lock(hashtext(${CHANNEL}))`.execute(trx);
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
    if (dialect === 'postgres') await sql`SELECT pg_notify(${CHANNEL}, ${String(row.id)})`.execute(trx);
    return { mark: { id: Number(row.id), hash: version.hash }, added: true };
  });
}

/**
 * Calls `onVersion` whenever a process announces a new content version (PostgreSQL LISTEN, on a
 * connection of its own). A lost connection is reported to `onError` and not reopened: the
 * version poll still finds new versions. Returns the function that stops listening.
 */
export async function listenForContentVersions(
  databaseUrl: string,
  onVersion: () => void,
  onError: (error: Error) => void,
): Promise<() => Promise<void>> {
  const client = new pg.Client({ connectionString: databaseUrl });
  let stopped = false;
  client.on('notification', (message) => {
    if (message.channel === CHANNEL) onVersion();
  });
  client.on('error', (error) => {
    if (!stopped) onError(error);
  });
  await client.connect();
  await client.query(`LISTEN ${CHANNEL}`);
  return async () => {
    stopped = true;
    await client.end().catch(() => {});
  };
}
