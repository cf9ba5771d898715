// Issue 15 item 6: the public statistics stay current. The worker's publish pass queues a refresh
// of the pages that show counts once a China day and when the tickets changed since the live build
// (at most every statsRefreshMs); such a refresh is an incremental build (ADR 016): it renders the
// pages that list or count and links the rest of the live build into the new one unchanged — the
// notices whose public data did not change, the search index and photos are not rebuilt.
// The site is a stand-in generator (like site-builder.test.ts) that honours SITE_NOTICES as the
// real site/ does; the snapshot is the real public projection of the portal's database, with one
// notice added.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publicSnapshot } from '../../server/publish/public-projection.ts';
import { MANUAL_REBUILD, requestBuild, STATS_REFRESH } from '../../server/publish/publishing.ts';
import { workingCopy } from '../../server/publish/site-builder.ts';
import { findLiveBuild } from '../../server/publish/site-build-repository.ts';
import type { PublicNotice } from '../../server/publish/public-snapshot.ts';
import { createSitePublisher, type SitePublisher } from '../../server/publish/site-publisher.ts';
import { startTestPortal, type TestPortal } from '../support/portal.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const HOUR = 3_600_000;

// A home page with the count of reports and the "as of" time, a stats page, the notices' pages
// (those SITE_NOTICES names, as site/ does) and, in a full build, a search index.
const STAND_IN_SITE = `
import fs from 'node:fs';
import path from 'node:path';
const snap = JSON.parse(fs.readFileSync(process.env.PUBLIC_SNAPSHOT, 'utf8'));
const out = process.env.SITE_OUT_DIR;
if (process.env.STAND_IN_FAIL && fs.existsSync(process.env.STAND_IN_FAIL)) { console.error('Error: stats page broken'); process.exit(4); }
const page = (title, body) => '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>' + title + '</title></head><body>' + body + '</body></html>\\n';
const counts = '<p id="received">' + snap.stats.totals.received + '</p><p id="as-of">' + snap.generatedAt + '</p>';
fs.writeFileSync(path.join(out, 'index.html'), page('临城县文明创城', counts + '<p>文明创城，人人参与。</p>'.repeat(40)));
fs.mkdirSync(path.join(out, 'stats'), { recursive: true });
fs.writeFileSync(path.join(out, 'stats', 'index.html'), page('统计', counts));
const only = process.env.SITE_NOTICES ? JSON.parse(fs.readFileSync(process.env.SITE_NOTICES, 'utf8')) : null;
for (const n of snap.notices.filter((n) => !only || only.includes(n.slug))) {
  fs.mkdirSync(path.join(out, 'notices', n.slug), { recursive: true });
  fs.writeFileSync(path.join(out, 'notices', n.slug, 'index.html'), page(n.title, '<p>曝光内容</p>'.repeat(100)));
}
if (!only) {
  fs.mkdirSync(path.join(out, 'pagefind'), { recursive: true });
  fs.writeFileSync(path.join(out, 'pagefind', 'pagefind.js'), '// index of ' + snap.generatedAt);
}
`;

let t: TestPortal;
let dataDir: string;
let publisher: SitePublisher;
const failFlag = () => path.join(dataDir, 'fail-stats');

/** The live build's folder on this machine: the worker's working copy. */
const live = async () => workingCopy(dataDir).dir;
const liveBuild = async () => (await findLiveBuild(t.portal.database.db))?.buildDir;
const read = async (file: string) => fs.readFileSync(path.join(await live(), file), 'utf8');
const received = async () => Number(/<p id="received">(\d+)<\/p>/.exec(await read('index.html'))?.[1]);
const NOTICE: PublicNotice = {
  slug: 'n-1',
  title: '曝光：西关市场垃圾长期无人清理',
  body: '经查，西关集贸市场东门口垃圾堆放多日无人清运。',
  unit: { code: 'zhujianju', name: '县住房和城乡建设局', shortName: '住建局' },
  publishedAt: '2026-12-01T02:00:00.000Z',
  responseDueAt: '2026-12-31T02:00:00.000Z',
  categories: [],
  photos: [],
  response: null,
  responseOverdue: false,
};
const report = (description: string) => t.caller().report.submit({ description });

beforeAll(async () => {
  t = await startTestPortal('sqlite');
  dataDir = t.database.dataDir;
  fs.writeFileSync(path.join(dataDir, 'stand-in-site.mjs'), STAND_IN_SITE);
  const { db } = t.portal.database;
  publisher = createSitePublisher({
    db,
    clock: t.clock,
    dataDir,
    root: ROOT,
    store: t.portal.blobs,
    snapshot: async (at) => ({
      ...(await publicSnapshot({ db, catalog: t.portal.services.catalog, mediaDir: path.join(dataDir, 'media') }, at)),
      notices: [NOTICE],
    }),
    buildOptions: {
      command: [process.execPath, path.join(dataDir, 'stand-in-site.mjs')],
      env: { STAND_IN_FAIL: failFlag() },
      pagefind: false,
    },
    statsRefreshMs: HOUR,
  });
  // 10:00 China time.
  t.clock.set('2026-12-07T02:00:00.000Z');
  await report('人民路和府前街交叉口，机动车经过斑马线从来不礼让行人');
  await requestBuild(db, 'start', t.clock.now());
  expect(await publisher.runOnce()).toMatchObject({ built: true });
});

