// Publishing the public site (ADR 006) through the real publish job and the real HTTP host: queued
// requests become one build that goes live and is served; a second build switches atomically
// (no request fails while it does); a failing build leaves the old site serving and records why;
// requests made during a build wait for the next one; two workers never build at once;
// precompressed files go out with the right headers; the elderly-mode cookie marks <html>.
// The site itself is a small stand-in generator (the real site/ is built by `npm run build` and
// the benchmark), run by the same builder in a child process, followed by the real Pagefind.
// The builds go to the blob store and the host serves the live one from it (ADR 016): on the
// disk store and on an S3-compatible bucket (s3rver), whose objects a web process caches.
import fs from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRequestHandler, listen } from '../../server/http/host.ts';
import { requestBuild } from '../../server/publish/publishing.ts';
import { emptySnapshot, type PublicNotice, type PublicSnapshot } from '../../server/publish/public-snapshot.ts';
import { createLiveSite, type LiveSite } from '../../server/http/live-site.ts';
import { readManifest, siblingKeys, siteObjectKey } from '../../server/publish/site-store.ts';
import { workingCopy } from '../../server/publish/site-builder.ts';
import type { BlobStore } from '../../server/storage/blob-store.ts';
import { createSitePublisher, type SitePublisher } from '../../server/publish/site-publisher.ts';
import { readEnv } from '../../server/env.ts';
import { createPortalWorker } from '../../server/worker/portal-worker.ts';
import { buildGate, WAIT_AT_GATE } from '../support/build-gate.ts';
import { postgresAvailable } from '../support/databases.ts';
import { startTestPortal, type TestPortal } from '../support/portal.ts';
import { blobStoreOf, stopS3Server, type StoreKind } from '../support/s3-server.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

// Writes a home page, a page per notice and a stylesheet; exits 3 when a notice is titled "BOOM".
const STAND_IN_SITE = `
import fs from 'node:fs';
import path from 'node:path';
const snap = JSON.parse(fs.readFileSync(process.env.PUBLIC_SNAPSHOT, 'utf8'));
const out = process.env.SITE_OUT_DIR;
// An incremental build names the notices whose pages to render (as the real site does).
const only = process.env.SITE_NOTICES ? new Set(JSON.parse(fs.readFileSync(process.env.SITE_NOTICES, 'utf8'))) : null;
${WAIT_AT_GATE}if (snap.notices.some((n) => n.title === 'BOOM')) { console.error('Error: cannot render notice BOOM'); process.exit(3); }
const page = (title, body) => '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>' + title +
  '</title><link rel="stylesheet" href="/_astro/site.css"></head><body><main><h1>' + title + '</h1>' + body + '</main></body></html>\\n';
fs.mkdirSync(path.join(out, '_astro'), { recursive: true });
fs.writeFileSync(path.join(out, '_astro', 'site.css'), 'main{margin:0 auto;max-width:60rem;font-size:1rem}\\n'.repeat(30));
fs.writeFileSync(path.join(out, 'index.html'), page('临城县文明创城', '<p id="count">' + snap.notices.length + ' 条曝光</p>' + '<p>文明创城，人人参与。</p>'.repeat(40)));
fs.writeFileSync(path.join(out, '404.html'), page('页面不存在', '<p>公开网站没有这个页面</p>'));
for (const n of snap.notices.filter((n) => !only || only.has(n.slug))) {
  fs.mkdirSync(path.join(out, 'notices', n.slug), { recursive: true });
  fs.writeFileSync(path.join(out, 'notices', n.slug, 'index.html'), page(n.title, ('<p>' + n.body + '</p>').repeat(10)));
}
`;

let t: TestPortal;
let server: Server;
let base: string;
let dataDir: string;
let clientDir: string;
let snapshot: PublicSnapshot;
let live: LiveSite;
let store: BlobStore;

