// Forms posted to Astro's pages (server/http/page-body.ts): the host receives the body before
// Astro reads it, so the no-JS report form's photos wait on disk, not in memory, and a slow or
// held post is bounded like an upload. The pages here read their body exactly as Astro's node
// adapter does (astro/app/node's createRequestFromNodeRequest, then formData()). HTTP and files
// only: SQLite.
import fs from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createRequestFromNodeRequest } from 'astro/app/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRequestHandler, listen } from '../../server/http/host.ts';
import { PAGE_UPLOAD_LIMIT } from '../../server/http/page-body.ts';
import { flushLogs } from '../../server/observability/log.ts';
import { loggedLines } from '../setup/fail-on-console-error.ts';
import { startTestPortal, type TestPortal } from '../support/portal.ts';
import { parseAnswer, rawRequest } from '../support/raw-http.ts';

const MB = 1024 * 1024;
const IDLE_MS = 2000;
const BOUNDARY = 'page-form-boundary';

let t: TestPortal;
let server: Server;
let port: number;
let incoming: string;

beforeAll(async () => {
  t = await startTestPortal('sqlite');
  incoming = t.portal.photos.incomingDir;
  const clientDir = path.join(t.database.dataDir, 'client');
  fs.mkdirSync(clientDir);
  const handler = createRequestHandler({
    app: t.portal.services,
    photos: t.portal.photos,
    clientDir,
    // A page that answers with what it received, read the way @astrojs/node reads it.
    astroHandler: async (req, res) => {
      const form = await createRequestFromNodeRequest(req, { bodySizeLimit: PAGE_UPLOAD_LIMIT }).formData();
      const fields: Record<string, string> = {};
      const files: Record<string, number> = {};
      for (const [name, value] of form) {
        if (typeof value === 'string') fields[name] = value;
        else files[name] = (files[name] ?? 0) + value.size;
      }
      const body = JSON.stringify({ fields, files, spooled: incomingFiles() });
      res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    },
    trustProxy: 1,
    secureCookies: false,
    requestLimits: { bodyIdleMs: IDLE_MS, uploadsPerClient: 4, uploadsInAll: 32 },
  });
  server = await listen(handler, '127.0.0.1', 0);
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await t?.close();
});

function incomingFiles(): string[] {
  return fs.existsSync(incoming) ? fs.readdirSync(incoming) : [];
}

async function until(what: string, check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const post = (pathname: string, body: FormData | URLSearchParams, address = '198.51.100.9') =>
  fetch(`http://127.0.0.1:${port}${pathname}`, { method: 'POST', body, headers: { 'x-forwarded-for': address } });

/** A no-JS report post from `address` declaring 10 MB, of which it sends the first bytes. */
const heldPost = (address: string, o: { trickle?: boolean } = {}) =>
  rawRequest(
    port,
    {
      path: '/report',
      headers: { 'x-forwarded-for': address, 'content-type': `multipart/form-data; boundary=${BOUNDARY}`, 'content-length': 10 * MB },
    },
    Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="photos"; filename="a.jpg"\r\n\r\n${'\0'.repeat(1024)}`),
    o,
  );

describe('forms posted to pages', () => {
  it('a no-JS report post reaches the page whole, read back from a temp file removed after the answer', async () => {
    const form = new FormData();
    form.set('description', '西关集贸市场东门口垃圾堆放好几天了');
    form.append('photos', new Blob([new Uint8Array(1 * MB)]), 'a.jpg');
    form.append('photos', new Blob([new Uint8Array(2 * MB)]), 'b.jpg');
    const res = await post('/report', form);
    expect(res.status).toBe(200);
    const seen = (await res.json()) as { fields: object; files: object; spooled: string[] };
    expect(seen.fields).toEqual({ description: '西关集贸市场东门口垃圾堆放好几天了' });
    expect(seen.files).toEqual({ photos: 3 * MB });
    expect(seen.spooled).toEqual([expect.stringMatching(/^[0-9a-f]{32}\.page$/)]);
    await until('the temp file is removed', () => incomingFiles().length === 0);
  });

  it('a form without files reaches the page as sent; one over 1 MB is refused in Chinese', async () => {
    const res = await post('/console/login', new URLSearchParams({ username: 'zjj01', password: '密码 & more' }));
    expect(((await res.json()) as { fields: object }).fields).toEqual({ username: 'zjj01', password: '密码 & more' });
    const long = await post('/console/notices/new', new URLSearchParams({ body: 'x'.repeat(MB + 1) }));
    expect(long.status).toBe(413);
    expect(await long.text()).toContain('提交的内容太长了');
  });

  it('refuses a post with files over 100 MB at once, before reading it', async () => {
    const refused = parseAnswer(
      await rawRequest(port, {
        path: '/report',
        headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}`, 'content-length': PAGE_UPLOAD_LIMIT + 1 },
      }).answer,
    );
    expect(refused.status).toBe(413);
    expect(refused.headers['connection']).toBe('close');
    expect(refused.body).toContain('提交的内容太大了');
    expect(incomingFiles()).toEqual([]);
  });

  it('takes 2 posts with files at once from one address and 4 in all, refuses more at once, and logs a client gone in one line', async () => {
    const held = [heldPost('198.51.100.1', { trickle: true }), heldPost('198.51.100.1', { trickle: true })];
    await until('2 posts are being received', () => incomingFiles().length === 2);
    const mine = parseAnswer(await heldPost('198.51.100.1').answer);
    expect(mine.status).toBe(429);
    expect(mine.headers['retry-after']).toBe('5');
    expect(mine.body).toContain('您同时提交的表单太多了');

    held.push(heldPost('198.51.100.2', { trickle: true }), heldPost('198.51.100.2', { trickle: true }));
    await until('4 posts are being received', () => incomingFiles().length === 4);
    const busy = parseAnswer(await heldPost('198.51.100.3').answer);
    expect(busy.status).toBe(503);
    expect(busy.headers['connection']).toBe('close');
    expect(busy.body).toContain('现在提交的人较多');

    for (const h of held) h.socket.destroy();
    await until('the aborted posts are logged', () => warnings() === 4);
    for (const line of loggedLines('warn')) expect(line.msg).toMatch(/^\[page\] aborted by client( \(repeated \d+ more times?\))?$/);
    await until('their temp files are removed', () => incomingFiles().length === 0);
    const form = new FormData();
    form.append('photos', new Blob([new Uint8Array(1024)]), 'a.jpg');
    expect((await post('/report', form, '198.51.100.1')).status).toBe(200);
  });

  it('ends a post whose body stalls, and removes its temp file', async () => {
    const started = Date.now();
    const stalled = heldPost('198.51.100.4');
    await until('it is being received', () => incomingFiles().length === 1);
    expect(await stalled.answer).toBe('');
    expect(Date.now() - started).toBeGreaterThanOrEqual(IDLE_MS - 100);
    await until('it is logged', () => warnings() === 1);
    expect(loggedLines('warn')[0]!.msg).toMatch(/^\[page\] no data for 2 s, ended$/);
    await until('its temp file is removed', () => incomingFiles().length === 0);
  });
});

/** Warnings logged in this test, each line counted with its collapsed repeats (flushed first). */
function warnings(): number {
  flushLogs();
  return loggedLines('warn').reduce((n, line) => n + (typeof line.repeated === 'number' ? line.repeated : 1), 0);
}
