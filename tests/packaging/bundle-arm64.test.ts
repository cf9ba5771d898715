// Issue 19, "Done when": the ARM64 offline bundle, built on this x64 machine, runs under
// `qemu-aarch64` (Debian's qemu-user): it serves the home page and takes a report with a photo,
// which sharp's ARM64 library turns into its renditions — shown by the library being mapped into
// the emulated process, and by the rendition's pixels.
// The bundle's Node for ARM64 is linked against glibc: the emulator takes an ARM64 system root
// (Debian's libc6-arm64-cross and libstdc++6-arm64-cross, /usr/aarch64-linux-gnu). A kernel with
// binfmt_misc would hand an ARM64 program to qemu by itself; a container has none, so the test
// plays its part: node/bin/node becomes a two-line script that execs the real ARM64 binary (kept
// beside it) under qemu-aarch64. Everything else — bin/portal-web, its settings file, the PATH
// without Node — is as on an ARM64 server. Emulation is slow: the start takes tens of seconds.
// Needs the build (`npm run build`): `npm test` runs the packaging project after it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BLUE, halvesImage, RED } from '../fixtures/photos/make-photos.ts';
import {
  buildBundle,
  pathWithoutNode,
  reportWithPhoto,
  startBundled,
  trackedPhotos,
  unpackBundle,
  writeEnvFile,
  type BundledProcess,
} from '../support/offline-bundle.ts';

const QEMU = '/usr/bin/qemu-aarch64';
const SYSROOT = '/usr/aarch64-linux-gnu';

/** Fails with what to install when the emulator or the ARM64 system root is missing (not a silent skip). */
function checkEmulator(): void {
  const missing = [
    fs.existsSync(QEMU) ? null : `${QEMU} (Debian package qemu-user)`,
    fs.existsSync(path.join(SYSROOT, 'lib', 'ld-linux-aarch64.so.1')) ? null : `${SYSROOT}/lib/ld-linux-aarch64.so.1 (libc6-arm64-cross)`,
    fs.existsSync(path.join(SYSROOT, 'lib', 'libstdc++.so.6')) ? null : `${SYSROOT}/lib/libstdc++.so.6 (libstdc++6-arm64-cross)`,
  ].filter(Boolean);
  if (missing.length > 0) {
    throw new Error(
      `The ARM64 bundle runs under qemu-user here; missing: ${missing.join(', ')}. ` +
        'Install: apt-get install -y qemu-user libc6-arm64-cross libstdc++6-arm64-cross (npm test does when missing).',
    );
  }
}

/** An ELF header's machine field: 183 is AArch64. */
function elfMachine(file: string): number {
  const header = Buffer.alloc(20);
  const fd = fs.openSync(file, 'r');
  fs.readSync(fd, header, 0, 20, 0);
  fs.closeSync(fd);
  return header.readUInt16LE(18);
}

describe('the ARM64 offline bundle, under qemu-aarch64', () => {
  let work: string;
  let bundle: string;
  let web: BundledProcess | undefined;

  beforeAll(() => {
    checkEmulator();
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-bundle-arm64-'));
    const { archive } = buildBundle('arm64', path.join(work, 'out'));
    bundle = unpackBundle(archive, path.join(work, 'server'));
    fs.rmSync(path.join(work, 'out'), { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await web?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it('serves the home page and takes a report with a photo, through sharp for ARM64', async () => {
    const node = path.join(bundle, 'node', 'bin', 'node');
    expect(elfMachine(node)).toBe(183);
    const sharpLib = path.join(bundle, 'app', 'node_modules', '@img', 'sharp-linux-arm64', 'lib');
    const sharpModule = path.join(sharpLib, fs.readdirSync(sharpLib).find((f) => f.endsWith('.node')) ?? 'no .node file');
    expect(elfMachine(sharpModule)).toBe(183);
    expect(fs.existsSync(path.join(bundle, 'app', 'node_modules', '@img', 'sharp-linux-x64'))).toBe(false);

    // binfmt_misc's part (see the header).
    fs.renameSync(node, `${node}-arm64`);
    fs.writeFileSync(node, `#!/bin/sh\nexec ${QEMU} -L ${SYSROOT} "$0-arm64" "$@"\n`, { mode: 0o755 });

    const env = {
      PATH: pathWithoutNode(path.join(work, 'path')),
      HOME: work,
      PORTAL_ENV_FILE: writeEnvFile(path.join(work, 'portal.env'), { DATA_DIR: path.join(work, 'data'), HOST: '127.0.0.1', PORT: '0' }),
    };
    web = await startBundled(bundle, 'portal-web', env, 100_000);
    // The emulator runs the bundle's ARM64 Node.
    expect(fs.readlinkSync(`/proc/${web.pid}/exe`)).toBe(QEMU);
    expect(fs.readFileSync(`/proc/${web.pid}/cmdline`, 'utf8').split('\0')).toContain(`${node}-arm64`);

    const home = await fetch(`${web.base}/`);
    expect(home.status).toBe(200);
    expect(await home.text()).toContain('临城县文明创城');

    const photo = await halvesImage(480, 320).jpeg().toBuffer();
    const { trackingCode, photoId } = await reportWithPhoto(web.base, photo, '人民路和府前街交叉口，机动车经过斑马线从来不礼让行人');
    const [tracked] = await trackedPhotos(web.base, trackingCode);
    expect(tracked?.url).toBe(`/media/${photoId}.webp`);
    const rendition = await fetch(`${web.base}${tracked!.url}`);
    expect(rendition.status).toBe(200);
    expect(rendition.headers.get('content-type')).toBe('image/webp');
    // Made by the ARM64 libvips: a WebP of the photo's size, red on the left and blue on the right.
    const { data, info } = await sharp(Buffer.from(await rendition.arrayBuffer()))
      .raw()
      .toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([480, 320]);
    const pixel = (x: number, y: number) => [
      ...data.subarray((y * info.width + x) * info.channels, (y * info.width + x) * info.channels + 3),
    ];
    const near = (got: number[], want: { r: number; g: number; b: number }) =>
      Math.max(Math.abs(got[0]! - want.r), Math.abs(got[1]! - want.g), Math.abs(got[2]! - want.b)) < 24;
    expect(near(pixel(60, 160), RED), String(pixel(60, 160))).toBe(true);
    expect(near(pixel(420, 160), BLUE), String(pixel(420, 160))).toBe(true);

    // sharp's ARM64 module and libvips are what the emulated process has loaded; no x64 one.
    const maps = fs.readFileSync(`/proc/${web.pid}/maps`, 'utf8');
    expect(maps).toContain(sharpModule);
    expect(maps).toMatch(/sharp-libvips-linux-arm64\/lib\/libvips-cpp\.so/);
    expect(maps).not.toMatch(/sharp-(libvips-)?linux-x64/);
  }, 150_000);
});
