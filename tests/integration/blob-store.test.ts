// The blob store's contract, the same cases on both implementations: the disk under a data
// folder (today's layout: a key is the file at that path) and an S3-compatible bucket (s3rver,
// in this process). What the portal relies on: put/get/head/delete/list by key, a missing object
// is null (never an error), a delete of nothing is fine, objects are whole, streams are accepted,
// and no key reaches outside the store.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isBlobKey, readBlob, type BlobStore } from '../../server/storage/blob-store.ts';
import { createDiskBlobStore } from '../../server/storage/disk-blob-store.ts';
import { blobSettings, createBlobStore } from '../../server/storage/storage-env.ts';
import { readEnv } from '../../server/env.ts';
import { s3BlobStore, stopS3Server } from '../support/s3-server.ts';

afterAll(stopS3Server);

const stores: Array<['disk' | 's3', () => Promise<{ store: BlobStore; root: string | null }>]> = [
  [
    'disk',
    async () => {
      const root = fs.mkdtempSync(path.join(os.tmpdir(), 'blob-disk-'));
      return { store: createDiskBlobStore({ root }), root };
    },
  ],
  ['s3', async () => ({ store: await s3BlobStore(), root: null })],
];

async function listed(store: BlobStore, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const o of store.list(prefix)) keys.push(o.key);
  return keys.sort();
}

