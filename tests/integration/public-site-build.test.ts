// Builds the public site (site/, ADR 006) from the fixture snapshot into a temporary folder with
// the portal's builder (server/publish/site-builder.ts: Astro in a child process, Pagefind, the
// photos, compression), and reads the output: the pages, no script on notice and ad pages, the
// government-site meta tags and footer, photos copied byte for byte, feed and sitemap well-formed.
// Ad images are cached between builds (node_modules/.astro-site): the first build on a fresh
// checkout encodes them (about a minute on 2 cores), later ones take seconds.
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publicSnapshotSchema, type PublicSnapshot } from '../../server/publish/public-snapshot.ts';
import { buildSite, filesIn } from '../../server/publish/site-builder.ts';
import { loadSnapshotFile } from '../../site/src/snapshot.ts';

const root = join(import.meta.dirname, '..', '..');
const fixture = join(root, 'tests', 'fixtures', 'public-site');
const siteJson = JSON.parse(await readFile(join(root, 'content', 'site.json'), 'utf8')) as Record<string, string>;

let out: string;
let snapshot: PublicSnapshot;

async function page(path: string): Promise<string> {
  return readFile(join(out, path), 'utf8');
}

async function htmlFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith('.html')).map((e) => relative(out, join(e.parentPath, e.name)));
}

function meta(html: string, name: string): string | undefined {
  return new RegExp(`<meta name="${name}" content="([^"]*)"`).exec(html)?.[1];
}

beforeAll(async () => {
  snapshot = publicSnapshotSchema.parse(JSON.parse(await readFile(join(fixture, 'snapshot.json'), 'utf8')));
  out = join(await mkdtemp(join(tmpdir(), 'public-site-')), 'site');
  await buildSite({ snapshot: loadSnapshotFile(join(fixture, 'snapshot.json')), root, outDir: out });
}, 240_000);

afterAll(async () => {
  if (out) await rm(join(out, '..'), { recursive: true, force: true });
});

