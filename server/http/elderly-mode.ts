// The elderly-friendly mode (适老化, ADR 006 §6) without JavaScript: `GET /elderly?on=1&next=/path`
// sets a `cc_elderly` cookie for a year (`on=0` clears it) and sends the visitor back to `next`;
// while the cookie is set, every HTML page the host serves — the public site's and the app's —
// gets `class="elderly"` on its <html> element, which the stylesheets turn into larger text,
// higher contrast and bigger targets.
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { sameSitePath } from './same-site-path.ts';

export const ELDERLY_COOKIE = 'cc_elderly';
const YEAR_SECONDS = 365 * 24 * 3600;

export function isElderly(req: IncomingMessage): boolean {
  const header = req.headers.cookie;
  if (!header) return false;
  for (const part of header.split(';')) {
    const [name, value] = part.trim().split('=');
    if (name === ELDERLY_COOKIE) return value === '1';
  }
  return false;
}

/** GET/HEAD /elderly?on=1|0&next=/path */
export function handleElderlySwitch(req: IncomingMessage, res: ServerResponse, secure: boolean): void {
  const url = new URL(req.url ?? '/', 'http://host');
  const on = url.searchParams.get('on') !== '0';
  const cookie = [
    on ? `${ELDERLY_COOKIE}=1` : `${ELDERLY_COOKIE}=`,
    'Path=/',
    `Max-Age=${on ? YEAR_SECONDS : 0}`,
    'SameSite=Lax',
    'HttpOnly',
    ...(secure ? ['Secure'] : []),
  ].join('; ');
  // Back where the visitor was: a path on this site only, else the home page.
  const location = sameSitePath(url.searchParams.get('next')) ?? '/';
  res.writeHead(303, { location, 'set-cookie': cookie, 'cache-control': 'no-store' });
  res.end();
}

/** Adds the class `elderly` to the first <html …> tag. */
export function addElderlyClass(html: string): string {
  return html.replace(/<html(\s[^>]*)?>/i, (tag: string, attrs: string | undefined) => {
    const a = attrs ?? '';
    const cls = /\sclass\s*=\s*("([^"]*)"|'([^']*)'|([^\s>]+))/i.exec(a);
    if (!cls) return `<html${a} class="elderly">`;
    const names = (cls[2] ?? cls[3] ?? cls[4] ?? '').split(/\s+/).filter(Boolean);
    if (names.includes('elderly')) return tag;
    return `<html${a.replace(cls[0], ` class="${[...names, 'elderly'].join(' ')}"`)}>`;
  });
}

/**
 * Makes the HTML a handler writes into `res` go through `rewrite` (Astro's on-demand pages):
 * an HTML response (not already encoded) is held until it ends, rewritten and sent with its new
 * length; anything else passes through as it is written.
 */
export function rewriteHtmlResponse(res: ServerResponse, rewrite: (html: string) => string): void {
  const writeHead = res.writeHead.bind(res) as (status: number, message?: string) => ServerResponse;
  const write = res.write.bind(res) as (chunk: unknown, ...rest: unknown[]) => boolean;
  const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
  let mode: 'undecided' | 'hold' | 'pass' = 'undecided';
  const chunks: Buffer[] = [];

  const decide = () => {
    if (mode !== 'undecided') return;
    const type = String(res.getHeader('content-type') ?? '');
    mode = /^text\/html/i.test(type) && !res.getHeader('content-encoding') && !res.headersSent ? 'hold' : 'pass';
    if (mode === 'pass') restore();
  };
  const restore = () => {
    res.writeHead = writeHead as ServerResponse['writeHead'];
    res.write = write as ServerResponse['write'];
    res.end = end as ServerResponse['end'];
  };
  const toBuffer = (chunk: unknown, encoding?: unknown): Buffer =>
    Buffer.isBuffer(chunk)
      ? chunk
      : typeof chunk === 'string'
        ? Buffer.from(chunk, (typeof encoding === 'string' ? encoding : 'utf8') as BufferEncoding)
        : Buffer.from(chunk as Uint8Array);

  res.writeHead = ((status: number, ...rest: unknown[]) => {
    const message = typeof rest[0] === 'string' ? rest[0] : undefined;
    const headers = rest.find((r) => r && typeof r === 'object') as OutgoingHttpHeaders | unknown[] | undefined;
    if (Array.isArray(headers)) {
      for (let i = 0; i + 1 < headers.length; i += 2) res.setHeader(String(headers[i]), headers[i + 1] as string);
    } else if (headers) {
      for (const [k, v] of Object.entries(headers)) if (v !== undefined) res.setHeader(k, v);
    }
    res.statusCode = status;
    if (message) res.statusMessage = message;
    decide();
    return mode === 'pass' ? writeHead(status) : res;
  }) as ServerResponse['writeHead'];

  res.write = ((chunk: unknown, ...rest: unknown[]) => {
    decide();
    if (mode === 'pass') return write(chunk, ...rest);
    chunks.push(toBuffer(chunk, rest[0]));
    const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
    if (callback) queueMicrotask(callback);
    return true;
  }) as ServerResponse['write'];

  res.end = ((...args: unknown[]) => {
    decide();
    if (mode === 'pass') return end(...args);
    restore();
    const [chunk, encoding] = args;
    if (chunk !== undefined && typeof chunk !== 'function') chunks.push(toBuffer(chunk, encoding));
    const body = Buffer.from(rewrite(Buffer.concat(chunks).toString('utf8')), 'utf8');
    res.removeHeader('content-length');
    res.setHeader('content-length', body.length);
    if (!res.headersSent) writeHead(res.statusCode);
    const callback = args.find((a) => typeof a === 'function') as (() => void) | undefined;
    return callback ? end(body, callback) : end(body);
  }) as ServerResponse['end'];
}
