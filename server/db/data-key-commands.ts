// What `npm run data:encrypt` and `npm run data:rotate-key` do (ADR 019), for the command line
// and the tests alike. Both are resumable: run again after an interruption, they go on. Both walk
// the kept mail files of the blob store too (file-encryption.ts), after the columns.
import { readKeyFile, writeKeyFile } from './data-key-file.ts';
import { retireDataKeys, storedDataKeys } from './data-key-repository.ts';
import { openDataKeys } from './data-key-setup.ts';
import { newDataKey, type DataCipher } from './data-keys.ts';
import { encryptPersonalData, filesNotUnderActiveKey, valuesNotUnderActiveKey, type EncryptionPassOptions } from './data-encryption.ts';
import type { FileStore } from './file-encryption.ts';
import type { DatabaseHandle } from './database.ts';

export interface DataKeyCommandReport {
  activeKey: string;
  rowsChanged: number;
  /** Kept mail files sealed or re-sealed. */
  filesChanged: number;
  /** Stored values not under the active key after the pass (0 when complete). */
  valuesLeft: number;
  /** Kept mail files not under the active key after the pass (0 when complete). */
  filesLeft: number;
  complete: boolean;
  /** Keys a finished rotation dropped from the key file. */
  dropped: string[];
  /** A key this run added to the key file (a rotation's first run). */
  added: string | null;
}

type PassOptions = Omit<EncryptionPassOptions, 'rotate' | 'blobs'>;

/** Encrypts every clear value in place, and seals every clear kept mail file in `blobs`, with the active key of `keyFile`. */
export async function encryptInPlace(
  database: DatabaseHandle,
  blobs: FileStore,
  keyFile: string,
  options: PassOptions = {},
): Promise<DataKeyCommandReport> {
  const keyring = await openDataKeys(database, { file: keyFile, dataDir: '' });
  const pass = await encryptPersonalData(database.db, keyring, { ...options, blobs });
  // Values under an older key are a rotation's business: here only clear ones count.
  const clear = await valuesNotUnderActiveKey(database.db, keyring, { clearOnly: true });
  const clearFiles = await filesNotUnderActiveKey(database.db, keyring, blobs, { clearOnly: true });
  return {
    activeKey: keyring.activeId,
    rowsChanged: pass.rowsChanged,
    filesChanged: pass.filesChanged,
    valuesLeft: clear,
    filesLeft: clearFiles,
    complete: pass.complete && clear === 0 && clearFiles === 0,
    dropped: [],
    added: null,
  };
}

/**
 * A new active key (`cipher`) first in `keyFile`, unless an interrupted rotation already put one
 * there; every value re-encrypted under it and its hashes recomputed; once nothing is left under
 * the older keys — no value, and no kept mail file of `blobs` — they are retired in the database
 * and dropped from the file.
 */
export async function rotateDataKey(
  database: DatabaseHandle,
  blobs: FileStore,
  keyFile: string,
  cipher: DataCipher,
  options: PassOptions & { now?: () => Date } = {},
): Promise<DataKeyCommandReport> {
  const keys = readKeyFile(keyFile);
  const stored = await storedDataKeys(database.db);
  const underWay = keys.length > 1 && stored.some((s) => s.id === keys[0]!.id && !s.retired);
  let added: string | null = null;
  if (!underWay) {
    const fresh = newDataKey(cipher, options.now?.());
    writeKeyFile(keyFile, [fresh, ...keys]);
    added = fresh.id;
  }
  const keyring = await openDataKeys(database, { file: keyFile, dataDir: '', ...(options.now && { now: options.now }) });
  const pass = await encryptPersonalData(database.db, keyring, { ...options, rotate: true, blobs });
  const left = await valuesNotUnderActiveKey(database.db, keyring);
  // A file still sealed under an old key (or one the walk could not reach) keeps that key in the file.
  const filesLeft = await filesNotUnderActiveKey(database.db, keyring, blobs);
  const complete = pass.complete && left === 0 && filesLeft === 0;
  let dropped: string[] = [];
  if (complete) {
    dropped = keyring.ids.filter((id) => id !== keyring.activeId);
    await retireDataKeys(database.db, dropped, options.now?.() ?? new Date());
    writeKeyFile(
      keyFile,
      readKeyFile(keyFile).filter((k) => k.id === keyring.activeId),
    );
  }
  return {
    activeKey: keyring.activeId,
    rowsChanged: pass.rowsChanged,
    filesChanged: pass.filesChanged,
    valuesLeft: left,
    filesLeft,
    complete,
    dropped,
    added,
  };
}
