// The text messages the e2e server "sent": with no SMS provider set (as in playwright.config.ts),
// the worker appends each message as one JSON line to DATA_DIR/sms-out/outbox.jsonl
// (server/notify/sms-outbox-file.ts). The server's DATA_DIR is E2E_DATA_DIR. The worker delivers
// every WORKER_INTERVAL_SECONDS (5 s in e2e), so wait with expect.poll:
//
//   await expect.poll(() => smsLines().filter((l) => l.trackingCode === code).map((l) => l.kind)).toContain('reporter-accepted');
import fs from 'node:fs';
import path from 'node:path';
import { expect } from '@playwright/test';

export interface SmsLine {
  to: string;
  template: string;
  params: Record<string, string>;
  text: string;
  kind: string;
  trackingCode: string | null;
}

/** Every line of the outbox file so far (none before the first message). */
export function smsLines(): SmsLine[] {
  const dataDir = process.env['E2E_DATA_DIR'];
  if (!dataDir) throw new Error('E2E_DATA_DIR is not set: run the tests through playwright.config.ts');
  const file = path.join(dataDir, 'sms-out', 'outbox.jsonl');
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as SmsLine);
}

/** The one-time lookup codes texted to the number (digits), oldest first. */
function codesSentTo(phone: string): string[] {
  return smsLines()
    .filter((l) => l.kind === 'lookup-code' && l.to === phone)
    .map((l) => l.params['code'] ?? '');
}

/** The newest code texted to the number after `before` codes were; waits for the worker to send it. */
export async function nextLookupCode(phone: string, before: number): Promise<string> {
  await expect.poll(() => codesSentTo(phone).length, { timeout: 20_000 }).toBeGreaterThan(before);
  return codesSentTo(phone).at(-1) ?? '';
}

/** How many codes were texted to the number so far. */
export function lookupCodeCount(phone: string): number {
  return codesSentTo(phone).length;
}
