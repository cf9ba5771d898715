// Where the private files go, as a fragment for server/env.ts (validated once at start):
// BLOB_STORE=disk (the default: under DATA_DIR, as always) or s3 with S3_BUCKET and, for anything
// but AWS itself, S3_ENDPOINT. Credentials come from the environment: S3_ACCESS_KEY_ID and
// S3_SECRET_ACCESS_KEY, or the SDK's own AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (and profiles).
import path from 'node:path';
import { z } from 'zod';
import type { BlobStore } from './blob-store.ts';
import { createDiskBlobStore } from './disk-blob-store.ts';
import { createS3BlobStore, type S3Settings } from './s3-blob-store.ts';

export const storageEnvShape = {
  BLOB_STORE: z
    .enum(['disk', 's3'])
    .default('disk')
    .describe('Where photos, kept raw mail and attachments are stored: disk (under DATA_DIR) or s3 (an S3-compatible bucket).'),
  S3_ENDPOINT: z.url().optional().describe('URL of the S3-compatible service (MinIO, OSS, COS, OBS …); unset means AWS itself.'),
  S3_BUCKET: z.string().optional().describe('The private bucket (BLOB_STORE=s3).'),
  S3_REGION: z.string().min(1).default('us-east-1').describe('Region of the bucket.'),
  S3_FORCE_PATH_STYLE: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true')
    .describe('Address the bucket as ENDPOINT/BUCKET (true, what most self-hosted stores need) or BUCKET.ENDPOINT (false).'),
  S3_ACCESS_KEY_ID: z.string().min(1).optional().describe('Access key (or AWS_ACCESS_KEY_ID).'),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional().describe('Secret key (or AWS_SECRET_ACCESS_KEY).'),
};

export type BlobSettings = { kind: 'disk' } | ({ kind: 's3' } & S3Settings);

type StorageValues = {
  BLOB_STORE: 'disk' | 's3';
  S3_ENDPOINT?: string | undefined;
  S3_BUCKET?: string | undefined;
  S3_REGION: string;
  S3_FORCE_PATH_STYLE: boolean;
  S3_ACCESS_KEY_ID?: string | undefined;
  S3_SECRET_ACCESS_KEY?: string | undefined;
};

/** S3 bucket names: 3–63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit. */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Throws an Error whose message names the variable. */
export function blobSettings(values: StorageValues): BlobSettings {
  if (values.BLOB_STORE === 'disk') return { kind: 'disk' };
  if (!values.S3_BUCKET) throw new Error('S3_BUCKET: BLOB_STORE=s3 needs the name of the bucket');
  if (!BUCKET_NAME.test(values.S3_BUCKET))
    throw new Error('S3_BUCKET: not a bucket name (3–63 lowercase letters, digits, dots and hyphens)');
  if (Boolean(values.S3_ACCESS_KEY_ID) !== Boolean(values.S3_SECRET_ACCESS_KEY))
    throw new Error('S3_ACCESS_KEY_ID / S3_SECRET_ACCESS_KEY: set both or neither (neither uses AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY)');
  return {
    kind: 's3',
    endpoint: values.S3_ENDPOINT,
    bucket: values.S3_BUCKET,
    region: values.S3_REGION,
    forcePathStyle: values.S3_FORCE_PATH_STYLE,
    credentials:
      values.S3_ACCESS_KEY_ID && values.S3_SECRET_ACCESS_KEY
        ? { accessKeyId: values.S3_ACCESS_KEY_ID, secretAccessKey: values.S3_SECRET_ACCESS_KEY }
        : undefined,
  };
}

/** The store the settings name; the disk store's root is DATA_DIR. */
export function createBlobStore(settings: BlobSettings, dataDir: string): BlobStore {
  return settings.kind === 'disk' ? createDiskBlobStore({ root: path.resolve(dataDir) }) : createS3BlobStore(settings);
}
