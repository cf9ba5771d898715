// The in-place encryption of a database written before ADR 019 (`npm run data:encrypt`) and the
// re-encryption of a key rotation (`npm run data:rotate-key`): every personal column of
// PERSONAL_COLUMNS, batch by batch in key order, each batch in one transaction. A clear value is
// encrypted with the active key; with `rotate`, a value under another key is decrypted and
// encrypted again; the look-up hashes are computed with it. A value already under the active key
// is left as it is, so a pass interrupted (a signal, a batch limit, a crash) is simply run again:
// every value ends encrypted exactly once. Given the blob store, a pass then walks the kept mail
// files the same way (file-encryption.ts): sealed in place, or re-sealed in a rotation.
import type { Kysely } from 'kysely';
import { FILE_BATCH_MAX, FILE_WALKS, filesNotUnder, sealFilesBatch, type FileStore } from './file-encryption.ts';
import { countValuesNotUnder, rewriteStoredRow, storedRowsAfter, type StoredRow } from './data-encryption-repository.ts';
import { envelopeKeyId, isSealed, type Keyring } from './data-keys.ts';
import { PERSONAL_COLUMNS } from './personal-data.ts';

/** Where a pass stopped: the next batch is of `table` (or of a files' walk, `files:<table>`), after the row key `after`. */
export interface EncryptionCursor {
  table: string;
  after: number;
}

export interface EncryptionPassOptions {
  /** Go on from where an earlier pass stopped (its `next`) instead of from the start. */
  from?: EncryptionCursor;
  /** Also re-encrypt values under keys other than the active one (a rotation). */
  rotate?: boolean;
  /** The blob store of the kept mail files: given, they are sealed (or re-sealed) too, after the columns. */
  blobs?: FileStore;
  /** Rows read per batch (500 by default). */
  batchSize?: number;
  /** Stop after this many batches (what a caller that works in slices uses). */
  maxBatches?: number;
  /** Stop between batches once aborted. */
  signal?: AbortSignal;
  /** After a batch that changed something: rows rewritten, or for a files' walk (`files:<table>`), files rewritten. */
  onBatch?: (progress: { table: string; rowsChanged: number }) => void | Promise<void>;
}

export interface EncryptionPassReport {
  /** Rows rewritten in this pass. */
  rowsChanged: number;
  /** Kept mail files sealed or re-sealed in this pass. */
  filesChanged: number;
  /** True when the pass walked every table to its end (false: stopped early; run it again). */
  complete: boolean;
  /** Where it stopped (null when complete). */
  next: EncryptionCursor | null;
}

/** The new values of a row (with its hash columns), and the stored values they replace; null when nothing changes. */
function rewriteOf(
  keyring: Keyring,
  table: string,
  row: StoredRow,
  rotate: boolean,
): { expected: Record<string, string>; values: Record<string, string | null> } | null {
  const expected: Record<string, string> = {};
  const values: Record<string, string | null> = {};
  for (const [column, hashes] of Object.entries(PERSONAL_COLUMNS[table]!)) {
    const stored = row.values[column];
    if (stored === null || stored === undefined) continue;
    let plain: string;
    if (!isSealed(stored)) plain = stored;
    else if (rotate && envelopeKeyId(stored) !== keyring.activeId) plain = keyring.open(stored);
    else continue;
    expected[column] = stored;
    values[column] = keyring.seal(plain);
    for (const h of hashes) {
      const text = h.of(plain);
      values[h.column] = text === null ? null : keyring.hash(h.kind, text);
    }
  }
  return Object.keys(values).length > 0 ? { expected, values } : null;
}

/** One walk of a pass: a table's personal columns, or the files named by a table's rows. */
interface Walk {
  name: string;
  /** One batch after the row key `after`: the last key read (null: none left), rows read, rows or files changed. */
  batch(after: number): Promise<{ last: number | null; rows: number; changed: number }>;
  limit: number;
  files: boolean;
}

