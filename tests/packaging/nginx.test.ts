// nginx in front of the portal (issue 19, "Done when"): Debian's nginx, started by this test with
// the SHIPPED configuration (deploy/nginx/chuangcheng-portal.conf) and a self-signed certificate,
// in front of a web process and a worker (server/main.ts, each an OS process) on one SQLite
// database and one DATA_DIR — the single-machine install. It shows:
// - the public site comes from nginx's directory (DATA_DIR/public-site/current), not from Node
//   (Node's access log has no line for the request), as `br` or `gzip`;
// - with the elderly-mode cookie the page goes to Node and has class="elderly";
// - a notice published through the API is served by nginx once the worker made it live, with no
//   reload of nginx;
// - a report with a 10 MB photo goes through to Node;
// - the client's address reaches the portal's throttles through X-Forwarded-For: THROTTLE_REPORTS
//   stops one address (whatever X-Forwarded-For it sends itself), not the next;
// - nginx's own limit answers 429 under a burst of sign-ins;
// - HTTP is redirected to HTTPS, and HTTPS speaks HTTP/2.
//
// The shipped file is rendered for the test by replacing its SETTING lines' values — ports (on
// 127.0.0.1, no IPv6 lines), certificate paths, the upstream, the site root, log paths — each of
// which must be found (a change of the file fails here, it is not silently skipped). The main
// nginx.conf around it (Debian's /etc/nginx/nginx.conf on a server) is written here: pid, temp
// paths and logs under the test's folder, the brotli module loaded. Clients connect from several
// loopback addresses (127.0.0.x) so that nginx sees different client addresses.
// Needs `npm run build` and Debian's nginx with libnginx-mod-http-brotli-static (scripts/test-all.ts installs them).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, onTestFailed, vi } from 'vitest';
import { createPortal } from '../../server/app.ts';
import { portalBuilt, startPortalProcess, type PortalProcess } from '../support/portal-process.ts';
import { CONTENT_DIR } from '../support/portal.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SHIPPED = path.join(ROOT, 'deploy', 'nginx', 'chuangcheng-portal.conf');
const NGINX = '/usr/sbin/nginx';
const BROTLI_MODULE = '/usr/lib/nginx/modules/ngx_http_brotli_static_module.so';
const PASSWORD = 'nginx-front-pass-2026';
const CROSSING = '人民路和府前街交叉口，机动车经过斑马线从来不礼让行人，老人过马路太危险了';
const MB = 1024 * 1024;
/** What nginx's own 429 says (the shipped file's JSON answer for the API). */
const NGINX_TOO_MANY = '您提交得太频繁了，请稍等一会儿再试。';

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** The body decoded (content-encoding br/gzip undone) as text. */
  text: string;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** The shipped file with `replacements` made; each must be found. */
function renderConfig(text: string, replacements: Array<[string | RegExp, string]>): string {
  let out = text;
  for (const [from, to] of replacements) {
    const found = typeof from === 'string' ? out.includes(from) : from.test(out);
    if (!found) throw new Error(`deploy/nginx/chuangcheng-portal.conf no longer has ${String(from)}: update the test's substitution`);
    out = typeof from === 'string' ? out.replaceAll(from, to) : out.replace(new RegExp(from.source, `${from.flags.replace('g', '')}g`), to);
  }
  return out;
}

