// `npm run bench -- build`: the public site (ADR 006, ADR 016) with 10,000 published notices.
//   1. a full build of the real site/ from a synthetic snapshot (10,000 notices, 30 units, two
//      photos each from a few small WebP files), through the publish job (site-publisher.ts,
//      site-builder.ts) — Astro, Pagefind, photos, .br/.gz, put into the blob store — into a fresh
//      DATA_DIR, recorded live;
//   2. one more notice published: a site_builds request, picked up by the publish job the way a
//      resident worker does it (looking every PUBLISH_POLL_MS), built on top of the live build
//      (only the new notice's page and the lists), and the time from the request to the new
//      notice's page being served by the real HTTP host following the live build
//      (server/http/live-site.ts, looking every SITE_POLL_SECONDS); the search index is made after;
//   3. a statistics refresh (issue 15), the same kind of build with no notice changed.
// Prints a table; the numbers go into docs/benchmarks.md by hand. Targets (issue 16): full build
// < 90 s, one more notice live < 10 s on the 2-core machine.
//   npm run bench -- build                 # 10,000 notices
//   npm run bench -- build --notices 2000
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { createPortal } from '../server/app.ts';
import { createRequestHandler, listen } from '../server/http/host.ts';
import { readEnv } from '../server/env.ts';
import { createLiveSite } from '../server/http/live-site.ts';
import { requestBuild, STATS_REFRESH } from '../server/publish/publishing.ts';
import { emptySnapshot, type PublicNotice, type PublicSnapshot } from '../server/publish/public-snapshot.ts';
import { createSitePublisher } from '../server/publish/site-publisher.ts';
import { PUBLISH_POLL_MS } from '../server/worker/portal-worker.ts';

const root = path.resolve(import.meta.dirname, '..');
const CATEGORIES = ['市场环境卫生', '占道经营', '机动车不礼让行人', '背街小巷卫生', '公益广告破损', '乱停乱放', '违规广告', '小区楼道杂物'];
const PLACES = ['西关集贸市场', '人民路', '府前街', '东关小区', '北街', '临城县第一中学门口', '汽车站广场', '南环路'];

async function makePhotos(mediaDir: string): Promise<string[]> {
  fs.mkdirSync(mediaDir, { recursive: true });
  const ids: string[] = [];
  for (let i = 0; i < 4; i++) {
    const id = `${i.toString(16).padStart(2, '0')}${'ab'.repeat(15)}`;
    const image = sharp({ create: { width: 320, height: 240, channels: 3, background: { r: 40 * i, g: 120, b: 200 - 30 * i } } });
    await image
      .clone()
      .webp({ quality: 70 })
      .toFile(path.join(mediaDir, `${id}.webp`));
    await image
      .clone()
      .resize(160)
      .webp({ quality: 70 })
      .toFile(path.join(mediaDir, `${id}.thumb.webp`));
    ids.push(id);
  }
  return ids;
}

function syntheticNotice(i: number, photos: string[], at: Date): PublicNotice {
  const unit = i % 30;
  const place = PLACES[i % PLACES.length] as string;
  const category = CATEGORIES[i % CATEGORIES.length] as string;
  const published = new Date(at.getTime() - (20_000 - i) * 3_600_000);
  const responded = i % 3 === 0;
  return {
    slug: `2026-n${String(i).padStart(5, '0')}`,
    title: `关于${place}${category}问题的曝光（第${i}号）`,
    body: `市民反映${place}一带${category}问题突出。创城办转交责任单位办理，整改期限为一周。\n\n复查时问题仍未整改到位，现予以曝光，请责任单位在期限内公开回应整改情况。`.repeat(
      2,
    ),
    unit: { code: `unit${unit}`, name: `临城县第${unit + 1}责任单位`, shortName: `单位${unit + 1}` },
    publishedAt: published.toISOString(),
    responseDueAt: new Date(published.getTime() + 7 * 86_400_000).toISOString(),
    categories: [category],
    photos: [{ id: photos[i % photos.length] as string, kind: 'before', width: 320, height: 240, alt: `整改前：${place}${category}` }],
    response: responded
      ? {
          body: '收到曝光后，我单位立即组织整改，已清理完毕并建立长效机制，欢迎市民监督。',
          publishedAt: new Date(published.getTime() + 2 * 86_400_000).toISOString(),
          photos: [{ id: photos[(i + 1) % photos.length] as string, kind: 'after', width: 320, height: 240, alt: `整改后：${place}` }],
        }
      : null,
    responseOverdue: !responded && i % 3 === 1,
  };
}

