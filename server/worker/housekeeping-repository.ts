// What the housekeeping job (housekeeping.ts) removes from the database: photos never attached
// to anything, and staff sessions past their expiry. Ids and counts out (DESIGN rule 4).
import type { ExpressionBuilder, Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';

/** The photo is on no notice and no response (drafts included). */
function onNoNoticeOrResponse({ not, exists, selectFrom }: ExpressionBuilder<Database, 'photos'>) {
  return not(exists(selectFrom('notice_photos').select('notice_photos.photo_id').whereRef('notice_photos.photo_id', '=', 'photos.id')));
}

/** Photos uploaded before `cutoff` that belong to no ticket, notice or response: at most `limit`. */
export async function selectOrphanPhotoIds(db: Kysely<Database>, cutoff: string, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('photos')
    .select('id')
    .where('ticket_id', 'is', null)
    .where('uploaded_at', '<', cutoff)
    .where(onNoNoticeOrResponse)
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}

/**
 * Deletes those of the photos still orphaned, re-checked in the same statement (a photo attached
 * meanwhile stays); answers the ids deleted.
 */
export async function deleteOrphanPhotos(db: Kysely<Database>, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .deleteFrom('photos')
    .where('id', 'in', [...ids])
    .where('ticket_id', 'is', null)
    .where(onNoNoticeOrResponse)
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}

/** Which of these photo ids have a record. */
export async function recordedPhotoIds(db: Kysely<Database>, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db
    .selectFrom('photos')
    .select('id')
    .where('id', 'in', [...ids])
    .execute();
  return new Set(rows.map((r) => r.id));
}

/** Deletes the sessions expired by `now`; answers how many. */
export async function deleteExpiredSessions(db: Kysely<Database>, now: string): Promise<number> {
  const result = await db.deleteFrom('sessions').where('expires_at', '<=', now).executeTakeFirst();
  return Number(result.numDeletedRows);
}
