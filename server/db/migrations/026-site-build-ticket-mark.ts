import type { Kysely } from 'kysely';

// Issue 15 item 6: the public statistics kept current. Each build records the state of the tickets
// its snapshot counted (`ticket_mark`: the newest ticket and the latest change, site-build-repository.ts),
// so the worker can tell whether the counts moved since the live build and refresh the pages that
// show them (reason 'stats', server/publish/site-publisher.ts) without rebuilding the whole site.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('site_builds').addColumn('ticket_mark', 'text').execute();
}
