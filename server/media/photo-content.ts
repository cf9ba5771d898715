// What an uploaded file IS, judged from its first bytes only. The file name and the declared
// MIME type are never consulted: a browser labels a HEIC as image/jpeg when it is renamed, and
// a crafted upload can claim anything. Only the five formats we accept ever reach libvips; an
// SVG (scriptable, can reference external files), a PDF or a TIFF is refused here, before
// sharp sees a byte of it.
import { UnsupportedContentError } from '../errors.ts';

export type AcceptedPhotoFormat = 'jpeg' | 'png' | 'webp' | 'avif' | 'gif';

/** Why a photo was refused; the message a resident sees follows from it. */
export type PhotoRejectionReason =
  'empty' | 'too-large' | 'too-many-pixels' | 'heic' | 'unsupported-image' | 'pdf' | 'video' | 'not-image' | 'corrupt' | 'unprocessable';

const ACCEPTED_LIST = 'JPG、PNG、WebP、AVIF或GIF';

/**
 * Bounds on one upload (re-exported by photo-pipeline.ts, which enforces them).
 * - maxBytes 15 MB: a 12-50 MP phone JPEG is 2-12 MB; anything larger is a panorama, a RAW
 *   file or an attack, and every queued upload holds its bytes in memory.
 * - maxPixels 50 million (checked from the header, before decoding): admits the full-resolution
 *   48/50 MP modes of current phones (8160x6120 = 49.9 MP) and refuses 108/200 MP modes and
 *   decompression bombs. A decoded 50 MP image never exists in memory at once anyway: libvips
 *   streams it through the resize (JPEG even decodes at 1/8 scale), so the bound is on time.
 * - fullSize / thumbSize: longest side of the served renditions, never upscaled.
 */
export const PHOTO_LIMITS = {
  maxBytes: 15 * 1024 * 1024,
  maxPixels: 50_000_000,
  fullSize: 1600,
  thumbSize: 400,
} as const;

/**
 * A photo we refuse. It is an UnsupportedContentError (so the one error mapping turns it into a
 * field message under `file`); `reason` lets the HTTP layer pick a status (e.g. 413 for
 * 'too-large') and lets logs count refusals without parsing Chinese.
 */
export class PhotoRejectedError extends UnsupportedContentError {
  readonly reason: PhotoRejectionReason;
  constructor(reason: PhotoRejectionReason, detail: { formatName?: string } = {}) {
    const message = rejectionMessage(reason, detail);
    super(message, { file: message });
    this.reason = reason;
  }
}

/** The Chinese message for each refusal: what happened, and what the resident can do. */
export function rejectionMessage(reason: PhotoRejectionReason, detail: { formatName?: string } = {}): string {
  switch (reason) {
    case 'empty':
      return '照片文件是空的（0字节），请重新选择照片上传。';
    case 'too-large':
      return `照片文件太大，单张不能超过${PHOTO_LIMITS.maxBytes / (1024 * 1024)}MB。请在手机相册中编辑后另存为较小的照片，或截图后上传截图。`;
    case 'too-many-pixels':
      return `照片尺寸太大，单张不能超过${PHOTO_LIMITS.maxPixels / 10_000}万像素。请把照片缩小后再上传，或截图后上传截图。`;
    case 'heic':
      return '暂不支持苹果手机的HEIC格式照片。请在“设置-相机-格式”中选择“兼容性最佳”后重新拍摄，或截图后上传截图。';
    case 'unsupported-image':
      return `暂不支持${detail.formatName ?? '这种格式'}的图片。请上传${ACCEPTED_LIST}格式的照片，或截图后上传截图。`;
    case 'pdf':
      return `这是PDF文件，不是照片。请上传${ACCEPTED_LIST}格式的照片；需要提供文件内容的，可截图后上传截图。`;
    case 'video':
      return '暂不支持上传视频或音频。请从视频中截图后上传截图，或直接拍照上传。';
    case 'not-image':
      return `这个文件不是照片。请上传${ACCEPTED_LIST}格式的照片。`;
    case 'corrupt':
      return '照片文件已损坏或没有完整上传，无法读取。请重新选择照片上传；如仍不行，请重新拍摄或截图后上传截图。';
    case 'unprocessable':
      return '这张照片无法处理。请换一张照片，或截图后上传截图。';
  }
}

export type SniffResult =
  { kind: 'accepted'; format: AcceptedPhotoFormat } | { kind: 'refused'; reason: PhotoRejectionReason; formatName?: string };

const ascii = (bytes: Uint8Array, start: number, end: number): string =>
  String.fromCharCode(...bytes.subarray(start, Math.min(end, bytes.length)));

const startsWith = (bytes: Uint8Array, prefix: readonly number[], at = 0): boolean =>
  bytes.length >= at + prefix.length && prefix.every((b, i) => bytes[at + i] === b);

const u32be = (bytes: Uint8Array, at: number): number =>
  (bytes[at] ?? 0) * 0x1000000 + ((bytes[at + 1] ?? 0) << 16) + ((bytes[at + 2] ?? 0) << 8) + (bytes[at + 3] ?? 0);