function syntheticSnapshot(count: number, photos: string[], mediaDir: string, at: Date): PublicSnapshot {
  const notices = Array.from({ length: count }, (_, i) => syntheticNotice(i + 1, photos, at));
  return withRecords({ ...emptySnapshot(mediaDir, at), notices });
}

/** Units' records and the statistics, consistent with the notices. */
function withRecords(snapshot: PublicSnapshot): PublicSnapshot {
  const units = new Map<string, PublicSnapshot['units'][number]>();
  for (const n of [...snapshot.notices].sort((a, b) => b.publishedAt.localeCompare(a.publishedAt))) {
    const u = units.get(n.unit.code) ?? {
      ...n.unit,
      kind: 'department',
      notices: [],
      counts: { received: 0, closed: 0, closedOnTime: 0, onTimeRate: null },
      byCategory: [],
    };
    u.notices.push(n.slug);
    u.counts.received += 3;
    u.counts.closed += 2;
    u.counts.closedOnTime += 1;
    u.counts.onTimeRate = u.counts.closedOnTime / u.counts.closed;
    units.set(n.unit.code, u);
  }
  const received = snapshot.notices.length * 3;
  return {
    ...snapshot,
    units: [...units.values()].map((u) => ({
      ...u,
      byCategory: CATEGORIES.map((c, i) => ({ code: `c${i}`, label: c, count: Math.round(u.counts.received / CATEGORIES.length) })),
    })),
    stats: {
      totals: { received, closed: received / 1.5, closedOnTime: received / 3, onTimeRate: 0.5, open: received / 3 },
      byChannel: [
        { code: 'web', label: '网站', count: Math.round(received * 0.6) },
        { code: 'hotline', label: '热线电话', count: Math.round(received * 0.3) },
        { code: 'mail', label: '专用邮箱', count: Math.round(received * 0.1) },
      ],
      byCategory: CATEGORIES.map((c, i) => ({ code: `c${i}`, label: c, count: Math.round(received / CATEGORIES.length) })),
      byMonth: ['2026-09', '2026-10', '2026-11'].map((month) => ({
        month,
        received: Math.round(received / 3),
        closed: Math.round(received / 4),
        closedOnTime: Math.round(received / 8),
        onTimeRate: 0.5,
      })),
    },
  };
}

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export async function benchSiteBuild(options: { notices: number }): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-bench-site-'));
  const mediaDir = path.join(dataDir, 'media');
  const portal = await createPortal({
    databaseUrl: `sqlite:${path.join(dataDir, 'portal.sqlite')}`,
    dataDir,
    contentDir: path.join(root, 'content'),
  });
  let server: Awaited<ReturnType<typeof listen>> | undefined;
  try {
    const photos = await makePhotos(mediaDir);
    const at = new Date();
    const snapshot = syntheticSnapshot(options.notices, photos, mediaDir, at);
    const buildEnv = { CONTENT_DIR: path.join(root, 'content') };

    const publisher = createSitePublisher({
      db: portal.database.db,
      clock: { now: () => new Date() },
      dataDir,
      root,
      store: portal.blobs,
      snapshot: async () => current,
      buildOptions: { env: buildEnv },
      // As in `npm start` (web and worker in one process): the web role switches when the build is live.
      onLive: () => void liveSite?.refresh(),
    });
    const published = async (reason: string) => {
      await requestBuild(portal.database.db, reason, new Date());
      const run = await publisher.runOnce();
      if (!run.built) throw new Error(`the build failed: ${'error' in run ? run.error : run.reason}`);
      return run;
    };

    let liveSite: ReturnType<typeof createLiveSite> | undefined;
    // 1. The full build.
    console.log(`building the public site with ${options.notices} notices …`);
    let current = snapshot;
    const full = await published('start');

    // 2. One more notice, through the publish job and the real host.
    const settings = readEnv({}).liveSite;
    liveSite = createLiveSite({
      db: portal.database.db,
      store: portal.blobs,
      cacheDir: path.join(dataDir, 'site-cache'),
      ...settings,
    });
    const handler = createRequestHandler({
      app: portal.services,
      photos: portal.photos,
      clientDir: path.join(root, 'dist', 'client'),
      astroHandler: async (_req, _res, next) => next(),
      publicSite: { live: liveSite },
      trustProxy: 0,
      secureCookies: false,
    });
    server = await listen(handler, '127.0.0.1', 0);
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const extra = syntheticNotice(options.notices + 1, photos, new Date(at.getTime() + 30 * 86_400_000));
    current = withRecords({ ...snapshot, generatedAt: new Date().toISOString(), notices: [...snapshot.notices, extra] });
    const pageUrl = `${base}/notices/${extra.slug}/`;
    if ((await fetch(pageUrl)).status !== 404) throw new Error('the new notice is served before it was published');
    const requested = performance.now();
    await requestBuild(portal.database.db, `notice:${options.notices + 1} published`, new Date());
    // The resident worker's loop: look for requests every PUBLISH_POLL_MS, build when there are.
    let running: ReturnType<typeof publisher.runOnce> | undefined;
    while (!running) {
      await new Promise((r) => setTimeout(r, PUBLISH_POLL_MS));
      if (await publisher.pending()) running = publisher.runOnce();
    }
    // A resident's browser: asks for the page until it is there (the search index is made after that).
    let live = 0;
    for (;;) {
      const page = await fetch(pageUrl);
      if (page.status === 200 && (await page.text()).includes(extra.title)) {
        live = performance.now() - requested;
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const run = await running;
    if (!run.built) throw new Error(`the publish build failed: ${'error' in run ? run.error : run.reason}`);
    const status = await portal.services.publishing.status();
    const recorded = status.builds[0]?.latencyMs ?? null;
    liveSite?.close();

    // 3. A statistics refresh (issue 15): the pages that list or count, onto the live build.
    const counted = { ...current.stats.totals, received: current.stats.totals.received + 1 };
    current = { ...current, generatedAt: new Date().toISOString(), stats: { ...current.stats, totals: counted } };
    const stats = await published(STATS_REFRESH);

    const steps = ['snapshot', 'astro', 'pagefind', 'photos', 'compress', 'assemble', 'switch'];
    const index = (r: typeof run) => (r.built && r.index && 'timings' in r.index ? s(r.index.timings['pagefind'] ?? 0) : '—');
    console.log(`\n${os.cpus().length} cores, ${os.cpus()[0]?.model ?? ''}, Node ${process.version}, ${options.notices} notices\n`);
    console.log(`| build | scope | pages | to live | ${steps.join(' | ')} | store (rest of "to live") | search index after |`);
    console.log(`| --- | --- | --- | --- | ${steps.map(() => '---').join(' | ')} | --- | --- |`);
    for (const [name, r] of [
      ['full build', full],
      ['one more notice', run],
      ['statistics refresh', stats],
    ] as const) {
      if (!r.built) continue;
      const stepped = steps.reduce((sum, k) => sum + (r.timings[k] ?? 0), 0);
      console.log(
        `| ${name} | ${r.scope} | ${r.pages} | ${s(r.ms)} | ${steps.map((k) => s(r.timings[k] ?? 0)).join(' | ')} | ${s(r.ms - stepped)} | ${index(r)} |`,
      );
    }
    console.log(
      `\npublish → live (request until the page is served, incl. up to ${PUBLISH_POLL_MS / 1000} s of the worker's polling; the web role of the same process switches when the build is recorded): ${s(live)}; as recorded in site_builds: ${recorded === null ? '—' : s(recorded)}`,
    );
    console.log(
      `compressed: ${full.compressed.compressed} files compressed in the full build; ${run.compressed.reused} reused, ${run.compressed.compressed} compressed in the next`,
    );
    console.log(
      `targets: full build < 90 s (${full.ms < 90_000 ? 'met' : 'MISSED'}), one more notice live < 10 s (${live < 10_000 ? 'met' : 'MISSED'})`,
    );
  } finally {
    server?.closeAllConnections();
    await new Promise((r) => (server ? server.close(r) : r(undefined)));
    await portal.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
