// The photo store: random unguessable ids, atomic writes of both renditions, URLs under
// /media/, and ids that can never become a path outside the store's directory.
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../server/errors.ts';
import type { ProcessedPhoto } from '../../server/media/photo-pipeline.ts';
import { createPhotoStore, isPhotoId } from '../../server/media/photo-store.ts';

const processed = (label: string): ProcessedPhoto => ({
  format: 'jpeg',
  width: 1600,
  height: 1200,
  full: Buffer.from(`full rendition ${label}`),
  thumb: Buffer.from(`thumb rendition ${label}`),
  sha256: '0'.repeat(64),
});

let root: string;
beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'photo-store-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('photo store', () => {
  it('saves both renditions under a random 128-bit id, creating the directory', async () => {
    const dir = path.join(root, 'data', 'media'); // does not exist yet
    const store = createPhotoStore({ dir });
    const { id } = await store.save(processed('a'));
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(isPhotoId(id)).toBe(true);

    // The keys of the blob store; on disk, the files DATA_DIR/media/<id>.webp and <id>.thumb.webp as always.
    expect(store.keys(id)).toEqual({ full: `media/${id}.webp`, thumb: `media/${id}.thumb.webp` });
    expect(await readFile(path.join(dir, `${id}.webp`), 'utf8')).toBe('full rendition a');
    expect(await readFile(path.join(dir, `${id}.thumb.webp`), 'utf8')).toBe('thumb rendition a');
    expect((await store.read(id, 'thumb'))?.toString()).toBe('thumb rendition a');
    // Exactly the two renditions: no original, no leftover temp file.
    expect((await readdir(dir)).sort()).toEqual([`${id}.thumb.webp`, `${id}.webp`]);
  });

  it('a relative directory is resolved to an absolute one', () => {
    const store = createPhotoStore({ dir: 'data/media' });
    expect(path.isAbsolute(store.dir)).toBe(true);
  });

  it('ids are unique and not sequential', async () => {
    const store = createPhotoStore({ dir: root });
    const ids = new Set<string>();
    for (let i = 0; i < 20; i++) ids.add((await store.save(processed(String(i)))).id);
    expect(ids.size).toBe(20);
    const sorted = [...ids].sort();
    expect(sorted).not.toEqual([...ids]); // vanishingly unlikely to come out in order
  });

  it('URLs are under /media/', async () => {
    const store = createPhotoStore({ dir: root });
    const { id } = await store.save(processed('u'));
    expect(store.urls(id)).toEqual({ url: `/media/${id}.webp`, thumbUrl: `/media/${id}.thumb.webp` });
  });

  it.each([
    '../../etc/passwd',
    '..',
    '',
    `${'a'.repeat(31)}/`,
    `../${'a'.repeat(29)}`,
    'A'.repeat(32), // upper case is not our format
    'a'.repeat(33),
    'a'.repeat(31),
    `${'a'.repeat(31)}\0`,
    `${'a'.repeat(32)}.webp`,
    `${'a'.repeat(16)}%2e%2e${'a'.repeat(10)}`,
  ])('rejects a malformed or traversal id %j', async (id) => {
    const store = createPhotoStore({ dir: root });
    expect(isPhotoId(id)).toBe(false);
    expect(() => store.keys(id)).toThrow(InvalidInputError);
    await expect(store.open(id, 'full')).rejects.toBeInstanceOf(InvalidInputError);
    expect(() => store.urls(id)).toThrow(InvalidInputError);
    await expect(store.remove(id)).rejects.toBeInstanceOf(InvalidInputError);
  });

  it('remove deletes both renditions and tolerates a second call', async () => {
    const store = createPhotoStore({ dir: root });
    const keep = await store.save(processed('keep'));
    const gone = await store.save(processed('gone'));
    await store.remove(gone.id);
    await store.remove(gone.id);
    expect((await readdir(root)).sort()).toEqual([`${keep.id}.thumb.webp`, `${keep.id}.webp`]);
  });

  it('remove of a file outside the store is impossible even if one exists with that name', async () => {
    const outside = path.join(root, 'secret.txt');
    await writeFile(outside, 'do not delete');
    const store = createPhotoStore({ dir: path.join(root, 'media') });
    await expect(store.remove('../secret.txt')).rejects.toBeInstanceOf(InvalidInputError);
    expect(await readFile(outside, 'utf8')).toBe('do not delete');
  });

  it('lists its renditions, temp files and incoming uploads, and removes only old files of its own', async () => {
    const store = createPhotoStore({ dir: path.join(root, 'media') });
    const { id } = await store.save(processed('listed'));
    await mkdir(store.incomingDir, { recursive: true });
    await writeFile(path.join(store.incomingDir, 'abc.upload'), 'x');
    await writeFile(path.join(store.dir, `.${id}.webp.0a1b2c.tmp`), 'x');
    await writeFile(path.join(store.dir, 'notes.txt'), 'not ours');
    const listed = [];
    for await (const file of store.files()) listed.push(file);
    expect(listed.sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      { where: 'incoming', name: path.join(store.incomingDir, 'abc.upload'), photoId: null },
      { where: 'store', name: `media/.${id}.webp.0a1b2c.tmp`, photoId: null },
      { where: 'store', name: `media/${id}.thumb.webp`, photoId: id },
      { where: 'store', name: `media/${id}.webp`, photoId: id },
    ]);

    const upload = { where: 'incoming' as const, name: path.join(store.incomingDir, 'abc.upload'), photoId: null };
    expect(await store.removeFileOlderThan(upload, new Date(Date.now() - 60_000))).toBe(false);
    expect(await store.removeFileOlderThan(upload, new Date(Date.now() + 60_000))).toBe(true);
    expect(await store.removeFileOlderThan(upload, new Date(Date.now() + 60_000))).toBe(false);
    const outside = path.join(root, 'secret.txt');
    await writeFile(outside, 'do not delete');
    await expect(
      store.removeFileOlderThan({ where: 'incoming', name: outside, photoId: null }, new Date(Date.now() + 60_000)),
    ).rejects.toThrow(RangeError);
    await expect(
      store.removeFileOlderThan({ where: 'store', name: 'secret.txt', photoId: null }, new Date(Date.now() + 60_000)),
    ).rejects.toThrow(RangeError);
    // A rendition, once old enough.
    const full = { where: 'store' as const, name: `media/${id}.webp`, photoId: id };
    expect(await store.removeFileOlderThan(full, new Date(Date.now() - 60_000))).toBe(false);
    expect(await store.removeFileOlderThan(full, new Date(Date.now() + 60_000))).toBe(true);
    expect(await store.open(id, 'full')).toBeNull();
    expect(await readFile(outside, 'utf8')).toBe('do not delete');
  });
});