// HEIF brands (ISO/IEC 23008-12). AVIF files also list 'mif1', so 'avif'/'avis' wins.
const AVIF_BRANDS = new Set(['avif', 'avis']);
const HEIF_BRANDS = new Set(['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'hevm', 'hevs', 'mif1', 'mif2', 'msf1', 'heif']);

/** Major and compatible brands of an ISO base media file ('ftyp' box), or null if there is none. */
function ftypBrands(bytes: Uint8Array): string[] | null {
  if (bytes.length < 12 || ascii(bytes, 4, 8) !== 'ftyp') return null;
  const boxEnd = Math.min(Math.max(u32be(bytes, 0), 16), bytes.length, 4096);
  const brands = [ascii(bytes, 8, 12)];
  for (let at = 16; at + 4 <= boxEnd; at += 4) brands.push(ascii(bytes, at, at + 4));
  return brands;
}

/** Leading text of the file as Latin-1, for the text-based formats (SVG, PDF, HTML). */
function head(bytes: Uint8Array, length: number): string {
  let start = 0;
  if (startsWith(bytes, [0xef, 0xbb, 0xbf])) start = 3; // UTF-8 byte order mark
  return ascii(bytes, start, start + length);
}

/** Classifies a file by its magic bytes. Never throws. */
export function sniffPhotoContent(bytes: Uint8Array): SniffResult {
  if (bytes.length === 0) return { kind: 'refused', reason: 'empty' };

  // The five formats we accept.
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return { kind: 'accepted', format: 'jpeg' };
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return { kind: 'accepted', format: 'png' };
  if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 12) === 'WEBP') return { kind: 'accepted', format: 'webp' };
  if (ascii(bytes, 0, 6) === 'GIF87a' || ascii(bytes, 0, 6) === 'GIF89a') return { kind: 'accepted', format: 'gif' };

  const brands = ftypBrands(bytes);
  if (brands) {
    if (brands.some((b) => AVIF_BRANDS.has(b))) return { kind: 'accepted', format: 'avif' };
    if (brands.some((b) => HEIF_BRANDS.has(b))) return { kind: 'refused', reason: 'heic', formatName: 'HEIC' };
    return { kind: 'refused', reason: 'video' }; // MP4, MOV (qt), 3GP, M4A…
  }

  // Images in formats we do not accept: name them, so the resident knows what is wrong.
  const other = otherImageFormat(bytes);
  if (other) return { kind: 'refused', reason: 'unsupported-image', formatName: other };

  // Documents, video, everything else.
  if (head(bytes, 1024).includes('%PDF-')) return { kind: 'refused', reason: 'pdf' };
  if (isVideo(bytes)) return { kind: 'refused', reason: 'video' };
  return { kind: 'refused', reason: 'not-image' };
}

function otherImageFormat(bytes: Uint8Array): string | null {
  if (startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a])) {
    return 'TIFF格式或相机RAW格式';
  }
  // 'BM' alone is too weak (plain text may start with it): also require a known DIB header size.
  if (ascii(bytes, 0, 2) === 'BM' && [12, 40, 52, 56, 64, 108, 124].includes(u32le(bytes, 14))) return 'BMP格式';
  if (ascii(bytes, 0, 4) === '8BPS') return 'PSD（Photoshop）格式';
  if (startsWith(bytes, [0x00, 0x00, 0x01, 0x00]) && bytes.length > 6 && (bytes[4] ?? 0) > 0) return 'ICO图标格式';
  if (startsWith(bytes, [0xff, 0x0a]) || startsWith(bytes, [0, 0, 0, 0x0c, 0x4a, 0x58, 0x4c, 0x20, 0x0d, 0x0a, 0x87, 0x0a])) {
    return 'JPEG XL格式';
  }
  if (startsWith(bytes, [0, 0, 0, 0x0c, 0x6a, 0x50, 0x20, 0x20]) || startsWith(bytes, [0xff, 0x4f, 0xff, 0x51])) {
    return 'JPEG 2000格式';
  }
  const text = head(bytes, 4096).trimStart().toLowerCase();
  if (text.startsWith('<') && text.includes('<svg')) return 'SVG矢量图格式';
  return null;
}

function u32le(bytes: Uint8Array, at: number): number {
  return (bytes[at] ?? 0) + ((bytes[at + 1] ?? 0) << 8) + ((bytes[at + 2] ?? 0) << 16) + (bytes[at + 3] ?? 0) * 0x1000000;
}

function isVideo(bytes: Uint8Array): boolean {
  if (startsWith(bytes, [0x1a, 0x45, 0xdf, 0xa3])) return true; // Matroska / WebM
  if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 12) === 'AVI ') return true;
  if (ascii(bytes, 0, 3) === 'FLV') return true;
  if (startsWith(bytes, [0x00, 0x00, 0x01, 0xba]) || startsWith(bytes, [0x00, 0x00, 0x01, 0xb3])) return true; // MPEG-PS / ES
  if (ascii(bytes, 0, 4) === 'OggS' || ascii(bytes, 0, 3) === 'ID3') return true;
  // MPEG transport stream: a sync byte every 188 bytes.
  if (bytes.length >= 188 * 3 && bytes[0] === 0x47 && bytes[188] === 0x47 && bytes[376] === 0x47) return true;
  return false;
}
