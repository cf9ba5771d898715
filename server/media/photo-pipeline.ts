// From the bytes a resident uploaded to the two renditions we serve. Pure processing: no
// database, no files. Order matters for safety:
//   1. size and magic bytes (photo-content.ts) — refuses HEIC, SVG, PDF… before libvips runs;
//   2. the header (sharp metadata, with limitInputPixels) — refuses a decompression bomb from
//      its declared dimensions, before any pixel is decoded;
//   3. decode once (bounded by a semaphore), auto-orient, convert to sRGB, shrink to ≤ fullSize,
//      into a raw pixel buffer;
//   4. encode full and thumbnail WebP from those raw pixels. A raw buffer has no EXIF, GPS,
//      XMP, IPTC or ICC to carry over, so no later option can leak them into a rendition
//      (and sharp writes none by default anyway). The original is not returned for storage.
import { createHash } from 'node:crypto';
import sharp, { type Metadata, type OutputInfo, type SharpOptions } from 'sharp';
import { PHOTO_LIMITS, PhotoRejectedError, sniffPhotoContent, type AcceptedPhotoFormat } from './photo-content.ts';
import { createWorkLimiter } from './work-limiter.ts';

export { PHOTO_LIMITS, PhotoRejectedError, type AcceptedPhotoFormat, type PhotoRejectionReason } from './photo-content.ts';

export interface ProcessedPhoto {
  /** Format of the uploaded file, detected from its content. */
  format: AcceptedPhotoFormat;
  /** Size of the full rendition (after orientation and downscaling). */
  width: number;
  height: number;
  /** WebP, longest side ≤ PHOTO_LIMITS.fullSize, never upscaled, no metadata. */
  full: Buffer;
  /** WebP, longest side ≤ PHOTO_LIMITS.thumbSize, no metadata. */
  thumb: Buffer;
  /** Hex SHA-256 of the uploaded bytes (for deduplication; the bytes themselves are not kept). */
  sha256: string;
}

// libvips settings for the whole process (this module is the only user of sharp):
// - cache(false): the operation cache would keep recently decoded inputs — residents' photos,
//   up to 50 MB of them — alive after the request; nothing is ever processed twice here.
// - concurrency(1): one libvips worker thread per pipeline. Parallelism comes from running two
//   pipelines at once (below), which on a 2-core machine is all the CPU there is, and keeps
//   two of libuv's four threads free for file and crypto work.
// - block/unblock: libvips may load only the five accepted formats from a buffer. Sniffing
//   already stops SVG, PDF, TIFF…; this makes it impossible for any later code path to hand
//   one to a loader (the SVG and PDF loaders are the ones with a history of bugs). The Ultra
//   HDR loader stays blocked too, so an Android gain-map JPEG loads as a plain JPEG (its SDR
//   base image, which is what a web page shows anyway).
sharp.cache(false);
sharp.concurrency(1);
sharp.block({ operation: ['VipsForeignLoad'] });
sharp.unblock({
  operation: [
    'VipsForeignLoadJpegBuffer',
    'VipsForeignLoadPngBuffer',
    'VipsForeignLoadWebpBuffer',
    'VipsForeignLoadNsgifBuffer',
    'VipsForeignLoadHeifBuffer',
  ],
});

/** At most 2 photos are decoded at a time; up to 16 more wait, beyond that "retry shortly". */
const decodeLimiter = createWorkLimiter({ concurrency: 2, maxQueued: 16 });

/** A stuck or pathological decode is abandoned after this long (libvips checks between tiles). */
const DECODE_TIMEOUT_SECONDS = 20;

const FULL_QUALITY = 80;
const WEBP_EFFORT = 2;
const THUMB_QUALITY = 72;

const EXPECTED_DECODER: Record<AcceptedPhotoFormat, string> = {
  jpeg: 'jpeg',
  png: 'png',
  webp: 'webp',
  gif: 'gif',
  avif: 'heif',
};

/**
 * Validates and renders one uploaded photo. Throws PhotoRejectedError (an
 * UnsupportedContentError with a Chinese message under `file`) for anything we do not accept,
 * and TooManyRequestsError when too many photos are already waiting to be processed.
 */
