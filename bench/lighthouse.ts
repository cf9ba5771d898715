// `npm run bench -- lighthouse`: Lighthouse (the npm package, mobile preset — its default: a
// Moto G-class phone, simulated slow 4G and 4× CPU slowdown) in Debian's Chromium on the home
// page and on a notice page of the real public site, as the worker publishes it:
//   1. `node server/main.ts` (web and worker) on a fresh DATA_DIR;
//   2. an office account and a unit account made with the admin command;
//   3. a resident's report with two phone photos through /api/uploads and report.submit; the
//      office composes a notice from it with both before-photos and publishes it; the unit posts
//      its public response with an after-photo; the office publishes the response;
//   4. the rebuilt notice page awaited, then Lighthouse run on / and on the notice page.
// Prints the four scores and the page's timings; the numbers go into docs/benchmarks.md by hand.
// Targets (issue 6): performance ≥ 95, accessibility 100, best practices ≥ 95, SEO ≥ 95.
//   npm run build && npm run bench -- lighthouse
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { waitFor } from './wait-for.ts';

const root = path.resolve(import.meta.dirname, '..');
const PASSWORD = 'bench-lighthouse-pass-1';
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const CHROME_FLAGS =
  '--headless=new --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --disable-sync --no-first-run';
const TARGETS = { performance: 95, accessibility: 100, 'best-practices': 95, seo: 95 } as const;
const METRICS = [
  'first-contentful-paint',
  'largest-contentful-paint',
  'total-blocking-time',
  'cumulative-layout-shift',
  'total-byte-weight',
];

interface Session {
  cookie: string;
}

/** A 1600×1200 JPEG with a camera's grain: what a phone sends, and heavier to encode than a flat colour. */
async function phonePhoto(tint: { r: number; g: number; b: number }): Promise<Buffer> {
  const grain = await sharp({
    create: { width: 1600, height: 1200, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 24 } },
  })
    .png()
    .toBuffer();
  return sharp({ create: { width: 1600, height: 1200, channels: 3, background: tint } })
    .composite([{ input: grain, blend: 'overlay' }])
    .jpeg({ quality: 85 })
    .toBuffer();
}

async function trpc<T>(base: string, procedure: string, input: unknown, session?: Session): Promise<{ data: T; cookie: string | null }> {
  const response = await fetch(`${base}/api/trpc/${procedure}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(session && { cookie: session.cookie }) },
    body: JSON.stringify(input),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${procedure}: ${response.status} ${text}`);
  const cookie = response.headers.get('set-cookie')?.split(';')[0] ?? null;
  return { data: (JSON.parse(text) as { result: { data: T } }).result.data, cookie };
}

async function login(base: string, username: string): Promise<Session> {
  const { cookie } = await trpc(base, 'auth.login', { username, password: PASSWORD });
  if (!cookie) throw new Error(`no session cookie for ${username}`);
  return { cookie };
}

