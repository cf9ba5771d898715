// Slow or held uploads cannot eat the web process's memory (issue 11): the pentester's 60
// sockets that each send 14.9 MB of a 15 MB upload and then stall. The portal's HTTP host runs in
// a child process (tests/support/api-process.ts) so its RSS can be read from /proc;
// TRUST_PROXY=1 lets every socket claim its own address in X-Forwarded-For, so the per-address
// cap does not hide how the process copes with many bodies at once. Also: the per-address and
// overall caps refuse at once and in Chinese without reading the body, a stalled body is ended
// after REQUEST_BODY_IDLE_SECONDS with its temp file removed, and an aborted upload is one access
// line in the log (the server's JSON lines on stdout; a warning said many times is collapsed). HTTP and files only, so SQLite alone (the database plays no part).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqliteDatabase, type TestDatabase } from '../support/databases.ts';
import { CONTENT_DIR } from '../support/portal.ts';
import { parseAnswer, rawRequest, type RawRequest } from '../support/raw-http.ts';

const PROCESS_SCRIPT = path.resolve(import.meta.dirname, '../support/api-process.ts');
const MB = 1024 * 1024;
const IDLE_SECONDS = 3;
const PER_CLIENT = 4;
/** Room for the 60 held uploads and the resident's own while they are held. */
const IN_ALL = 64;
const HELD = 60;
/** What the 60 held uploads may add to the process's memory: buffering them would be 894 MB. */
const MEMORY_BUDGET = 150 * MB;
const DECLARED = 15 * MB;
const SENT = DECLARED - 100 * 1024; // "14.9 MB", then nothing more
const BOUNDARY = 'held-upload-boundary';
const PART_HEAD = Buffer.from(
  `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="photo.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`,
);

let db: TestDatabase;
let child: ChildProcess;
let port: number;
/** The portal's log: the JSON lines it wrote on stderr (tests/support/api-process.ts). */
const entries: Array<Record<string, unknown>> = [];
let incoming: string;