describe('nginx in front of the portal (the shipped configuration)', () => {
  let dir: string;
  let dataDir: string;
  let web: PortalProcess;
  let worker: PortalProcess;
  let nginx: ChildProcess;
  let nginxLog = '';
  let httpsPort: number;
  let httpPort: number;
  let cert: Buffer;

  /** One request to nginx over HTTPS from the loopback address `from`. */
  function request(
    pathname: string,
    options: { method?: string; headers?: Record<string, string>; body?: Buffer | string; from?: string; port?: number } = {},
  ): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const req = https.request(
        {
          host: '127.0.0.1',
          port: options.port ?? httpsPort,
          path: pathname,
          method: options.method ?? 'GET',
          headers: { ...(options.body !== undefined && { 'content-length': String(Buffer.byteLength(options.body)) }), ...options.headers },
          ca: cert,
          localAddress: options.from ?? '127.0.0.1',
          agent: false,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const body = Buffer.concat(chunks);
            const encoding = res.headers['content-encoding'];
            const plain = encoding === 'br' ? zlib.brotliDecompressSync(body) : encoding === 'gzip' ? zlib.gunzipSync(body) : body;
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: plain.toString('utf8') });
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(options.body);
    });
  }

  async function call(procedure: string, input: unknown, options: { from: string; cookie?: string; headers?: Record<string, string> }) {
    const answer = await request(`/api/trpc/${procedure}`, {
      method: 'POST',
      from: options.from,
      headers: { 'content-type': 'application/json', ...(options.cookie && { cookie: options.cookie }), ...options.headers },
      body: JSON.stringify(input),
    });
    let json: any = null;
    try {
      json = JSON.parse(answer.text);
    } catch {
      // Not JSON: the status speaks.
    }
    const cookie = ([] as string[]).concat(answer.headers['set-cookie'] ?? [])[0]?.split(';')[0] ?? null;
    return { status: answer.status, data: json?.result?.data ?? json, cookie, answer };
  }

  /** The request ids Node logged an access line for. */
  function nodeLogged(reqId: string): boolean {
    return web.output().includes(`"reqId":"${reqId}"`);
  }

  beforeAll(async () => {
    if (!portalBuilt()) throw new Error('The web process serves the build: run `npm run build` first (dist/ is missing).');
    for (const [file, pkg] of [
      [NGINX, 'nginx'],
      [BROTLI_MODULE, 'libnginx-mod-http-brotli-static'],
    ] as const) {
      if (!fs.existsSync(file)) throw new Error(`${file} is missing: apt-get install -y ${pkg} (scripts/test-all.ts installs it)`);
    }
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-nginx-'));
    dataDir = path.join(dir, 'data');
    const nginxDir = path.join(dir, 'nginx');
    for (const sub of ['logs', 'tmp', 'tls']) fs.mkdirSync(path.join(nginxDir, sub), { recursive: true });

    // The database migrated and an office account made before the processes start.
    const setup = await createPortal({ databaseUrl: `sqlite:${path.join(dataDir, 'portal.sqlite')}`, dataDir, contentDir: CONTENT_DIR });
    await setup.services.accounts.createUser({ username: 'office', displayName: '调度员王芳', role: 'dispatcher', password: PASSWORD });
    await setup.close();

    [httpsPort, httpPort] = await Promise.all([freePort(), freePort()]);
    const env = {
      DATA_DIR: dataDir,
      CONTENT_DIR,
      TRUST_PROXY: '1',
      PUBLIC_URL: `https://127.0.0.1:${httpsPort}`,
      THROTTLE_REPORTS: '3/10m',
      WORKER_INTERVAL_SECONDS: '1',
      SITE_POLL_SECONDS: '1',
    };
    // The worker first: it makes the start build and lays it out for nginx.
    worker = await startPortalProcess('worker', env);
    web = await startPortalProcess('web', env);

    // A self-signed certificate for 127.0.0.1.
    const crt = path.join(nginxDir, 'tls', 'portal.crt');
    const key = path.join(nginxDir, 'tls', 'portal.key');
    const made = spawnSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ].concat(['-keyout', key, '-out', crt]),
      { encoding: 'utf8' },
    );
    if (made.status !== 0) throw new Error(`openssl could not make a certificate: ${made.stderr}`);
    cert = fs.readFileSync(crt);

    const logs = path.join(nginxDir, 'logs');
    const site = renderConfig(fs.readFileSync(SHIPPED, 'utf8'), [
      [/^\s*listen \[::\]:\d+.*$/m, ''],
      ['listen 80;', `listen 127.0.0.1:${httpPort};`],
      ['listen 443 ssl http2;', `listen 127.0.0.1:${httpsPort} ssl http2;`],
      ['/etc/chuangcheng-portal/tls/portal.crt', crt],
      ['/etc/chuangcheng-portal/tls/portal.key', key],
      ['server 127.0.0.1:4321;', `server ${new URL(web.base).host};`],
      ['/var/lib/chuangcheng-portal/public-site/current', path.join(dataDir, 'public-site', 'current')],
      ['/var/log/nginx/', `${logs}/`],
    ]);
    fs.writeFileSync(path.join(nginxDir, 'chuangcheng-portal.conf'), site);
    const tmp = path.join(nginxDir, 'tmp');
    // What Debian's /etc/nginx/nginx.conf is on a server.
    fs.writeFileSync(
      path.join(nginxDir, 'nginx.conf'),
      [
        `load_module ${BROTLI_MODULE};`,
        // As root (a container), the workers would otherwise run as nobody, who cannot read the test's folders.
        ...(process.getuid?.() === 0 ? ['user root;'] : []),
        'worker_processes 1;',
        `pid ${path.join(nginxDir, 'nginx.pid')};`,
        `error_log ${path.join(logs, 'error.log')} warn;`,
        'events { worker_connections 256; }',
        'http {',
        '  include /etc/nginx/mime.types;',
        '  default_type application/octet-stream;',
        '  sendfile on;',
        ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${path.join(tmp, t)};`),
        `  include ${path.join(nginxDir, 'chuangcheng-portal.conf')};`,
        '}',
        '',
      ].join('\n'),
    );
    const conf = path.join(nginxDir, 'nginx.conf');
    const checked = spawnSync(NGINX, ['-t', '-p', `${nginxDir}/`, '-c', conf, '-e', path.join(logs, 'error.log')], { encoding: 'utf8' });
    if (checked.status !== 0) throw new Error(`nginx -t refused the rendered configuration:\n${checked.stderr}`);
    nginx = spawn(NGINX, ['-p', `${nginxDir}/`, '-c', conf, '-e', path.join(logs, 'error.log'), '-g', 'daemon off;'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    nginx.stdout!.setEncoding('utf8').on('data', (c: string) => (nginxLog += c));
    nginx.stderr!.setEncoding('utf8').on('data', (c: string) => (nginxLog += c));
    await vi.waitFor(() => request('/healthz').then((a) => expect(a.status).toBe(200)), { timeout: 10_000, interval: 100 });
    // The start build live and laid out for nginx.
    await vi.waitFor(() => expect(fs.existsSync(path.join(dataDir, 'public-site', 'current', 'index.html'))).toBe(true), {
      timeout: 45_000,
      interval: 250,
    });
  }, 60_000);

  afterAll(async () => {
    nginx?.kill('SIGQUIT');
    await Promise.all([web?.kill('SIGKILL'), worker?.kill('SIGKILL')]);
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  function explainOnFailure() {
    onTestFailed(() => {
      console.log(`nginx:\n${nginxLog}\n${fs.readFileSync(path.join(dir, 'nginx', 'logs', 'error.log'), 'utf8')}`);
      console.log(`worker:\n${worker.output().slice(-4000)}`);
    });
  }

  it('redirects HTTP to HTTPS', async () => {
    const answer = await new Promise<http.IncomingMessage>((resolve, reject) =>
      http.get({ host: '127.0.0.1', port: httpPort, path: '/notices/?page=2', agent: false }, resolve).on('error', reject),
    );
    answer.resume();
    expect(answer.statusCode).toBe(301);
    expect(answer.headers.location).toBe('https://127.0.0.1/notices/?page=2');
  });

  it('speaks HTTP/2, from the directory and through to Node', async () => {
    const session = http2.connect(`https://127.0.0.1:${httpsPort}`, { ca: cert });
    try {
      const get = (pathname: string, headers: Record<string, string>) =>
        new Promise<{ headers: http2.IncomingHttpHeaders; text: string }>((resolve, reject) => {
          const stream = session.request({ ':path': pathname, ...headers });
          let response: http2.IncomingHttpHeaders = {};
          const chunks: Buffer[] = [];
          stream.on('response', (h) => (response = h));
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            const body = Buffer.concat(chunks);
            resolve({
              headers: response,
              text: (response['content-encoding'] === 'br' ? zlib.brotliDecompressSync(body) : body).toString(),
            });
          });
          stream.on('error', reject);
        });
      const home = await get('/', { 'accept-encoding': 'br' });
      expect(home.headers[':status']).toBe(200);
      expect(home.headers['content-encoding']).toBe('br');
      // Through Node (the Host header made from :authority): the elderly page.
      const elderly = await get('/', { cookie: 'cc_elderly=1' });
      expect(elderly.headers[':status']).toBe(200);
      expect(elderly.text).toMatch(/<html[^>]*class="[^"]*elderly/);
    } finally {
      session.close();
    }
  });

  it('serves the public site from its directory, precompressed, with the headers Node sends', async () => {
    explainOnFailure();
    const br = await request('/', { headers: { 'accept-encoding': 'gzip, deflate, br' } });
    expect(br.status).toBe(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.text).toContain('<html');
    expect(br.text).not.toContain('class="elderly"');
    expect(br.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(br.headers['cache-control']).toBe('public, max-age=0, must-revalidate');
    expect(br.headers['x-content-type-options']).toBe('nosniff');
    expect(br.headers['x-frame-options']).toBe('DENY');
    expect(br.headers['referrer-policy']).toBe('same-origin');
    expect(String(br.headers.vary)).toMatch(/Cookie/);
    const gzip = await request('/', { headers: { 'accept-encoding': 'gzip' } });
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(gzip.text).toBe(br.text);

    // A hashed asset of the site: cached for a year.
    const asset = /(\/_astro\/[^"']+\.css)/.exec(br.text)?.[1];
    expect(asset, 'the home page links a stylesheet under /_astro/').toBeTruthy();
    const css = await request(asset!, { headers: { 'accept-encoding': 'br' } });
    expect(css.status).toBe(200);
    expect(css.headers['content-encoding']).toBe('br');
    expect(css.headers['cache-control']).toBe('public, max-age=31536000, immutable');

    // Through Node, the elderly-mode page (below) is logged by Node with nginx's request id;
    // these were not.
    const elderly = await request('/', { headers: { cookie: 'cc_elderly=1' } });
    await vi.waitFor(() => expect(nodeLogged(String(elderly.headers['x-request-id']))).toBe(true), { timeout: 5000, interval: 100 });
    for (const served of [br, gzip, css]) expect(nodeLogged(String(served.headers['x-request-id']))).toBe(false);
  });

  it('sends a page asked for with the elderly-mode cookie to Node, which marks it elderly', async () => {
    const page = await request('/', { headers: { cookie: 'theme=x; cc_elderly=1', 'accept-encoding': 'br' } });
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/<html[^>]*class="[^"]*elderly/);
    const notices = await request('/notices/', { headers: { cookie: 'cc_elderly=1' } });
    expect(notices.status).toBe(200);
    expect(notices.text).toMatch(/<html[^>]*class="[^"]*elderly/);
  });

  it('serves a notice published through the API from its directory, with no reload of nginx', { timeout: 60_000 }, async () => {
    explainOnFailure();
    const office = await call('auth.login', { username: 'office', password: PASSWORD }, { from: '127.0.0.5' });
    expect(office.status, JSON.stringify(office.data)).toBe(200);
    const reported = await call('report.submit', { description: CROSSING }, { from: '127.0.0.5' });
    expect(reported.status, JSON.stringify(reported.data)).toBe(200);
    const title = '人民路路口机动车不礼让行人问题曝光';
    const draft = await call(
      'staff.notices.saveDraft',
      {
        trackingCodes: [reported.data.trackingCode],
        title,
        body: '经查，人民路和府前街交叉口机动车不礼让行人问题群众反映强烈。责任单位未按时整改，现予曝光，限期整改并公开回应。',
        responseDueAt: new Date(Date.now() + 7 * 86_400_000).toISOString(),
      },
      { from: '127.0.0.5', cookie: office.cookie! },
    );
    expect(draft.status, JSON.stringify(draft.data)).toBe(200);
    const published = await call('staff.notices.publish', { id: draft.data.id }, { from: '127.0.0.5', cookie: office.cookie! });
    expect(published.status, JSON.stringify(published.data)).toBe(200);
    const pagePath = `/notices/${published.data.slug}/`;
    const file = path.join(dataDir, 'public-site', 'current', 'notices', published.data.slug, 'index.html');
    await vi.waitFor(() => expect(fs.existsSync(file), `${file} laid out by the worker`).toBe(true), { timeout: 45_000, interval: 250 });
    const page = await request(pagePath, { headers: { 'accept-encoding': 'gzip' } });
    expect(page.status).toBe(200);
    expect(page.headers['content-encoding']).toBe('gzip');
    expect(page.text).toContain(title);
    // nginx's strong ETag of a file (Node sends a weak one), and no line in Node's log.
    expect(page.headers.etag).toMatch(/^"[0-9a-f]+-[0-9a-f]+"$/);
    await new Promise((r) => setTimeout(r, 300));
    expect(nodeLogged(String(page.headers['x-request-id']))).toBe(false);
    expect(nginx.exitCode).toBeNull();
  });

  it('passes a report with a 10 MB photo through to Node', { timeout: 30_000 }, async () => {
    explainOnFailure();
    // Noise does not compress: a JPEG of 10–15 MB.
    const width = 2400;
    const height = 2000;
    const jpeg = await sharp(randomBytes(width * height * 3), { raw: { width, height, channels: 3 } })
      .jpeg({ quality: 100, chromaSubsampling: '4:4:4' })
      .toBuffer();
    expect(jpeg.length).toBeGreaterThan(10 * MB);
    expect(jpeg.length).toBeLessThan(15 * MB);
    const boundary = `----portal${randomBytes(8).toString('hex')}`;
    const body = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="photo.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`),
      jpeg,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const upload = await request('/api/uploads', {
      method: 'POST',
      from: '127.0.0.4',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      body,
    });
    expect(upload.status, upload.text).toBe(200);
    const photo = JSON.parse(upload.text) as { id: string; url: string };
    const reported = await call('report.submit', { description: CROSSING, photoIds: [photo.id] }, { from: '127.0.0.4' });
    expect(reported.status, JSON.stringify(reported.data)).toBe(200);
    const rendition = await request(photo.url);
    expect(rendition.status).toBe(200);
    expect(rendition.headers['content-type']).toBe('image/webp');
  });

  it('counts reports by the address nginx saw (X-Forwarded-For), not one the client claims', async () => {
    const submit = (from: string, headers: Record<string, string> = {}) =>
      call('report.submit', { description: CROSSING }, { from, headers });
    // THROTTLE_REPORTS=3/10m: three from 127.0.0.2, then the portal's own 429.
    for (let i = 0; i < 3; i++) expect((await submit('127.0.0.2')).status).toBe(200);
    const refused = await submit('127.0.0.2');
    expect(refused.status).toBe(429);
    expect(JSON.stringify(refused.data)).not.toContain(NGINX_TOO_MANY); // the portal's, not nginx's
    // Claiming another address in X-Forwarded-For does not help: nginx appends the one it saw.
    expect((await submit('127.0.0.2', { 'x-forwarded-for': '203.0.113.77' })).status).toBe(429);
    // Another client address is not limited by the first.
    expect((await submit('127.0.0.3')).status).toBe(200);
  });

  it("answers 429 itself under a burst of sign-ins (the portal's own throttle aside)", async () => {
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) => call('auth.login', { username: `nobody-${i}`, password: 'wrong-guess' }, { from: '127.0.0.6' })),
    );
    const byNginx = answers.filter((a) => a.status === 429 && JSON.stringify(a.data).includes(NGINX_TOO_MANY));
    // burst=10, 10/min: about 11 reach the portal, the rest are refused by nginx without reaching it.
    expect(byNginx.length).toBeGreaterThanOrEqual(15);
    expect(answers.filter((a) => a.status === 400).length).toBeGreaterThanOrEqual(5);
    for (const a of byNginx) expect(a.answer.headers['retry-after']).toBe('10');
    // Another address is not limited by that burst.
    expect((await call('auth.login', { username: 'office', password: 'wrong' }, { from: '127.0.0.7' })).status).toBe(400);
  });
});
