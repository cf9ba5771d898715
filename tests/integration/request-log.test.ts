// The HTTP host's log (issue 18 item 4): each request gets an id — our proxy's X-Request-Id when
// sane, else a fresh one — echoed in the answer and carried by every line written while it is
// answered (a failing procedure's error included), and one access line without the query string.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectConsoleError, loggedLines } from '../setup/fail-on-console-error.ts';
import { serveTestPortal, type TestHost } from '../support/http-host.ts';
import { startTestPortal, type TestPortal } from '../support/portal.ts';

describe('request ids and access lines', () => {
  let t: TestPortal;
  let host: TestHost;

  beforeAll(async () => {
    t = await startTestPortal('sqlite');
    host = await serveTestPortal(t, { trustProxy: 1 });
  });
  afterAll(async () => {
    await host?.close();
    await t?.close();
  });

  const track = (code: string, headers: Record<string, string> = {}) =>
    fetch(`${host.base}/api/trpc/report.track?input=${encodeURIComponent(JSON.stringify({ trackingCode: code }))}`, { headers });

  it("echoes the proxy's id, and logs one access line with it, the path and no query string", async () => {
    const answer = await track('AC3-K7M-9X6', { 'x-request-id': 'nginx-5f0c1234567e9a' });
    expect(answer.status).toBe(404);
    expect(answer.headers.get('x-request-id')).toBe('nginx-5f0c1234567e9a');
    await expect.poll(() => loggedLines().filter((l) => l.msg === 'http')).toHaveLength(1);
    const [access] = loggedLines().filter((l) => l.msg === 'http');
    expect(access).toMatchObject({
      level: 'info',
      reqId: 'nginx-5f0c1234567e9a',
      method: 'GET',
      path: '/api/trpc/report.track',
      status: 404,
    });
    expect(typeof access!['ms']).toBe('number');
    // The refusal names the procedure, under the same id; the tracking code is nowhere.
    expect(loggedLines().find((l) => l.msg.includes('refused'))).toMatchObject({
      reqId: 'nginx-5f0c1234567e9a',
      procedure: 'report.track',
      outcome: 'NOT_FOUND',
    });
    expect(JSON.stringify(loggedLines())).not.toContain('AC3-K7M-9X6');
  });

  it('makes its own id for a request without a sane one', async () => {
    const answer = await track('AC3-K7M-9X6', { 'x-request-id': 'no spaces; please' });
    const id = answer.headers.get('x-request-id');
    expect(id).toMatch(/^[A-Za-z0-9_-]{12}$/);
    await expect.poll(() => loggedLines().find((l) => l.msg === 'http')?.['reqId']).toBe(id);
  });

  it('logs a failing procedure with its stack, masked, under the id of its request', async () => {
    expectConsoleError(1);
    const original = t.portal.services.trackReport;
    t.portal.services.trackReport = async () => {
      throw new Error('the store did not answer for 13812345678');
    };
    try {
      const answer = await track('AC3-K7M-9X6', { 'x-request-id': 'req-failing' });
      expect(answer.status).toBe(500);
    } finally {
      t.portal.services.trackReport = original;
    }
    const [error] = loggedLines('error');
    expect(error).toMatchObject({ reqId: 'req-failing', procedure: 'report.track', msg: '[trpc] report.track failed' });
    expect(error!.err).toMatchObject({ message: 'the store did not answer for 138****5678' });
    expect(error!.err?.stack).toContain('request-log.test.ts');
    expect(JSON.stringify(loggedLines())).not.toMatch(/1[3-9]\d{9}/);
  });

  it('logs health checks at debug only', async () => {
    await fetch(`${host.base}/healthz`);
    await expect.poll(() => loggedLines().find((l) => l['path'] === '/healthz')?.level).toBe('debug');
  });
});