beforeAll(async () => {
  db = sqliteDatabase();
  incoming = path.join(db.dataDir, 'media', '.incoming');
  child = spawn(process.execPath, [PROCESS_SCRIPT], {
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: '0',
      DATA_DIR: db.dataDir,
      DATABASE_URL: db.url,
      CONTENT_DIR,
      TRUST_PROXY: '1',
      REQUEST_BODY_IDLE_SECONDS: String(IDLE_SECONDS),
      UPLOAD_MAX_PER_CLIENT: String(PER_CLIENT),
      UPLOAD_MAX_CONCURRENT: String(IN_ALL),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  createInterface({ input: child.stderr! }).on('line', (line) => {
    stderr += `${line}\n`;
    entries.push(JSON.parse(line) as Record<string, unknown>);
  });
  const lines = createInterface({ input: child.stdout! });
  port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the portal process exited (${code}):\n${stderr}`)));
    lines.once('line', (line) => resolve((JSON.parse(line) as { port: number }).port));
  });
  lines.on('line', () => {}); // keep stdout flowing
});

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  await db?.drop();
});

const base = () => `http://127.0.0.1:${port}`;

/** Resident set size of the portal process, in bytes (0 once it is gone). */
function rss(): number {
  const status = fs.existsSync(`/proc/${child.pid}/status`) ? fs.readFileSync(`/proc/${child.pid}/status`, 'utf8') : '';
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) * 1024;
}

function incomingFiles(): string[] {
  return fs.existsSync(incoming) ? fs.readdirSync(incoming) : [];
}

async function until(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) {
      const tail = entries.slice(-10).map((e) => JSON.stringify(e));
      throw new Error(`timed out waiting until ${what} (${incomingFiles().length} temp files); the portal logged:\n${tail.join('\n')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The messages of the lines the portal logged that match. */
const logged = (pattern: RegExp) => entries.map((e) => String(e['msg'])).filter((msg) => pattern.test(msg));
/** The access lines of uploads the portal ended, or whose client went away, before an answer. */
const unanswered = () => entries.filter((e) => e['msg'] === 'http' && e['path'] === '/api/uploads' && e['aborted'] === true);

let colour = 0;
/** A resident's ordinary upload, from its own address. */
async function normalUpload(address: string) {
  colour = (colour + 53) % 256;
  const jpeg = await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: colour, g: 90, b: 40 } } })
    .jpeg()
    .toBuffer();
  const form = new FormData();
  form.set('file', new Blob([new Uint8Array(jpeg)]), 'photo.jpg');
  const res = await fetch(`${base()}/api/uploads`, { method: 'POST', body: form, headers: { 'x-forwarded-for': address } });
  return { status: res.status, body: (await res.json()) as any };
}

/**
 * A raw upload of DECLARED bytes from `address` that sends `body` (none: headers only) and then
 * holds, or trickles a byte a second.
 */
function rawUpload(address: string, body?: Buffer, o: { trickle?: boolean } = {}): RawRequest {
  const headers = { 'x-forwarded-for': address, 'content-type': `multipart/form-data; boundary=${BOUNDARY}`, 'content-length': DECLARED };
  return rawRequest(port, { path: '/api/uploads', headers }, body, o);
}

/** A refusal's status, headers and JSON. */
function refusal(raw: string) {
  const answer = parseAnswer(raw);
  return { ...answer, body: JSON.parse(answer.body) as any };
}

/** The start of a photo's body: the part's headers and a JPEG's first bytes, then zeros. */
function bodyOf(size: number): Buffer {
  const body = Buffer.alloc(size);
  PART_HEAD.copy(body);
  Buffer.from([0xff, 0xd8, 0xff, 0xe0]).copy(body, PART_HEAD.length);
  return body;
}

describe('held and slow uploads', () => {
  it('60 uploads held just short of their end cost neither memory nor service, and are ended when idle', { timeout: 60_000 }, async () => {
    // Warm up (sharp, the database), then take the idle size.
    expect((await normalUpload('198.51.100.250')).status).toBe(200);
    const idle = rss();

    const body = bodyOf(SENT);
    const held = Array.from({ length: HELD }, (_, i) => rawUpload(`198.51.100.${i + 1}`, body));
    let peak = idle;
    const sampler = setInterval(() => (peak = Math.max(peak, rss())), 50);
    let answers: string[];
    try {
      await Promise.all(held.map((h) => h.written));
      // While they are held, the portal answers.
      expect((await fetch(`${base()}/healthz`)).status).toBe(200);
      const ordinary = await normalUpload('198.51.100.251');
      expect(ordinary.status).toBe(200);
      expect(ordinary.body).toEqual({ id: expect.any(String), url: expect.any(String), thumbUrl: expect.any(String) });
      // Nothing more comes: IDLE_SECONDS after its last byte each request is ended, its socket
      // closed without an answer.
      answers = await Promise.all(held.map((h) => h.answer));
    } finally {
      clearInterval(sampler);
    }
    expect(peak - idle, `idle ${Math.round(idle / MB)} MB, peak ${Math.round(peak / MB)} MB`).toBeLessThan(MEMORY_BUDGET);
    expect(answers).toEqual(Array<string>(HELD).fill(''));
    // Each after the portal had read all it was sent (so all of it passed through the process):
    // one access line each, unanswered, and the reason once (the same warning 60 times is
    // collapsed into a count); each temp file is gone.
    await until(`${HELD} access lines say so`, () => unanswered().length >= HELD, 5_000);
    expect(unanswered().map((e) => e['status'])).toEqual(Array<null>(HELD).fill(null));
    const reasons = entries.filter((e) => e['msg'] === '[upload] no data for 3 s, ended');
    expect(reasons.map((e) => e['bytes'])).toEqual([SENT]);
    await until('the temp files are removed', () => incomingFiles().length === 0, 5_000);
  });

  it(`refuses a ${PER_CLIENT + 1}th upload at once from one address, in Chinese; an aborted upload is one log line`, async () => {
    const address = '198.51.100.77';
    const start = bodyOf(64 * 1024);
    const mine = Array.from({ length: PER_CLIENT }, () => rawUpload(address, start, { trickle: true }));
    await until(`${PER_CLIENT} uploads are being received`, () => incomingFiles().length === PER_CLIENT, 10_000);

    const refused = refusal(await rawUpload(address).answer);
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBe('5');
    expect(refused.headers['connection']).toBe('close');
    expect(refused.body.error.message).toMatch(/同时上传的照片太多/);
    expect(refused.body.error.fields.file).toBe(refused.body.error.message);

    // The client goes away mid-upload: one line each, no stack trace, the temp files gone.
    const before = unanswered().length;
    for (const upload of mine) upload.socket.destroy();
    await until('the aborted uploads are logged', () => unanswered().length === before + PER_CLIENT, 5_000);
    expect(logged(/^\[upload\] aborted by client$/).length).toBeGreaterThanOrEqual(1);
    await until('their temp files are removed', () => incomingFiles().length === 0, 5_000);
    expect(entries.filter((e) => 'err' in e || 'stack' in e)).toEqual([]);
    // Another resident was never held up by this one.
    expect((await normalUpload('198.51.100.78')).status).toBe(200);
    // The address may upload again.
    expect((await normalUpload(address)).status).toBe(200);
  });

  it('refuses a file over 15 MB in a body the Content-Length check lets through, and removes its temp file', async () => {
    const form = new FormData();
    const photo = Buffer.alloc(15 * MB + 1);
    Buffer.from([0xff, 0xd8, 0xff, 0xe0]).copy(photo);
    form.set('file', new Blob([photo]), 'photo.jpg');
    const res = await fetch(`${base()}/api/uploads`, { method: 'POST', body: form, headers: { 'x-forwarded-for': '198.51.100.90' } });
    expect(res.status).toBe(413);
    expect(((await res.json()) as any).error.message).toMatch(/照片太大/);
    await until('the temp file is removed', () => incomingFiles().length === 0, 5_000);
  });

  it('ends an API request whose body stalls, with one log line', async () => {
    const started = Date.now();
    const stalled = rawRequest(
      port,
      { path: '/api/trpc/report.submit', headers: { 'content-type': 'application/json', 'content-length': 1000 } },
      Buffer.from('{"description": "西关集贸市场'),
    );
    expect(await stalled.answer).toBe('');
    expect(Date.now() - started).toBeGreaterThanOrEqual(IDLE_SECONDS * 1000 - 100);
    await until('the stalled body is logged', () => logged(/^\[trpc\] no data for 3 s, ended$/).length === 1, 2_000);
  });

  it('refuses uploads past the overall cap at once, without reading their body', async () => {
    const start = bodyOf(16 * 1024);
    const busy = Array.from({ length: IN_ALL }, (_, i) => rawUpload(`203.0.113.${i + 1}`, start, { trickle: true }));
    await until(`${IN_ALL} uploads are being received`, () => incomingFiles().length === IN_ALL, 10_000);

    // Headers only: the answer comes without a byte of the body sent, and the connection closes.
    const started = Date.now();
    const refused = refusal(await rawUpload('203.0.113.200').answer);
    expect(Date.now() - started).toBeLessThan(IDLE_SECONDS * 1000);
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('5');
    expect(refused.headers['connection']).toBe('close');
    expect(refused.body.error.message).toMatch(/上传照片的人较多/);
    expect(incomingFiles()).toHaveLength(IN_ALL);
    expect((await fetch(`${base()}/healthz`)).status).toBe(200);

    for (const upload of busy) upload.socket.destroy();
    await until('the temp files are removed', () => incomingFiles().length === 0, 5_000);
  });
});
