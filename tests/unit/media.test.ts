// The photo pipeline: what is accepted (judged by content), what is refused and with which
// Chinese message, the bounds (bytes, pixels, a 50000×50000 PNG bomb), orientation, sizes, and
// that no metadata (EXIF, GPS, XMP, ICC) survives into any rendition.
import { createHash } from 'node:crypto';
import sharp, { type Sharp } from 'sharp';
import { describe, expect, it } from 'vitest';
import { TooManyRequestsError, UnsupportedContentError } from '../../server/errors.ts';
import { sniffPhotoContent } from '../../server/media/photo-content.ts';
import {
  PHOTO_LIMITS,
  PhotoRejectedError,
  processPhoto,
  type PhotoRejectionReason,
  type ProcessedPhoto,
} from '../../server/media/photo-pipeline.ts';
import { createWorkLimiter } from '../../server/media/work-limiter.ts';
import {
  BLUE,
  RED,
  animated,
  bmpFile,
  exifIfd0Tags,
  halvesImage,
  heicHeader,
  isoMediaHeader,
  pngWithDeclaredSize,
  solidPhoto,
  withExtraneousBytesBeforeScan,
  withJpegFrameSize,
} from '../fixtures/photos/make-photos.ts';

/** Runs processPhoto and returns the refusal it must produce. */
async function refusal(input: Uint8Array): Promise<PhotoRejectedError> {
  try {
    await processPhoto(input);
  } catch (error) {
    if (error instanceof PhotoRejectedError) return error;
    throw error;
  }
  throw new Error('expected the photo to be refused');
}

async function expectRefused(input: Uint8Array, reason: PhotoRejectionReason, messagePart?: string): Promise<PhotoRejectedError> {
  const error = await refusal(input);
  expect(error.reason).toBe(reason);
  expect(error).toBeInstanceOf(UnsupportedContentError);
  expect(error.name).toBe('UnsupportedContentError');
  expect(error.fields).toEqual({ file: error.message });
  expect(error.message).toMatch(/[\u4e00-\u9fff]/); // Chinese, for a resident
  if (messagePart) expect(error.message).toContain(messagePart);
  return error;
}

const isWebp = (bytes: Buffer) => bytes.subarray(0, 4).toString('latin1') === 'RIFF' && bytes.subarray(8, 12).toString('latin1') === 'WEBP';

async function pixelAt(image: Buffer, x: number, y: number): Promise<{ r: number; g: number; b: number }> {
  const { data, info } = await sharp(image).raw().toBuffer({ resolveWithObject: true });
  const at = (y * info.width + x) * info.channels;
  return { r: data[at] ?? -1, g: data[at + 1] ?? -1, b: data[at + 2] ?? -1 };
}

const near = (actual: { r: number; g: number; b: number }, expected: { r: number; g: number; b: number }) =>
  Math.abs(actual.r - expected.r) < 40 && Math.abs(actual.g - expected.g) < 40 && Math.abs(actual.b - expected.b) < 40;

