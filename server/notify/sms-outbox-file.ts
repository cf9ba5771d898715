// Without a provider (SMS_PROVIDER unset), each text message is appended as one JSON line to
// DATA_DIR/sms-out/outbox.jsonl — like the .eml files of mail — so the default start and the e2e
// tests need no provider and anyone can read what would have been sent. Fields, exactly:
// {"to","template","params","text","kind","trackingCode"}; template is the configured code, or
// the kind when none is set.
import fs from 'node:fs/promises';
import path from 'node:path';

export interface OutboxLine {
  to: string;
  template: string;
  params: Record<string, string>;
  text: string;
  kind: string;
  trackingCode: string | null;
}

export function smsOutboxFile(dataDir: string): string {
  return path.join(dataDir, 'sms-out', 'outbox.jsonl');
}

/**
 * One write of one whole line to a file opened with O_APPEND: the kernel places each write at the
 * end, so lines from two processes never interleave.
 */
export async function appendOutboxLine(file: string, line: OutboxLine): Promise<void> {
  const { to, template, params, text, kind, trackingCode } = line;
  const bytes = Buffer.from(`${JSON.stringify({ to, template, params, text, kind, trackingCode })}\n`, 'utf8');
  await fs.mkdir(path.dirname(file), { recursive: true });
  const handle = await fs.open(file, 'a');
  try {
    await handle.write(bytes);
  } finally {
    await handle.close();
  }
}
