// What `npm run data:encrypt` and `npm run data:rotate-key` do (ADR 019), for the command line
// and the tests alike. Both are resumable: run again after an interruption, they go on.
import { readKeyFile, writeKeyFile } from './data-key-file.ts';
import { retireDataKeys, storedDataKeys } from './data-key-repository.ts';
import { openDataKeys } from './data-key-setup.ts';
import { newDataKey, type DataCipher } from './data-keys.ts';
import { encryptPersonalData, valuesNotUnderActiveKey, type EncryptionPassOptions } from './data-encryption.ts';
import type { DatabaseHandle } from './database.ts';

export interface DataKeyCommandReport {
  activeKey: string;
  rowsChanged: number;
  /** Stored values not under the active key after the pass (0 when complete). */
  valuesLeft: number;
  complete: boolean;
  /** Keys a finished rotation dropped from the key file. */
  dropped: string[];
  /** A key this run added to the key file (a rotation's first run). */
  added: string | null;
}

type PassOptions = Omit<EncryptionPassOptions, 'rotate'>;

/** Encrypts every clear value in place with the active key of `keyFile`. */
export async function encryptInPlace(database: DatabaseHandle, keyFile: string, options: PassOptions = {}): Promise<DataKeyCommandReport> {
  const keyring = await openDataKeys(database, { file: keyFile, dataDir: '' });
  const pass = await encryptPersonalData(database.db, keyring, options);
  // Values under an older key are a rotation's business: here only clear ones count.
  const clear = await valuesNotUnderActiveKey(database.db, keyring, { clearOnly: true });
  return {
    activeKey: keyring.activeId,
    rowsChanged: pass.rowsChanged,
    valuesLeft: clear,
    complete: pass.complete && clear === 0,
    dropped: [],
    added: null,
  };
}

/**
 * A new active key (`cipher`) first in `keyFile`, unless an interrupted rotation already put one
 * there; every value re-encrypted under it and its hashes recomputed; once nothing is left under
 * the older keys, they are retired in the database and dropped from the file.
 */
export async function rotateDataKey(
  database: DatabaseHandle,
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
  const pass = await encryptPersonalData(database.db, keyring, { ...options, rotate: true });
  const left = await valuesNotUnderActiveKey(database.db, keyring);
  const complete = pass.complete && left === 0;
  let dropped: string[] = [];
  if (complete) {
    dropped = keyring.ids.filter((id) => id !== keyring.activeId);
    await retireDataKeys(database.db, dropped, options.now?.() ?? new Date());
    writeKeyFile(
      keyFile,
      readKeyFile(keyFile).filter((k) => k.id === keyring.activeId),
    );
  }
  return { activeKey: keyring.activeId, rowsChanged: pass.rowsChanged, valuesLeft: left, complete, dropped, added };
}
