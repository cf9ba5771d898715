// Where processed photos live: two WebP objects per photo in the blob store (server/storage/),
// named by a random id: `media/<id>.webp` and `media/<id>.thumb.webp` — on the disk store that is
// DATA_DIR/media/ as always, in a bucket the same keys. Only the renditions are written; the
// uploaded original (which carries the phone's GPS position) is never stored. Ids are 128 random
// bits, so a photo's URL cannot be guessed from another's, and every id is checked against its
// format before it becomes a key.
// Uploads being received are streamed into `.incoming/` on this machine's disk (the HTTP host's
// upload-body.ts), so a held upload costs disk, not memory; the worker's housekeeping removes what
// a crash left there and in the store (temp files, renditions whose record was never written)
// after a day.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { link, lstat, opendir, rm } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { InvalidInputError } from '../errors.ts';
import { createDiskBlobStore } from '../storage/disk-blob-store.ts';
import { readBlob, type BlobObject, type BlobStore } from '../storage/blob-store.ts';
import type { ProcessedPhoto } from './photo-pipeline.ts';

/** 32 lowercase hex digits (128 bits from node:crypto). */
const PHOTO_ID = /^[0-9a-f]{32}$/;
const RENDITION_NAME = /^([0-9a-f]{32})(?:\.thumb)?\.webp$/;
/** The disk store's atomic-write temp files. */
const TEMP_NAME = /^\..+\.tmp$/;
const INCOMING = '.incoming';
const WEBP = 'image/webp';

export const MEDIA_URL_PREFIX = '/media/';

export type Rendition = 'full' | 'thumb';

export interface PhotoKeys {
  full: string;
  thumb: string;
}

export interface PhotoUrls {
  url: string;
  thumbUrl: string;
}

/** What an upload answers: the new photo's id, which a report then names, and its URLs. */
export interface UploadResult extends PhotoUrls {
  id: string;
}

/** A file of the store, as housekeeping sees it. */
export interface StoredFile {
  /** An object of the blob store, or an upload being received on this machine's disk. */
  where: 'store' | 'incoming';
  /** The object's key, or the upload's absolute path. */
  name: string;
  /**
   * The photo the file is a rendition of; null for a temp file: an interrupted rendition write
   * (`.<name>.tmp`, disk store only) or an upload in `.incoming/`.
   */
  photoId: string | null;
}

export interface PhotoStore {
  /** DATA_DIR/media (absolute): the disk store's folder of renditions, and the parent of `.incoming/`. */
  readonly dir: string;
  /**
   * Where uploads are streamed while they are received (`<dir>/.incoming`, on this machine's disk
   * whatever the store; private: the original still carries its GPS position). Each file is
   * removed once its photo is processed.
   */
  readonly incomingDir: string;
  /** Writes both renditions (each atomically). */
  save(processed: ProcessedPhoto): Promise<{ id: string }>;
  /** The blob keys; throws InvalidInputError for anything that is not a photo id. */
  keys(id: string): PhotoKeys;
  /** Public URLs under /media/; throws InvalidInputError for anything that is not a photo id. */
  urls(id: string): PhotoUrls;
  /** A rendition's bytes as a stream with size and time, or null when it is not there. */
  open(id: string, rendition: Rendition): Promise<BlobObject | null>;
  /** A rendition's bytes (a thumbnail for a document), or null. */
  read(id: string, rendition: Rendition): Promise<Buffer | null>;
  /**
   * Puts a rendition's file (`<id>.webp` or `<id>.thumb.webp`) at `to`, for the public build: a
   * hard link when the store is this disk, else a copy. 'missing' when there is no such rendition.
   */
  copyRendition(name: string, to: string): Promise<'linked' | 'copied' | 'missing'>;
  /** Deletes both renditions; a missing file is not an error. */
  remove(id: string): Promise<void>;
  /** Every rendition and temp file the store holds, incoming uploads included (other objects are not listed). */
  files(): AsyncIterable<StoredFile>;
  /**
   * Deletes a file listed by `files()` if it was last written before `before`; says whether it
   * did (false for a newer file, or one already gone).
   */
  removeFileOlderThan(file: StoredFile, before: Date): Promise<boolean>;
}

export function isPhotoId(id: unknown): id is string {
  return typeof id === 'string' && PHOTO_ID.test(id);
}

/**
 * `dir` is DATA_DIR/media. Without `blobs`, the renditions are files in `dir` (a disk store rooted
 * at its parent); with them, objects under `<basename of dir>/` in that store.
 */