describe('accepted formats, judged by content', () => {
  it.each(['jpeg', 'png', 'webp', 'avif', 'gif'] as const)('%s → two WebP renditions', async (format) => {
    const input = await solidPhoto(format, 640, 480);
    const photo = await processPhoto(new Uint8Array(input));
    expect(photo.format).toBe(format);
    expect([photo.width, photo.height]).toEqual([640, 480]);
    expect(isWebp(photo.full)).toBe(true);
    expect(isWebp(photo.thumb)).toBe(true);
    expect(await sharp(photo.full).metadata()).toMatchObject({ format: 'webp', width: 640, height: 480, space: 'srgb' });
    expect(await sharp(photo.thumb).metadata()).toMatchObject({ format: 'webp', width: 400, height: 300 });
    expect(photo.sha256).toBe(createHash('sha256').update(input).digest('hex'));
  });

  it('a JPEG uploaded as "photo.png" (image/png) is a JPEG: the name never matters', async () => {
    const file = new File([new Uint8Array(await solidPhoto('jpeg', 320, 240))], 'photo.png', { type: 'image/png' });
    const photo = await processPhoto(new Uint8Array(await file.arrayBuffer()));
    expect(photo.format).toBe('jpeg');
  });

  it('a PNG uploaded as "IMG_0001.JPG" is a PNG', async () => {
    const file = new File([new Uint8Array(await solidPhoto('png', 320, 240))], 'IMG_0001.JPG', { type: 'image/jpeg' });
    expect((await processPhoto(new Uint8Array(await file.arrayBuffer()))).format).toBe('png');
  });

  it('reads a Uint8Array view into a larger buffer without touching the rest', async () => {
    const jpeg = await solidPhoto('jpeg', 64, 48);
    const backing = new Uint8Array(jpeg.length + 20).fill(7);
    backing.set(jpeg, 10);
    const view = backing.subarray(10, 10 + jpeg.length);
    const photo = await processPhoto(view);
    expect(photo.format).toBe('jpeg');
    expect(backing[5]).toBe(7);
    expect(photo.sha256).toBe(createHash('sha256').update(jpeg).digest('hex'));
  });

  it('tolerates the harmless warnings common in phone JPEGs (extraneous bytes before a marker)', async () => {
    const input = withExtraneousBytesBeforeScan(await solidPhoto('jpeg', 200, 150));
    expect((await processPhoto(input)).width).toBe(200);
  });

  it('an Ultra HDR JPEG (gain map, as recent Android phones take) is processed as a JPEG', async () => {
    const base = await solidPhoto('png', 400, 300);
    // withGainMap() (sharp 0.35, experimental) is missing from sharp's type declarations.
    const withGainMap = sharp(base) as Sharp & { withGainMap(): Sharp };
    const ultraHdr = await withGainMap.withGainMap().jpeg().toBuffer();
    expect(ultraHdr.includes(Buffer.from('hdrgm', 'latin1')) || ultraHdr.includes(Buffer.from('urn:iso:std:iso:ts:21496', 'latin1'))).toBe(
      true,
    );
    const photo = await processPhoto(ultraHdr);
    expect(photo.format).toBe('jpeg');
    expect(await sharp(photo.full).metadata()).toMatchObject({ width: 400, height: 300, space: 'srgb' });
  });

  it.each(['gif', 'webp'] as const)('animated %s: the first frame is the photo', async (format) => {
    const photo = await processPhoto(await animated(format, 120, 80));
    expect([photo.width, photo.height]).toEqual([120, 80]);
    const meta = await sharp(photo.full).metadata();
    expect(meta.pages ?? 1).toBe(1);
    expect(near(await pixelAt(photo.full, 60, 40), RED)).toBe(true);
  });

  it('greyscale, 16-bit, transparent and CMYK inputs all come out as 8-bit sRGB', async () => {
    const inputs = [
      await sharp({ create: { width: 50, height: 40, channels: 3, background: RED } })
        .greyscale()
        .png()
        .toBuffer(),
      await sharp({ create: { width: 50, height: 40, channels: 3, background: RED } })
        .toColourspace('rgb16')
        .png()
        .toBuffer(),
      await sharp({ create: { width: 50, height: 40, channels: 4, background: { ...RED, alpha: 0.5 } } })
        .png()
        .toBuffer(),
      await sharp({ create: { width: 50, height: 40, channels: 3, background: RED } })
        .toColourspace('cmyk')
        .jpeg()
        .toBuffer(),
    ];
    for (const input of inputs) {
      const meta = await sharp((await processPhoto(input)).full).metadata();
      expect(meta.space).toBe('srgb');
      expect(meta.depth).toBe('uchar');
    }
  });
});

