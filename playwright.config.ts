// End-to-end tests in Debian's Chromium against the real server: the public pages at a phone
// viewport, the staff console (tests/e2e/console*.spec.ts) at 1280×800, on a tablet and (a unit's
// pages) on a phone, all
// (`npm start`) on a fresh data directory. The web server first builds the site (`npm run build`)
// so the tests never run against a stale dist/; set E2E_SKIP_BUILD=1 when the caller (e.g.
// `npm test`) has just built it. The server reads its own copy of content/ (E2E_CONTENT_DIR).
// Chromium: `apt-get install -y chromium fonts-noto-cjk`
// (Playwright cannot download browsers on these machines; see ../shared/TOOLCHAIN.md).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defineConfig } from '@playwright/test';

const PORT = Number(process.env['E2E_PORT'] ?? 4391);
const BASE_URL = `http://127.0.0.1:${PORT}`;

// A fresh, empty data directory per run. Playwright evaluates this file in the runner and in
// every worker; the workers inherit the variable, so there is exactly one directory, removed by
// the global teardown.
process.env['E2E_DATA_DIR'] ??= fs.mkdtempSync(path.join(os.tmpdir(), 'chuangcheng-e2e-'));
// The server's own copy of content/ (CONTENT_DIR), made and removed the same way, so that a test
// may add files to it (an ad that breaks the public site's build) without touching content/.
if (!process.env['E2E_CONTENT_DIR']) {
  process.env['E2E_CONTENT_DIR'] = fs.mkdtempSync(path.join(os.tmpdir(), 'chuangcheng-e2e-content-'));
  fs.cpSync(path.resolve('content'), process.env['E2E_CONTENT_DIR'], { recursive: true });
}

// The server's log of the whole run, as JSON lines (LOG_FILE), inside the data directory: the
// last project (log-audit) reads it for personal data before the global teardown removes it.
// The admin and mail-import commands the specs run write their server logs there too.
process.env['E2E_LOG_FILE'] ??= path.join(process.env['E2E_DATA_DIR'], 'portal.log');

/** The inspector's phone page and its JavaScript budget: a project of their own (a phone, like the unit's pages). */
const INSPECTOR_SPECS = /[\\/](inspection|inspect-budget)\.spec\.ts$/;
const LOG_AUDIT = /log-audit\.spec\.ts$/;

const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export default defineConfig({
  testDir: 'tests/e2e',
  outputDir: 'test-results',
  globalTeardown: './tests/e2e/global-teardown.ts',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  forbidOnly: Boolean(process.env['CI']),
  retries: 0,
  reporter: process.env['CI'] ? [['list'], ['html', { open: 'never' }]] : 'list',
  use: {
    baseURL: BASE_URL,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
      args: chromiumArgs,
    },
  },
  projects: [
    {
      name: 'phone-chromium',
      testIgnore: [/(console|ledgers|escalation|patrol).*\.spec\.ts$/, INSPECTOR_SPECS, LOG_AUDIT],
      use: {
        browserName: 'chromium',
        viewport: { width: 360, height: 740 },
        deviceScaleFactor: 2,
        isMobile: true,
        hasTouch: true,
      },
    },
    // The staff console: desktop first, a portrait tablet for the layout checks, and a phone for
    // the unit's pages (unit clerks work on site).
    {
      name: 'desktop-chromium',
      testMatch: /(console|ledgers|escalation).*\.spec\.ts$/,
      testIgnore: /console-(tablet|phone)\.spec\.ts$/,
      use: { browserName: 'chromium', viewport: { width: 1280, height: 800 } },
    },
    {
      name: 'tablet-chromium',
      testMatch: /console-tablet\.spec\.ts$/,
      use: { browserName: 'chromium', viewport: { width: 820, height: 1180 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true },
    },
    {
      name: 'console-phone-chromium',
      testMatch: /console-phone\.spec\.ts$/,
      use: { browserName: 'chromium', viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true },
    },
    // The citizen patrol member's page (issue 14): a phone outdoors.
    {
      name: 'patrol-phone-chromium',
      testMatch: /patrol\.spec\.ts$/,
      use: { browserName: 'chromium', viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true },
    },
    // The inspector's phone page (issue 14): a round worked on a phone, offline and back.
    {
      name: 'inspect-phone-chromium',
      testMatch: INSPECTOR_SPECS,
      use: { browserName: 'chromium', viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true },
    },
    // Last: the whole log of the run, after every other project (tests/e2e/log-audit.spec.ts).
    {
      name: 'log-audit',
      testMatch: LOG_AUDIT,
      dependencies: [
        'phone-chromium',
        'desktop-chromium',
        'tablet-chromium',
        'console-phone-chromium',
        'patrol-phone-chromium',
        'inspect-phone-chromium',
      ],
    },
  ],
  webServer: {
    command: process.env['E2E_SKIP_BUILD'] ? 'npm start' : 'npm run build && npm start',
    url: `${BASE_URL}/healthz`,
    // E2E_REUSE_SERVER=1 runs against a server already listening on E2E_PORT (while developing).
    reuseExistingServer: Boolean(process.env['E2E_REUSE_SERVER']),
    timeout: 180_000,
    stdout: 'ignore',
    stderr: 'pipe',
    env: {
      HOST: '127.0.0.1',
      PORT: String(PORT),
      DATA_DIR: process.env['E2E_DATA_DIR'],
      CONTENT_DIR: process.env['E2E_CONTENT_DIR'],
      ASTRO_TELEMETRY_DISABLED: '1',
      // Debug: the audit reads every line the server can write, health checks included.
      LOG_FILE: process.env['E2E_LOG_FILE'],
      LOG_LEVEL: 'debug',
      // The whole suite submits and uploads from one address, more than a resident ever would.
      THROTTLE_REPORTS: '1000/10m',
      THROTTLE_UPLOADS: '5000/10m',
      // The worker's pass (deadlines, then the mail it queued delivered) every 5 s instead of 60:
      // the same jobs, but tests that wait for a notice mail wait seconds, not up to a minute.
      WORKER_INTERVAL_SECONDS: '5',
      // The operators' follow-up list shows a closure at once (by default it waits 3 days for the
      // reporter's online answer; tests/integration/online-follow-up.test.ts checks the wait).
      FOLLOW_UP_ONLINE_WAIT_DAYS: '0',
      // Text messages go to DATA_DIR/sms-out/outbox.jsonl (no provider); residents' messages are
      // not held for the night-time quiet hours, so a spec run at night sees them at once.
      SMS_QUIET_HOURS: '0-0',
    },
  },
});