export function createPhotoStore(options: { dir: string; blobs?: BlobStore }): PhotoStore {
  const dir = path.resolve(options.dir);
  const incomingDir = path.join(dir, INCOMING);
  const blobs = options.blobs ?? createDiskBlobStore({ root: path.dirname(dir) });
  const prefix = `${path.basename(dir)}/`;

  const checkedId = (id: string): string => {
    if (!isPhotoId(id)) throw new InvalidInputError('照片编号无效，请重新上传照片。', { photoIds: '照片编号无效，请重新上传照片。' });
    return id;
  };
  const keysOf = (id: string): PhotoKeys => ({ full: `${prefix}${id}.webp`, thumb: `${prefix}${id}.thumb.webp` });
  const keyOf = (id: string, rendition: Rendition) => keysOf(checkedId(id))[rendition];
  const keyOfName = (name: string): string | null => (RENDITION_NAME.test(name) ? `${prefix}${name}` : null);

  return {
    dir,
    incomingDir,

    async save(processed) {
      const id = randomBytes(16).toString('hex');
      const target = keysOf(id);
      // Thumbnail first: once the full rendition exists, the photo counts as stored.
      await blobs.put(target.thumb, processed.thumb, { contentType: WEBP });
      try {
        await blobs.put(target.full, processed.full, { contentType: WEBP });
      } catch (error) {
        await blobs.delete(target.thumb).catch(() => {});
        throw error;
      }
      return { id };
    },

    keys: (id) => keysOf(checkedId(id)),

    urls(id) {
      checkedId(id);
      return { url: `${MEDIA_URL_PREFIX}${id}.webp`, thumbUrl: `${MEDIA_URL_PREFIX}${id}.thumb.webp` };
    },

    open: async (id, rendition) => blobs.get(keyOf(id, rendition)),

    read: async (id, rendition) => readBlob(blobs, keyOf(id, rendition)),

    async copyRendition(name, to) {
      const key = keyOfName(name);
      if (!key) throw new RangeError(`not a rendition: ${name}`);
      const local = blobs.localPath(key);
      if (local) {
        try {
          await link(local, to);
          return 'linked';
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          if (code === 'EEXIST') return 'linked';
          if (code === 'ENOENT') return 'missing';
          if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'EMLINK') throw error;
        }
      }
      const object = await blobs.get(key);
      if (!object) return 'missing';
      await pipeline(object.body, fs.createWriteStream(to));
      return 'copied';
    },

    async remove(id) {
      const { full, thumb } = keysOf(checkedId(id));
      await blobs.delete(full);
      await blobs.delete(thumb);
    },

    async *files() {
      for await (const object of blobs.list(prefix)) {
        const name = object.key.slice(prefix.length);
        if (name.includes('/')) continue;
        const photoId = RENDITION_NAME.exec(name)?.[1];
        if (photoId) yield { where: 'store', name: object.key, photoId };
        else if (TEMP_NAME.test(name)) yield { where: 'store', name: object.key, photoId: null };
      }
      for await (const name of fileNames(incomingDir)) yield { where: 'incoming', name: path.join(incomingDir, name), photoId: null };
    },

    async removeFileOlderThan(file, before) {
      // Only what files() lists: an object of the store under media/, or a file of the incoming folder.
      if (file.where === 'incoming') {
        if (path.dirname(file.name) !== incomingDir) throw new RangeError(`not a file of the photo store: ${file.name}`);
        const stat = await lstat(file.name).catch(() => null);
        if (!stat?.isFile() || stat.mtimeMs >= before.getTime()) return false;
        await rm(file.name, { force: true });
        return true;
      }
      const name = file.name.startsWith(prefix) ? file.name.slice(prefix.length) : '';
      if (!RENDITION_NAME.test(name) && !TEMP_NAME.test(name)) throw new RangeError(`not a file of the photo store: ${file.name}`);
      const info = await blobs.head(file.name);
      if (!info || info.lastModified.getTime() >= before.getTime()) return false;
      await blobs.delete(file.name);
      return true;
    },
  };
}

/** Names of the plain files in `folder`, none when it does not exist (yet). */
async function* fileNames(folder: string): AsyncIterable<string> {
  const entries = await opendir(folder).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
  if (!entries) return;
  for await (const entry of entries) if (entry.isFile()) yield entry.name;
}
