// The console's system page (issue 18 item 2): the office sees the backups; an administrator is
// warned on every page while no good backup finished within 36 hours; a backup taken with
// `npm run backup` (against the e2e server's data directory) shows with its time, size and
// result, and the warning goes. Leaders may not open the page.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from './fixtures.ts';
import { ensureStaff, loginAs } from './support/staff.ts';

test.describe.configure({ mode: 'serial' });
test.beforeAll(() => ensureStaff());

function backUp(): void {
  const dataDir = process.env['E2E_DATA_DIR'];
  if (!dataDir) throw new Error('E2E_DATA_DIR is not set: run the tests through playwright.config.ts');
  const to = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-backup-')), 'backup');
  execFileSync(process.execPath, ['scripts/backup.ts', '--to', to], {
    env: { ...process.env, DATA_DIR: dataDir, CONTENT_DIR: process.env['E2E_CONTENT_DIR'] },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  fs.rmSync(path.dirname(to), { recursive: true, force: true });
}

test('the administrator is warned without a recent backup, and sees the last backup once one is taken', async ({ page }) => {
  await loginAs(page, 'admin');
  const banner = page.locator('#backup-stale-warning');
  await expect(banner).toContainText('已超过 36 小时没有成功的数据备份');
  await banner.getByRole('link', { name: '查看系统状态' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('系统状态');
  await expect(page.locator('#backup-warning')).toContainText('尚无成功的备份');

  backUp();
  await page.reload();
  await expect(page.locator('#backup-warning')).toHaveCount(0);
  await expect(page.locator('#backup-stale-warning')).toHaveCount(0);
  const last = page.locator('#last-backup');
  await expect(last).toContainText('手动');
  await expect(last).toContainText('成功，已校验');
  await expect(last).toContainText(/\d+(\.\d)? (KB|MB)/);
});

test('the office opens the page from the navigation; a leader may not', async ({ page, consoleErrors }) => {
  consoleErrors.allow(/status of 403/);
  await loginAs(page, 'office');
  await page.getByRole('navigation').getByRole('link', { name: '系统状态', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('系统状态');
  await loginAs(page, 'leader');
  const response = await page.goto('/console/system');
  expect(response?.status()).toBe(403);
});
