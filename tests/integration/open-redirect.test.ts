// Redirects whose target comes from the request, through the real HTTP host: `/elderly?next=`
// answers with a Location on this site, whatever spelling of another host `next` carries
// (issue 11 item 5: `next=%2F%09%2Fevil.example` once sent Chromium to evil.example, which
// drops the tab after our check). The console login's `next` is the same function
// (tests/unit/same-site-path.test.ts); its page is Astro's and is covered by the browser tests.
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveTestPortal, type TestHost } from '../support/http-host.ts';
import { startTestPortal, type TestPortal } from '../support/portal.ts';

let t: TestPortal;
let host: TestHost;
let base: string;

beforeAll(async () => {
  t = await startTestPortal('sqlite');
  host = await serveTestPortal(t);
  base = host.base;
});

afterAll(async () => {
  await host?.close();
  await t?.close();
});

/** `next` exactly as it appears in the query string (already percent-encoded where it is). */
const RAW_NEXT = [
  '%2F%09%2Fevil.example', // the issue's: /<tab>/evil.example
  '/%09/evil.example',
  '/%0A/evil.example',
  '/%0D/evil.example',
  '/%0D%0A/evil.example',
  '%09//evil.example',
  '%20%20//evil.example',
  '%00//evil.example',
  '//evil.example',
  '%2F%2Fevil.example',
  '%2f%2fevil.example',
  '/%5Cevil.example',
  '%5C/evil.example',
  '%5C%5Cevil.example',
  '/%5C/evil.example',
  '/.//evil.example',
  '/..//evil.example',
  'https://evil.example/',
  'https:%2F%2Fevil.example',
  'HTTPS%3A%2F%2Fevil.example',
  '%20https://evil.example',
  'javascript:alert(1)',
  'java%09script:alert(1)',
  'data:text/html,x',
];

async function elderly(rawNext: string, on = '1') {
  const res = await fetch(`${base}/elderly?on=${on}&next=${rawNext}`, { redirect: 'manual' });
  expect(res.status).toBe(303);
  return res.headers.get('location') ?? '';
}

/** Where a browser goes with this Location, seen from our origin. */
const followed = (location: string) => new URL(location, base);

describe('redirects taken from the request stay on this site', () => {
  it.each(RAW_NEXT)('/elderly?next=%s', async (rawNext) => {
    for (const on of ['1', '0']) {
      const location = await elderly(rawNext, on);
      expect(location).toMatch(/^\/(?![/\\])/);
      expect(location).not.toMatch(/[\s\\]/);
      expect(followed(location).origin).toBe(base);
      expect(followed(location).host).not.toMatch(/evil/);
    }
  });

  it('sends the visitor back to a path of this site, as resolved', async () => {
    expect(await elderly(encodeURIComponent('/notices/n-1/?page=2#list'))).toBe('/notices/n-1/?page=2#list');
    expect(await elderly(encodeURIComponent('/搜索/'))).toBe('/%E6%90%9C%E7%B4%A2/');
    expect(await elderly('')).toBe('/');
    expect(await fetch(`${base}/elderly?on=1`, { redirect: 'manual' }).then((r) => r.headers.get('location'))).toBe('/');
    // Double-encoded: one decoding leaves an encoded path segment, never a host.
    expect(await elderly('%252F%252Fevil.example')).toBe('/%2F%2Fevil.example');
    expect(await elderly('/%2509/evil.example')).toBe('/%09/evil.example');
  });

  it('answers a request line a browser would not send, with a raw tab in the query', async () => {
    const port = (host.server.address() as AddressInfo).port;
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.end('GET /elderly?on=1&next=/\t/evil.example HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
      });
      let data = '';
      socket.setEncoding('latin1');
      socket.on('data', (chunk: string) => (data += chunk));
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
    });
    // Refused by the HTTP parser, or redirected home; never elsewhere.
    const location = /^location: (.*)$/im.exec(answer)?.[1]?.trim();
    if (location !== undefined) expect(followed(location).origin).toBe(base);
    expect(answer).not.toMatch(/^location:.*evil/im);
  });
});