export async function processPhoto(input: Uint8Array): Promise<ProcessedPhoto> {
  if (!(input instanceof Uint8Array)) throw new TypeError('processPhoto expects the uploaded bytes as a Uint8Array');
  if (input.byteLength === 0) throw new PhotoRejectedError('empty');
  if (input.byteLength > PHOTO_LIMITS.maxBytes) throw new PhotoRejectedError('too-large');

  const sniffed = sniffPhotoContent(input);
  if (sniffed.kind === 'refused') {
    throw new PhotoRejectedError(sniffed.reason, sniffed.formatName ? { formatName: sniffed.formatName } : {});
  }
  const format = sniffed.format;
  // A view, not a copy: the caller's bytes are read only.
  const bytes = Buffer.from(input.buffer, input.byteOffset, input.byteLength);

  await checkHeader(bytes, format);

  const { full, thumb, width, height } = await decodeLimiter.run(() => render(bytes));
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  return { format, width, height, full, thumb, sha256 };
}

const loadOptions = {
  // Enforced by libvips from the header before decoding; our own check below says why.
  limitInputPixels: PHOTO_LIMITS.maxPixels,
  // 'error' refuses truncated and corrupt data but tolerates the harmless warnings many phone
  // JPEGs carry ("extraneous bytes before marker"), which the stricter default would refuse.
  failOn: 'error',
  // Animated GIF/WebP: the first frame is the photo.
  pages: 1,
  page: 0,
} as const satisfies SharpOptions;

/** Reads only the header: format and declared dimensions. */
async function checkHeader(bytes: Buffer, format: AcceptedPhotoFormat): Promise<void> {
  let metadata: Metadata;
  try {
    metadata = await sharp(bytes, loadOptions).metadata();
  } catch (error) {
    if (/pixel limit/i.test(messageOf(error))) throw new PhotoRejectedError('too-many-pixels');
    throw new PhotoRejectedError('corrupt');
  }
  if (format === 'avif' && metadata.compression === 'hevc') throw new PhotoRejectedError('heic');
  if (metadata.format !== EXPECTED_DECODER[format]) throw new PhotoRejectedError('corrupt');
  const frameHeight = metadata.pageHeight ?? metadata.height;
  if (!(metadata.width > 0 && frameHeight > 0)) throw new PhotoRejectedError('corrupt');
  // Our own check, not only libvips': the limit is a product rule that must hold whichever
  // loader and version runs, and it is the one check that makes a bomb cheap to refuse.
  if (metadata.width * frameHeight > PHOTO_LIMITS.maxPixels) throw new PhotoRejectedError('too-many-pixels');
}

async function render(bytes: Buffer): Promise<{ full: Buffer; thumb: Buffer; width: number; height: number }> {
  let decoded: { data: Buffer; info: OutputInfo };
  try {
    decoded = await sharp(bytes, loadOptions)
      .timeout({ seconds: DECODE_TIMEOUT_SECONDS })
      .autoOrient()
      .resize({ width: PHOTO_LIMITS.fullSize, height: PHOTO_LIMITS.fullSize, fit: 'inside', withoutEnlargement: true })
      // Embedded ICC profiles (Display P3, CMYK…) are applied on the way to sRGB, then dropped.
      .toColourspace('srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
  } catch (error) {
    const message = messageOf(error);
    if (/pixel limit/i.test(message)) throw new PhotoRejectedError('too-many-pixels');
    if (/timeout/i.test(message)) throw new PhotoRejectedError('unprocessable');
    throw new PhotoRejectedError('corrupt');
  }

  const { width, height, channels } = decoded.info;
  const raw = { raw: { width, height, channels } } as const;
  // One after the other, not in parallel: one photo uses one libuv thread at a time.
  // effort 2 (sharp's default is 4): about a third less CPU for files ≈ 4 % larger — the
  // mailbox import and the web form's uploads are bound by this encoding (docs/benchmarks.md).
  const full = await sharp(decoded.data, raw).webp({ quality: FULL_QUALITY, effort: WEBP_EFFORT }).toBuffer();
  const thumb = await sharp(decoded.data, raw)
    .resize({ width: PHOTO_LIMITS.thumbSize, height: PHOTO_LIMITS.thumbSize, fit: 'inside', withoutEnlargement: true })
    .webp({ quality: THUMB_QUALITY, effort: WEBP_EFFORT })
    .toBuffer();
  return { full, thumb, width, height };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
