// The blob store in an S3-compatible bucket (政务云 object storage, MinIO, Alibaba OSS, Tencent
// COS, Huawei OBS), through @aws-sdk/client-s3 and nothing but the S3 API. The bucket stays
// private: objects are read by the portal with its credentials and never linked to directly.
// A PUT replaces an object whole, so readers never see half a photo.
import { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { checkedKey, type BlobInfo, type BlobStore, type ListedBlob } from './blob-store.ts';

export interface S3Settings {
  endpoint: string | undefined;
  bucket: string;
  region: string;
  forcePathStyle: boolean;
  /** Both or neither; neither lets the SDK find credentials itself (AWS_* variables, profiles, instance roles). */
  credentials: { accessKeyId: string; secretAccessKey: string } | undefined;
}

function isMissing(error: unknown): boolean {
  if (!(error instanceof S3ServiceException)) return false;
  return error.name === 'NoSuchKey' || error.name === 'NotFound' || error.$metadata.httpStatusCode === 404;
}

export function createS3BlobStore(settings: S3Settings): BlobStore {
  const client = new S3Client({
    region: settings.region,
    forcePathStyle: settings.forcePathStyle,
    ...(settings.endpoint && { endpoint: settings.endpoint }),
    ...(settings.credentials && { credentials: settings.credentials }),
    // Checksums only where the API requires them: S3-compatible stores differ in what they accept.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // A bucket that stops answering fails a request within seconds instead of holding it; photos
    // are served through these sockets, so there are more of them than the SDK's 50.
    requestHandler: {
      connectionTimeout: 5_000,
      requestTimeout: 30_000,
      httpAgent: { keepAlive: true, maxSockets: 256 },
      httpsAgent: { keepAlive: true, maxSockets: 256 },
    },
  });
  const Bucket = settings.bucket;

  return {
    kind: 's3',
    describe: () => `S3-compatible bucket ${Bucket}${settings.endpoint ? ` at ${new URL(settings.endpoint).origin}` : ''}`,

    async put(key, body, { contentType }) {
      // Bodies here are bounded (a rendition, a mail of at most MAIL_MAX_MESSAGE_MB): a stream is
      // gathered first, since a PUT needs its length.
      let bytes: Uint8Array;
      if (body instanceof Uint8Array) bytes = body;
      else {
        const chunks: Buffer[] = [];
        for await (const chunk of body) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array));
        bytes = Buffer.concat(chunks);
      }
      await client.send(
        new PutObjectCommand({ Bucket, Key: checkedKey(key), Body: bytes, ContentType: contentType, ContentLength: bytes.length }),
      );
    },

    async get(key) {
      try {
        const out = await client.send(new GetObjectCommand({ Bucket, Key: checkedKey(key) }));
        if (!(out.Body instanceof Readable)) throw new Error(`the bucket answered ${key} without a body stream`);
        return { body: out.Body, ...infoOf(out) };
      } catch (error) {
        if (isMissing(error)) return null;
        throw error;
      }
    },

    async head(key) {
      try {
        const out = await client.send(new HeadObjectCommand({ Bucket, Key: checkedKey(key) }));
        return infoOf(out);
      } catch (error) {
        if (isMissing(error)) return null;
        throw error;
      }
    },

    async delete(key) {
      await client.send(new DeleteObjectCommand({ Bucket, Key: checkedKey(key) }));
    },

    // ListObjects (version 1) paged by Marker = the last key seen: every S3-compatible service
    // answers it the same way, and it needs no server-made continuation token (s3rver, the
    // tests' server, makes those with DES, which Node 24's OpenSSL 3 no longer has).
    async *list(prefix): AsyncIterable<ListedBlob> {
      let marker: string | undefined;
      for (;;) {
        const page = await client.send(new ListObjectsCommand({ Bucket, Prefix: prefix, ...(marker && { Marker: marker }) }));
        let last: string | undefined;
        for (const o of page.Contents ?? []) {
          if (!o.Key) continue;
          last = o.Key;
          yield { key: o.Key, size: o.Size ?? 0, lastModified: o.LastModified ?? new Date(0) };
        }
        if (!page.IsTruncated || !last) return;
        marker = last;
      }
    },

    localPath: () => null,
  };
}

/** Size, type and time as the bucket answers them for an object (GET or HEAD). */
function infoOf(out: { ContentLength?: number | undefined; ContentType?: string | undefined; LastModified?: Date | undefined }): BlobInfo {
  return {
    size: out.ContentLength ?? 0,
    contentType: out.ContentType ?? 'application/octet-stream',
    lastModified: out.LastModified ?? new Date(0),
  };
}
