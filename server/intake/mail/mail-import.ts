// The import command's core (scripts/mail-import.ts, issue 4 item 5): .eml files or mbox files
// through the same processMail as the IMAP intake, one result per message. A file that cannot be
// read, or a message that throws, gets the outcome 'quarantined' with the reason; it never stops
// the run.
import fs from 'node:fs/promises';
import type { MailResult } from './mail-intake.ts';

export interface ImportLine extends MailResult {
  file: string;
}

type ProcessMail = (raw: Buffer, source: { file?: string; uid?: number }) => Promise<MailResult>;

/** Each message of each file, in order; `onLine` sees every result as it comes. */
export async function importMailFiles(
  mail: { processMail: ProcessMail },
  files: readonly string[],
  onLine: (line: ImportLine) => void = () => {},
): Promise<ImportLine[]> {
  const lines: ImportLine[] = [];
  const emit = (line: ImportLine) => {
    lines.push(line);
    onLine(line);
  };
  for (const file of files) {
    let content: Buffer;
    try {
      content = await fs.readFile(file);
    } catch (error) {
      emit({ file, outcome: 'quarantined', subject: '', reason: `unreadable: ${describe(error)}` });
      continue;
    }
    const messages = isMbox(content) ? splitMbox(content) : [content];
    for (const [i, raw] of messages.entries()) {
      const name = messages.length > 1 ? `${file}#${i + 1}` : file;
      try {
        emit({ file: name, ...(await mail.processMail(raw, { file: name })) });
      } catch (error) {
        emit({ file: name, outcome: 'quarantined', subject: '', reason: describe(error) });
      }
    }
  }
  return lines;
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
