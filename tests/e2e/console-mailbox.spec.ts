// The dedicated mailbox's console page (issue 4, item 6): a sender's flood is quarantined with its
// reason, the office sees it beside the mailbox's health and counts, and re-processes it once it
// judges the mail real — which makes the ticket. The mail comes in through the real import command.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from './fixtures.ts';
import { ensureStaff, expectNoSideways, importMail, loginAs } from './support/staff.ts';

test.beforeAll(() => ensureStaff());

function eml(n: number, sender: string): string {
  const subject = Buffer.from(`南关街第${n}处路灯不亮`).toString('base64');
  const body = Buffer.from(`南关街第${n}根路灯晚上不亮，路过很危险，请尽快修理。`).toString('base64');
  return [
    `From: =?UTF-8?B?${Buffer.from('李大爷').toString('base64')}?= <${sender}>`,
    'To: chuangcheng@lincheng.example',
    `Subject: =?UTF-8?B?${subject}?=`,
    'Date: Tue, 01 Dec 2026 09:00:00 +0800',
    `Message-ID: <e2e-mailbox-${n}-${sender}>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: base64',
    '',
    body,
    '',
  ].join('\r\n');
}

/** Eleven mails from one new sender through the import command: ten tickets, the eleventh quarantined as a flood. */
function quarantineFlood(name: string): string {
  const sender = `${name}-${Date.now()}@163.example`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-mailbox-'));
  const files = Array.from({ length: 11 }, (_, i) => {
    const file = path.join(dir, `${i + 1}.eml`);
    fs.writeFileSync(file, eml(i + 1, sender));
    return file;
  });
  const lines = importMail(files);
  fs.rmSync(dir, { recursive: true, force: true });
  expect(lines.map((l) => l.outcome)).toEqual([...Array<string>(10).fill('created'), 'quarantined']);
  expect(lines[10]).toMatchObject({ outcome: 'quarantined', reason: 'flood' });
  return sender;
}

test('the office sees a quarantined flood with its reason and re-processes it into a ticket', async ({ page }, testInfo) => {
  const sender = quarantineFlood('li');

  await loginAs(page, 'office');
  await page.getByRole('navigation').getByRole('link', { name: '专用邮箱' }).click();
  await expect(page.getByRole('heading', { level: 1, name: '专用邮箱' })).toBeVisible();
  // This server reads no mailbox (no MAIL_IMAP_URL): the page says so instead of a health status.
  await expect(page.locator('[data-health="unconfigured"]')).toContainText('尚未配置专用邮箱');

  const row = page.locator('#quarantine tr', { hasText: sender });
  await expect(row).toContainText('南关街第11处路灯不亮');
  await expect(row).toContainText('疑似刷屏');
  await page.screenshot({ path: testInfo.outputPath('mailbox.png'), fullPage: true });
  await expectNoSideways(page);

  await row.getByRole('button', { name: /重新处理/ }).click();
  await expect(page.locator('#mailbox-message')).toContainText(/已重新处理：新建工单 [A-Z0-9]{3}-[A-Z0-9]{3}-[A-Z0-9]{3}/);
  await expect(page.locator('#quarantine tr', { hasText: sender })).toHaveCount(0);
  const done = page.locator('#reprocessed tr', { hasText: '南关街第11处路灯不亮' });
  await done.getByRole('link').click();
  await expect(page.getByText('南关街第11根路灯晚上不亮').first()).toBeVisible();
});

test('a leader reads the page but cannot re-process; unit staff are refused', async ({ page, consoleErrors }) => {
  consoleErrors.allow(/status of 403/);
  // Its own quarantined mail: with an empty quarantine there would be no button to withhold.
  const sender = quarantineFlood('zhao');
  await loginAs(page, 'leader');
  await page.goto('/console/mailbox');
  await expect(page.getByRole('heading', { level: 2, name: /隔离区/ })).toBeVisible();
  // A leader reads the sender masked (z***@…), never the address itself.
  const row = page.locator('#quarantine tr', { hasText: `${sender[0]}***@163.example` });
  await expect(row).toContainText('南关街第11处路灯不亮');
  await expect(row).toContainText('疑似刷屏');
  await expect(page.locator('#quarantine')).not.toContainText(sender);
  await expect(page.getByRole('button', { name: /重新处理/ })).toHaveCount(0);

  await loginAs(page, 'zhujian');
  const response = await page.goto('/console/mailbox');
  expect(response?.status()).toBe(403);
});