describe('public site built from the fixture snapshot', () => {
  it('has every page', () => {
    const pages = [
      'index.html',
      '404.html',
      'notices/index.html',
      ...snapshot.notices.map((n) => `notices/${n.slug}/index.html`),
      'units/index.html',
      ...snapshot.units.map((u) => `units/${u.code}/index.html`),
      'stats/index.html',
      'ads/index.html',
      'ads/jiang-wenming-shu-xinfeng/index.html',
      'ads/liran-banmaxian/index.html',
      'search/index.html',
      'bulletins/index.html',
      ...snapshot.bulletins.map((b) => `bulletins/${b.slug}/index.html`),
      'feed.xml',
      'sitemap.xml',
      'robots.txt',
    ];
    for (const p of pages) expect(existsSync(join(out, p)), p).toBe(true);
  });

  it('ships no script on notice and ad pages, and only the search page has one', async () => {
    const files = await htmlFiles(out);
    expect(files.length).toBeGreaterThan(15);
    for (const file of files) {
      const html = await page(file);
      if (file === join('search', 'index.html')) {
        expect(html).toContain("import('/pagefind/pagefind.js')");
        continue;
      }
      expect(html, file).not.toMatch(/<script/i);
    }
  });

  it('loads nothing from another origin', async () => {
    for (const file of await htmlFiles(out)) {
      const html = await page(file);
      const loaded = [...html.matchAll(/<(?:script|img|source|link)\b[^>]*\b(?:src|srcset|href)="([^"]*)"/gi)].map((m) => m[1] ?? '');
      // <link rel="canonical"> names our own public domain; everything loaded is a path on this origin.
      const foreign = loaded.filter((url) => /^(https?:)?\/\//.test(url) && !url.startsWith(`https://${siteJson['domain']}/`));
      expect(foreign, file).toEqual([]);
    }
  });

  it('carries the government-site meta tags and footer on every page', async () => {
    for (const file of await htmlFiles(out)) {
      const html = await page(file);
      expect(meta(html, 'SiteName'), file).toBe(siteJson['siteName']);
      expect(meta(html, 'SiteDomain'), file).toBe(siteJson['domain']);
      expect(meta(html, 'SiteIDCode'), file).toBe(siteJson['siteIdCode']);
      expect(meta(html, 'ColumnName'), file).toBeTruthy();
      expect(meta(html, 'description'), file).toBeTruthy();
      expect(html, file).toContain(`主办单位：${siteJson['sponsor']}`);
      expect(html, file).toContain(`网站标识码：${siteJson['siteIdCode']}`);
      expect(html, file).toContain(`<a href="https://beian.miit.gov.cn/" rel="noopener">${siteJson['icp']}</a>`);
      expect(html, file).toContain(`${siteJson['psb']}</a>`);
      expect(html, file).toContain(`/elderly?on=1&amp;next=`);
      expect(html, file).toContain(`/elderly?on=0&amp;next=`);
    }
  });

  it('styles the elderly mode and print from its own stylesheet', async () => {
    const html = await page(`notices/${snapshot.notices[0]!.slug}/index.html`);
    const inline = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1] ?? '');
    const linked = await Promise.all(
      [...html.matchAll(/<link rel="stylesheet" href="(\/[^"]+\.css)"/g)].map((m) => readFile(join(out, m[1]!), 'utf8')),
    );
    const css = [...inline, ...linked].join('\n');
    expect(css).toMatch(/html\.elderly\{font-size:/);
    expect(css).toContain('@media print');
  });

  it('shows a notice with its article meta tags, photos and the response', async () => {
    const notice = snapshot.notices.find((n) => n.response)!;
    const html = await page(`notices/${notice.slug}/index.html`);
    expect(meta(html, 'ArticleTitle')).toBe(notice.title);
    expect(meta(html, 'PubDate')).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
    expect(meta(html, 'ContentSource')).toBe(siteJson['officeName']);
    expect(meta(html, 'ColumnName')).toBe('曝光通报');
    expect(html).toContain(notice.unit.name);
    expect(html).toContain('data-pagefind-body');
    for (const p of [...notice.photos, ...notice.response!.photos]) {
      expect(html).toContain(`/notices/media/${p.id}.thumb.webp`);
      expect(html).toContain(`alt="${p.alt}"`);
    }
    expect(html).toContain(notice.response!.body.split('\n')[0]!.slice(0, 20));
  });

  it('says publicly that an overdue notice was not answered', async () => {
    const notice = snapshot.notices.find((n) => n.responseOverdue)!;
    const html = await page(`notices/${notice.slug}/index.html`);
    expect(html).toContain('逾期未回应');
    expect(html).toContain(`${notice.unit.name}未在`);
  });

  it('copies the photo renditions byte for byte', async () => {
    const ids = snapshot.notices.flatMap((n) => [...n.photos, ...(n.response?.photos ?? [])].map((p) => p.id));
    expect(ids.length).toBeGreaterThan(0);
    for (const id of ids) {
      for (const name of [`${id}.webp`, `${id}.thumb.webp`]) {
        const copied = await readFile(join(out, 'notices', 'media', name));
        expect(copied.equals(await readFile(join(fixture, 'media', name))), name).toBe(true);
      }
    }
  });

  it('shows ads with responsive AVIF/WebP images and report links for each point', async () => {
    const html = await page('ads/jiang-wenming-shu-xinfeng/index.html');
    expect(html).toMatch(/<source srcset="[^"]+\.avif 400w, [^"]+ 800w, [^"]+ 1200w" type="image\/avif"/);
    expect(html).toContain('type="image/webp"');
    expect(html).toContain('href="/report?point=psa-renmin-square&amp;category=psa.damaged"');
    expect(html).toContain('href="/report?point=market-xiguan&amp;category=psa.missing"');
    expect(meta(html, 'ArticleTitle')).toBe('讲文明 树新风');
    // The points' internal responsible persons never reach the site.
    expect(html).not.toContain('某某');
  });

  it('draws the statistics as SVG with the numbers as tables', async () => {
    const html = await page('stats/index.html');
    expect(html).toMatch(/<svg[^>]*role="img"/);
    expect(html).toContain('<table');
    for (const c of snapshot.stats.byChannel) expect(html).toContain(c.label);
    const unit = await page(`units/${snapshot.units[0]!.code}/index.html`);
    expect(unit).toMatch(/<svg[^>]*role="img"/);
    expect(unit).toContain('按期整改率');
  });

  it('writes a well-formed RSS feed of notices and responses, and a sitemap', async () => {
    const feed = await page('feed.xml');
    expect(XMLValidator.validate(feed)).toBe(true);
    const rss = new XMLParser().parse(feed) as { rss: { channel: { item: Array<{ title: string; link: string }> } } };
    const items = rss.rss.channel.item;
    const responses = snapshot.notices.filter((n) => n.response).length;
    expect(items).toHaveLength(snapshot.notices.length + responses);
    expect(items.every((i) => i.link.startsWith(`https://${siteJson['domain']}/notices/`))).toBe(true);
    // A response's item points at the response on its notice's page: the anchor exactly as the element's id.
    for (const n of snapshot.notices.filter((x) => x.response)) {
      const item = items.find((i) => i.title.endsWith(`公开回应：${n.title}`));
      expect(item?.link).toBe(`https://${siteJson['domain']}/notices/${n.slug}/#response-heading`);
      expect(await page(`notices/${n.slug}/index.html`)).toContain('id="response-heading"');
    }

    const sitemap = await page('sitemap.xml');
    expect(XMLValidator.validate(sitemap)).toBe(true);
    const urls = (new XMLParser().parse(sitemap) as { urlset: { url: Array<{ loc: string }> } }).urlset.url.map((u) => u.loc);
    for (const n of snapshot.notices) expect(urls).toContain(`https://${siteJson['domain']}/notices/${n.slug}/`);
    expect(urls).toContain(`https://${siteJson['domain']}/ads/laji-fenlei/`);
    for (const b of snapshot.bulletins) expect(urls).toContain(`https://${siteJson['domain']}/bulletins/${b.slug}/`);
  });

  it('publishes the inspection bulletins, linked from the home page (issue 14)', async () => {
    const bulletin = snapshot.bulletins[0]!;
    expect(await page('index.html')).toContain(`href="/bulletins/${bulletin.slug}/"`);
    expect(await page('bulletins/index.html')).toContain(bulletin.title);
    const html = await page(`bulletins/${bulletin.slug}/index.html`);
    expect(meta(html, 'ColumnName')).toBe('督导通报');
    expect(meta(html, 'ArticleTitle')).toBe(bulletin.title);
    expect(html).toContain('2026年11月23日至2026年11月27日');
    for (const u of bulletin.byUnit) expect(html).toContain(`<a href="/units/${u.code}/">${u.name}</a>`);
    for (const p of bulletin.problems) expect(html).toContain(p.standard);
    expect(html.match(/<td>已整改<\/td>/g)).toHaveLength(1);
    expect(html.match(/<td>整改中<\/td>/g)).toHaveLength(2);
    expect(html).toContain(`在${bulletin.repeats[0]!.earlierRound}中已发现，本轮再次出现`);
  });
});

