// The private files that hold residents' personal data — the raw mails kept from the dedicated
// mailbox (`mail-raw/`) and their attachments (`mail-attachments/`) — are stored in the byte
// envelope of data-keys.ts under the data key (ADR 019), so neither the blob store (DATA_DIR, the
// bucket) nor a backup of it holds them in clear. An object is still named by its plain bytes'
// sha256 (content addressing and dedupe are unchanged). A file an older release kept in clear has
// no envelope header and is read as it is, until the in-place encryption seals it.
import type { Keyring } from './data-keys.ts';
import { sealedBytesKeyId } from './data-keys.ts';
import type { BlobStore } from '../storage/blob-store.ts';

/** The plain bytes of a stored file: its envelope opened, or the file as it is when it was kept in clear. */
export function openStoredFile(keyring: Keyring, stored: Buffer): Buffer {
  return sealedBytesKeyId(stored) === null ? stored : keyring.openBytes(stored);
}

/** Writes a file sealed under the active key. */
export async function putSealedFile(
  blobs: Pick<BlobStore, 'put'>,
  keyring: Keyring,
  key: string,
  plain: Uint8Array,
  contentType: string,
): Promise<void> {
  await blobs.put(key, keyring.sealBytes(plain), { contentType });
}

/** The key a stored file is sealed under (null: in clear; undefined: no such file), from its first bytes only. */
export async function storedFileKeyId(blobs: Pick<BlobStore, 'get'>, key: string): Promise<string | null | undefined> {
  const object = await blobs.get(key);
  if (!object) return undefined;
  const chunks: Buffer[] = [];
  let length = 0;
  try {
    for await (const chunk of object.body) {
      const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
      chunks.push(b);
      length += b.length;
      if (length >= 16) break;
    }
  } finally {
    object.body.destroy();
  }
  return sealedBytesKeyId(Buffer.concat(chunks));
}

/**
 * Seals a stored file in place (same key name) when it is in clear, or, with `rotate`, re-seals one
 * under another key: the whole object is replaced at once (BlobStore.put), so a crash leaves the
 * clear or the sealed file, both readable. 'missing' when there is no such file.
 */
export async function sealStoredFile(
  blobs: Pick<BlobStore, 'get' | 'put'>,
  keyring: Keyring,
  key: string,
  rotate: boolean,
): Promise<'sealed' | 'unchanged' | 'missing'> {
  const object = await blobs.get(key);
  if (!object) return 'missing';
  const chunks: Buffer[] = [];
  for await (const chunk of object.body) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array));
  const stored = Buffer.concat(chunks);
  const keyId = sealedBytesKeyId(stored);
  if (keyId === keyring.activeId || (keyId !== null && !rotate)) return 'unchanged';
  await putSealedFile(blobs, keyring, key, openStoredFile(keyring, stored), object.contentType);
  return 'sealed';
}
