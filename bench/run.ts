// `npm run bench`: web intake throughput over HTTP, measured with autocannon against the built
// server on SQLite, beside a bare node:http baseline that inserts the same rows into the same
// SQLite file. Prints reports/s, p50/p99 latency and the ratio. Not a test: numbers go into
// docs/benchmarks.md by hand, with the machine they were taken on.
//   npm run bench                    # 10 s per run, 32 connections
//   npm run bench -- --duration 20 --connections 64
//   npm run bench -- mail            # the mailbox pipeline (bench/mail.ts)
//   npm run bench -- build           # the public site: 10,000 notices, then one publish (bench/site-build.ts)
//   npm run bench -- lighthouse      # Lighthouse on the home page and a notice page (bench/lighthouse.ts)
//   npm run bench -- pg              # intake with two web processes on PostgreSQL beside a bare node:http + pg (bench/pg-intake.ts)
//   npm run bench -- scale           # 1,000,000 tickets, the staff queue and ledgers (bench/scale.ts; --tickets N, --keep)
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { freePort, REPORT } from './http-load.ts';
import { benchLighthouse } from './lighthouse.ts';
import { benchMail } from './mail.ts';
import { benchPgIntake } from './pg-intake.ts';
import { benchScale } from './scale.ts';
import { benchSiteBuild } from './site-build.ts';
import { waitFor } from './wait-for.ts';

const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '32' },
    files: { type: 'string' },
    rounds: { type: 'string', default: '1' },
    notices: { type: 'string', default: '10000' },
    tickets: { type: 'string', default: '1000000' },
    runs: { type: 'string', default: '30' },
    databases: { type: 'string', default: 'sqlite,postgres' },
    keep: { type: 'boolean', default: false },
    measure: { type: 'string' },
  },
});
if (positionals[0] === 'mail') {
  await benchMail({ files: args.files, rounds: Number(args.rounds) });
  process.exit(0);
}
if (positionals[0] === 'build') {
  await benchSiteBuild({ notices: Number(args.notices) });
  process.exit(0);
}
if (positionals[0] === 'scale') {
  const databases = args.databases.split(',').filter((d): d is 'sqlite' | 'postgres' => d === 'sqlite' || d === 'postgres');
  await benchScale({
    tickets: Number(args.tickets),
    runs: Number(args.runs),
    databases,
    keep: args.keep,
    ...(args.measure && { measure: args.measure }),
  });
  process.exit(0);
}
if (positionals[0] === 'pg') {
  await benchPgIntake({ connections: Number(args.connections), duration: Number(args.duration) });
  process.exit(0);
}
if (positionals[0] === 'lighthouse') {
  process.exit((await benchLighthouse()) ? 0 : 1);
}
const root = path.resolve(import.meta.dirname, '..');
const node = process.execPath;

async function load(url: string): Promise<autocannon.Result> {
  const options = {
    url,
    method: 'POST' as const,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(REPORT),
    connections: Number(args.connections),
  };
  await autocannon({ ...options, duration: 2 }); // warm-up
  return autocannon({ ...options, duration: Number(args.duration) });
}

async function measure(name: string, command: string[], env: NodeJS.ProcessEnv, url: string, health: string) {
  const child = spawn(node, command, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
  try {
    await waitFor(health, child);
    const result = await load(url);
    if (result.non2xx > 0 || result.errors > 0) throw new Error(`${name}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
    return { name, rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, total: result.requests.total };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

if (!fs.existsSync(path.join(root, 'dist/server/entry.mjs'))) {
  console.error('Build the site first: npm run build');
  process.exit(1);
}
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-bench-'));
// Every report of the run comes from this one address: the per-address limit (THROTTLE_REPORTS,
// 20 per 10 minutes by default) is raised for the run so that the intake itself is measured —
// the throttle's check and count still run on every report.
const RAISED_REPORT_LIMIT = '100000000/10m';
console.log(`THROTTLE_REPORTS raised to ${RAISED_REPORT_LIMIT} for this run (default 20/10m): all reports come from one address.`);
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
try {
  const portal = await measure(
    'portal (tRPC report.submit)',
    ['server/main.ts'],
    // Web only: a worker would build the public site at start (ADR 006) while this measures intake.
    { HOST: '127.0.0.1', PORT: String(port), DATA_DIR: dataDir, ROLES: 'web', THROTTLE_REPORTS: RAISED_REPORT_LIMIT },
    `${base}/api/trpc/report.submit`,
    `${base}/healthz`,
  );
  const baseline = await measure(
    'baseline (bare node:http + node:sqlite)',
    ['bench/baseline-server.ts', path.join(dataDir, 'portal.sqlite'), String(port)],
    {},
    `${base}/`,
    `${base}/healthz`,
  );
  const rows = [portal, baseline].map((r) => `| ${r.name} | ${r.rps.toFixed(0)} | ${r.p50} ms | ${r.p99} ms | ${r.total} |`);
  console.log(
    `\n${os.cpus().length} cores, ${os.cpus()[0]?.model ?? ''}, Node ${process.version}, ${args.connections} connections, ${args.duration} s\n`,
  );
  console.log('| server | reports/s | p50 | p99 | reports |');
  console.log('| --- | --- | --- | --- | --- |');
  console.log(rows.join('\n'));
  console.log(`\nratio portal/baseline: ${(portal.rps / baseline.rps).toFixed(2)} (target ≥ 0.5; target ≥ 500 reports/s)`);
} finally {
  fs.rmSync(dataDir, { recursive: true, force: true });
}
