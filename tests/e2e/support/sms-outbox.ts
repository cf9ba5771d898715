// The one-time lookup codes the e2e server queued for a number: read from the sms_outbox rows
// (kind 'lookup-code') of its SQLite database under E2E_DATA_DIR. When the SMS channel writes
// DATA_DIR/sms-out/outbox.jsonl, this is the one place to read that file instead.
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { expect } from '@playwright/test';

function codesSentTo(phone: string): string[] {
  const dataDir = process.env['E2E_DATA_DIR'];
  if (!dataDir) throw new Error('E2E_DATA_DIR is not set: run the tests through playwright.config.ts');
  const db = new DatabaseSync(path.join(dataDir, 'portal.sqlite'), { readOnly: true });
  try {
    const rows = db.prepare("SELECT params FROM sms_outbox WHERE kind = 'lookup-code' AND recipient = ? ORDER BY id").all(phone) as Array<{
      params: string;
    }>;
    return rows.map((r) => String((JSON.parse(r.params) as { code?: unknown }).code ?? ''));
  } finally {
    db.close();
  }
}

/** The newest code queued for the number (digits) after `before` codes were; waits for it briefly. */
export async function nextLookupCode(phone: string, before: number): Promise<string> {
  await expect.poll(() => codesSentTo(phone).length).toBeGreaterThan(before);
  return codesSentTo(phone).at(-1) ?? '';
}

/** How many codes were queued for the number so far. */
export function lookupCodeCount(phone: string): number {
  return codesSentTo(phone).length;
}
