// The kept mail files' share of the in-place encryption and of a key rotation (ADR 019): the
// files named by mail_messages (raw_path, attachments) and ticket_messages (attachments), walked
// row batch by row batch in id order like the columns, each file sealed in place under its own
// key name (sealed-files.ts). A file already under the active key is left as it is, so a pass
// interrupted is simply run again.
import type { Kysely } from 'kysely';
import { fileNamedByAMail, storedRowsAfter, type StoredRow } from './data-encryption-repository.ts';
import type { Keyring } from './data-keys.ts';
import { sealStoredFile, storedFileKeyId } from './sealed-files.ts';
import { isBlobKey, type BlobStore } from '../storage/blob-store.ts';

export type FileStore = Pick<BlobStore, 'get' | 'put' | 'delete'>;

/** The rows naming kept files: the cursor's name of each walk, its table and the columns naming files. */
export const FILE_WALKS = [
  { name: 'files:mail_messages', table: 'mail_messages', columns: ['raw_path', 'attachments'] },
  { name: 'files:ticket_messages', table: 'ticket_messages', columns: ['attachments'] },
] as const;

/** Rows read per batch of the files' walk at most: each row may name several files read whole. */
export const FILE_BATCH_MAX = 100;

/** The kept mail files a row names (its raw message, its attachments' `path`). */
function filesNamedBy(row: StoredRow): string[] {
  const out: string[] = [];
  const rawPath = row.values['raw_path'];
  if (rawPath) out.push(rawPath);
  const list = row.values['attachments'];
  if (list) {
    try {
      const parsed: unknown = JSON.parse(list);
      if (Array.isArray(parsed)) {
        for (const a of parsed) if (a && typeof (a as { path?: unknown }).path === 'string') out.push((a as { path: string }).path);
      }
    } catch {
      // A list that is not JSON names no file.
    }
  }
  // Only our own mail files: a path of anything else names nothing this walk may rewrite.
  return out.filter((k) => isBlobKey(k) && (k.startsWith('mail-raw/') || k.startsWith('mail-attachments/')));
}

/**
 * One batch of a files' walk: the files named by up to `limit` rows after `after`, sealed (or,
 * with `rotate`, re-sealed under the active key). Returns the last row key read (null: no rows
 * left), how many rows were read and how many files were rewritten.
 */
export async function sealFilesBatch(
  raw: Kysely<any>,
  blobs: FileStore,
  keyring: Keyring,
  walk: (typeof FILE_WALKS)[number],
  after: number,
  limit: number,
  rotate: boolean,
): Promise<{ last: number | null; rows: number; changed: number }> {
  const rows = await storedRowsAfter(raw, walk.table, walk.columns, after, limit);
  let changed = 0;
  for (const key of new Set(rows.flatMap(filesNamedBy))) {
    let outcome;
    try {
      outcome = await sealStoredFile(blobs, keyring, key, rotate);
    } catch (error) {
      throw new Error(`${key}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    if (outcome !== 'sealed') continue;
    changed++;
    // The purge may have removed the file (and its rows) between the read and the write: the
    // write must not bring a purged mail back.
    if (!(await fileNamedByAMail(raw, key))) await blobs.delete(key);
  }
  return { last: rows.at(-1)?.key ?? null, rows: rows.length, changed };
}

/** How many kept mail files are not under `keyId` (clear ones included); with null, how many are in clear. */
export async function filesNotUnder(db: Kysely<any>, blobs: Pick<BlobStore, 'get'>, keyId: string | null): Promise<number> {
  const raw = db.withoutPlugins();
  const seen = new Set<string>();
  let n = 0;
  for (const walk of FILE_WALKS) {
    let after = -1;
    for (;;) {
      const rows = await storedRowsAfter(raw, walk.table, walk.columns, after, 1000);
      for (const key of rows.flatMap(filesNamedBy)) {
        if (seen.has(key)) continue;
        seen.add(key);
        const id = await storedFileKeyId(blobs, key);
        if (id === undefined) continue;
        if (keyId === null ? id === null : id !== keyId) n++;
      }
      if (rows.length < 1000) break;
      after = rows.at(-1)!.key;
    }
  }
  return n;
}
