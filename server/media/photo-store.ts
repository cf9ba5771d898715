// Where processed photos live: two WebP files per photo in one directory, named by a random id.
// Only the renditions are written; the uploaded original (which carries the phone's GPS
// position) is never stored. Ids are 128 random bits, so a photo's URL cannot be guessed from
// another's, and every id is checked against its format before it becomes a path.
// Uploads being received are streamed into `.incoming/` (the HTTP host's upload-body.ts), so a
// held upload costs disk, not memory; the worker's housekeeping removes what a crash left there
// and in the store (temp files, renditions whose record was never written) after a day.
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, open, opendir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { InvalidInputError } from '../errors.ts';
import type { ProcessedPhoto } from './photo-pipeline.ts';

/** 32 lowercase hex digits (128 bits from node:crypto). */
const PHOTO_ID = /^[0-9a-f]{32}$/;
const RENDITION_NAME = /^([0-9a-f]{32})(?:\.thumb)?\.webp$/;
/** writeAtomically's temp files. */
const TEMP_NAME = /^\..+\.tmp$/;
const INCOMING = '.incoming';

export const MEDIA_URL_PREFIX = '/media/';

export interface PhotoPaths {
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
  /** Absolute path. */
  path: string;
  /**
   * The photo the file is a rendition of; null for a temp file: an interrupted rendition write
   * (`.<name>.tmp`) or an upload in `.incoming/`.
   */
  photoId: string | null;
}

export interface PhotoStore {
  /** The directory the files are in (absolute). */
  readonly dir: string;
  /**
   * Where uploads are streamed while they are received (`<dir>/.incoming`, private: the original
   * still carries its GPS position). Each file is removed once its photo is processed.
   */
  readonly incomingDir: string;
  /** Writes both renditions atomically (temp file, fsync, rename); creates the directory if needed. */
  save(processed: ProcessedPhoto): Promise<{ id: string }>;
  /** Absolute file paths; throws InvalidInputError for anything that is not a photo id. */
  paths(id: string): PhotoPaths;
  /** Public URLs under /media/; throws InvalidInputError for anything that is not a photo id. */
  urls(id: string): PhotoUrls;
  /** Deletes both renditions; a missing file is not an error. */
  remove(id: string): Promise<void>;
  /** Every rendition and temp file the store holds, incoming uploads included (other files are not listed). */
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

export function createPhotoStore(options: { dir: string }): PhotoStore {
  const dir = path.resolve(options.dir);
  const incomingDir = path.join(dir, INCOMING);

  const checkedId = (id: string): string => {
    if (!isPhotoId(id)) throw new InvalidInputError('照片编号无效，请重新上传照片。', { photoIds: '照片编号无效，请重新上传照片。' });
    return id;
  };
  const pathsOf = (id: string): PhotoPaths => ({
    full: path.join(dir, `${id}.webp`),
    thumb: path.join(dir, `${id}.thumb.webp`),
  });

  return {
    dir,
    incomingDir,

    async save(processed) {
      await mkdir(dir, { recursive: true });
      const id = randomBytes(16).toString('hex');
      const target = pathsOf(id);
      // Thumbnail first: once the full rendition exists, the photo counts as stored.
      await writeAtomically(target.thumb, processed.thumb);
      try {
        await writeAtomically(target.full, processed.full);
      } catch (error) {
        await rm(target.thumb, { force: true });
        throw error;
      }
      return { id };
    },

    paths: (id) => pathsOf(checkedId(id)),

    urls(id) {
      checkedId(id);
      return { url: `${MEDIA_URL_PREFIX}${id}.webp`, thumbUrl: `${MEDIA_URL_PREFIX}${id}.thumb.webp` };
    },

    async remove(id) {
      const { full, thumb } = pathsOf(checkedId(id));
      await rm(full, { force: true });
      await rm(thumb, { force: true });
    },

    async *files() {
      for await (const name of fileNames(dir)) {
        const photoId = RENDITION_NAME.exec(name)?.[1];
        if (photoId) yield { path: path.join(dir, name), photoId };
        else if (TEMP_NAME.test(name)) yield { path: path.join(dir, name), photoId: null };
      }
      for await (const name of fileNames(incomingDir)) yield { path: path.join(incomingDir, name), photoId: null };
    },

    async removeFileOlderThan(file, before) {
      // Only what files() lists: a file of the store or of its incoming folder.
      const folder = path.dirname(file.path);
      if (folder !== dir && folder !== incomingDir) throw new RangeError(`not a file of the photo store: ${file.path}`);
      const stat = await lstat(file.path).catch(() => null);
      if (!stat?.isFile() || stat.mtimeMs >= before.getTime()) return false;
      await rm(file.path, { force: true });
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

/**
 * Readers see either no file or the whole file: write a uniquely named temp file in the same
 * directory (same file system, so rename is atomic), flush it to disk, then rename it over the
 * target. A crash leaves at most a `.tmp` file behind, never a half-written photo. Temp names
 * start with a dot, so a static file server that skips dotfiles never serves one.
 */
async function writeAtomically(target: string, data: Uint8Array): Promise<void> {
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', 0o644);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  try {
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