describe.each(stores)('blob store on %s', (kind, make) => {
  let store: BlobStore;
  let root: string | null;
  beforeEach(async () => {
    ({ store, root } = await make());
  });
  afterEach(() => {
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  it('puts, gets and heads an object with its size, type and time', async () => {
    const bytes = Buffer.from('RIFF....WEBPVP8 a rendition');
    const before = Date.now();
    await store.put('media/abc.webp', bytes, { contentType: 'image/webp' });
    const head = await store.head('media/abc.webp');
    expect(head).toMatchObject({ size: bytes.length, contentType: 'image/webp' });
    // S3 keeps whole seconds.
    expect(head!.lastModified.getTime()).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 - 1000);
    const object = await store.get('media/abc.webp');
    expect(object).toMatchObject({ size: bytes.length, contentType: 'image/webp' });
    const chunks: Buffer[] = [];
    for await (const c of object!.body) chunks.push(Buffer.from(c as Uint8Array));
    expect(Buffer.concat(chunks).equals(bytes)).toBe(true);
  });

  it('answers null for an object that is not there, and deleting it is no error', async () => {
    expect(await store.get('media/none.webp')).toBeNull();
    expect(await store.head('mail-raw/none.eml')).toBeNull();
    expect(await readBlob(store, 'mail-raw/none.eml')).toBeNull();
    await store.delete('media/none.webp');
  });

  it('replaces an object whole, accepts a stream, and deletes', async () => {
    await store.put('mail-raw/a.eml', Buffer.from('first version, rather long'), { contentType: 'message/rfc822' });
    await store.put('mail-raw/a.eml', Readable.from([Buffer.from('second '), Buffer.from('version')]), { contentType: 'message/rfc822' });
    expect((await readBlob(store, 'mail-raw/a.eml'))!.toString()).toBe('second version');
    expect((await store.head('mail-raw/a.eml'))!.size).toBe('second version'.length);
    await store.delete('mail-raw/a.eml');
    expect(await store.head('mail-raw/a.eml')).toBeNull();
  });

  it('keeps keys with Chinese names (mail attachments)', async () => {
    const key = 'mail-attachments/0f0f-整改报告_第2版.pdf';
    await store.put(key, Buffer.from('%PDF-1.7'), { contentType: 'application/pdf' });
    expect((await readBlob(store, key))!.toString()).toBe('%PDF-1.7');
    expect(await listed(store, 'mail-attachments/')).toEqual([key]);
  });

  it('lists by prefix, with sizes, and only under the prefix', async () => {
    await store.put('media/a.webp', Buffer.from('aa'), { contentType: 'image/webp' });
    await store.put('media/b.thumb.webp', Buffer.from('b'), { contentType: 'image/webp' });
    await store.put('mail-raw/c.eml', Buffer.from('c'), { contentType: 'message/rfc822' });
    expect(await listed(store, 'media/')).toEqual(['media/a.webp', 'media/b.thumb.webp']);
    expect(await listed(store, 'mail-raw/')).toEqual(['mail-raw/c.eml']);
    expect(await listed(store, 'nothing-here/')).toEqual([]);
    const sizes: Record<string, number> = {};
    for await (const o of store.list('media/')) sizes[o.key] = o.size;
    expect(sizes).toEqual({ 'media/a.webp': 2, 'media/b.thumb.webp': 1 });
  });

  it('lists past one page of a bucket listing', async () => {
    const keys = Array.from({ length: 1005 }, (_, i) => `media/${String(i).padStart(4, '0')}.webp`);
    if (kind === 's3') {
      // Over S3's page of 1,000 keys; the disk walks its folder.
      for (let i = 0; i < keys.length; i += 50)
        await Promise.all(keys.slice(i, i + 50).map((k) => store.put(k, Buffer.from('x'), { contentType: 'image/webp' })));
    } else {
      fs.mkdirSync(path.join(root!, 'media'), { recursive: true });
      for (const k of keys) fs.writeFileSync(path.join(root!, k), 'x');
    }
    expect(await listed(store, 'media/')).toEqual(keys);
  });

  it.each(['../secret', '/etc/passwd', 'media/../../x', 'media//x', 'a\\b', '', 'media/.', 'media/x\0y'])(
    'refuses the key %j',
    async (key) => {
      expect(isBlobKey(key)).toBe(false);
      await expect(store.put(key, Buffer.from('x'), { contentType: 'text/plain' })).rejects.toThrow(RangeError);
      await expect(store.get(key)).rejects.toThrow(RangeError);
      await expect(store.delete(key)).rejects.toThrow(RangeError);
    },
  );

  it('a local file path only on the disk store', async () => {
    const local = store.localPath('media/abc.webp');
    if (kind === 'disk') expect(local).toBe(path.join(root!, 'media', 'abc.webp'));
    else expect(local).toBeNull();
  });
});

describe('the disk store keeps the layout of before the store', () => {
  it('a key is the file at that path under DATA_DIR, written atomically (no temp file left)', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'blob-layout-'));
    try {
      // Written before the store existed: found by its key.
      fs.mkdirSync(path.join(root, 'mail-raw'));
      fs.writeFileSync(path.join(root, 'mail-raw', 'old.eml'), 'From: a@b');
      const store = createDiskBlobStore({ root });
      expect((await readBlob(store, 'mail-raw/old.eml'))!.toString()).toBe('From: a@b');
      await store.put('media/new.webp', Buffer.from('w'), { contentType: 'image/webp' });
      expect(fs.readdirSync(path.join(root, 'media'))).toEqual(['new.webp']);
      // An upload folder beside the renditions holds no objects.
      fs.mkdirSync(path.join(root, 'media', '.incoming'));
      fs.writeFileSync(path.join(root, 'media', '.incoming', 'x.upload'), 'x');
      expect(await listed(store, 'media/')).toEqual(['media/new.webp']);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('a write that fails leaves neither the object nor a temp file', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'blob-layout-'));
    try {
      const store = createDiskBlobStore({ root });
      const failing = Readable.from(
        (async function* () {
          yield Buffer.from('part of a mail');
          throw new Error('connection lost');
        })(),
      );
      await expect(store.put('mail-raw/cut.eml', failing, { contentType: 'message/rfc822' })).rejects.toThrow('connection lost');
      expect(await store.head('mail-raw/cut.eml')).toBeNull();
      expect(fs.readdirSync(path.join(root, 'mail-raw'))).toEqual([]);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('BLOB_STORE settings', () => {
  it('disk by default', () => {
    expect(readEnv({}).blobs).toEqual({ kind: 'disk' });
    expect(createBlobStore({ kind: 'disk' }, '/srv/portal').describe()).toBe('disk (/srv/portal)');
  });

  it('s3 with a bucket, path-style and us-east-1 by default, keys from S3_* or left to the SDK', () => {
    const env = readEnv({ BLOB_STORE: 's3', S3_ENDPOINT: 'https://oss.example.gov.cn', S3_BUCKET: 'lincheng-portal' });
    expect(env.blobs).toEqual({
      kind: 's3',
      endpoint: 'https://oss.example.gov.cn',
      bucket: 'lincheng-portal',
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: undefined,
    });
    const withKeys = blobSettings({
      BLOB_STORE: 's3',
      S3_BUCKET: 'lincheng-portal',
      S3_REGION: 'cn-north-1',
      S3_FORCE_PATH_STYLE: false,
      S3_ACCESS_KEY_ID: 'AKID',
      S3_SECRET_ACCESS_KEY: 'SECRET',
    });
    expect(withKeys).toMatchObject({
      region: 'cn-north-1',
      forcePathStyle: false,
      credentials: { accessKeyId: 'AKID', secretAccessKey: 'SECRET' },
    });
    // The start log names the bucket and the endpoint's origin, never a key.
    const described = createBlobStore(withKeys, '/srv').describe();
    expect(described).toContain('lincheng-portal');
    expect(described).not.toMatch(/AKID|SECRET/);
  });

  it.each([
    [{ BLOB_STORE: 's3' }, /S3_BUCKET: BLOB_STORE=s3 needs/],
    [{ BLOB_STORE: 's3', S3_BUCKET: 'No_Such' }, /S3_BUCKET: not a bucket name/],
    [{ BLOB_STORE: 's3', S3_BUCKET: 'ok-bucket', S3_ACCESS_KEY_ID: 'AKID' }, /S3_ACCESS_KEY_ID \/ S3_SECRET_ACCESS_KEY: set both/],
    [{ BLOB_STORE: 'nfs' }, /BLOB_STORE/],
    [{ BLOB_STORE: 's3', S3_BUCKET: 'ok-bucket', S3_ENDPOINT: 'not a url' }, /S3_ENDPOINT/],
    [{ BLOB_STORE: 's3', S3_BUCKET: 'ok-bucket', S3_FORCE_PATH_STYLE: 'yes' }, /S3_FORCE_PATH_STYLE/],
  ])('refuses %j with a message naming the variable', (values, message) => {
    expect(() => readEnv(values)).toThrow(message);
  });
});