describe('an incremental build of the real site/ (issue 16, item 4)', () => {
  it('renders the changed notices and every page that lists or counts; leaves the other notices, photos and search index of the live build', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'public-site-incremental-'));
    try {
      const first = loadSnapshotFile(join(fixture, 'snapshot.json'));
      expect(first.notices.length).toBeGreaterThanOrEqual(3);
      const live = await buildSite({ snapshot: first, root, dataDir });
      const [unchanged, withdrawn] = [first.notices[0]!, first.notices[1]!];
      const keptFiles = [`notices/${unchanged.slug}/index.html`, 'pagefind/pagefind.js'];
      const inodes = keptFiles.map((p) => statSync(join(live.dir, p)).ino);

      const added = { ...unchanged, slug: 'zengjia-yitiao', title: '曝光：新华路人行道被商户长期占用', photos: [], response: null };
      const totals = { ...first.stats.totals, received: 98765 };
      const later = {
        ...first,
        generatedAt: '2027-01-02T02:00:00.000Z',
        notices: [added, ...first.notices.filter((n) => n.slug !== withdrawn.slug)],
        stats: { ...first.stats, totals },
      };
      const pagesBefore = (await htmlFiles(live.dir)).length;
      const paths = (await filesIn(live.dir)).filter((p) => !p.endsWith('.br') && !p.endsWith('.gz'));
      const run = await buildSite({ snapshot: later, root, dataDir, previous: { snapshot: first, paths } });
      expect(run).toMatchObject({ scope: 'changed', noticesRendered: 1, dir: live.dir });
      expect(run.pages).toBe(pagesBefore);
      expect(run.changes?.written).toContain(`notices/${added.slug}/index.html`);
      expect(run.changes?.removed).toContain(`notices/${withdrawn.slug}/index.html`);
      for (const [i, p] of keptFiles.entries()) expect(statSync(join(run.dir, p)).ino, p).toBe(inodes[i]);
      expect(await readFile(join(run.dir, `notices/${added.slug}/index.html`), 'utf8')).toContain(added.title);
      expect(existsSync(join(run.dir, `notices/${withdrawn.slug}`))).toBe(false);
      expect(await readFile(join(run.dir, 'notices/index.html'), 'utf8')).toContain(added.title);
      const home = await readFile(join(run.dir, 'index.html'), 'utf8');
      expect(home).toContain('98765');
      expect(home).toContain('数据截至 2027年1月2日');
      expect(existsSync(join(run.dir, 'index.html.br'))).toBe(true);
      // The photos of the notices still published are there; the withdrawn notice's only ones are not.
      const photoIds = (n: PublicSnapshot['notices'][number]) => [...n.photos, ...(n.response?.photos ?? [])].map((p) => p.id);
      const stillShown = new Set(later.notices.flatMap(photoIds));
      for (const id of stillShown) expect(existsSync(join(run.dir, 'notices/media', `${id}.webp`)), id).toBe(true);
      for (const id of photoIds(withdrawn).filter((i) => !stillShown.has(i)))
        expect(existsSync(join(run.dir, 'notices/media', `${id}.webp`))).toBe(false);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 240_000);
});