describe('refused formats, with a message that says what to do', () => {
  it('HEIC (the iPhone default) names the fix in the camera settings', async () => {
    const error = await expectRefused(heicHeader(), 'heic', '暂不支持苹果手机的HEIC格式照片');
    expect(error.message).toContain('兼容性最佳');
    expect(error.message).toContain('截图');
  });

  it.each([
    ['mif1 + heic', isoMediaHeader('mif1', ['heic'])],
    ['heix', isoMediaHeader('heix', ['mif1'])],
    ['HEIF sequence (msf1/hevc)', isoMediaHeader('msf1', ['hevc'])],
  ])('other HEIF brands (%s) get the same message', async (_label, input) => {
    await expectRefused(input, 'heic', 'HEIC');
  });

  it('a HEIC named .jpg is still refused as HEIC', async () => {
    const file = new File([new Uint8Array(heicHeader())], 'IMG_0002.jpg', { type: 'image/jpeg' });
    await expectRefused(new Uint8Array(await file.arrayBuffer()), 'heic');
  });

  it.each([
    ['plain', '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>'],
    ['with XML prolog', '<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>'],
    ['with BOM and whitespace', '\ufeff \n\t<!DOCTYPE svg><SVG xmlns="http://www.w3.org/2000/svg"/>'],
    [
      'referencing a local file',
      '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><image xlink:href="file:///etc/passwd"/></svg>',
    ],
  ])('SVG (%s) is refused before libvips sees it', async (_label, text) => {
    await expectRefused(Buffer.from(text, 'utf8'), 'unsupported-image', 'SVG');
  });

  it('and libvips itself will not load an SVG in this process (loaders are allow-listed)', async () => {
    await processPhoto(await solidPhoto('png', 8, 8)); // the pipeline module is loaded and configured
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>');
    await expect(sharp(svg).metadata()).rejects.toThrow();
  });

  it('TIFF and BMP are named', async () => {
    await expectRefused(await solidPhoto('tiff', 20, 20), 'unsupported-image', 'TIFF');
    await expectRefused(bmpFile(), 'unsupported-image', 'BMP');
  });

  it('PDF', async () => {
    await expectRefused(Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\n', 'latin1'), 'pdf', 'PDF');
  });

  it('video (MP4, MOV, WebM)', async () => {
    await expectRefused(isoMediaHeader('isom', ['isom', 'iso2', 'avc1', 'mp41']), 'video', '视频');
    await expectRefused(isoMediaHeader('qt  ', ['qt  ']), 'video');
    await expectRefused(Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01]), 'video');
  });

  it.each([
    ['Chinese text', Buffer.from('占道经营，请尽快处理。', 'utf8')],
    ['HTML', Buffer.from('<!doctype html><html><body>hi</body></html>', 'utf8')],
    ['ZIP', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 0, 0])],
    ['a single byte', Buffer.from([0xff])],
  ])('not an image (%s)', async (_label, input) => {
    await expectRefused(input, 'not-image', '不是照片');
  });

  it('an empty file', async () => {
    await expectRefused(new Uint8Array(0), 'empty', '空的');
  });
});

describe('corrupt and truncated images: a message, never a crash', () => {
  it.each(['jpeg', 'png', 'webp', 'gif', 'avif'] as const)('truncated %s', async (format) => {
    const whole = await sharp({
      create: { width: 200, height: 150, channels: 3, background: RED, noise: { type: 'gaussian', mean: 128, sigma: 40 } },
    })
      .toFormat(format)
      .toBuffer();
    const error = await expectRefused(whole.subarray(0, Math.floor(whole.length * 0.6)), 'corrupt');
    expect(error.message).toContain('损坏');
  });

  it('a JPEG signature followed by garbage', async () => {
    const garbage = Buffer.alloc(4096);
    for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 131 + 7) % 251;
    await expectRefused(Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), garbage]), 'corrupt');
  });

  it('an ftyp that claims AVIF but holds nothing decodable', async () => {
    await expectRefused(isoMediaHeader('avif', ['mif1', 'avif', 'miaf']), 'corrupt');
  });
});