function notice(i: number, title = `曝光第${i}号：西关市场垃圾长期无人清理`): PublicNotice {
  return {
    slug: `n-${i}`,
    title,
    body: '经查，西关集贸市场东门口垃圾堆放多日无人清运，责任单位未按要求整改，现予曝光。'.repeat(3),
    unit: { code: 'zhujianju', name: '县住房和城乡建设局', shortName: '住建局' },
    publishedAt: '2026-11-30T02:00:00.000Z',
    responseDueAt: '2026-12-07T02:00:00.000Z',
    categories: ['市场环境卫生'],
    photos: [],
    response: null,
    responseOverdue: false,
  };
}

/** A publisher of the stand-in site; after each run the host looks up the live build (as its poll would). */
function publisher(env: Record<string, string> = {}): SitePublisher {
  const made = createSitePublisher({
    db: t.portal.database.db,
    clock: t.clock,
    dataDir,
    root: ROOT,
    store,
    garbageAgeMs: 0,
    snapshot: async () => structuredClone(snapshot),
    buildOptions: { command: [process.execPath, path.join(dataDir, 'stand-in-site.mjs')], env },
  });
  return { ...made, runOnce: (now) => made.runOnce(now).finally(() => live.refresh()) };
}

const get = (p: string, headers: Record<string, string> = {}) => fetch(`${base}${p}`, { headers, redirect: 'manual' });
const request = (reason: string) => requestBuild(t.portal.database.db, reason, t.clock.now());

