// The blob store on this machine's disk: key `a/b.c` is the file `<root>/a/b.c` (root is DATA_DIR),
// exactly where the portal kept these files before the store existed. Writes are atomic (a
// dot-prefixed temp file in the same folder, fsync, rename); a crash leaves at most such a temp
// file, which `list` shows so housekeeping can remove it.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { lstat, mkdir, open, opendir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { checkedKey, contentTypeOfKey, type BlobInfo, type BlobObject, type BlobStore, type ListedBlob } from './blob-store.ts';

export function createDiskBlobStore(options: { root: string }): BlobStore {
  const root = path.resolve(options.root);
  const fileOf = (key: string) => path.join(root, ...checkedKey(key).split('/'));

  async function info(key: string): Promise<(BlobInfo & { file: string }) | null> {
    const file = fileOf(key);
    // A synchronous stat that answers undefined for a missing file: cheaper than a trip to
    // libuv's threads plus an ENOENT error built for the usual "not there yet" of a write-once
    // object (mail-files.ts asks before every raw message and attachment).
    const stats = fs.statSync(file, { throwIfNoEntry: false });
    if (!stats?.isFile()) return null;
    return { file, size: stats.size, contentType: contentTypeOfKey(key), lastModified: stats.mtime };
  }

  return {
    kind: 'disk',
    describe: () => `disk (${root})`,

    async put(key, body, _options) {
      const file = fileOf(key);
      const temp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
      try {
        await writeSynced(temp, body).catch(async (error: NodeJS.ErrnoException) => {
          if (error.code !== 'ENOENT') throw error;
          await mkdir(path.dirname(file), { recursive: true });
          await writeSynced(temp, body);
        });
      } catch (error) {
        await rm(temp, { force: true });
        throw error;
      }
      try {
        await rename(temp, file);
      } catch (error) {
        await rm(temp, { force: true });
        throw error;
      }
    },

    async get(key): Promise<BlobObject | null> {
      const found = await info(key);
      if (!found) return null;
      const { file, ...rest } = found;
      return { ...rest, body: fs.createReadStream(file) };
    },

    async head(key) {
      const found = await info(key);
      if (!found) return null;
      const { file: _file, ...rest } = found;
      return rest;
    },

    async delete(key) {
      await rm(fileOf(key), { force: true });
    },

    async *list(prefix): AsyncIterable<ListedBlob> {
      // Walk the folder the prefix ends in (or its parent) and filter by the prefix. Folders whose
      // name starts with a dot (a photo upload's `.incoming/`) hold no objects and are skipped.
      const slash = prefix.lastIndexOf('/');
      const base = slash < 0 ? '' : prefix.slice(0, slash);
      if (base && !base.split('/').every((s) => s && s !== '.' && s !== '..')) throw new RangeError(`not a key prefix: ${prefix}`);
      const walk = async function* (relative: string): AsyncIterable<ListedBlob> {
        const dir = path.join(root, ...(relative ? relative.split('/') : []));
        const entries = await opendir(dir).catch((error: NodeJS.ErrnoException) => {
          if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return null;
          throw error;
        });
        if (!entries) return;
        for await (const entry of entries) {
          const key = relative ? `${relative}/${entry.name}` : entry.name;
          if (entry.isDirectory()) {
            if (!entry.name.startsWith('.') && (key.startsWith(prefix) || prefix.startsWith(`${key}/`))) yield* walk(key);
          } else if (entry.isFile() && key.startsWith(prefix)) {
            const stats = await lstat(path.join(dir, entry.name)).catch(() => null);
            if (stats?.isFile()) yield { key, size: stats.size, lastModified: stats.mtime };
          }
        }
      };
      yield* walk(base);
    },

    localPath: (key) => fileOf(key),
  };
}

/** A new file (never an existing one) holding `body`, flushed to the disk (fsync) before it is closed. */
async function writeSynced(file: string, body: Uint8Array | Readable): Promise<void> {
  // One writeFile for a body in memory: open, write, fsync and close without a FileHandle per step.
  if (body instanceof Uint8Array) return writeFile(file, body, { flag: 'wx', mode: 0o644, flush: true });
  const handle = await open(file, 'wx', 0o644);
  try {
    for await (const chunk of body) await handle.write(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array));
    await handle.sync();
  } finally {
    await handle.close();
  }
}