export async function encryptPersonalData(
  db: Kysely<any>,
  keyring: Keyring,
  options: EncryptionPassOptions = {},
): Promise<EncryptionPassReport> {
  const raw = db.withoutPlugins();
  const batchSize = options.batchSize ?? 500;
  const rotate = options.rotate ?? false;
  const walks: Walk[] = Object.entries(PERSONAL_COLUMNS).map(([table, spec]) => ({
    name: table,
    limit: batchSize,
    files: false,
    async batch(after) {
      const rows = await storedRowsAfter(raw, table, Object.keys(spec), after, batchSize);
      const rewrites = rows.flatMap((row) => {
        const r = rewriteOf(keyring, table, row, rotate);
        return r ? [{ key: row.key, ...r }] : [];
      });
      let changed = 0;
      if (rewrites.length > 0) {
        await raw.transaction().execute(async (trx) => {
          for (const r of rewrites) if (await rewriteStoredRow(trx, table, r.key, r.expected, r.values)) changed++;
        });
      }
      return { last: rows.at(-1)?.key ?? null, rows: rows.length, changed };
    },
  }));
  const blobs = options.blobs;
  if (blobs) {
    const limit = Math.min(batchSize, FILE_BATCH_MAX);
    for (const walk of FILE_WALKS) {
      walks.push({
        name: walk.name,
        limit,
        files: true,
        batch: (after) => sealFilesBatch(raw, blobs, keyring, walk, after, limit, rotate),
      });
    }
  }
  let batches = 0;
  let rowsChanged = 0;
  let filesChanged = 0;
  const first = options.from
    ? Math.max(
        0,
        walks.findIndex((w) => w.name === options.from!.table),
      )
    : 0;
  for (const walk of walks.slice(first)) {
    let after = options.from?.table === walk.name ? options.from.after : -1;
    for (;;) {
      if (options.signal?.aborted || (options.maxBatches !== undefined && batches >= options.maxBatches)) {
        return { rowsChanged, filesChanged, complete: false, next: { table: walk.name, after } };
      }
      const done = await walk.batch(after);
      if (done.last === null) break;
      batches++;
      if (done.changed > 0) {
        if (walk.files) filesChanged += done.changed;
        else rowsChanged += done.changed;
        await options.onBatch?.({ table: walk.name, rowsChanged: done.changed });
      }
      after = done.last;
      if (done.rows < walk.limit) break;
    }
  }
  return { rowsChanged, filesChanged, complete: true, next: null };
}

/**
 * The worker's share (a job each pass): a database upgraded to encryption at rest is encrypted a
 * few batches a pass (the kept mail files after the columns), going on where the last pass stopped, until one walk reached the end —
 * then nothing (new values are encrypted as they are written). `npm run data:encrypt` does the
 * same at once.
 */
export function createBackgroundEncryption(
  db: Kysely<any>,
  keyring: Keyring,
  o: { blobs: FileStore; batchesPerPass?: number; batchSize?: number },
) {
  let cursor: EncryptionCursor | null = null;
  let done = false;
  return {
    async runOnce(): Promise<{ rowsChanged: number; filesChanged: number; done: boolean }> {
      if (done) return { rowsChanged: 0, filesChanged: 0, done };
      const pass = await encryptPersonalData(db, keyring, {
        blobs: o.blobs,
        maxBatches: o.batchesPerPass ?? 10,
        ...(o.batchSize && { batchSize: o.batchSize }),
        ...(cursor && { from: cursor }),
      });
      cursor = pass.next;
      done = pass.complete;
      return { rowsChanged: pass.rowsChanged, filesChanged: pass.filesChanged, done };
    },
  };
}

/**
 * How many stored personal values are not under the active key (0: nothing is left to encrypt or
 * rotate); with `clearOnly`, how many are not encrypted at all.
 */
export async function valuesNotUnderActiveKey(db: Kysely<any>, keyring: Keyring, o: { clearOnly?: boolean } = {}): Promise<number> {
  const raw = db.withoutPlugins();
  let n = 0;
  for (const [table, spec] of Object.entries(PERSONAL_COLUMNS)) {
    for (const column of Object.keys(spec)) n += await countValuesNotUnder(raw, table, column, o.clearOnly ? null : keyring.activeId);
  }
  return n;
}

/** How many kept mail files are not under the active key; with `clearOnly`, how many are in clear (not sealed at all). */
export function filesNotUnderActiveKey(
  db: Kysely<any>,
  keyring: Keyring,
  blobs: FileStore,
  o: { clearOnly?: boolean } = {},
): Promise<number> {
  return filesNotUnder(db, blobs, o.clearOnly ? null : keyring.activeId);
}
