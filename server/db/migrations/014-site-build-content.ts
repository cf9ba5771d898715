// What content a build of the public site read (issue 6): the office's files in CONTENT_DIR that
// the site build reads (ads and their images, site.json, points, categories), as a manifest of
// sizes and modification times (server/publish/site-content.ts), recorded on each request when
// its build is claimed. The worker compares the files with the newest manifest to rebuild the
// site when they change — also after a restart — and never twice for the same change.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('site_builds').addColumn('content_manifest', 'text').execute();
}
