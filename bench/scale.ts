// `npm run bench -- scale`: the staff's and the ledgers' reads at a city's scale. Seeds N tickets
// (default 1,000,000; bench/scale-seed.ts) with their reporters, events and photos into a
// PostgreSQL database it creates and drops (TEST_PG_URL's server, 127.0.0.1:5432 by default) and
// into a SQLite file in a temporary directory, then measures through the real services — the
// staff queue (createTicketQueries) and the ledgers (createLedgers), as the API calls them:
// the queue's first page (all, by unit, by status, overdue), a ticket page, the problem, point
// and rectification ledgers' first pages, and a monthly report; then the public snapshot the
// worker makes at every publish and statistics refresh (server/publish/public-projection.ts),
// its first run apart (it judges every strike-off once: server/ledgers/closure-verdicts.ts).
// Prints p50/p95 per query as a markdown table. Targets: p95 < 50 ms per page, < 2 s for the
// monthly report; none for the snapshot. Not a test.
//   npm run bench -- scale                       # 1,000,000 tickets, both databases
//   npm run bench -- scale --tickets 100000 --databases sqlite --runs 20
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { StaffUser } from '../server/auth/roles.ts';
import { loadCatalog } from '../server/catalog/load-catalog.ts';
import type { Catalog } from '../server/catalog/types.ts';
import { migrateToLatest, openDatabase } from '../server/db/database.ts';
import { createLedgers } from '../server/ledgers/ledgers.ts';
import { publicSnapshot } from '../server/publish/public-projection.ts';
import { createTicketQueries } from '../server/staff/ticket-queries.ts';
import { seedPostgres, seedSqlite, trackingCode, type SeedResult } from './scale-seed.ts';

export interface ScaleOptions {
  tickets: number;
  runs: number;
  databases: Array<'sqlite' | 'postgres'>;
  /** Leave the seeded databases for EXPLAIN (their names are printed); drop them by hand. */
  keep?: boolean;
  /** Measure a PostgreSQL database a `--keep` run left (its URL), without seeding. */
  measure?: string;
}

