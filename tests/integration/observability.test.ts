// Readiness and metrics (issue 18, item 3) through the real HTTP host: /readyz answers 200 with
// every check, and 503 naming the check when PostgreSQL goes away (a TCP proxy in front of it is
// closed) or when the data directory cannot be written; /metrics is Prometheus text whose report
// counter moves with a report, read from this machine or with the token, refused to an outside
// address without it.
import fs from 'node:fs';
import net from 'node:net';
import { execFileSync } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { expectConsoleError, loggedLines } from '../setup/fail-on-console-error.ts';
import { createPortal, type Portal } from '../../server/app.ts';
import { createReadiness } from '../../server/observability/readiness.ts';
import { postgresAvailable, postgresDatabase, type TestDatabase } from '../support/databases.ts';
import { serveTestPortal, type TestHost } from '../support/http-host.ts';
import { CONTENT_DIR, startTestPortal, type TestPortal } from '../support/portal.ts';

const TOKEN = 'metrics-token-for-the-test-0123';

describe('readiness and metrics on SQLite', () => {
  let t: TestPortal;
  let host: TestHost;
  let readOnly: string | null = null;

  beforeAll(async () => {
    t = await startTestPortal('sqlite');
    host = await serveTestPortal(t, {
      trustProxy: 1,
      observability: {
        metrics: t.portal.metrics,
        readiness: createReadiness({ database: t.portal.database, dataDir: t.database.dataDir, minFreeBytes: 1024 * 1024 }),
        access: { token: TOKEN, allow: ['127.0.0.1', '::1'] },
      },
    });
  });
  afterEach(() => {
    if (readOnly) writable(readOnly);
    readOnly = null;
  });
  afterAll(async () => {
    await host?.close();
    await t?.close();
  });

  it('/readyz answers 200 with each check, and /healthz stays the liveness answer', async () => {
    const res = await fetch(`${host.base}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      ready: true,
      checks: { database: { ok: true }, migrations: { ok: true }, 'data-dir': { ok: true } },
    });
    expect((await fetch(`${host.base}/healthz`)).status).toBe(200);
  });

  it('/readyz answers 503 naming the data directory when it cannot be written', async () => {
    readOnly = t.database.dataDir;
    readOnlyDir(readOnly);
    const res = await fetch(`${host.base}/readyz`);
    expect(res.status).toBe(503);
    const body = (await res.json()) as { ready: boolean; checks: Record<string, { ok: boolean; reason?: string }> };
    expect(body.ready).toBe(false);
    expect(body.checks['data-dir']).toMatchObject({ ok: false, reason: expect.stringMatching(/cannot write to the data directory/) });
    expect(body.checks['database']).toEqual({ ok: true });
  });

  it('/metrics is Prometheus text, and its report counter moves when a report is submitted', async () => {
    const before = counter(await metrics(), 'portal_reports_accepted_total{channel="web"}');
    await t.caller().report.submit({ description: '人民路和府前街交叉口，机动车经过斑马线从来不礼让行人' });
    const text = await metrics();
    expectPrometheusText(text);
    expect(counter(text, 'portal_reports_accepted_total{channel="web"}')).toBe(before + 1);
    expect(counter(text, 'portal_tickets_open')).toBeGreaterThanOrEqual(1);
    expect(text).toMatch(/^portal_mail_outbox_lag_seconds \d+(\.\d+)?$/m);
    // A request is counted once its response has gone out (the server's 'finish'), which may come
    // just after the client has read it.
    const counted = counter(text, 'portal_http_requests_total{route="/readyz",method="GET",status="200"}');
    await (await fetch(`${host.base}/readyz`)).arrayBuffer();
    await vi.waitFor(async () => {
      const now = await metrics();
      expect(counter(now, 'portal_http_requests_total{route="/readyz",method="GET",status="200"}')).toBe(counted + 1);
      expect(now).toMatch(/^portal_http_request_duration_seconds_bucket\{le="0.1",route="\/readyz"\} \d+$/m);
    });
  });

  it('/metrics refuses an outside address without the token, and answers it with the token', async () => {
    const outside = { 'x-forwarded-for': '198.51.100.20' };
    expect((await fetch(`${host.base}/metrics`, { headers: outside })).status).toBe(403);
    expect(
      (await fetch(`${host.base}/metrics`, { headers: { ...outside, authorization: 'Bearer wrong-token-of-the-same-len' } })).status,
    ).toBe(403);
    const ok = await fetch(`${host.base}/metrics`, { headers: { ...outside, authorization: `Bearer ${TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  });

  async function metrics(): Promise<string> {
    const res = await fetch(`${host.base}/metrics`);
    expect(res.status).toBe(200);
    return res.text();
  }
});

describe.skipIf(!(await postgresAvailable()) && !process.env['CI'])('readiness when PostgreSQL goes away', () => {
  let database: TestDatabase;
  let portal: Portal;
  let proxy: net.Server;
  const sockets = new Set<net.Socket>();

  beforeAll(async () => {
    database = await postgresDatabase();
    const target = new URL(database.url);
    // Every connection of the portal goes through this proxy; closing it is PostgreSQL stopping.
    proxy = net.createServer((client) => {
      const server = net.connect(Number(target.port), target.hostname);
      for (const s of [client, server]) {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
        s.on('error', () => s.destroy());
      }
      client.pipe(server).pipe(client);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const viaProxy = new URL(database.url);
    viaProxy.port = String((proxy.address() as net.AddressInfo).port);
    portal = await createPortal({
      databaseUrl: viaProxy.toString(),
      dataDir: database.dataDir,
      dataKey: database.dataKey,
      contentDir: CONTENT_DIR,
      contentPollMs: 0,
    });
  });
  afterAll(async () => {
    await portal?.close().catch(() => {});
    await database?.drop();
  });

  it('answers 503 naming the database', async () => {
    const readiness = createReadiness({ database: portal.database, dataDir: database.dataDir, minFreeBytes: 0 });
    expect((await readiness.check()).ready).toBe(true);
    proxy.close();
    for (const s of sockets) s.destroy();
    // The content version's LISTEN connection says, once, that it was lost (the poll goes on).
    expectConsoleError(1);
    await vi.waitFor(() => expect(loggedLines('error')).toHaveLength(1));
    const answer = await readiness.check();
    expect(answer.ready).toBe(false);
    expect(answer.checks['database']).toMatchObject({ ok: false });
    expect(answer.checks['data-dir']).toEqual({ ok: true });
  });
});

function counter(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

/**
 * Every line is a comment (# HELP / # TYPE), empty, or `name{labels} value`; a value is a float as
 * Prometheus parses it (Go's ParseFloat: NaN and Inf in any case — prom-client writes `Nan`).
 */
function expectPrometheusText(text: string): void {
  const sample = /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\])*",?)*\})? -?(\d+(\.\d+)?(e[+-]?\d+)?|nan|[+-]?inf)$/i;
  for (const line of text.split('\n')) {
    if (line === '' || /^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .+$/.test(line)) continue;
    expect(line, 'a Prometheus sample line').toMatch(sample);
  }
}

/** The directory cannot take a file: immutable (as root, who ignores permissions), else without write permission. */
function readOnlyDir(dir: string): void {
  try {
    execFileSync('chattr', ['+i', dir], { stdio: 'ignore' });
  } catch {
    fs.chmodSync(dir, 0o500);
  }
}

function writable(dir: string): void {
  try {
    execFileSync('chattr', ['-i', dir], { stdio: 'ignore' });
  } catch {
    // chattr was not used
  }
  fs.chmodSync(dir, 0o700);
}
