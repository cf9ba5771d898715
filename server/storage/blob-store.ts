// One small interface for the portal's private files — photo renditions, kept raw mail, mail
// attachments — so they can live on this machine's disk (the default, DATA_DIR's layout of
// before) or in an S3-compatible bucket that several web machines and workers share.
// Keys are relative paths with `/` (`media/<id>.webp`, `mail-raw/<sha256>.eml`,
// `mail-attachments/<sha256>-<name>`): on disk each key is that file under DATA_DIR, so data
// written before the store existed is found where it always was.
// Nothing here is public: the bucket is private, and what residents see is served by the portal
// after its own checks (server/http/media-handler.ts) or copied into the public site's build.
import type { Readable } from 'node:stream';

export interface BlobInfo {
  size: number;
  contentType: string;
  lastModified: Date;
}

export interface BlobObject extends BlobInfo {
  /** The bytes; destroy it when they are not read (a HEAD, a 304). */
  body: Readable;
}

export interface ListedBlob {
  key: string;
  size: number;
  lastModified: Date;
}

export interface BlobStore {
  /** 'disk' or 's3'. */
  readonly kind: 'disk' | 's3';
  /** For the start log: where the objects are (no secrets). */
  describe(): string;
  /** Writes the whole object at once: readers see the old object, or none, or the new one — never a part. */
  put(key: string, body: Uint8Array | Readable, options: { contentType: string }): Promise<void>;
  /** The object with its size and type, or null when there is none. */
  get(key: string): Promise<BlobObject | null>;
  /** Size, type and time of the object, or null when there is none. */
  head(key: string): Promise<BlobInfo | null>;
  /** Removes the object; one that is not there is not an error. */
  delete(key: string): Promise<void>;
  /** Every object whose key starts with `prefix`, in no particular order. */
  list(prefix: string): AsyncIterable<ListedBlob>;
  /**
   * The object's file when the store is this machine's disk (the public build hard-links photos
   * instead of copying them); null for a bucket.
   */
  localPath(key: string): string | null;
}

/**
 * Keys are relative, `/`-separated, with no empty, `.` or `..` segment and no backslash or control
 * character: a key can never name a file outside the store's folder.
 */
const KEY_SEGMENT = /^(?!\.{1,2}$)[^/\\\p{Cc}]+$/u;

export function isBlobKey(key: unknown): key is string {
  return typeof key === 'string' && key.length > 0 && key.length <= 1024 && key.split('/').every((s) => KEY_SEGMENT.test(s));
}

export function checkedKey(key: string): string {
  if (!isBlobKey(key)) throw new RangeError(`not a blob key: ${JSON.stringify(key)}`);
  return key;
}

const TYPES: Record<string, string> = {
  '.webp': 'image/webp',
  '.eml': 'message/rfc822',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.gif': 'image/gif',
  '.pdf': 'application/pdf',
  '.txt': 'text/plain; charset=utf-8',
};

/** The type the disk store answers for a key (a file keeps no type of its own). */
export function contentTypeOfKey(key: string): string {
  const dot = key.lastIndexOf('.');
  return (dot > key.lastIndexOf('/') && TYPES[key.slice(dot).toLowerCase()]) || 'application/octet-stream';
}

/** Reads a whole object into memory (small objects: a rendition, a mail), or null. */
export async function readBlob(store: Pick<BlobStore, 'get'>, key: string): Promise<Buffer | null> {
  const object = await store.get(key);
  if (!object) return null;
  const chunks: Buffer[] = [];
  for await (const chunk of object.body) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}