describe('bounds', () => {
  it('more than 15 MB is refused before anything is decoded', async () => {
    const big = new Uint8Array(PHOTO_LIMITS.maxBytes + 1);
    big.set([0xff, 0xd8, 0xff, 0xe0]);
    const started = performance.now();
    await expectRefused(big, 'too-large', '15MB');
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('a 50000×50000 PNG (decompression bomb) is refused from its header in under a second', async () => {
    const bomb = pngWithDeclaredSize(50_000, 50_000);
    expect(bomb.length).toBeLessThan(10_000);
    expect(await sharp(bomb, { limitInputPixels: false }).metadata()).toMatchObject({ width: 50_000, height: 50_000 }); // a valid header
    const started = performance.now();
    await expectRefused(bomb, 'too-many-pixels', '万像素');
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('a JPEG whose frame header claims 60000×60000 is refused fast', async () => {
    const bomb = withJpegFrameSize(await solidPhoto('jpeg', 64, 64), 60_000, 60_000);
    const started = performance.now();
    await expectRefused(bomb, 'too-many-pixels');
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('the pixel limit sits just above a 50 MP phone photo', async () => {
    expect(PHOTO_LIMITS.maxPixels).toBeGreaterThanOrEqual(8160 * 6120);
    await expectRefused(pngWithDeclaredSize(10_000, 5_001), 'too-many-pixels');
    // 8160×6120 passes the header check; this file then fails only because its IDAT is short.
    await expectRefused(pngWithDeclaredSize(8160, 6120), 'corrupt');
  });
});

describe('orientation and size', () => {
  it('EXIF orientation 6 is applied: a landscape-stored photo comes out upright (portrait)', async () => {
    // Stored 300×200, left half red, right half blue; orientation 6 means "turn 90° clockwise".
    const input = await halvesImage(300, 200).withMetadata({ orientation: 6 }).jpeg({ quality: 95 }).toBuffer();
    expect((await sharp(input).metadata()).orientation).toBe(6);
    const photo = await processPhoto(input);
    expect([photo.width, photo.height]).toEqual([200, 300]);
    expect(near(await pixelAt(photo.full, 100, 30), RED)).toBe(true); // the left side is now on top
    expect(near(await pixelAt(photo.full, 100, 270), BLUE)).toBe(true);
    const meta = await sharp(photo.full).metadata();
    expect(meta.orientation).toBeUndefined();
    expect([meta.width, meta.height]).toEqual([200, 300]);
    expect((await sharp(photo.thumb).metadata()).height).toBe(300); // 300 ≤ 400: not upscaled
  });

  it('a 4000×3000 photo is downscaled to 1600×1200 with a 400×300 thumbnail', async () => {
    const photo = await processPhoto(await solidPhoto('jpeg', 4000, 3000));
    expect([photo.width, photo.height]).toEqual([1600, 1200]);
    expect(await sharp(photo.full).metadata()).toMatchObject({ width: 1600, height: 1200 });
    expect(await sharp(photo.thumb).metadata()).toMatchObject({ width: 400, height: 300 });
  });

  it('a portrait 3000×4000 photo: the longest side becomes 1600', async () => {
    const photo = await processPhoto(await solidPhoto('png', 3000, 4000));
    expect([photo.width, photo.height]).toEqual([1200, 1600]);
    expect(await sharp(photo.thumb).metadata()).toMatchObject({ width: 300, height: 400 });
  });

  it('small photos are never upscaled', async () => {
    const medium = await processPhoto(await solidPhoto('jpeg', 800, 600));
    expect([medium.width, medium.height]).toEqual([800, 600]);
    const tiny = await processPhoto(await solidPhoto('jpeg', 120, 90));
    expect([tiny.width, tiny.height]).toEqual([120, 90]);
    expect(await sharp(tiny.thumb).metadata()).toMatchObject({ width: 120, height: 90 });
  });
});

describe('metadata is stripped from every rendition', () => {
  const SECRET_MAKE = 'SecretCam-7731';
  const SECRET_PLACE = 'SecretPlace-Lincheng';
  const xmp =
    '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">' +
    `<rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/" exif:GPSLatitude="37,26.1N" exif:GPSLongitude="114,30.5E" dc:source="${SECRET_PLACE}"/>` +
    '</rdf:RDF></x:xmpmeta>';

  const withEverything = (format: 'jpeg' | 'png' | 'webp' | 'avif') =>
    sharp({ create: { width: 1000, height: 750, channels: 3, background: RED } })
      .withExif({
        IFD0: { Make: SECRET_MAKE, Model: 'Phone X', Software: 'test' },
        IFD2: { DateTimeOriginal: '2026:05:01 08:30:00', UserComment: SECRET_PLACE },
        IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '37/1 26/1 6/1', GPSLongitudeRef: 'E', GPSLongitude: '114/1 30/1 30/1' },
      })
      .withXmp(xmp)
      .withIccProfile('p3')
      .toFormat(format)
      .toBuffer();

  const forbidden = ['Exif', 'EXIF', 'XMP ', 'xmpmeta', 'ICCP', 'GPS', SECRET_MAKE, SECRET_PLACE, 'Phone X'];

  it.each(['jpeg', 'png', 'webp', 'avif'] as const)('%s with EXIF, GPS, XMP and ICC in → none of it out', async (format) => {
    const input = await withEverything(format);
    const before = await sharp(input).metadata();
    expect(before.exif).toBeDefined();
    expect(exifIfd0Tags(before.exif ?? Buffer.alloc(0))).toContain(0x8825); // the GPS IFD is really there
    expect(before.xmpAsString ?? before.xmp?.toString('utf8')).toContain(SECRET_PLACE);
    expect(before.hasProfile).toBe(true);

    // Control: the byte check below does catch metadata when an encoder keeps it.
    const leaky = (await sharp(input).keepMetadata().webp().toBuffer()).toString('latin1');
    expect(forbidden.some((needle) => leaky.includes(needle))).toBe(true);

    const photo: ProcessedPhoto = await processPhoto(input);
    for (const rendition of [photo.full, photo.thumb]) {
      const after = await sharp(rendition).metadata();
      expect(after.exif).toBeUndefined();
      expect(after.xmp).toBeUndefined();
      expect(after.iptc).toBeUndefined();
      expect(after.icc).toBeUndefined();
      expect(after.hasProfile).toBe(false);
      expect(after.orientation).toBeUndefined();
      const bytes = rendition.toString('latin1');
      for (const needle of forbidden) expect(bytes, `"${needle}" in the ${format} rendition`).not.toContain(needle);
    }
  });
});

describe('content sniffing (no libvips)', () => {
  it('classifies by magic bytes only', () => {
    expect(sniffPhotoContent(Buffer.from([0xff, 0xd8, 0xff, 0xe1]))).toEqual({ kind: 'accepted', format: 'jpeg' });
    expect(sniffPhotoContent(isoMediaHeader('avif', ['mif1', 'avif']))).toEqual({ kind: 'accepted', format: 'avif' });
    expect(sniffPhotoContent(isoMediaHeader('mif1', ['avif', 'miaf']))).toEqual({ kind: 'accepted', format: 'avif' });
    expect(sniffPhotoContent(heicHeader())).toMatchObject({ kind: 'refused', reason: 'heic' });
    expect(sniffPhotoContent(Buffer.from('BMW is a car brand, not a bitmap'))).toMatchObject({ reason: 'not-image' });
  });
});

describe('work limiter (bounds parallel decoding)', () => {
  it('runs at most `concurrency` tasks, queues up to `maxQueued`, refuses the rest with retry advice', async () => {
    const limiter = createWorkLimiter({ concurrency: 2, maxQueued: 3 });
    let running = 0;
    let maxRunning = 0;
    const gates: Array<() => void> = [];
    const task = (value: number) => () =>
      new Promise<number>((resolve) => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        gates.push(() => {
          running--;
          resolve(value);
        });
      });

    const accepted = [1, 2, 3, 4, 5].map((n) => limiter.run(task(n)));
    expect(limiter.active).toBe(2);
    expect(limiter.queued).toBe(3);
    const overflow = limiter.run(task(6));
    await expect(overflow).rejects.toBeInstanceOf(TooManyRequestsError);
    await expect(overflow).rejects.toMatchObject({ retryAfterSeconds: 5 });

    while (gates.length > 0 || limiter.active > 0) {
      gates.shift()?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(await Promise.all(accepted)).toEqual([1, 2, 3, 4, 5]);
    expect(maxRunning).toBe(2);
    expect(limiter.active).toBe(0);
  });

  it('a failing task frees its slot', async () => {
    const limiter = createWorkLimiter({ concurrency: 1, maxQueued: 1 });
    await expect(limiter.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(limiter.active).toBe(0);
    expect(await limiter.run(() => Promise.resolve('ok'))).toBe('ok');
  });

  it('many photos at once all get processed', async () => {
    const inputs = await Promise.all([1, 2, 3, 4, 5, 6].map((n) => solidPhoto('jpeg', 900 + n, 700)));
    const photos = await Promise.all(inputs.map((input) => processPhoto(input)));
    expect(photos.map((p) => p.width)).toEqual([901, 902, 903, 904, 905, 906]);
  });
});
