// The public build copies the photos its snapshot names out of the blob store (issue 16): hard
// links when the store is this disk (as before), copies from an S3-compatible bucket (s3rver),
// byte for byte either way, and a rendition that is gone is reported missing, not fatal. Astro is
// replaced by a stand-in page writer; the real build is tests/integration/public-site-build.test.ts.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProcessedPhoto } from '../../server/media/photo-pipeline.ts';
import { createPhotoStore, type PhotoStore } from '../../server/media/photo-store.ts';
import { emptySnapshot, type PublicNotice } from '../../server/publish/public-snapshot.ts';
import { buildSite } from '../../server/publish/site-builder.ts';
import type { BlobStore } from '../../server/storage/blob-store.ts';
import { createDiskBlobStore } from '../../server/storage/disk-blob-store.ts';
import { s3BlobStore, stopS3Server } from '../support/s3-server.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const STAND_IN = `require('node:fs').writeFileSync(require('node:path').join(process.env.SITE_OUT_DIR, 'index.html'), '<!doctype html><title>临城县文明创城</title>');`;

afterAll(stopS3Server);

const processed = (label: string): ProcessedPhoto => ({
  format: 'jpeg',
  width: 1600,
  height: 1200,
  full: Buffer.from(`RIFF----WEBPVP8 full ${label}`),
  thumb: Buffer.from(`RIFF----WEBPVP8 thumb ${label}`),
  sha256: '0'.repeat(64),
});

function notice(photos: Array<{ id: string; kind: 'before' | 'after' }>): PublicNotice {
  return {
    slug: 'n-photos',
    title: '曝光：幸福小区南门口路面塌陷',
    body: '经查，幸福小区南门口路面塌陷，责任单位未按要求整改，现予曝光。',
    unit: { code: 'zhujianju', name: '县住房和城乡建设局', shortName: '住建局' },
    publishedAt: '2026-11-30T02:00:00.000Z',
    responseDueAt: '2026-12-07T02:00:00.000Z',
    categories: ['道路设施'],
    photos: photos.filter((p) => p.kind === 'before').map((p) => ({ ...p, width: 1600, height: 1200, alt: '整改前：南门口路面塌陷' })),
    response: {
      body: '已修复。',
      publishedAt: '2026-12-01T02:00:00.000Z',
      photos: photos.filter((p) => p.kind === 'after').map((p) => ({ ...p, width: 1600, height: 1200, alt: '整改后：路面已修复' })),
    },
    responseOverdue: false,
  };
}

describe.each(['disk', 's3'] as const)('the public build takes its photos from the %s store', (kind) => {
  let tmp: string;
  let blobs: BlobStore;
  let photos: PhotoStore;
  beforeEach(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'site-photos-'));
    blobs = kind === 'disk' ? createDiskBlobStore({ root: path.join(tmp, 'data') }) : await s3BlobStore();
    photos = createPhotoStore({ dir: path.join(tmp, 'data', 'media'), blobs });
    fs.writeFileSync(path.join(tmp, 'stand-in.cjs'), STAND_IN);
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('copies every rendition byte for byte and reports one that is gone', async () => {
    const before = await photos.save(processed('before'));
    const after = await photos.save(processed('after'));
    const gone = await photos.save(processed('gone'));
    await photos.remove(gone.id);
    const snapshot = {
      ...emptySnapshot(photos.dir, new Date('2026-12-01T03:00:00.000Z')),
      notices: [
        notice([
          { id: before.id, kind: 'before' },
          { id: gone.id, kind: 'before' },
          { id: after.id, kind: 'after' },
        ]),
      ],
    };
    const out = path.join(tmp, 'site');
    const result = await buildSite({
      snapshot,
      root: ROOT,
      outDir: out,
      command: [process.execPath, path.join(tmp, 'stand-in.cjs')],
      pagefind: false,
      photos,
    });

    for (const [id, label] of [
      [before.id, 'before'],
      [after.id, 'after'],
    ] as const) {
      expect(fs.readFileSync(path.join(out, 'notices', 'media', `${id}.webp`)).equals(processed(label).full)).toBe(true);
      expect(fs.readFileSync(path.join(out, 'notices', 'media', `${id}.thumb.webp`)).equals(processed(label).thumb)).toBe(true);
    }
    expect(result.photos.missing.sort()).toEqual([`${gone.id}.thumb.webp`, `${gone.id}.webp`].sort());
    // On disk the build shares the store's files (no second copy of every photo); from a bucket it copies.
    expect(result.photos).toMatchObject(kind === 'disk' ? { linked: 4, copied: 0 } : { linked: 0, copied: 4 });
    if (kind === 'disk') {
      const stored = fs.statSync(blobs.localPath(photos.keys(before.id).full)!);
      expect(fs.statSync(path.join(out, 'notices', 'media', `${before.id}.webp`)).ino).toBe(stored.ino);
    }
    expect(fs.readdirSync(path.join(out, 'notices', 'media'))).toHaveLength(4);
  });
});
