// The text a screen reader reads for a photo shown with an exposure notice or a response
// (e.g. "整改前：西关市场东门口垃圾"), written by the office or the unit (issue 6; the public
// snapshot's photo.alt). Migration 011 had no place for it.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('notice_photos').addColumn('alt', 'text').execute();
}
