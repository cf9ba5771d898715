// The worker's housekeeping job: what would otherwise pile up, removed each pass.
// - Photos uploaded and never used: a resident who picked photos and left the form, a unit that
//   uploaded an after-photo and never saved its response. Such a photo belongs to no ticket and no
//   notice or response; after ORPHAN_PHOTO_HOURS its record and both renditions go — they are
//   personal data nobody asked us to keep. The delete re-checks those conditions in the same
//   statement, so a photo attached at that moment stays (attaching sets ticket_id where it is
//   null; whichever comes second finds nothing to do, and the form then says the photo expired).
//   The files go after the rows are committed; a file whose removal fails is logged, not retried
//   (it has no record left, so nothing shows it).
// - Staff sessions past their expiry (a signed-in user whose session expired is already refused;
//   this only removes the rows).
// - Throttle counters whose window has passed (server/throttle/): they can limit nothing any more.
// - One-time codes of the lookup by mobile number an hour past their expiry (server/phone-lookup/):
//   each row holds a number.
// - Files of the photo store (objects under media/ in the blob store, and uploads in this machine's
//   `.incoming/`) that no record explains, once STRAY_FILE_HOURS old: renditions
//   whose record was never written (the process died between writing the files and the row),
//   rendition temp files and uploads left in `.incoming/` by a crash or `kill -9` mid-upload.
//   The age is what keeps a photo being stored right now: its files are written a moment before
//   its row is committed, and an upload is ended after seconds without data. Reading the
//   folder costs a stat per photo, so it happens every STRAY_SWEEP_HOURS, not every pass.
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { PhotoStore, StoredFile } from '../media/photo-store.ts';
import type { Throttles } from '../throttle/throttles.ts';
import { sweepLookupCodes } from '../phone-lookup/phone-lookup.ts';
import { deleteExpiredSessions, deleteOrphanPhotos, recordedPhotoIds, selectOrphanPhotoIds } from './housekeeping-repository.ts';

/** How long an uploaded photo may wait to be attached: a day and a half is beyond any form left open. */
export const ORPHAN_PHOTO_HOURS = 36;
/** At most this many photos per pass (the next pass takes the rest). */
const PHOTO_BATCH = 500;
/** A file of the photo store with no record is removed once it is this old. */
export const STRAY_FILE_HOURS = 24;
/** How often the photo store's folder is read for such files (the first pass after a start does). */
export const STRAY_SWEEP_HOURS = 6;
const HOUR_MS = 3_600_000;

export interface HousekeepingResult {
  orphanPhotos: number;
  expiredSessions: number;
  expiredThrottleCounts: number;
  /** One-time codes of the lookup by number, expired over an hour ago. */
  expiredLookupCodes: number;
  /** Files of the photo store no record explains (renditions, temp files, abandoned uploads). */
  strayFiles: number;
}

export interface HousekeepingDeps {
  db: Kysely<Database>;
  photos: PhotoStore;
  throttles: Pick<Throttles, 'sweep'>;
  log?: { error(message: string, error: unknown): void };
}

export function createHousekeeping({ db, photos, throttles, log }: HousekeepingDeps) {
  async function removeOrphanPhotos(now: Date): Promise<number> {
    const cutoff = new Date(now.getTime() - ORPHAN_PHOTO_HOURS * 3_600_000).toISOString();
    const removed = await deleteOrphanPhotos(db, await selectOrphanPhotoIds(db, cutoff, PHOTO_BATCH));
    for (const id of removed) {
      await photos.remove(id).catch((error: unknown) => log?.error(`[housekeeping] could not remove the files of photo ${id}:`, error));
    }
    return removed.length;
  }

  let lastStraySweep: number | null = null;

  async function removeStrayFiles(now: Date): Promise<number> {
    if (lastStraySweep !== null && now.getTime() - lastStraySweep < STRAY_SWEEP_HOURS * HOUR_MS) return 0;
    lastStraySweep = now.getTime();
    const cutoff = new Date(now.getTime() - STRAY_FILE_HOURS * HOUR_MS);
    let removed = 0;
    const remove = async (file: StoredFile) => {
      try {
        if (await photos.removeFileOlderThan(file, cutoff)) removed++;
      } catch (error) {
        log?.error(`[housekeeping] could not remove ${file.name}:`, error);
      }
    };
    // Renditions are looked up a batch at a time; temp files have no record to look up.
    let renditions: StoredFile[] = [];
    const removeUnrecorded = async () => {
      const ids = [...new Set(renditions.map((f) => f.photoId!))];
      const recorded = await recordedPhotoIds(db, ids);
      for (const file of renditions) if (!recorded.has(file.photoId!)) await remove(file);
      renditions = [];
    };
    for await (const file of photos.files()) {
      if (file.photoId === null) await remove(file);
      else if (renditions.push(file) >= PHOTO_BATCH) await removeUnrecorded();
    }
    if (renditions.length > 0) await removeUnrecorded();
    return removed;
  }

  return {
    async runOnce(now: Date): Promise<HousekeepingResult> {
      return {
        orphanPhotos: await removeOrphanPhotos(now),
        expiredSessions: await deleteExpiredSessions(db, now.toISOString()),
        expiredThrottleCounts: await throttles.sweep(now),
        expiredLookupCodes: await sweepLookupCodes(db, now),
        strayFiles: await removeStrayFiles(now),
      };
    },
  };
}
