// The escalation ladder end to end, at 1280 px: a resident's report that the router sends
// straight to the traffic police is left alone past its deadline; one worker pass "as of" an hour
// after the deadline (scripts/worker-tick.ts --at, the clock advanced without sleeping) escalates
// the unit to a notice (通报) naming the ticket; the office sees it on /console/escalations, and so
// does the unit (its own unit only).
//
// playwright.config.ts gives the desktop project only console*.spec.ts, so this file sets the
// desktop viewport itself (1280×800, no touch) wherever it runs.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { expect, test, waitForIsland } from './fixtures.ts';
import { ensureStaff, loginAs, waitForIslands } from './support/staff.ts';

test.use({ viewport: { width: 1280, height: 800 }, isMobile: false, hasTouch: false, deviceScaleFactor: 1 });
test.describe.configure({ mode: 'serial' });

// The router is sure: drivers not yielding at a crossing is the traffic police's (DOMAIN.md #5).
const CROSSING_REPORT = '府前街和人民路交叉口，机动车经过斑马线从来不礼让行人，早上上学的孩子过马路很危险';
const TRAFFIC_POLICE = '临城县公安局交通警察大队';

let code = '';

test.beforeAll(() => ensureStaff());

/** Node 24, the project's: the runner's own when started through npx, else node_modules/.bin/node. */
function projectNode(): string {
  const candidates = [process.execPath, path.resolve('node_modules', '.bin', 'node')];
  for (const node of candidates) {
    if (!fs.existsSync(node)) continue;
    const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
    if (Number(/^v(\d+)\./.exec(version)?.[1] ?? 0) >= 24) return node;
  }
  throw new Error('Node 24 is needed to run scripts/worker-tick.ts: run the tests through `npx playwright test`.');
}

/** One worker pass as of `at` against the e2e server's data directory. */
function workerTick(at: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const dataDir = process.env['E2E_DATA_DIR'];
  if (!dataDir) throw new Error('E2E_DATA_DIR is not set: run the tests through playwright.config.ts');
  return new Promise((resolve, reject) => {
    const child = spawn(projectNode(), ['scripts/worker-tick.ts', '--at', at], {
      env: { ...process.env, DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('error', reject);
    child.on('close', (exit) => resolve({ code: exit, stdout, stderr }));
  });
}

test('an overdue ticket (clock advanced) escalates its unit to a notice', async ({ page }, testInfo) => {
  // A resident reports on the public form; the router dispatches it to the traffic police at once.
  await page.context().clearCookies();
  await page.goto('/report');
  await waitForIsland(page);
  await page.getByLabel('问题描述').fill(CROSSING_REPORT);
  await page.getByRole('button', { name: '提交反映' }).click();
  await page.waitForURL(/\/track\?code=/);
  code = ((await page.getByTestId('new-tracking-code').textContent()) ?? '').trim();
  expect(code).not.toBe('');
  await expect(page.locator('.timeline')).toContainText(`已转交${TRAFFIC_POLICE}办理`);

  // The office reads its deadline on the ticket page, and finds no escalation of the unit yet.
  await loginAs(page, 'office');
  await page.goto(`/console/tickets/${code}`);
  await waitForIslands(page);
  await expect(page.getByTestId('ticket-unit')).toHaveText(TRAFFIC_POLICE);
  const deadline = (await page.getByTestId('ticket-deadline').locator('time').getAttribute('datetime')) ?? '';
  expect(Date.parse(deadline)).toBeGreaterThan(Date.now());
  await page.goto('/console/escalations?unit=jiaojing');
  const earlier = await page.locator('tr[data-level]').count();
  test.skip(earlier > 0, 'the traffic police were escalated before: this test needs a fresh data directory');

  // Nobody acts; one worker pass an hour after the deadline.
  const at = new Date(Date.parse(deadline) + 3600_000).toISOString();
  const tick = await workerTick(at);
  expect(tick.code, `worker-tick failed:\n${tick.stderr}\n${tick.stdout}`).toBe(0);
  expect(tick.stdout).toContain(`"at":"${at}"`);

  // The office sees a 通报 of the traffic police listing the ticket.
  await page.goto('/console/escalations');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('升级记录');
  const notice = page.locator('tr[data-level]').filter({ hasText: code });
  await expect(notice).toHaveCount(1);
  await expect(notice).toHaveAttribute('data-level', '1');
  await expect(notice).toContainText(TRAFFIC_POLICE);
  await expect(notice).toContainText('通报');
  await expect(notice.getByRole('link', { name: code })).toHaveAttribute('href', `/console/tickets/${code}`);
  await expect(page.locator('tr[data-unit="jiaojing"]')).toContainText('通报');
  await page.screenshot({ path: testInfo.outputPath('escalations-office-1280.png'), fullPage: true });
});

test('the unit sees its own notice on the same page', async ({ page }) => {
  test.skip(code === '', 'needs the escalation of the test before');
  await loginAs(page, 'jiaojing');
  const response = await page.goto('/console/escalations');
  expect(response?.status()).toBe(200);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('升级记录');
  const notice = page.locator('tr[data-level]').filter({ hasText: code });
  await expect(notice).toHaveCount(1);
  await expect(notice).toContainText('通报');
  await expect(notice).toContainText(TRAFFIC_POLICE);
  // Its own unit only.
  for (const unit of await page.locator('tr[data-level] td:nth-child(2)').allInnerTexts()) expect(unit).toBe(TRAFFIC_POLICE);
});
