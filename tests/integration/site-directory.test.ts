// nginx's directory of the live public site (issue 19, ADR 020): on the disk blob store, each
// build recorded live is laid out as DATA_DIR/public-site/builds/<build>-<revision>/ — hard links
// to the stored objects, each with its .br/.gz beside it — and `current` is switched to it; the
// builds before are kept a little, older ones removed; on a bucket nothing is written. The site
// is a small stand-in generator run by the real builder and publisher (as site-builder.test.ts).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestBuild } from '../../server/publish/publishing.ts';
import { emptySnapshot, type PublicNotice, type PublicSnapshot } from '../../server/publish/public-snapshot.ts';
import { createSiteDirectory, siteDirectoryPaths, type SiteDirectory } from '../../server/publish/site-directory.ts';
import { createSitePublisher, type SitePublisher } from '../../server/publish/site-publisher.ts';
import { liveManifest } from '../../server/publish/site-build-repository.ts';
import { readManifest, siteObjectKey } from '../../server/publish/site-store.ts';
import { startTestPortal, type TestPortal } from '../support/portal.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

const STAND_IN_SITE = `
import fs from 'node:fs';
import path from 'node:path';
const snap = JSON.parse(fs.readFileSync(process.env.PUBLIC_SNAPSHOT, 'utf8'));
const out = process.env.SITE_OUT_DIR;
const only = process.env.SITE_NOTICES ? new Set(JSON.parse(fs.readFileSync(process.env.SITE_NOTICES, 'utf8'))) : null;
const page = (title) => '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>' + title + '</title></head><body>' +
  '<p>文明创城，人人参与。</p>'.repeat(40) + '</body></html>\\n';
fs.writeFileSync(path.join(out, 'index.html'), page(snap.notices.length + ' 条曝光'));
for (const n of snap.notices.filter((n) => !only || only.has(n.slug))) {
  fs.mkdirSync(path.join(out, 'notices', n.slug), { recursive: true });
  fs.writeFileSync(path.join(out, 'notices', n.slug, 'index.html'), page(n.title));
}
`;

function notice(i: number): PublicNotice {
  return {
    slug: `n-${i}`,
    title: `曝光第${i}号：西关市场垃圾长期无人清理`,
    body: '经查，西关集贸市场东门口垃圾堆放多日无人清运，责任单位未按要求整改，现予曝光。',
    unit: { code: 'zhujianju', name: '县住房和城乡建设局', shortName: '住建局' },
    publishedAt: '2026-11-30T02:00:00.000Z',
    responseDueAt: '2026-12-07T02:00:00.000Z',
    categories: ['市场环境卫生'],
    photos: [],
    response: null,
    responseOverdue: false,
  };
}

describe("nginx's directory of the live site", () => {
  let t: TestPortal;
  let snapshot: PublicSnapshot;
  let directory: SiteDirectory;
  let worker: SitePublisher;
  let paths: ReturnType<typeof siteDirectoryPaths>;

  beforeAll(async () => {
    t = await startTestPortal('sqlite');
    const dataDir = t.database.dataDir;
    paths = siteDirectoryPaths(dataDir);
    fs.writeFileSync(path.join(dataDir, 'stand-in-site.mjs'), STAND_IN_SITE);
    snapshot = { ...emptySnapshot(path.join(dataDir, 'media'), t.clock.now()), notices: [notice(1)] };
    directory = createSiteDirectory({ db: t.portal.database.db, store: t.portal.blobs, dataDir });
    worker = createSitePublisher({
      db: t.portal.database.db,
      clock: t.clock,
      dataDir,
      root: ROOT,
      store: t.portal.blobs,
      garbageAgeMs: 0,
      snapshot: async () => structuredClone(snapshot),
      buildOptions: { command: [process.execPath, path.join(dataDir, 'stand-in-site.mjs')] },
      onLive: async () => {
        await directory.update();
      },
    });
  });
  afterAll(() => t?.close());

  const request = (reason: string) => requestBuild(t.portal.database.db, reason, t.clock.now());
  const current = () => fs.readlinkSync(paths.current);
  const builds = () => fs.readdirSync(paths.builds).sort();

  it('lays out nothing before a build is live', async () => {
    expect(await directory.update()).toBeNull();
    expect(fs.existsSync(paths.current)).toBe(false);
  });

  it('lays out the live build as hard links to the stored objects, with their .br and .gz, and points current at it', async () => {
    await request('start');
    expect(await worker.runOnce()).toMatchObject({ built: true });
    const live = (await liveManifest(t.portal.database.db))!;
    const name = path.posix.basename(live.key, '.json');
    expect(current()).toBe(`builds/${name}`);
    const manifest = (await readManifest(t.portal.blobs, live.key))!;
    const page = path.join(paths.current, 'notices', 'n-1', 'index.html');
    expect(fs.readFileSync(page, 'utf8')).toContain('曝光第1号');
    // The stored object itself: no copy.
    const object = t.portal.blobs.localPath(siteObjectKey(manifest.files['notices/n-1/index.html']!, 'notices/n-1/index.html'))!;
    expect(fs.statSync(page).ino).toBe(fs.statSync(object).ino);
    for (const suffix of ['.br', '.gz']) {
      expect(fs.statSync(`${page}${suffix}`).ino).toBe(fs.statSync(`${object}${suffix}`).ino);
    }
    // Readable by nginx's user (another user than the portal's).
    expect(fs.statSync(page).mode & 0o777).toBe(0o644);
    expect(fs.statSync(path.dirname(page)).mode & 0o777).toBe(0o755);
    // Every file of the manifest is there; pagefind's index included.
    for (const rel of Object.keys(manifest.files)) expect(fs.existsSync(path.join(paths.current, ...rel.split('/'))), rel).toBe(true);
    // Already current: nothing to do.
    expect(await directory.update()).toBe(name);
    expect(current()).toBe(`builds/${name}`);
  });

  it('switches current to each new build and keeps only the last few', { timeout: 60_000 }, async () => {
    const first = current();
    for (let i = 2; i <= 5; i++) {
      snapshot.notices.push(notice(i));
      await request(`notice:${i} published`);
      expect(await worker.runOnce()).toMatchObject({ built: true });
      const live = (await liveManifest(t.portal.database.db))!;
      expect(current()).toBe(`builds/${path.posix.basename(live.key, '.json')}`);
      expect(fs.readFileSync(path.join(paths.current, 'notices', `n-${i}`, 'index.html'), 'utf8')).toContain(`曝光第${i}号`);
      expect(fs.readFileSync(path.join(paths.current, 'index.html'), 'utf8')).toContain(`${i} 条曝光`);
    }
    const kept = builds();
    expect(kept.length).toBeLessThanOrEqual(3);
    expect(kept).toContain(path.posix.basename(current()));
    expect(kept).not.toContain(path.posix.basename(first));
    // No temporary link or half-made folder left behind.
    expect(fs.readdirSync(paths.base).filter((n) => n.startsWith('.current'))).toEqual([]);
    expect(kept.filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it('writes nothing on a bucket (nginx then proxies every request to Node)', async () => {
    const dataDir = path.join(t.database.dataDir, 'bucket-machine');
    const bucket = { ...t.portal.blobs, localPath: () => null };
    const onBucket = createSiteDirectory({ db: t.portal.database.db, store: bucket, dataDir });
    expect(await onBucket.update()).toBeNull();
    expect(fs.existsSync(siteDirectoryPaths(dataDir).base)).toBe(false);
  });
});
