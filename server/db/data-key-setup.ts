// At start: the key file found (DATA_KEY, or made under DATA_DIR on the embedded default), checked
// against the keys the database was encrypted with, and installed on the database handle
// (ADR 019). A wrong key, or a missing one while the database holds encrypted data, stops the
// start with a message saying what to do; a new key is never made when encrypted data exists.
import fs from 'node:fs';
import { createKeyFile, defaultKeyFile, readKeyFile } from './data-key-file.ts';
import { recordDataKey, storedDataKeys } from './data-key-repository.ts';
import { createKeyring, DataKeyError, type DataCipher, type DataKey, type Keyring } from './data-keys.ts';
import { PersonalDataPlugin } from './personal-data.ts';
import type { DatabaseHandle } from './database.ts';
import { log } from '../observability/log.ts';

export interface DataKeyOptions {
  /** DATA_KEY: the key file; required with PostgreSQL. */
  file?: string | undefined;
  /** DATA_CIPHER: the algorithm of a key made here (aes-256-gcm by default). */
  cipher?: DataCipher | undefined;
  dataDir: string;
  /** Where the new key's notice goes (the portal's log). */
  log?: { warn(message: string): void };
  now?: () => Date;
}

function keysOf(database: DatabaseHandle, options: DataKeyOptions, storedIds: readonly string[]): { file: string; keys: DataKey[] } {
  if (options.file) return { file: options.file, keys: readKeyFile(options.file) };
  if (database.dialect === 'postgres') {
    throw new DataKeyError(
      'DATA_KEY must name the data key file when the database is PostgreSQL: every process (web and worker, on every machine) needs the same key. Make one with `npm run data:new-key -- FILE`, copy it to each machine, and set DATA_KEY=FILE.',
    );
  }
  const file = defaultKeyFile(options.dataDir);
  if (fs.existsSync(file)) return { file, keys: readKeyFile(file) };
  if (storedIds.length > 0) {
    throw new DataKeyError(
      `The database holds personal data encrypted with key ${storedIds.join(', ')}, but DATA_KEY is not set and ${file} does not exist. Put your copy of the key file there (or set DATA_KEY to it); a new key would not read the data.`,
    );
  }
  let keys: DataKey[];
  try {
    keys = createKeyFile(file, options.cipher ?? 'aes-256-gcm', options.now?.());
  } catch (error) {
    // Another process of this DATA_DIR made it since the check above (the web and the worker
    // started together on an empty one): use that key, never one of our own beside it.
    if (!(error instanceof DataKeyError) || !fs.existsSync(file)) throw error;
    return { file, keys: readKeyFile(file) };
  }
  (options.log ?? log).warn(
    `已生成个人信息加密密钥 / a new data key was made at ${file} (mode 0600). Keep a copy of it elsewhere, apart from the backups: without it the personal data in the database and in every backup cannot be read.`,
  );
  return { file, keys };
}

/** The keyring of this process, checked against the database (and the active key recorded in it). */
export async function openDataKeys(database: DatabaseHandle, options: DataKeyOptions): Promise<Keyring> {
  const stored = await storedDataKeys(database.db);
  const { file, keys } = keysOf(
    database,
    options,
    stored.filter((s) => !s.retired).map((s) => s.id),
  );
  const keyring = createKeyring(keys);
  if (options.cipher && keys[0]!.cipher !== options.cipher) {
    throw new DataKeyError(
      `DATA_CIPHER is ${options.cipher} but the active key in ${file} is ${keys[0]!.cipher}: run \`npm run data:rotate-key\` (with DATA_CIPHER=${options.cipher}) to change the algorithm, or set DATA_CIPHER=${keys[0]!.cipher}.`,
    );
  }
  for (const s of stored) {
    if (keyring.ids.includes(s.id) && keyring.check(s.id) !== s.check) {
      throw new DataKeyError(
        `The key ${s.id} in ${file} is not the key ${s.id} this database was encrypted with: DATA_KEY names the wrong key file.`,
      );
    }
  }
  const missing = stored.filter((s) => !s.retired && !keyring.ids.includes(s.id)).map((s) => s.id);
  if (missing.length > 0) {
    throw new DataKeyError(
      `The database holds personal data encrypted with key ${missing.join(', ')}, which ${file} does not hold (it holds ${keyring.ids.join(', ')}): start with the key file the database was encrypted with (a restored backup needs the key file of its time).`,
    );
  }
  if (!stored.some((s) => s.id === keyring.activeId)) {
    await recordDataKey(database.db, keyring.activeId, keyring.check(keyring.activeId), options.now?.() ?? new Date());
  }
  return keyring;
}

/** The same database, its personal data encrypted on write and decrypted on read with `keyring`. */
function withDataKeys(database: DatabaseHandle, keyring: Keyring): DatabaseHandle {
  return { ...database, db: database.db.withPlugin(new PersonalDataPlugin(keyring)) };
}

/** The database with the key of this process installed: what every part that reads personal data opens. */
export async function protectDatabase(database: DatabaseHandle, options: DataKeyOptions): Promise<DatabaseHandle> {
  return withDataKeys(database, await openDataKeys(database, options));
}
