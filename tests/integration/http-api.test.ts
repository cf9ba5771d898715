// The API as curl and other languages see it: plain JSON over HTTP, Chinese errors, no stack
// traces, and the photo upload endpoint. Runs the real HTTP host on SQLite, with the photos on
// the disk store and in an S3-compatible bucket (s3rver): /media/ answers the same from both.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRequestHandler, listen } from '../../server/http/host.ts';
import { CONTENT_DIR, startTestPortal, TEST_THROTTLE_LIMITS, type TestPortal } from '../support/portal.ts';
import { blobStoreOf, stopS3Server } from '../support/s3-server.ts';
import { createStaffUser } from '../support/staff-accounts.ts';

afterAll(stopS3Server);

describe.each(['disk', 's3'] as const)('HTTP API, photos on the %s store', (storeKind) => {
  let t: TestPortal;
  let server: Server;
  let base: string;

  beforeAll(async () => {
    t = await startTestPortal('sqlite', CONTENT_DIR, TEST_THROTTLE_LIMITS, { blobs: await blobStoreOf(storeKind) });
    const clientDir = path.join(t.database.dataDir, 'client');
    fs.mkdirSync(clientDir);
    fs.writeFileSync(path.join(clientDir, '404.html'), '<!doctype html><title>页面不存在</title>');
    fs.writeFileSync(path.join(clientDir, 'index.html'), '<!doctype html><title>首页</title>');
    fs.mkdirSync(path.join(clientDir, '_astro'));
    fs.writeFileSync(path.join(clientDir, '_astro', 'app.abc123.js'), 'console.log(1)');
    const handler = createRequestHandler({
      app: t.portal.services,
      photos: t.portal.photos,
      clientDir,
      // Pages are Astro's and covered by the browser tests; here every page request is "not found".
      astroHandler: async (_req, _res, next) => next(),
      trustProxy: 0,
      secureCookies: false,
    });
    server = await listen(handler, '127.0.0.1', 0);
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    await t?.close();
  });

  async function upload(bytes: Uint8Array, filename = 'photo.jpg') {
    const form = new FormData();
    form.set('file', new Blob([new Uint8Array(bytes)]), filename);
    const res = await fetch(`${base}/api/uploads`, { method: 'POST', body: form });
    return { status: res.status, body: (await res.json()) as any };
  }

  it('submits and tracks with plain JSON, as curl would', async () => {
    const res = await fetch(`${base}/api/trpc/report.submit`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ description: '西关集贸市场里垃圾堆成山，臭气熏天，好几天没人清理' }),
    });
    expect(res.status).toBe(200);
    const { result } = (await res.json()) as any;
    expect(result.data.trackingCode).toMatch(/^\w{3}-\w{3}-\w{3}$/);
    const input = encodeURIComponent(JSON.stringify({ trackingCode: result.data.trackingCode }));
    const tracked = (await (await fetch(`${base}/api/trpc/report.track?input=${input}`)).json()) as any;
    expect(tracked.result.data.trackingCode).toBe(result.data.trackingCode);
    expect(tracked.result.data.timeline.length).toBeGreaterThan(0);
  });

  it('answers bad input with field-level Chinese messages and no stack trace', async () => {
    const res = await fetch(`${base}/api/trpc/report.submit`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ description: '坏了', reporter: { email: 'not-an-email' } }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as any;
    expect(body.error.data.fields).toMatchObject({
      description: expect.stringMatching(/至少5个字/),
      'reporter.email': expect.stringMatching(/电子邮箱/),
    });
    expect(body.error.message).toMatch(/\p{Script=Han}/u);
    expect(JSON.stringify(body)).not.toMatch(/stack|at \w+ \(|\.ts:\d+/);
  });

  it('answers malformed JSON and unknown procedures without a stack trace', async () => {
    const broken = await fetch(`${base}/api/trpc/report.submit`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"description": ',
    });
    expect(broken.status).toBe(400);
    expect(await broken.text()).not.toMatch(/stack|\.ts:\d+/);
    const unknown = await fetch(`${base}/api/trpc/report.nothing`);
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).not.toMatch(/stack|\.ts:\d+/);
  });

  it('refuses an oversized API body in Chinese', async () => {
    const res = await fetch(`${base}/api/trpc/report.submit`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ description: '很长'.repeat(200_000) }),
    });
    expect(res.status).toBe(413);
    expect(((await res.json()) as any).error.message).toMatch(/太长/);
  });

  it('uploads a photo and serves its renditions without metadata', async () => {
    const jpeg = await sharp({ create: { width: 800, height: 600, channels: 3, background: '#3a6' } })
      .jpeg()
      .withExif({ IFD0: { Copyright: 'secret-exif-marker' } })
      .toBuffer();
    const { status, body } = await upload(new Uint8Array(jpeg));
    expect(status).toBe(200);
    expect(body).toEqual({ id: expect.any(String), url: `/media/${body.id}.webp`, thumbUrl: `/media/${body.id}.thumb.webp` });
    for (const url of [body.url, body.thumbUrl]) {
      const res = await fetch(base + url);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/webp');
      const bytes = Buffer.from(await res.arrayBuffer());
      expect(bytes.includes('secret-exif-marker')).toBe(false);
      expect((await sharp(bytes).metadata()).exif).toBeUndefined();
      // Cached for a year, revalidated by its tag, answered to HEAD without a body.
      expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(Number(res.headers.get('content-length'))).toBe(bytes.length);
      const etag = res.headers.get('etag');
      expect(etag).toMatch(/^W\/".+"$/);
      expect((await fetch(base + url, { headers: { 'if-none-match': etag! } })).status).toBe(304);
      const head = await fetch(base + url, { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(Number(head.headers.get('content-length'))).toBe(bytes.length);
    }
    // A well-formed id of no photo is not found.
    expect((await fetch(`${base}/media/${'0'.repeat(32)}.webp`)).status).toBe(404);
  });

  it('refuses a format it does not accept, in Chinese, judged by content not name', async () => {
    const heic = Buffer.concat([Buffer.from([0, 0, 0, 24]), Buffer.from('ftypheic'), Buffer.alloc(64)]);
    const { status, body } = await upload(new Uint8Array(heic), 'photo.jpg');
    expect(status).toBe(415);
    expect(body.error.fields.file).toMatch(/HEIC/);
  });

  it('refuses an upload larger than the limit before reading it all', async () => {
    const big = new Uint8Array(16 * 1024 * 1024 + 1);
    const { status, body } = await upload(big);
    expect(status).toBe(413);
    expect(body.error.message).toMatch(/照片太大/);
  });

  it('refuses an upload without a file', async () => {
    const res = await fetch(`${base}/api/uploads`, { method: 'POST', body: new FormData() });
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).error.message).toMatch(/没有收到照片/);
  });

  it('serves the static site with the right caching, and nothing outside it', async () => {
    const home = await fetch(`${base}/`);
    expect(home.status).toBe(200);
    expect(home.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(home.headers.get('cache-control')).toContain('must-revalidate');
    expect(home.headers.get('x-content-type-options')).toBe('nosniff');
    const again = await fetch(`${base}/`, { headers: { 'if-none-match': home.headers.get('etag')! } });
    expect(again.status).toBe(304);
    const asset = await fetch(`${base}/_astro/app.abc123.js`);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    for (const probe of ['/../portal.sqlite', '/%2e%2e/portal.sqlite', '/nothing-here', '/%E0%A4%A']) {
      const res = await fetch(base + probe);
      expect(res.status, probe).toBe(404);
      expect(await res.text()).toContain('页面不存在');
    }
  });

  it('refuses a staff sign-in or change posted from another site, over HTTP', async () => {
    await createStaffUser(t, { username: 'httpadmin', displayName: '管理员', role: 'admin', password: 'http-admin-pass-1' });
    const login = (headers: Record<string, string>) =>
      fetch(`${base}/api/trpc/auth.login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ username: 'httpadmin', password: 'http-admin-pass-1' }),
      });
    const crossSite = await login({ origin: 'http://evil.example' });
    expect(crossSite.status).toBe(403);
    expect(crossSite.headers.get('set-cookie')).toBeNull();
    expect(((await crossSite.json()) as any).error.message).toMatch(/跨站/);
    expect((await login({ 'sec-fetch-site': 'cross-site' })).status).toBe(403);

    const sameSite = await login({ origin: base });
    expect(sameSite.status).toBe(200);
    const cookie = sameSite.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^cc_session=[^;]+; Path=\/; HttpOnly; SameSite=Strict/);
    const session = cookie.split(';')[0]!;

    const me = await fetch(`${base}/api/trpc/auth.me`, { headers: { cookie: session } });
    expect(((await me.json()) as any).result.data.user.username).toBe('httpadmin');
    const forged = await fetch(`${base}/api/trpc/staff.users.create`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: session, origin: 'http://evil.example' },
      body: JSON.stringify({ username: 'intruder', displayName: 'x', role: 'admin', password: 'intruder-pass-1' }),
    });
    expect(forged.status).toBe(403);
    expect((await t.portal.services.accounts.listUsers()).map((u) => u.username)).not.toContain('intruder');
  });

  it('does not serve a photo path outside the media folder', async () => {
    for (const probe of ['/media/..%2Fportal.sqlite', '/media/../portal.sqlite', '/media/portal.sqlite', '/media/.hidden.webp']) {
      expect((await fetch(base + probe)).status, probe).toBe(404);
    }
  });
});
