// The whole mail corpus (tests/fixtures/mail-corpus: 606 real-world test mails, many malformed on purpose) through
// parseMail: no crash, no hang (a per-message time limit), and the heuristically tagged bounces and
// auto-replies of index.tsv are never classified as normal mail (bounces must be 'bounce').
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseMail, type ParsedMail } from '../../server/intake/mail/parse-mail.ts';

const CORPUS = path.resolve(import.meta.dirname, '../fixtures/mail-corpus');
const PER_MESSAGE_MS = 5_000;

// Tags of index.tsv that are wrong on inspection: path → why. (None today: every tagged bounce is
// classified 'bounce' and every tagged auto-reply is not 'normal'.)
const TAG_EXCEPTIONS: Record<string, string> = {};

interface Row {
  path: string;
  isAutoReply: boolean;
  isBounce: boolean;
  autoSignals: string;
}

function readIndex(): Row[] {
  const [head, ...lines] = fs.readFileSync(path.join(CORPUS, 'index.tsv'), 'utf8').trimEnd().split('\n');
  const cols = (head ?? '').split('\t');
  const at = (name: string): number => {
    const i = cols.indexOf(name);
    if (i < 0) throw new Error(`index.tsv has no column ${name}`);
    return i;
  };
  const [p, auto, bounce, signals] = [at('path'), at('is_auto_reply'), at('is_bounce'), at('auto_signals')];
  return lines.map((line) => {
    const f = line.split('\t');
    return { path: f[p] ?? '', isAutoReply: f[auto] === '1', isBounce: f[bounce] === '1', autoSignals: f[signals] ?? '' };
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

describe('mail corpus', () => {
  it('is in the repository', () => {
    expect(fs.existsSync(path.join(CORPUS, 'index.tsv')), `corpus missing at ${CORPUS}`).toBe(true);
  });

  it('parses all 606 messages without crash or hang and classifies the tagged ones', { timeout: 120_000 }, async () => {
    const rows = readIndex();
    expect(rows.length).toBe(606);
    const failures: string[] = [];
    const misclassified: string[] = [];
    const kinds: Record<string, number> = {};
    const started = Date.now();
    for (const row of rows) {
      const raw = fs.readFileSync(path.join(CORPUS, row.path));
      let parsed: ParsedMail;
      try {
        parsed = await withTimeout(parseMail(raw), PER_MESSAGE_MS, row.path);
      } catch (error) {
        failures.push(`${row.path}: ${(error as Error).message}`);
        continue;
      }
      kinds[parsed.kind] = (kinds[parsed.kind] ?? 0) + 1;
      expect(parsed.contentHash).toMatch(/^[0-9a-f]{64}$/);
      expect(typeof parsed.subject).toBe('string');
      expect(typeof parsed.text).toBe('string');
      if (parsed.messageId !== null) expect(parsed.messageId).toMatch(/^<[^<>\s]+>$/);
      if (TAG_EXCEPTIONS[row.path]) continue;
      if (row.isBounce && parsed.kind !== 'bounce') {
        misclassified.push(`bounce-tagged as ${parsed.kind} (${parsed.kindReason}): ${row.path} ${JSON.stringify(parsed.subject)}`);
      }
      if (row.isAutoReply && parsed.kind === 'normal') {
        misclassified.push(`auto-reply-tagged [${row.autoSignals}] as normal: ${row.path} ${JSON.stringify(parsed.subject)}`);
      }
    }
    const elapsed = Date.now() - started;
    if (failures.length || misclassified.length) console.log([...failures, ...misclassified].join('\n'));
    console.log(`mail corpus: ${rows.length} messages in ${elapsed} ms`, kinds);
    expect(failures).toEqual([]);
    expect(misclassified).toEqual([]);
    expect(elapsed).toBeLessThan(30_000);
  });
});