afterAll(async () => {
  await t?.close();
});

describe('the public statistics kept current', () => {
  it('refreshes nothing while the counts stand still on the same day', async () => {
    expect(await received()).toBe(1);
    t.clock.advance(3 * HOUR);
    expect(await publisher.queueStatsRefresh()).toBe(false);
    expect(await publisher.runOnce()).toEqual({ built: false, reason: 'nothing queued' });
  });

  it('when the counts moved, waits out the interval, then renders only the pages with counts onto the live build', async () => {
    const before = await live();
    const noticeInode = fs.statSync(path.join(before, 'notices', 'n-1', 'index.html')).ino;
    const indexBefore = await read('pagefind/pagefind.js');
    const published = await liveBuild();
    t.clock.set('2026-12-07T04:00:00.000Z'); // 12:00; the live build is from 10:00
    await report('西关市场东门口垃圾堆放多日无人清运');
    // Two hours since the build: due at once.
    expect(await publisher.queueStatsRefresh()).toBe(true);
    expect(await publisher.queueStatsRefresh()).toBe(false); // already queued
    const run = await publisher.runOnce();
    expect(run).toMatchObject({ built: true, requests: 1 });
    expect(await liveBuild()).not.toBe(published);
    expect(await received()).toBe(2);
    expect(await read('stats/index.html')).toContain('<p id="received">2</p>');
    // "As of" is the refresh's time.
    expect(await read('index.html')).toContain('2026-12-07T04:00:00.000Z');
    // The rest is the live build's own files, linked: not rendered, not indexed again.
    expect(fs.statSync(path.join(await live(), 'notices', 'n-1', 'index.html')).ino).toBe(noticeInode);
    expect(await read('pagefind/pagefind.js')).toBe(indexBefore);
    // Precompressed anew for the refreshed pages.
    expect(fs.existsSync(path.join(await live(), 'index.html.br'))).toBe(true);
    const status = await t.portal.services.publishing.status();
    expect(status.builds[0]).toMatchObject({ status: 'live', reasons: [STATS_REFRESH] });

    // Moved again, but within the interval: waits.
    t.clock.advance(10 * 60_000);
    await report('府前街路灯不亮已经一周');
    expect(await publisher.queueStatsRefresh()).toBe(false);
    t.clock.advance(HOUR);
    expect(await publisher.queueStatsRefresh()).toBe(true);
    await publisher.runOnce();
    expect(await received()).toBe(3);
  });

  it('refreshes once on a new China day even when nothing moved', async () => {
    t.clock.set('2026-12-07T15:59:00.000Z'); // 23:59
    expect(await publisher.queueStatsRefresh()).toBe(false);
    t.clock.set('2026-12-07T16:01:00.000Z'); // 00:01 on 12-08
    expect(await publisher.queueStatsRefresh()).toBe(true);
    await publisher.runOnce();
    expect(await read('index.html')).toContain('2026-12-07T16:01:00.000Z');
    t.clock.advance(6 * HOUR);
    expect(await publisher.queueStatsRefresh()).toBe(false);
  });

  it('a refresh that fails leaves the live site and is not asked for again at every pass', async () => {
    const before = await liveBuild();
    const home = await read('index.html');
    fs.writeFileSync(failFlag(), '');
    t.clock.advance(2 * HOUR);
    await report('新华路人行道被商户占用摆摊');
    expect(await publisher.queueStatsRefresh()).toBe(true);
    expect(await publisher.runOnce()).toMatchObject({ built: false, failed: true });
    expect(await liveBuild()).toBe(before);
    expect(await read('index.html')).toBe(home);
    t.clock.advance(5 * 60_000);
    expect(await publisher.queueStatsRefresh()).toBe(false);
    fs.rmSync(failFlag());
    t.clock.advance(HOUR);
    expect(await publisher.queueStatsRefresh()).toBe(true);
    await publisher.runOnce();
    expect(await received()).toBe(4);
  });

  it('a refresh queued with 重新生成网站 becomes a full build', async () => {
    const noticeFile = async () => fs.statSync(path.join(await live(), 'notices', 'n-1', 'index.html')).ino;
    const inode = await noticeFile();
    const { db } = t.portal.database;
    await requestBuild(db, STATS_REFRESH, t.clock.now());
    await requestBuild(db, MANUAL_REBUILD, t.clock.now());
    expect(await publisher.runOnce()).toMatchObject({ built: true, requests: 2, scope: 'full' });
    expect(await noticeFile()).not.toBe(inode);
  });
});