const root = path.resolve(import.meta.dirname, '..');
const adminUrl = process.env['TEST_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const PAGE_TARGET_MS = 50;
const REPORT_TARGET_MS = 2000;

const office: StaffUser = { id: 1, username: 'office', displayName: '创城办', role: 'dispatcher', unitCode: null };

interface Measured {
  name: string;
  p50: number;
  p95: number;
  runs: number;
  /** p95 target in ms; null where none was set (the public snapshot). */
  target: number | null;
  rows: string;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

/** One run with no warm-up before it: what happens once (the snapshot's first run). */
async function measureOnce(name: string, target: number | null, run: () => Promise<string>): Promise<Measured> {
  const started = performance.now();
  const rows = await run();
  const took = performance.now() - started;
  console.log(`  ${name}: ${took.toFixed(1)} ms (${rows})`);
  return { name, p50: took, p95: took, runs: 1, target, rows };
}

async function measure(name: string, runs: number, target: number | null, run: (i: number) => Promise<string>): Promise<Measured> {
  let rows = await run(0); // warm-up: caches, prepared statements
  const times: number[] = [];
  for (let i = 1; i <= runs; i++) {
    const started = performance.now();
    rows = await run(i);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const m = { name, p50: percentile(times, 50), p95: percentile(times, 95), runs, target, rows };
  console.log(`  ${name}: p50 ${m.p50.toFixed(1)} ms, p95 ${m.p95.toFixed(1)} ms (${rows})`);
  return m;
}

async function measureAll(url: string, catalog: Catalog, now: Date, tickets: number, runs: number): Promise<Measured[]> {
  const handle = openDatabase(url);
  try {
    const clock = { now: () => now };
    const queries = createTicketQueries({
      db: handle.db,
      catalog,
      clock,
      photoUrls: (id) => ({ url: `/media/${id}.webp`, thumbUrl: `/media/${id}.thumb.webp` }),
    });
    const ledgers = createLedgers({ db: handle.db, catalog, clock });
    const units = catalog.units.map((u) => u.code);
    const lastMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 15)).toISOString().slice(0, 7);
    const page = (r: { items: unknown[]; total: number }) => `${r.items.length} of ${r.total}`;
    const results: Measured[] = [];
    results.push(await measure('queue: first page', runs, PAGE_TARGET_MS, async () => page(await queries.list(office, {}))));
    results.push(
      await measure('queue: by unit', runs, PAGE_TARGET_MS, async (i) =>
        page(await queries.list(office, { unitCode: units[i % units.length]! })),
      ),
    );
    results.push(
      await measure('queue: by status (office queue)', runs, PAGE_TARGET_MS, async () =>
        page(await queries.list(office, { statuses: ['received', 'returned', 'reopened'] })),
      ),
    );
    results.push(
      await measure('queue: by status (rectifying)', runs, PAGE_TARGET_MS, async () =>
        page(await queries.list(office, { statuses: ['rectifying'] })),
      ),
    );
    results.push(await measure('queue: overdue', runs, PAGE_TARGET_MS, async () => page(await queries.list(office, { overdue: true }))));
    results.push(
      await measure('ticket page', runs, PAGE_TARGET_MS, async (i) => {
        const d = await queries.detail(office, trackingCode(1 + ((i * 7919) % tickets)));
        return `${d.timeline.length} events`;
      }),
    );
    results.push(
      await measure('problem ledger: first page', runs, PAGE_TARGET_MS, async () => {
        const p = await ledgers.problems({});
        return `${p.rows.length} of ${p.total}`;
      }),
    );
    results.push(await measure('point ledger', runs, PAGE_TARGET_MS, async () => `${(await ledgers.points({})).length} points`));
    results.push(
      await measure('rectification ledger: first page', runs, PAGE_TARGET_MS, async () => {
        const p = await ledgers.rectifications({});
        return `${p.rows.length} of ${p.total}`;
      }),
    );
    results.push(
      await measure(`monthly report (${lastMonth})`, Math.min(runs, 5), REPORT_TARGET_MS, async () => {
        const r = await ledgers.monthlyReport(lastMonth);
        return `${r.byUnit.length} units`;
      }),
    );
    const snapshot = async () => {
      const s = await publicSnapshot({ db: handle.db, catalog, mediaDir: '/srv/media' }, now);
      return `${s.stats.totals.received} received, ${s.stats.totals.closed} closed, ${s.stats.byMonth.length} months`;
    };
    results.push(await measureOnce('public snapshot: first run (judges every strike-off)', null, snapshot));
    results.push(await measure('public snapshot', Math.min(runs, 5), null, snapshot));
    return results;
  } finally {
    await handle.close();
  }
}

function progress(label: string) {
  let last = 0;
  return (done: number, total: number) => {
    if (done === total || performance.now() - last > 5000) {
      last = performance.now();
      console.log(`  ${label}: ${done.toLocaleString('en')} / ${total.toLocaleString('en')} tickets`);
    }
  };
}

async function withPostgres<T>(work: (url: string) => Promise<T>, keep: boolean): Promise<T> {
  const name = `portal_scale_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  try {
    return await work(url.toString());
  } finally {
    if (keep) console.log(`  kept: ${url.toString()}`);
    // The pool's end() resolves while its connections still say goodbye: let them go first.
    for (let i = 0; i < 50; i++) {
      const { rows } = await admin.query<{ n: string }>('SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1', [name]);
      if (Number(rows[0]?.n ?? 0) === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    if (!keep) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

async function migrate(url: string): Promise<void> {
  const handle = openDatabase(url);
  try {
    await migrateToLatest(handle);
  } finally {
    await handle.close();
  }
}

export async function benchScale(options: ScaleOptions): Promise<void> {
  const catalog = await loadCatalog(path.join(root, 'content'));
  const now = new Date();
  if (options.measure) {
    console.log(`\nmeasuring ${options.measure} (${options.tickets.toLocaleString('en')} tickets as seeded)`);
    await measureAll(options.measure, catalog, now, options.tickets, options.runs);
    return;
  }
  const tables: string[] = [];
  for (const kind of options.databases) {
    console.log(`\n${kind}: seeding ${options.tickets.toLocaleString('en')} tickets`);
    let seeded: SeedResult;
    let results: Measured[];
    if (kind === 'postgres') {
      [seeded, results] = await withPostgres(async (url) => {
        await migrate(url);
        const s = await seedPostgres(url, catalog, now, options.tickets, progress(kind));
        console.log(`  seeded in ${s.seconds.toFixed(0)} s (with VACUUM ANALYZE); measuring`);
        return [s, await measureAll(url, catalog, now, options.tickets, options.runs)] as const;
      }, options.keep ?? false);
    } else {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-scale-'));
      try {
        const file = path.join(dir, 'portal.sqlite');
        await migrate(`sqlite:${file}`);
        seeded = await seedSqlite(file, catalog, now, options.tickets, progress(kind));
        console.log(`  seeded in ${seeded.seconds.toFixed(0)} s (with ANALYZE); measuring`);
        results = await measureAll(`sqlite:${file}`, catalog, now, options.tickets, options.runs);
      } finally {
        if (options.keep) console.log(`  kept: ${dir}`);
        else fs.rmSync(dir, { recursive: true, force: true });
      }
    }
    const lines = [
      `### ${kind}: ${seeded.tickets.toLocaleString('en')} tickets, ${seeded.events.toLocaleString('en')} events, ${seeded.photos.toLocaleString('en')} photos (seeded in ${seeded.seconds.toFixed(0)} s)`,
      '',
      '| query | p50 | p95 | target (p95) | met | result |',
      '| --- | --- | --- | --- | --- | --- |',
      ...results.map(
        (r) =>
          `| ${r.name} | ${r.p50.toFixed(1)} ms | ${r.p95.toFixed(1)} ms | ${r.target === null ? '—' : `< ${r.target} ms`} | ${r.target === null ? '—' : r.p95 < r.target ? 'yes' : '**no**'} | ${r.rows} |`,
      ),
    ];
    tables.push(lines.join('\n'));
  }
  console.log(`\n${os.cpus().length} cores, ${os.cpus()[0]?.model ?? ''}, Node ${process.version}, ${options.runs} runs per query\n`);
  console.log(tables.join('\n\n'));
}
