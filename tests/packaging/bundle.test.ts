// Issue 19, "Done when": the x64 offline bundle, built by `npm run bundle`, unpacked into an empty
// folder and started with a PATH that holds no Node and no npm, runs the portal: the home page, a
// report with a photo (sharp's x64 library, from the bundle) and the console's sign-in, with the
// account made by the bundle's own bin/portal-admin and the schema by bin/portal-migrate. Its worker
// builds the public site from the bundle's own Astro and Pagefind (what a pruned dependency would
// break first).
// Needs the build (`npm run build`): `npm test` runs the packaging project after it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { halvesImage } from '../fixtures/photos/make-photos.ts';
import {
  buildBundle,
  pathWithoutNode,
  reportWithPhoto,
  runCommand,
  startBundled,
  waitForMessage,
  trackedPhotos,
  unpackBundle,
  writeEnvFile,
  type BundledProcess,
} from '../support/offline-bundle.ts';

const PASSWORD = 'offline-install-pass-2026';

describe('the x64 offline bundle, on a machine with no Node', () => {
  let work: string;
  let bundle: string;
  let built: string;
  let env: Record<string, string>;
  let web: BundledProcess | undefined;
  let worker: BundledProcess | undefined;

  beforeAll(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-bundle-x64-'));
    const { archive, output } = buildBundle('x64', path.join(work, 'out'));
    built = output;
    bundle = unpackBundle(archive, path.join(work, 'server'));
    // The archive's staging folder is gone: what runs below is only what was unpacked.
    fs.rmSync(path.join(work, 'out'), { recursive: true });
    env = {
      PATH: pathWithoutNode(path.join(work, 'path')),
      HOME: work,
      PORTAL_ENV_FILE: writeEnvFile(path.join(work, 'portal.env'), { DATA_DIR: path.join(work, 'data'), HOST: '127.0.0.1', PORT: '0' }),
    };
  }, 120_000);

  afterAll(async () => {
    await Promise.all([web?.stop(), worker?.stop()]);
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it('holds Node 24 for x64, production dependencies only, the build and the commands', () => {
    expect(built).toMatch(/MB compressed/);
    expect(fs.readFileSync(path.join(bundle, 'VERSION'), 'utf8')).toMatch(/^0\.1\.0\+[0-9a-f]{7,}(\.dirty)?\n$/);
    expect(path.basename(bundle)).toBe(`chuangcheng-portal-${fs.readFileSync(path.join(bundle, 'VERSION'), 'utf8').trim()}-linux-x64`);
    const modules = path.join(bundle, 'app', 'node_modules');
    for (const present of ['@img/sharp-linux-x64', '@img/sharp-libvips-linux-x64', 'astro', 'kysely']) {
      expect(fs.existsSync(path.join(modules, present)), present).toBe(true);
    }
    for (const absent of ['@img/sharp-linux-arm64', 'vitest', '@playwright/test', 'node', 'typescript-eslint']) {
      expect(fs.existsSync(path.join(modules, absent)), absent).toBe(false);
    }
    expect(fs.existsSync(path.join(bundle, 'app', 'dist', 'server', 'entry.mjs'))).toBe(true);
    for (const command of ['portal-web', 'portal-worker', 'portal-admin', 'portal-backup', 'portal-restore', 'portal-migrate']) {
      expect(fs.statSync(path.join(bundle, 'bin', command)).mode & 0o111, command).not.toBe(0);
    }
  });

  it('migrates a new database and makes the first administrator with its own commands', () => {
    const migrated = JSON.parse(runCommand(bundle, 'portal-migrate', [], env)) as { applied: string[]; dialect: string };
    expect(migrated.dialect).toBe('sqlite');
    expect(migrated.applied.length).toBeGreaterThan(10);
    expect(JSON.parse(runCommand(bundle, 'portal-migrate', [], env))).toEqual({ applied: [], dialect: 'sqlite' });
    runCommand(bundle, 'portal-admin', ['create-user', '--username', 'bundle-admin', '--name', '管理员陈静', '--role', 'admin'], {
      ...env,
      ADMIN_PASSWORD: PASSWORD,
    });
    expect(runCommand(bundle, 'portal-admin', ['list-users'], env)).toMatch(/bundle-admin/);
  });

  it('serves the home page, takes a report with a photo, and lets staff sign in', async () => {
    web = await startBundled(bundle, 'portal-web', env, 60_000);
    // The process runs the bundle's Node, not one of this machine's.
    expect(fs.readlinkSync(`/proc/${web.pid}/exe`)).toBe(path.join(bundle, 'node', 'bin', 'node'));

    const home = await fetch(`${web.base}/`);
    expect(home.status).toBe(200);
    expect(await home.text()).toContain('临城县文明创城');

    const photo = await halvesImage(640, 480).jpeg().toBuffer();
    const { trackingCode, photoId } = await reportWithPhoto(web.base, photo, '西关集贸市场里垃圾堆成山，臭气熏天，好几天没人清理');
    const [tracked] = await trackedPhotos(web.base, trackingCode);
    expect(tracked?.url).toBe(`/media/${photoId}.webp`);
    const rendition = await fetch(`${web.base}${tracked!.url}`);
    expect(rendition.status).toBe(200);
    expect(rendition.headers.get('content-type')).toBe('image/webp');
    const meta = await sharp(Buffer.from(await rendition.arrayBuffer())).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['webp', 640, 480]);
    // The photo went through the bundle's sharp: its native library is mapped in the process.
    const maps = fs.readFileSync(`/proc/${web.pid}/maps`, 'utf8');
    expect(maps).toContain(path.join(bundle, 'app', 'node_modules', '@img', 'sharp-linux-x64'));

    const signIn = await fetch(`${web.base}/console/login`);
    expect(signIn.status).toBe(200);
    const login = await fetch(`${web.base}/api/trpc/auth.login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: web.base },
      body: JSON.stringify({ username: 'bundle-admin', password: PASSWORD }),
    });
    expect(login.status, await login.clone().text()).toBe(200);
    const session = login.headers.get('set-cookie')?.split(';')[0];
    expect(session).toMatch(/^cc_session=/);
    const me = (await (await fetch(`${web.base}/api/trpc/auth.me`, { headers: { cookie: session! } })).json()) as any;
    expect(me.result.data.user.username).toBe('bundle-admin');
    const consolePage = await fetch(`${web.base}/console`, { headers: { cookie: session! }, redirect: 'manual' });
    expect(consolePage.status).toBe(200);
    expect(await consolePage.text()).toContain('管理员陈静');
  }, 90_000);

  it("runs the worker, whose build of the public site (Astro and Pagefind from the bundle's dependencies) goes live", async () => {
    worker = await startBundled(bundle, 'portal-worker', env, 60_000);
    const live = await waitForMessage(worker, /^\[publish\] build \S+ (live|failed)/, 60_000);
    expect(live, worker.output()).toMatch(/ live: \d+ page/);
    expect(fs.existsSync(path.join(work, 'data', 'public-site', 'site', 'pagefind', 'pagefind.js'))).toBe(true);
  }, 90_000);
});
