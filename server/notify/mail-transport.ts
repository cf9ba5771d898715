// How a mail leaves the portal: over SMTP when SMTP_URL is set, otherwise as an .eml file in
// DATA_DIR/mail-out/ — so the default start needs no mail server, and an office trying the
// portal can still open every mail it would have sent.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';

export interface OutgoingMessage {
  from: string;
  to: readonly string[];
  subject: string;
  text: string;
  html: string;
  /** "<…@host>", assigned when the mail was queued. */
  messageId: string;
  date: Date;
  /** RFC 3834: 'auto-generated' unless said otherwise; 'auto-replied' for answers to incoming mail. */
  autoSubmitted?: 'auto-generated' | 'auto-replied';
}

export interface MailTransport {
  /** 'smtp' or 'eml-files', for the start-up log. */
  readonly kind: 'smtp' | 'eml-files';
  /** Resolves with the server's answer (or the file written); rejects when not delivered. */
  send(message: OutgoingMessage): Promise<string>;
  close(): void;
}

export interface TransportSettings {
  smtpUrl?: string | undefined;
  dataDir: string;
}

export function createTransport(settings: TransportSettings): MailTransport {
  return settings.smtpUrl ? smtpTransport(settings.smtpUrl) : emlFileTransport(path.join(settings.dataDir, 'mail-out'));
}

/** Nodemailer's default socket timeout is ten minutes; a worker must not hang that long. */
const SMTP_TIMEOUTS = { connectionTimeout: 30_000, greetingTimeout: 30_000, socketTimeout: 60_000 };

function smtpTransport(url: string): MailTransport {
  // One connection per mail, not a pool: a county office sends a few hundred mails a day, and a
  // pool would hold a connection open between worker runs for nothing.
  const transporter = nodemailer.createTransport({ url, ...SMTP_TIMEOUTS });
  return {
    kind: 'smtp',
    async send(message) {
      const info = await transporter.sendMail(mailOptions(message));
      const rejected = info.rejected.map(String);
      return rejected.length > 0 ? `${info.response} (rejected: ${rejected.join(', ')})` : info.response;
    },
    close: () => transporter.close(),
  };
}

function emlFileTransport(dir: string): MailTransport {
  const composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  return {
    kind: 'eml-files',
    async send(message) {
      const info = await composer.sendMail(mailOptions(message));
      const file = path.join(dir, `${fileNameFor(message.messageId)}.eml`);
      await writeAtomically(file, info.message as Buffer);
      return `written to ${file}`;
    },
    close: () => composer.close(),
  };
}

function mailOptions(message: OutgoingMessage) {
  return {
    from: message.from,
    to: [...message.to],
    subject: message.subject,
    text: message.text,
    html: message.html,
    messageId: message.messageId,
    date: message.date,
    headers: {
      // RFC 3834: tells vacation responders not to answer — their replies would land in the
      // office's mailbox, which the mail intake reads as reports.
      'Auto-Submitted': message.autoSubmitted ?? 'auto-generated',
    },
  };
}

/** The Message-ID's left part: unique and sortable by age; a retry overwrites the same file. */
function fileNameFor(messageId: string): string {
  return messageId.replace(/^<|@.*$/g, '').replace(/[^A-Za-z0-9._-]/g, '_');
}

/** A reader never sees half a mail: write a temporary file, flush it, then rename it in place. */
async function writeAtomically(file: string, content: Buffer): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const handle = await fs.open(temp, 'wx');
    try {
      await handle.writeFile(content);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, file);
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw error;
  }
}
