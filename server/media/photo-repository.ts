// Database records of photos. The files themselves live in the photo store (photo-store.ts);
// a record says whose ticket a photo belongs to, so that an uploaded photo can be attached to
// exactly one report.
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

/**
 * 'report': a before-photo (the resident's, the inspector's of a failed item); 'rectification':
 * the unit's after-photo; 'recheck': an inspector's photo of a re-check (复查), uploaded as a
 * 'report' photo and attached under this purpose.
 */
export type PhotoPurpose = 'report' | 'rectification' | 'recheck';

export async function recordPhoto(
  db: Db,
  photo: { id: string; purpose: PhotoPurpose; width: number; height: number; sha256: string; at: string },
): Promise<void> {
  await db
    .insertInto('photos')
    .values({
      id: photo.id,
      ticket_id: null,
      purpose: photo.purpose,
      width: photo.width,
      height: photo.height,
      sha256: photo.sha256,
      uploaded_at: photo.at,
      position: null,
    })
    .execute();
}

/**
 * Attaches uploaded photos to a ticket, in the given order. Returns the ids that could not be
 * attached (unknown, of another purpose, or already attached elsewhere); attaches nothing then.
 * `uploadedAs`: the purpose they were uploaded with, when they are attached under another.
 */
export async function attachPhotos(
  db: Db,
  ticketId: number,
  ids: readonly string[],
  purpose: PhotoPurpose,
  uploadedAs: PhotoPurpose = purpose,
): Promise<string[]> {
  if (ids.length === 0) return [];
  const free = await db
    .selectFrom('photos')
    .select('id')
    .where('id', 'in', ids)
    .where('ticket_id', 'is', null)
    .where('purpose', '=', uploadedAs)
    .execute();
  const freeIds = new Set(free.map((r) => r.id));
  const missing = ids.filter((id) => !freeIds.has(id));
  if (missing.length > 0) return missing;
  for (const [position, id] of ids.entries()) {
    await db.updateTable('photos').set({ ticket_id: ticketId, position, purpose }).where('id', '=', id).execute();
  }
  return [];
}

export async function photoIdsOfTicket(db: Db, ticketId: number, purpose: PhotoPurpose): Promise<string[]> {
  const rows = await db
    .selectFrom('photos')
    .select('id')
    .where('ticket_id', '=', ticketId)
    .where('purpose', '=', purpose)
    .orderBy('position')
    .execute();
  return rows.map((r) => r.id);
}
