// The import command's core (scripts/mail-import.ts, issue 4 item 5): .eml files or mbox files
// through the same processMail as the IMAP intake, one result per message. A file that cannot be
// read, or a message that throws, gets the outcome 'quarantined' with the reason; it never stops
// the run.
//
// Several messages are processed at once (`concurrency`, default 8, and at most 64 MB of them
// unless one alone is larger): while one waits for its photos (sharp works on libuv's threads),
// its files or the database, the next is parsed, and the SQLite writes of messages that finish
// together share one commit (write-batcher.ts). The results still come out in input order, and processMail itself keeps duplicates apart: a
// message that shares its Message-ID, content or sender with an earlier one waits for it, so a
// duplicate gets the earlier outcome, never a second ticket (mail-intake.ts).
import fs from 'node:fs';
import type { MailResult } from './mail-intake.ts';

export interface ImportLine extends MailResult {
  file: string;
}

type ProcessMail = (raw: Buffer, source: { file?: string; uid?: number }) => Promise<MailResult>;

export interface ImportOptions {
  /** Messages in progress at once (default 8; 1 processes them one after the other). */
  concurrency?: number;
  /** Raw bytes of the messages in progress at most (default 64 MB); a larger message runs alone. */
  maxBytesInFlight?: number;
}

export const DEFAULT_IMPORT_CONCURRENCY = 8;
export const DEFAULT_IMPORT_BYTES_IN_FLIGHT = 64 * 1024 * 1024;

type Item = { file: string; raw: Buffer } | { file: string; unreadable: unknown };

/** Each message of each file, in order; `onLine` sees every result as it comes, in input order. */
export async function importMailFiles(
  mail: { processMail: ProcessMail },
  files: readonly string[],
  onLine: (line: ImportLine) => void = () => {},
  options: ImportOptions = {},
): Promise<ImportLine[]> {
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? DEFAULT_IMPORT_CONCURRENCY));
  const maxBytes = options.maxBytesInFlight ?? DEFAULT_IMPORT_BYTES_IN_FLIGHT;
  const lines: ImportLine[] = [];
  // Finished results wait here until every earlier one has been emitted.
  const done = new Map<number, ImportLine>();
  let next = 0;
  let started = 0;
  let active = 0;
  let bytes = 0;
  // What onLine threw: no new message is started, and it is thrown once the running ones end.
  const failures: unknown[] = [];
  let wake: (() => void) | null = null;

  const emitReady = () => {
    for (let line = done.get(next); line; line = done.get(next)) {
      done.delete(next++);
      lines.push(line);
      onLine(line);
    }
  };
  const settle = (index: number, size: number, line: ImportLine) => {
    done.set(index, line);
    active--;
    bytes -= size;
    try {
      emitReady();
    } catch (error) {
      failures.push(error);
    }
    const w = wake;
    wake = null;
    w?.();
  };
  const slotFree = () => new Promise<void>((resolve) => (wake = resolve));

  for (const item of messages(files)) {
    const size = 'raw' in item ? item.raw.length : 0;
    while ((active >= concurrency || (active > 0 && bytes + size > maxBytes)) && failures.length === 0) await slotFree();
    if (failures.length > 0) break;
    const index = started++;
    active++;
    bytes += size;
    void handle(mail, item).then((line) => settle(index, size, line));
  }
  while (active > 0) await slotFree();
  if (failures.length > 0) throw failures[0];
  return lines;
}

function* messages(files: readonly string[]): Generator<Item> {
  for (const file of files) {
    let content: Buffer;
    try {
      // Read whole, synchronously: the message needs all of it anyway, and one blocking read of
      // a mail file costs less than the four round trips to libuv's threads (open, stat, read,
      // close) that fs.promises.readFile makes — threads that sharp and the writes are using.
      content = fs.readFileSync(file);
    } catch (error) {
      yield { file, unreadable: error };
      continue;
    }
    const list = isMbox(content) ? splitMbox(content) : [content];
    for (const [i, raw] of list.entries()) yield { file: list.length > 1 ? `${file}#${i + 1}` : file, raw };
  }
}

/** Never rejects: what goes wrong is the message's outcome. */
async function handle(mail: { processMail: ProcessMail }, item: Item): Promise<ImportLine> {
  if ('unreadable' in item) {
    return { file: item.file, outcome: 'quarantined', subject: '', reason: `unreadable: ${describe(item.unreadable)}` };
  }
  try {
    return { file: item.file, ...(await mail.processMail(item.raw, { file: item.file })) };
  } catch (error) {
    return { file: item.file, outcome: 'quarantined', subject: '', reason: describe(error) };
  }
}
/** An mbox starts with a "From " separator line ("From sender date"), not a header. */
export function isMbox(content: Buffer): boolean {
  return content.subarray(0, 5).toString('latin1') === 'From ' && /^From \S+.*\r?\n/.test(content.subarray(0, 1000).toString('latin1'));
}

/**
 * The messages of an mbox: split at every line starting "From " that follows an empty line (or
 * begins the file), the separator line dropped; ">From " quoting (mboxrd) undone.
 */
export function splitMbox(content: Buffer): Buffer[] {
  const text = content.toString('latin1'); // byte-preserving
  const starts: number[] = [];
  const re = /(^|\n)From [^\n]*\n/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const at = m.index + m[1]!.length;
    // A separator follows an empty line (mboxo/mboxrd), except at the very start.
    if (at === 0 || text.slice(Math.max(0, at - 2), at) === '\n\n' || text.slice(Math.max(0, at - 3), at) === '\n\r\n') {
      starts.push(at);
    }
  }
  const out: Buffer[] = [];
  for (const [i, start] of starts.entries()) {
    const end = starts[i + 1] ?? text.length;
    const chunk = text.slice(start, end);
    const body = chunk.slice(chunk.indexOf('\n') + 1).replace(/^>(>*From )/gm, '$1');
    if (body.trim().length > 0) out.push(Buffer.from(body, 'latin1'));
  }
  return out;
}

function describe(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 500);
}
