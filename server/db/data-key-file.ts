// The key file (DATA_KEY, ADR 019): JSON with the keys, the active one first, older ones kept
// for reading while a rotation re-encrypts. Written with mode 0600, replaced atomically.
import fs from 'node:fs';
import path from 'node:path';
import { DATA_CIPHERS, DataKeyError, newDataKey, type DataCipher, type DataKey } from './data-keys.ts';

const FORMAT = 'chuangcheng-portal/data-key/1';

interface KeyFileJson {
  format: string;
  keys: Array<{ id: string; cipher: string; key: string; created: string }>;
}

/** The folder of DATA_DIR with the embedded default's key file: never in a backup (server/backup/take-backup.ts). */
export const KEYS_DIR = 'keys';

/** Where the embedded default keeps its key when DATA_KEY is not set. */
export function defaultKeyFile(dataDir: string): string {
  return path.join(dataDir, KEYS_DIR, 'data-key.json');
}

export function readKeyFile(file: string): DataKey[] {
  let json: KeyFileJson;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8')) as KeyFileJson;
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    throw new DataKeyError(
      e.code === 'ENOENT'
        ? `the key file ${file} (DATA_KEY) does not exist`
        : `the key file ${file} (DATA_KEY) cannot be read: ${e.message}`,
    );
  }
  if (json?.format !== FORMAT || !Array.isArray(json.keys)) {
    throw new DataKeyError(`the key file ${file} is not a portal data key file (format "${FORMAT}" expected)`);
  }
  return json.keys.map((k, i) => {
    const material = typeof k.key === 'string' ? Buffer.from(k.key, 'base64') : Buffer.alloc(0);
    if (!/^[0-9a-f]{8}$/.test(String(k.id)) || material.length !== 32 || !DATA_CIPHERS.includes(k.cipher as DataCipher)) {
      throw new DataKeyError(
        `the key file ${file}: key ${i + 1} needs an id of 8 hex digits, a cipher (aes-256-gcm or sm4) and 32 bytes in base64`,
      );
    }
    return { id: k.id, cipher: k.cipher as DataCipher, material, created: String(k.created ?? '') };
  });
}

/** Writes the key file whole (a temporary file renamed); `exclusive`: never over an existing one. */
export function writeKeyFile(file: string, keys: readonly DataKey[], options: { exclusive?: boolean } = {}): void {
  const json: KeyFileJson = {
    format: FORMAT,
    keys: keys.map((k) => ({ id: k.id, cipher: k.cipher, key: k.material.toString('base64'), created: k.created })),
  };
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, `${JSON.stringify(json, null, 2)}\n`, { mode: 0o600 });
  if (!options.exclusive) return fs.renameSync(temp, file);
  // A hard link fails when the name exists, where a rename would replace it: two processes
  // making the key at once (the web and the worker service started together) keep the first.
  try {
    fs.linkSync(temp, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new DataKeyError(`the key file ${file} exists already`);
    throw error;
  } finally {
    fs.rmSync(temp, { force: true });
  }
}

/** Makes a key file with one new key; refuses to replace an existing file, also one made a moment ago. */
export function createKeyFile(file: string, cipher: DataCipher, at?: Date): DataKey[] {
  if (fs.existsSync(file)) throw new DataKeyError(`the key file ${file} exists already`);
  const keys = [newDataKey(cipher, at)];
  writeKeyFile(file, keys, { exclusive: true });
  return keys;
}
