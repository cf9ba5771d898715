// A local S3-compatible server for tests: s3rver (npm) in this process, on a free port, keeping
// its objects in a temp folder. Each `s3BlobStore()` gets a bucket of its own, so test portals
// sharing the server never see each other's photos. Started on first use, once per test file;
// the file stops it with `afterAll(stopS3Server)`.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import type { BlobStore } from '../../server/storage/blob-store.ts';
import { createS3BlobStore, type S3Settings } from '../../server/storage/s3-blob-store.ts';

/** s3rver's built-in credentials. */
const CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

interface Running {
  server: S3rver;
  endpoint: string;
  directory: string;
}

let running: Promise<Running> | null = null;

function start(): Promise<Running> {
  running ??= (async () => {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), 's3rver-'));
    const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory });
    const { port } = await server.run();
    return { server, endpoint: `http://127.0.0.1:${port}`, directory };
  })();
  return running;
}

/** Settings for a new, empty bucket on the test server (what BLOB_STORE=s3 would give). */
export async function s3TestSettings(): Promise<S3Settings> {
  const { endpoint } = await start();
  const bucket = `test-${randomBytes(6).toString('hex')}`;
  const settings: S3Settings = { endpoint, bucket, region: 'us-east-1', forcePathStyle: true, credentials: CREDENTIALS };
  const client = new S3Client({ endpoint, region: settings.region, forcePathStyle: true, credentials: CREDENTIALS });
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  client.destroy();
  return settings;
}

/** A blob store on a new, empty bucket of the test server. */
export async function s3BlobStore(): Promise<BlobStore> {
  return createS3BlobStore(await s3TestSettings());
}

export async function stopS3Server(): Promise<void> {
  if (!running) return;
  const { server, directory } = await running;
  running = null;
  await server.close();
  fs.rmSync(directory, { recursive: true, force: true });
}

export type StoreKind = 'disk' | 's3';

/**
 * The blob store a test portal uses: undefined for 'disk' (the portal's default, under its data
 * folder), a fresh bucket for 's3'.
 */
export async function blobStoreOf(kind: StoreKind): Promise<BlobStore | undefined> {
  return kind === 's3' ? s3BlobStore() : undefined;
}

/**
 * Database × store cases: every database on disk, and the S3 store on SQLite — the store does
 * not depend on the database, so one database is enough to run a suite against the bucket.
 */
export function storeCases<K extends string>(kinds: readonly K[]): Array<[K, StoreKind]> {
  return [...kinds.map((k): [K, StoreKind] => [k, 'disk']), ...kinds.slice(0, 1).map((k): [K, StoreKind] => [k, 's3'])];
}