async function setUp(storeKind: StoreKind) {
  const blobs = await blobStoreOf(storeKind);
  t = await startTestPortal('sqlite', undefined, undefined, blobs ? { blobs } : {});
  store = t.portal.blobs;
  dataDir = t.database.dataDir;
  fs.writeFileSync(path.join(dataDir, 'stand-in-site.mjs'), STAND_IN_SITE);
  snapshot = { ...emptySnapshot(path.join(dataDir, 'media'), t.clock.now()), notices: [notice(1)] };
  // The app's own build: a page, the 404 page and a script with its precompressed siblings.
  clientDir = path.join(dataDir, 'client');
  fs.mkdirSync(path.join(clientDir, '_astro'), { recursive: true });
  fs.writeFileSync(path.join(clientDir, '404.html'), '<!doctype html><html lang="zh-CN"><title>页面不存在</title>');
  const script = Buffer.from('export function report(){return "随手拍"}\n'.repeat(200));
  fs.writeFileSync(path.join(clientDir, '_astro', 'report.abc123.js'), script);
  fs.writeFileSync(path.join(clientDir, '_astro', 'report.abc123.js.br'), zlib.brotliCompressSync(script));
  fs.writeFileSync(path.join(clientDir, '_astro', 'report.abc123.js.gz'), zlib.gzipSync(script));
  live = createLiveSite({ db: t.portal.database.db, store, cacheDir: path.join(dataDir, 'site-cache'), cacheBytes: 64 * 1024, pollMs: 0 });
  const handler = createRequestHandler({
    app: t.portal.services,
    photos: t.portal.photos,
    clientDir,
    // An on-demand page of the app (Astro writes head, chunks, end).
    astroHandler: async (req, res, next) => {
      if (!req.url?.startsWith('/report')) return next();
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.write('<!doctype html><html lang="zh-CN" class="app"><head><title>我要反映</title></head>');
      res.end('<body><form></form></body></html>');
    },
    publicSite: { live },
    trustProxy: 0,
    secureCookies: false,
  });
  server = await listen(handler, '127.0.0.1', 0);
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function tearDown() {
  live?.close();
  if (server) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  await t?.close();
}

afterAll(stopS3Server);

/** Every site object in the store is named by a kept manifest. */
async function expectOnlyKeptObjects() {
  const named = new Set<string>();
  for (const key of await storedManifests()) {
    const manifest = (await readManifest(store, key))!;
    for (const [p, file] of Object.entries(manifest.files)) {
      named.add(siteObjectKey(file, p));
      for (const [, sibling] of siblingKeys(file, p)) named.add(sibling);
    }
  }
  for await (const object of store.list('site/files/')) expect(named.has(object.key), object.key).toBe(true);
}

/** The manifests in the store: one per build kept (an incremental build's second one replaces its first, with its search index). */
async function storedManifests(): Promise<string[]> {
  const keys: string[] = [];
  for await (const object of store.list('site/manifests/')) keys.push(object.key);
  return keys.sort();
}

describe.each(['disk', 's3'] as const)('publishing the public site (%s store)', (storeKind) => {
  beforeAll(() => setUp(storeKind));
  afterAll(tearDown);

  it('at start queues one build when none is live; queued requests coalesce into one build that goes live and is served', async () => {
    const worker = publisher();
    expect(await worker.ensureLive()).toBe(true);
    expect(await worker.ensureLive()).toBe(false); // already queued
    expect((await get('/')).status).toBe(404); // nothing built, no dist/public here

    await request('notice:1 published');
    await request('response:1 published');
    const run = await worker.runOnce();
    expect(run).toMatchObject({ built: true, requests: 3, pages: 3 });

    const status = await t.portal.services.publishing.status();
    expect(status.live).toMatchObject({ status: 'live', pages: 3 });
    expect(status.queued).toEqual([]);
    expect(status.building).toBeNull();
    expect(status.builds[0]).toMatchObject({ status: 'live', pages: 3, reasons: ['start', 'notice:1 published', 'response:1 published'] });
    expect(status.builds[0]?.latencyMs).toBeGreaterThanOrEqual(0);

    const home = await get('/');
    expect(home.status).toBe(200);
    expect(home.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await home.text()).toContain('<p id="count">1 条曝光</p>');
    const page = await get('/notices/n-1/');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('曝光第1号');
    expect((await get('/notices/n-1')).status).toBe(200);
    expect((await fetch(`${base}/notices/n-1/`, { method: 'HEAD' })).status).toBe(200);
    // Pagefind's index is part of the build.
    expect((await get('/pagefind/pagefind.js')).status).toBe(200);
    // A path the public site lacks: its own 404 page.
    const missing = await get('/notices/nope/');
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('公开网站没有这个页面');
    expect(await worker.ensureLive()).toBe(false);
  });

  it('switches a new build in atomically: every request during the switch is answered, the store keeps three builds', async () => {
    const worker = publisher();
    const before = live.build();
    let stop = false;
    const answers: number[] = [];
    const hammer = (async () => {
      while (!stop) {
        const res = await get('/notices/n-1/');
        answers.push(res.status);
        await res.arrayBuffer();
      }
    })();
    for (let i = 2; i <= 5; i++) {
      snapshot.notices.push(notice(i));
      await request(`notice:${i} published`);
      // On top of the live build: only the new notice's page is rendered, the search index after it went live.
      const run = await worker.runOnce();
      expect(run).toMatchObject({ built: true, requests: 1, scope: 'changed', index: { timings: { pagefind: expect.any(Number) } } });
    }
    while (answers.length < 5) await new Promise((r) => setTimeout(r, 10));
    stop = true;
    await hammer;
    expect(answers.length).toBeGreaterThan(0);
    expect(answers.every((s) => s === 200)).toBe(true);

    const after = live.build();
    expect(after).not.toBe(before);
    // The store keeps the manifests of the three newest builds (each with its search index), and no object of the older ones.
    const kept = (await storedManifests()).map((k) => k.replace(/^site\/manifests\/(.*)-(\d)\.json$/, '$1 $2'));
    expect(kept).toHaveLength(3);
    expect(kept.at(-1)).toBe(`${after} 2`);
    await expectOnlyKeptObjects();
    expect(await (await get('/')).text()).toContain('5 条曝光');
    for (let i = 1; i <= 5; i++) expect((await get(`/notices/n-${i}/`)).status).toBe(200);
    // A withdrawn notice's page is gone from the next build, built on top of this one.
    snapshot.notices.splice(1, 1);
    await request('notice:2 withdrawn');
    expect(await worker.runOnce()).toMatchObject({ built: true, scope: 'changed' });
    expect((await get('/notices/n-2/')).status).toBe(404);
    expect(await (await get('/')).text()).toContain('4 条曝光');
    snapshot.notices.splice(1, 0, notice(2));
    await request('notice:2 published');
    expect(await worker.runOnce()).toMatchObject({ built: true });
    expect((await get('/notices/n-2/')).status).toBe(200);
  });

  it('a failing build leaves the old site serving and records why; so does a snapshot that is not valid', async () => {
    const worker = publisher();
    const serving = live.build();
    snapshot.notices.push(notice(6, 'BOOM'));
    await request('notice:6 published');
    const run = await worker.runOnce();
    expect(run).toMatchObject({ built: false, failed: true, requests: 1 });
    expect(run.built === false && 'error' in run && run.error).toMatch(/astro: exit code 3[\s\S]*cannot render notice BOOM/);
    expect(live.build()).toBe(serving);
    expect(await (await get('/')).text()).toContain('5 条曝光');
    expect((await get('/notices/n-6/')).status).toBe(404);
    let status = await t.portal.services.publishing.status();
    expect(status.lastFailure).toMatchObject({ status: 'failed', reason: 'notice:6 published' });
    expect(status.lastFailure?.error).toMatch(/cannot render notice BOOM/);
    expect(status.live?.id).toBeLessThan(status.lastFailure!.id);
    // No half-made folder is left behind.
    expect(fs.readdirSync(workingCopy(dataDir).base).filter((n) => n.endsWith('.tmp') || n.endsWith('.json'))).toEqual([
      'site.snapshot.json',
    ]);

    snapshot.notices.pop();
    snapshot.notices.push({ ...notice(7), slug: 'Not A Slug' });
    await request('notice:7 published');
    const invalid = await worker.runOnce();
    expect(invalid.built === false && 'error' in invalid && invalid.error).toMatch(
      /^snapshot: the snapshot is not valid: notices\.5\.slug/,
    );
    expect(live.build()).toBe(serving);
    snapshot.notices.pop();

    // The next good build clears the failure from the console's view.
    await request('notice:5 corrected');
    expect(await worker.runOnce()).toMatchObject({ built: true });
    status = await t.portal.services.publishing.status();
    expect(status.lastFailure).toBeNull();
  });

  it('a request made while a build runs waits for the next build (the debounce)', async () => {
    const gate = buildGate(dataDir);
    const worker = publisher(gate.env);
    await request('notice:8 published');
    const first = worker.runOnce();
    await gate.started();
    expect((await t.portal.services.publishing.status()).building).toMatchObject({ reason: 'notice:8 published' });
    await request('response:8 published');
    await request('notice:9 published');
    const again = worker.runOnce();
    gate.release();
    expect(await again).toEqual(await first); // the same build, not a second one
    expect(await first).toMatchObject({ built: true, requests: 1 });
    expect((await t.portal.services.publishing.status()).queued.map((r) => r.reason)).toEqual([
      'response:8 published',
      'notice:9 published',
    ]);
    expect(await worker.runOnce()).toMatchObject({ built: true, requests: 2 });
    expect(await worker.runOnce()).toEqual({ built: false, reason: 'nothing queued' });
  });

  it('two workers on one database never build at once', async () => {
    const gate = buildGate(dataDir);
    const [a, b] = [publisher(gate.env), publisher(gate.env)];
    await request('notice:10 published');
    const running = [a.runOnce(), b.runOnce()];
    await gate.started();
    // While one build is held at the gate, the other worker has already answered that it did not build.
    expect(await Promise.race(running)).toMatchObject({ built: false });
    gate.release();
    const runs = await Promise.all(running);
    expect(runs.filter((r) => r.built)).toHaveLength(1);
    const rows = await t.portal.database.db
      .selectFrom('site_builds')
      .select(['status'])
      .where('reason', '=', 'notice:10 published')
      .execute();
    expect(rows).toEqual([{ status: 'live' }]);
  });

  it('sends precompressed files with Content-Encoding, Vary and the original Content-Type', async () => {
    const plain = await (await get('/notices/n-1/', { 'accept-encoding': 'identity' })).text();
    const br = await get('/notices/n-1/', { 'accept-encoding': 'gzip, deflate, br' });
    expect(br.headers.get('content-encoding')).toBe('br');
    expect(br.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(br.headers.get('vary')).toMatch(/Accept-Encoding/);
    const brBytes = Buffer.from(await br.arrayBuffer()); // fetch decodes: compare the text
    expect(brBytes.toString('utf8')).toBe(plain);

    // Raw bytes over node:http, to see the encoded body and its length.
    const raw = await rawGet('/_astro/site.css', 'gzip');
    expect(raw.headers['content-encoding']).toBe('gzip');
    expect(raw.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(raw.headers['cache-control']).toMatch(/immutable/);
    expect(Number(raw.headers['content-length'])).toBe(raw.body.length);
    expect(zlib.gunzipSync(raw.body).toString()).toContain('max-width:60rem');
    const none = await rawGet('/_astro/site.css', '');
    expect(none.headers['content-encoding']).toBeUndefined();
    expect(none.body.toString()).toContain('max-width:60rem');
    expect((await rawGet('/_astro/site.css', 'br;q=0, gzip;q=0')).headers['content-encoding']).toBeUndefined();

    // The app's own assets too (dist/client), e.g. the report page's script.
    const js = await rawGet('/_astro/report.abc123.js', 'br');
    expect(js.headers['content-encoding']).toBe('br');
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(zlib.brotliDecompressSync(js.body).toString()).toContain('随手拍');
    // A revalidation of the compressed variant.
    const again = await rawGet('/_astro/report.abc123.js', 'br', String(js.headers['etag']));
    expect(again.status).toBe(304);
  });

  it('elderly mode: /elderly sets or clears the cookie and goes back; HTML then carries class="elderly", never precompressed', async () => {
    const on = await get('/elderly?on=1&next=/notices/n-1/');
    expect(on.status).toBe(303);
    expect(on.headers.get('location')).toBe('/notices/n-1/');
    const cookie = on.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^cc_elderly=1;/);
    expect(cookie).toMatch(/Max-Age=31536000/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).toMatch(/Path=\//);
    const off = await get('/elderly?on=0&next=/');
    expect(off.headers.get('set-cookie')).toMatch(/^cc_elderly=;.*Max-Age=0/);
    for (const next of ['//evil.example/', 'https://evil.example/', '/\\evil.example']) {
      expect((await get(`/elderly?on=1&next=${encodeURIComponent(next)}`)).headers.get('location')).toBe('/');
    }

    const elderly = { cookie: 'cc_session=x; cc_elderly=1', 'accept-encoding': 'br, gzip' };
    const page = await rawGet('/notices/n-1/', 'br, gzip', undefined, elderly.cookie);
    expect(page.headers['content-encoding']).toBeUndefined();
    expect(page.body.toString()).toContain('<html lang="zh-CN" class="elderly">');
    expect(Number(page.headers['content-length'])).toBe(page.body.length);
    expect(page.headers['vary']).toMatch(/Cookie/);
    // The normal page's validator does not answer for the elderly one.
    const normal = await rawGet('/notices/n-1/', 'br');
    expect((await rawGet('/notices/n-1/', 'br', String(normal.headers['etag']), elderly.cookie)).status).toBe(200);
    expect(zlib.brotliDecompressSync(normal.body).toString()).not.toContain('elderly');

    // The app's pages rendered on demand, and the 404 page.
    const report = await get('/report', elderly);
    expect(await report.text()).toContain('<html lang="zh-CN" class="app elderly">');
    const missing = await get('/notices/nope/', elderly);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('class="elderly"');
    expect(await (await get('/report')).text()).toContain('<html lang="zh-CN" class="app">');
  });
});

describe("the worker's publish job with the real site/", () => {
  beforeAll(() => setUp('disk'));
  afterAll(tearDown);

  it('builds the public projection with Astro and Pagefind, switches it live, and the host serves it', { timeout: 120_000 }, async () => {
    const worker = createPortalWorker(t.portal, readEnv({ DATA_DIR: dataDir, DATABASE_URL: t.database.url }), t.clock);
    try {
      await request('content updated');
      const tick = await worker.scheduler.runOnce();
      const publish = tick.jobs.find((j) => j.job === 'publish');
      expect(publish).toMatchObject({ ok: true, result: { built: true, requests: 1 } });
      // The pass's mail went out before the build started.
      expect(tick.jobs.map((j) => j.job).slice(-4)).toEqual(['mail', 'publish', 'housekeeping', 'privacy-purge']);
      // The day's retention purge ran in the first pass (nothing is old enough here).
      expect(tick.jobs.find((j) => j.job === 'privacy-purge')).toMatchObject({ ok: true, result: { removed: { reporters: 0 } } });
      await live.refresh();
      expect(live.build()).toBe((publish?.result as { id: string }).id);
      const home = await get('/', { 'accept-encoding': 'br' });
      expect(home.status).toBe(200);
      expect(home.headers.get('content-encoding')).toBe('br');
      const html = await home.text();
      expect(html).toMatch(/<html[^>]*lang="zh-CN"/);
      expect(html).toContain('/elderly?on=1');
      expect((await get('/pagefind/pagefind.js')).status).toBe(200);
      expect((await get('/stats/')).status).toBe(200);
      // Nothing queued: the next pass builds nothing.
      expect((await worker.scheduler.runOnce()).jobs.find((j) => j.job === 'publish')).toMatchObject({ result: { built: false } });
    } finally {
      worker.transport.close();
    }
  });
});

// The claim that keeps two workers from building at once, on PostgreSQL too (several workers on
// one database is a PostgreSQL deployment).
describe.skipIf(!(await postgresAvailable()) && !process.env['CI'])('the publish claim on PostgreSQL', () => {
  it('coalesces queued requests, keeps requests made during a build for the next one, and builds once for two workers', async () => {
    const pg = await startTestPortal('postgres');
    const pgData = pg.database.dataDir;
    fs.writeFileSync(path.join(pgData, 'stand-in-site.mjs'), STAND_IN_SITE);
    const gate = buildGate(pgData);
    const make = () =>
      createSitePublisher({
        db: pg.portal.database.db,
        clock: pg.clock,
        dataDir: pgData,
        root: ROOT,
        store: pg.portal.blobs,
        snapshot: async () => ({ ...emptySnapshot(path.join(pgData, 'media'), pg.clock.now()), notices: [notice(1)] }),
        buildOptions: {
          command: [process.execPath, path.join(pgData, 'stand-in-site.mjs')],
          env: gate.env,
          pagefind: false,
        },
      });
    try {
      const db = pg.portal.database.db;
      await requestBuild(db, 'notice:1 published', pg.clock.now());
      await requestBuild(db, 'notice:2 published', pg.clock.now());
      const [a, b] = [make(), make()];
      const first = Promise.all([a.runOnce(), b.runOnce()]);
      await gate.started();
      await requestBuild(db, 'notice:3 published', pg.clock.now());
      gate.release();
      const runs = await first;
      expect(runs.filter((r) => r.built)).toEqual([expect.objectContaining({ built: true, requests: 2 })]);
      expect(await b.runOnce()).toMatchObject({ built: true, requests: 1 });
      const status = await pg.portal.services.publishing.status();
      expect(status.builds.map((x) => x.reasons)).toEqual([['notice:3 published'], ['notice:1 published', 'notice:2 published']]);
      expect(status.live?.pages).toBe(3);
    } finally {
      await pg.close();
    }
  });
});

async function rawGet(p: string, acceptEncoding: string, ifNoneMatch?: string, cookie?: string) {
  const { request } = await import('node:http');
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }>((resolve, reject) => {
    const headers: Record<string, string> = { 'accept-encoding': acceptEncoding };
    if (ifNoneMatch) headers['if-none-match'] = ifNoneMatch;
    if (cookie) headers['cookie'] = cookie;
    request(`${base}${p}`, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    })
      .on('error', reject)
      .end();
  });
}