async function upload(base: string, photo: Buffer, purpose: 'report' | 'rectification', session?: Session): Promise<string> {
  const form = new FormData();
  form.set('file', new File([new Uint8Array(photo)], 'IMG_0001.jpg', { type: 'image/jpeg' }));
  const response = await fetch(`${base}/api/uploads?purpose=${purpose}`, {
    method: 'POST',
    body: form,
    headers: session ? { cookie: session.cookie } : {},
  });
  if (!response.ok) throw new Error(`upload: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { id: string }).id;
}

function admin(dataDir: string, args: string[]): void {
  execFileSync(process.execPath, ['scripts/admin.ts', ...args], {
    cwd: root,
    env: { ...process.env, DATA_DIR: dataDir, ADMIN_PASSWORD: PASSWORD },
    stdio: 'ignore',
  });
}

/** The notice with photos and a published response, through the API as the office and the unit would; its slug. */
async function publishNotice(base: string, dataDir: string): Promise<string> {
  admin(dataDir, ['create-user', '--username', 'bench-office', '--name', '调度员', '--role', 'dispatcher']);
  admin(dataDir, ['create-user', '--username', 'bench-unit', '--name', '住建局', '--role', 'unit', '--unit', 'zhujianju']);
  const before = [
    await upload(base, await phonePhoto({ r: 120, g: 110, b: 90 }), 'report'),
    await upload(base, await phonePhoto({ r: 90, g: 100, b: 80 }), 'report'),
  ];
  const { data: report } = await trpc<{ trackingCode: string }>(base, 'report.submit', {
    description: '西关集贸市场东门口垃圾堆放好几天了，没人清运，气味很大，请尽快处理。',
    photoIds: before,
    idempotencyKey: crypto.randomUUID(),
  });
  const office = await login(base, 'bench-office');
  const unit = await login(base, 'bench-unit');
  const { data: draft } = await trpc<{ id: number }>(
    base,
    'staff.notices.saveDraft',
    {
      trackingCodes: [report.trackingCode],
      title: '西关集贸市场垃圾长期无人清运',
      body: '经查，西关集贸市场东门口垃圾堆放多日无人清运，群众反映强烈。\n\n责任单位未按时整改，现予曝光，限期整改并公开回应。',
      unitCode: 'zhujianju',
      responseDueAt: new Date(Date.now() + 7 * 86_400_000).toISOString(),
      photos: before.map((id, i) => ({ id, kind: 'before', alt: `整改前：市场东门口堆放的垃圾（${i + 1}）` })),
    },
    office,
  );
  const { data: notice } = await trpc<{ slug: string }>(base, 'staff.notices.publish', { id: draft.id }, office);
  const after = await upload(base, await phonePhoto({ r: 150, g: 160, b: 150 }), 'rectification', unit);
  await trpc(
    base,
    'staff.notices.response.submit',
    {
      noticeId: draft.id,
      body: '我局已于当日组织环卫力量清运垃圾，并在市场东门增设垃圾桶两处，安排专人每日巡查保洁。',
      photos: [{ id: after, alt: '整改后：市场东门口已清理干净' }],
    },
    unit,
  );
  await trpc(base, 'staff.notices.response.review', { noticeId: draft.id, decision: 'publish' }, office);
  return notice.slug;
}

async function waitForPage(url: string, text: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const response = await fetch(url);
    if (response.ok && (await response.text()).includes(text)) return;
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`${url} never showed “${text}”`);
}

interface LighthouseReport {
  lighthouseVersion: string;
  categories: Record<string, { score: number }>;
  audits: Record<string, { numericValue?: number; displayValue?: string }>;
}

function lighthouse(url: string, outFile: string): LighthouseReport {
  execFileSync(
    process.execPath,
    [
      path.join(root, 'node_modules/lighthouse/cli/index.js'),
      url,
      '--quiet',
      '--output=json',
      `--output-path=${outFile}`,
      `--chrome-flags=${CHROME_FLAGS}`,
    ],
    { cwd: root, env: { ...process.env, CHROME_PATH: CHROMIUM }, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  return JSON.parse(fs.readFileSync(outFile, 'utf8')) as LighthouseReport;
}

export async function benchLighthouse(): Promise<boolean> {
  if (!fs.existsSync(path.join(root, 'dist/server/entry.mjs'))) throw new Error('Build the site first: npm run build');
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium fonts-noto-cjk`);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-lighthouse-'));
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const base = `http://127.0.0.1:${port}`;
  const portal = spawn(process.execPath, ['server/main.ts'], {
    cwd: root,
    env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), DATA_DIR: dataDir, ASTRO_TELEMETRY_DISABLED: '1' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    await waitFor(`${base}/healthz`, portal);
    const slug = await publishNotice(base, dataDir);
    await waitForPage(`${base}/notices/${slug}/`, '增设垃圾桶两处');
    let met = true;
    const rows: string[] = [];
    let version = '';
    for (const [name, url] of [
      ['home', `${base}/`],
      ['notice', `${base}/notices/${slug}/`],
    ] as const) {
      const report = lighthouse(url, path.join(dataDir, `lighthouse-${name}.json`));
      version = report.lighthouseVersion;
      const scores = Object.fromEntries(Object.keys(TARGETS).map((k) => [k, Math.round((report.categories[k]?.score ?? 0) * 100)]));
      for (const [k, target] of Object.entries(TARGETS)) if ((scores[k] ?? 0) < target) met = false;
      const metrics = METRICS.map((m) => report.audits[m]?.displayValue ?? '—');
      const images = [...(await (await fetch(url)).text()).matchAll(/<img\b/g)].length;
      const scoreCells = Object.keys(TARGETS).map((k) => scores[k]);
      rows.push(`| ${name} | ${scoreCells.join(' | ')} | ${metrics.join(' | ')} | ${images} |`);
    }
    console.log(`\nLighthouse ${version}, mobile preset, ${CHROMIUM}; ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? ''}\n`);
    console.log('| page | performance | accessibility | best practices | SEO | FCP | LCP | TBT | CLS | bytes | images |');
    console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
    console.log(rows.join('\n'));
    console.log(`\ntargets (performance ≥ 95, accessibility 100, best practices ≥ 95, SEO ≥ 95): ${met ? 'met' : 'NOT met'}`);
    return met;
  } finally {
    portal.kill('SIGTERM');
    await new Promise((r) => portal.once('exit', r));
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
