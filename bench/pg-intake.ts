// `npm run bench -- pg`: web intake on PostgreSQL as a city deploys it — two web processes
// (`node server/main.ts --role web`) on one database, each on its own port, with autocannon
// sending half the connections to each — beside a bare node:http + pg baseline
// (bench/baseline-pg-server.ts), also two processes, inserting the same rows into the same
// database. Prints reports/s of both and the ratio (target ≥ 0.5). No worker runs: it would build
// the public site at start (ADR 006) on the same two cores while this measures intake.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import pg from 'pg';
import { migrateToLatest, openDatabase } from '../server/db/database.ts';
import { createKeyFile } from '../server/db/data-key-file.ts';
import { freePort, REPORT } from './http-load.ts';
import { waitFor } from './wait-for.ts';

const root = path.resolve(import.meta.dirname, '..');
const adminUrl = process.env['TEST_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const RAISED_REPORT_LIMIT = '100000000/10m';

interface Side {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  total: number;
}

async function start(command: string[], env: NodeJS.ProcessEnv, health: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, command, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
  await waitFor(health, child);
  return child;
}

async function stop(children: ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null) return resolve();
          c.once('exit', () => resolve());
          c.kill('SIGTERM');
        }),
    ),
  );
}

/**
 * Half the connections to each server, at once; their throughputs add up. Each report comes from
 * its own address, as a city's do, through a reverse proxy's X-Forwarded-For (TRUST_PROXY=1):
 * from one address, every report's throttle count (THROTTLE_REPORTS) would update one row, and
 * PostgreSQL would serialise the reports on its lock — a load no deployment sees.
 */
async function load(name: string, urls: string[], connections: number, duration: number): Promise<Side> {
  let n = 0;
  const body = JSON.stringify(REPORT);
  const run = (url: string, seconds: number) =>
    autocannon({
      url,
      connections: Math.max(1, Math.round(connections / urls.length)),
      duration: seconds,
      requests: [
        {
          method: 'POST',
          body,
          setupRequest: (req) => {
            n++;
            return {
              ...req,
              headers: { 'content-type': 'application/json', 'x-forwarded-for': `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}` },
            };
          },
        },
      ],
    });
  await Promise.all(urls.map((u) => run(u, 2))); // warm-up
  const results = await Promise.all(urls.map((u) => run(u, duration)));
  const bad = results.reduce((n, r) => n + r.non2xx + r.errors, 0);
  if (bad > 0) throw new Error(`${name}: ${bad} non-2xx answers or errors`);
  return {
    name,
    rps: results.reduce((n, r) => n + r.requests.average, 0),
    // The slower process's percentiles: what a resident behind the proxy could meet.
    p50: Math.max(...results.map((r) => r.latency.p50)),
    p99: Math.max(...results.map((r) => r.latency.p99)),
    total: results.reduce((n, r) => n + r.requests.total, 0),
  };
}

async function withDatabase<T>(work: (url: string) => Promise<T>): Promise<T> {
  const name = `portal_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  try {
    const handle = openDatabase(url.toString());
    await migrateToLatest(handle); // once, before two processes start on it
    await handle.close();
    return await work(url.toString());
  } finally {
    for (let i = 0; i < 50; i++) {
      const { rows } = await admin.query<{ n: string }>('SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1', [name]);
      if (Number(rows[0]?.n ?? 0) === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

export async function benchPgIntake(options: { connections: number; duration: number }): Promise<void> {
  if (!fs.existsSync(path.join(root, 'dist/server/entry.mjs'))) throw new Error('Build the site first: npm run build');
  console.log(
    `THROTTLE_REPORTS raised to ${RAISED_REPORT_LIMIT} for this run (default 20/10m); each report from its own address (X-Forwarded-For).`,
  );
  const [portal, baseline] = await withDatabase(async (url) => {
    const dataDirs = [0, 1].map(() => fs.mkdtempSync(path.join(os.tmpdir(), 'portal-bench-pg-')));
    // Both processes share one data key, as a deployment on PostgreSQL must (ADR 019).
    const dataKey = path.join(dataDirs[0]!, 'data-key.json');
    createKeyFile(dataKey, 'aes-256-gcm');
    const ports = [await freePort(), await freePort()];
    const children: ChildProcess[] = [];
    try {
      for (const [i, port] of ports.entries()) {
        children.push(
          await start(
            ['server/main.ts', '--role', 'web'],
            {
              HOST: '127.0.0.1',
              PORT: String(port),
              DATA_DIR: dataDirs[i],
              DATA_KEY: dataKey,
              DATABASE_URL: url,
              THROTTLE_REPORTS: RAISED_REPORT_LIMIT,
              TRUST_PROXY: '1',
            },
            `http://127.0.0.1:${port}/healthz`,
          ),
        );
      }
      const portalSide = await load(
        'portal: 2 × `--role web` (tRPC report.submit)',
        ports.map((p) => `http://127.0.0.1:${p}/api/trpc/report.submit`),
        options.connections,
        options.duration,
      );
      await stop(children.splice(0));
      for (const port of ports) {
        children.push(await start(['bench/baseline-pg-server.ts', url, String(port)], {}, `http://127.0.0.1:${port}/healthz`));
      }
      const baselineSide = await load(
        'baseline: 2 × bare node:http + pg',
        ports.map((p) => `http://127.0.0.1:${p}/`),
        options.connections,
        options.duration,
      );
      return [portalSide, baselineSide] as const;
    } finally {
      await stop(children);
      for (const d of dataDirs) fs.rmSync(d, { recursive: true, force: true });
    }
  });
  console.log(
    `\n${os.cpus().length} cores, ${os.cpus()[0]?.model ?? ''}, Node ${process.version}, PostgreSQL, ${options.connections} connections, ${options.duration} s\n`,
  );
  console.log('| server | reports/s | p50 | p99 | reports |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const r of [portal, baseline]) console.log(`| ${r.name} | ${r.rps.toFixed(0)} | ${r.p50} ms | ${r.p99} ms | ${r.total} |`);
  console.log(`\nratio portal/baseline: ${(portal.rps / baseline.rps).toFixed(2)} (target ≥ 0.5)`);
}
