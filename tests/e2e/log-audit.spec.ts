// The whole log of this run (issue 18 item 4), read after every other project has run (the
// 'log-audit' project depends on them all; playwright.config.ts): every line is JSON, every HTTP
// line carries its request id, and nothing personal or secret is in it — no unmasked mobile
// number or e-mail address, none of the names, descriptions and passwords the specs typed
// (support/personal-data.ts), no session token. It first makes requests of its own that carry a
// session cookie, a phone number and an e-mail address in the query string, so the log holds
// something to find even when it runs after few specs. With E2E_REUSE_SERVER=1, set E2E_LOG_FILE
// to that server's LOG_FILE. To try it after a few specs rather than all (a file filter alone
// still runs every project it depends on, in full), add --no-deps:
//   E2E_PORT=4511 npx playwright test tests/e2e/report.spec.ts tests/e2e/log-audit.spec.ts --no-deps
import fs from 'node:fs';
import { expect, test } from '@playwright/test';
import { typedPersonalData } from './support/personal-data.ts';
import { ensureStaff, STAFF, STAFF_PASSWORD } from './support/staff.ts';

const LOG_FILE = process.env['E2E_LOG_FILE'];
const MOBILE = /1[3-9]\d{9}/;
// An address with its local part: a masked one (z***@example.com) has none left before the @.
const EMAIL = /[A-Za-z0-9._%+-]+@(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}/;
const PROBE_PHONE = '13812349876';
const PROBE_EMAIL = 'probe.resident@example.com';

type LogLine = Record<string, unknown> & { level: string; time: string; msg: string };

function readLog(): { text: string; lines: LogLine[] } {
  expect(LOG_FILE, 'E2E_LOG_FILE names the log file (playwright.config.ts sets it)').toBeTruthy();
  expect(fs.existsSync(LOG_FILE!), `the server wrote no log at ${LOG_FILE}`).toBe(true);
  const text = fs.readFileSync(LOG_FILE!, 'utf8');
  const lines = text
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line, i) => {
      let entry: LogLine;
      try {
        entry = JSON.parse(line) as LogLine;
      } catch {
        throw new Error(`line ${i + 1} of the log is not JSON: ${line.slice(0, 200)}`);
      }
      expect(
        typeof entry.level === 'string' && typeof entry.time === 'string' && typeof entry.msg === 'string',
        `line ${i + 1}: ${line}`,
      ).toBe(true);
      return entry;
    });
  return { text, lines };
}

test.afterEach(async ({}, testInfo) => {
  // A failed audit keeps the log it read (the global teardown removes the data directory).
  if (testInfo.status !== testInfo.expectedStatus && LOG_FILE && fs.existsSync(LOG_FILE)) {
    await testInfo.attach('portal.log', { path: LOG_FILE, contentType: 'text/plain' });
  }
});

test('the log of the run is JSON lines with request ids and no personal data', async ({ request }) => {
  // A staff session, and personal data in a query string, as a browser would send them.
  ensureStaff();
  const login = await request.post('/api/trpc/auth.login', { data: { username: STAFF.admin.username, password: STAFF_PASSWORD } });
  expect(login.ok(), await login.text()).toBe(true);
  const token = /cc_session=([^;]+)/.exec(login.headers()['set-cookie'] ?? '')?.[1];
  expect(token, 'the sign-in set a session cookie').toBeTruthy();
  const probe = await request.get(`/track?code=AAA-BBB-CCC&phone=${PROBE_PHONE}&email=${encodeURIComponent(PROBE_EMAIL)}`, {
    headers: { cookie: `cc_session=${token}` },
  });
  const probeId = probe.headers()['x-request-id'];
  expect(probeId, 'the answer carries its request id').toMatch(/^[A-Za-z0-9_-]{1,64}$/);
  await expect
    .poll(() => readLog().lines.some((l) => l.msg === 'http' && l['reqId'] === probeId), {
      message: "the probe request's access line is in the log",
    })
    .toBe(true);

  const { text, lines } = readLog();
  expect(
    lines.some((l) => l.msg.startsWith('roles: ')),
    "the log holds the whole run, from the server's start",
  ).toBe(true);
  const http = lines.filter((l) => l.msg === 'http');
  expect(http.length).toBeGreaterThan(0);
  for (const line of http) {
    expect(line['reqId'], JSON.stringify(line)).toEqual(expect.stringMatching(/^[A-Za-z0-9_-]{1,64}$/));
    expect(String(line['path']), 'no query string in an access line').not.toContain('?');
  }
  expect(http.find((l) => l['reqId'] === probeId)).toMatchObject({ method: 'GET', path: '/track' });

  const found = (what: RegExp | string) =>
    text.split('\n').find((line) => (typeof what === 'string' ? line.includes(what) : what.test(line)));
  expect(found(MOBILE), 'an unmasked mobile number').toBeUndefined();
  expect(found(EMAIL), 'an unmasked e-mail address').toBeUndefined();
  expect(text, 'the session token').not.toContain(token!);
  expect(text).not.toContain('cc_session=');

  const typed = typedPersonalData();
  // The specs type names, descriptions and passwords: should none be found in them, the audit would check nothing.
  expect(typed.names.length).toBeGreaterThan(5);
  expect(typed.descriptions.length).toBeGreaterThan(5);
  expect(typed.passwords).toContain(STAFF_PASSWORD);
  for (const [kind, values] of Object.entries(typed)) {
    for (const value of values) expect(found(value), `${kind}: ${value}`).toBeUndefined();
  }
});
