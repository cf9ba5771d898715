import type { Kysely } from 'kysely';

// Issue 16 item 2: the public site without a shared disk. A live build's files are in the blob
// store, and `manifest_key` names the manifest (server/publish/site-store.ts) that maps its URL
// paths to them; every web process follows the newest live row's key. It changes once more when
// an incremental build's search index is made after the build went live.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('site_builds').addColumn('manifest_key', 'text').execute();
  await db.schema.createIndex('site_builds_live_idx').on('site_builds').columns(['status', 'id']).execute();
}
