// One raw mail → what the intake needs (issue 4 items 2 and the classification part of 3).
// Pure: no database, no IMAP. mailparser does the MIME work; before it sees the bytes, charset
// aliases are rewritten and raw 8-bit GBK headers transcoded (charset.ts); after it, the new text is
// separated from quoted history (quoted-text.ts) and the mail is classified (classify.ts).
import { createHash } from 'node:crypto';
import { simpleParser, type AddressObject, type EmailAddress } from 'mailparser';
import { repairRaw } from './charset.ts';
import { classifyMail, type MailKind } from './classify.ts';
import { htmlToText } from './html-text.ts';
import { stripQuotedText } from './quoted-text.ts';

export interface ParsedMail {
  /** Canonical '<…>' form, trimmed; null when the mail has none. */
  messageId: string | null;
  /** '<…>' ids. */
  inReplyTo: string[];
  /** '<…>' ids. */
  references: string[];
  from: { address: string | null; name: string | null };
  /** Addresses, lower-cased. */
  to: string[];
  /** Decoded, trimmed ('' when none). */
  subject: string;
  /** ISO 8601, or null when missing or unparseable. */
  date: string | null;
  /** The new text only: quoted history and signature stripped; from text/plain, else sanitised HTML converted to text. */
  text: string;
  /** The whole body as text. */
  fullText: string;
  attachments: Array<{ filename: string | null; contentType: string; size: number; content: Buffer; inline: boolean }>;
  kind: MailKind;
  /** e.g. 'Auto-Submitted: auto-replied', 'multipart/report delivery-status', 'subject 自动回复', 'List-Id header', 'from ourselves'. */
  kindReason: string | null;
  /** For a bounce: the Message-ID of the original message if found. */
  bouncedMessageId: string | null;
  /** sha256 hex of the raw bytes (as received, before any repair). */
  contentHash: string;
  /** Every Authentication-Results header, unfolded, top first: who wrote which is for authentication-results.ts to judge. */
  authenticationResults: string[];
  /** What was odd and how it was handled. */
  defects: string[];
}

export interface ParseMailOptions {
  /** Our own addresses: mail from them is never a new report. */
  ourAddresses?: string[];
  /** Refuse larger input before parsing (default 25 MB). */
  maxBytes?: number;
  /** sha256 hex of `raw` when the caller has computed it already (processMail does, for the raw file's name). */
  contentHash?: string;
}

export const DEFAULT_MAX_MAIL_BYTES = 25 * 1024 * 1024;

export class MailTooLargeError extends Error {
  readonly size: number;
  readonly maxBytes: number;
  constructor(size: number, maxBytes: number) {
    super(`mail too large: ${size} bytes exceeds the limit of ${maxBytes} bytes`);
    this.name = 'MailTooLargeError';
    this.size = size;
    this.maxBytes = maxBytes;
  }
}

/** mailparser refused the message (its own bounds: too many parts, a huge header …). */
export class MailParseError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MailParseError';
  }
}

const MSG_ID = /<[^<>\s]+>/g;

/** '<…>' ids in a header value; bare tokens containing '@' are wrapped. */
export function extractMessageIds(value: string | string[] | undefined | null): string[] {
  if (!value) return [];
  const joined = Array.isArray(value) ? value.join(' ') : value;
  const bracketed = joined.match(MSG_ID);
  if (bracketed) return [...new Set(bracketed.map((id) => id.trim()))];
  return [
    ...new Set(
      joined
        .split(/[\s,]+/)
        .map((t) => t.trim())
        .filter((t) => t.includes('@'))
        .map((t) => `<${t.replace(/^<|>$/g, '')}>`),
    ),
  ];
}

function canonicalId(value: string | undefined | null): string | null {
  return extractMessageIds(value)[0] ?? null;
}

function addresses(field: AddressObject | AddressObject[] | undefined): EmailAddress[] {
  if (!field) return [];
  const out: EmailAddress[] = [];
  const visit = (list: EmailAddress[]): void => {
    for (const a of list) {
      if (a.group) visit(a.group);
      else out.push(a);
    }
  };
  for (const obj of Array.isArray(field) ? field : [field]) visit(obj.value ?? []);
  return out;
}

function headerMap(lines: ReadonlyArray<{ key: string; line: string }>): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const { key, line } of lines) {
    const colon = line.indexOf(':');
    const value = (colon >= 0 ? line.slice(colon + 1) : '').replace(/\r?\n[ \t]*/g, ' ').trim();
    const k = key.toLowerCase();
    const list = map.get(k);
    if (list) list.push(value);
    else map.set(k, [value]);
  }
  return map;
}

function partTypes(raw: Buffer): string[] {
  const text = raw.subarray(0, Math.min(raw.length, 16 * 1024 * 1024)).toString('latin1');
  const types = new Set<string>();
  for (const m of text.matchAll(/^content-type:[ \t]*([a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+)/gim)) {
    types.add((m[1] ?? '').toLowerCase());
  }
  return [...types];
}

const ORIGINAL_PART_TYPES = new Set([
  'message/rfc822',
  'text/rfc822-headers',
  'message/rfc822-headers',
  'message/global',
  'message/global-headers',
]);

function findBouncedMessageId(attachments: ParsedMail['attachments'], fullText: string, raw: Buffer, ownId: string | null): string | null {
  const lookIn = (text: string): string | null => {
    for (const m of text.matchAll(/^[ \t>]*message-id[ \t]*:[ \t]*(?:\r?\n[ \t]+)?(<[^<>\s]+>|[^\s<>]+@[^\s<>]+)/gim)) {
      const id = canonicalId(m[1]);
      if (id && id !== ownId) return id;
    }
    return null;
  };
  for (const a of attachments) {
    if (ORIGINAL_PART_TYPES.has(a.contentType.toLowerCase())) {
      const id = lookIn(a.content.subarray(0, 256 * 1024).toString('latin1'));
      if (id) return id;
    }
  }
  // The original quoted in the body (qmail, Exim, Chinese providers' 退信 texts), decoded or raw.
  return lookIn(fullText) ?? lookIn(raw.subarray(0, Math.min(raw.length, 4 * 1024 * 1024)).toString('latin1'));
}

export async function parseMail(raw: Buffer, options: ParseMailOptions = {}): Promise<ParsedMail> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_MAIL_BYTES;
  if (raw.length > maxBytes) throw new MailTooLargeError(raw.length, maxBytes);
  const contentHash = options.contentHash ?? createHash('sha256').update(raw).digest('hex');
  const repaired = repairRaw(raw);
  const defects = [...repaired.defects];

  let mail: Awaited<ReturnType<typeof simpleParser>>;
  try {
    mail = await simpleParser(repaired.raw, {
      skipHtmlToText: true,
      skipTextToHtml: true,
      skipImageLinks: true,
      skipTextLinks: true,
      keepDeliveryStatus: true,
    });
  } catch (error) {
    throw new MailParseError(`mail could not be parsed: ${(error as Error)?.message ?? String(error)}`, { cause: error });
  }

  const headers = headerMap(mail.headerLines ?? []);
  const messageId = canonicalId(mail.messageId);
  if (!messageId) defects.push(mail.messageId ? 'unparseable Message-ID ignored' : 'no Message-ID');

  const fromList = addresses(mail.from);
  const fromFirst = fromList[0];
  const from = {
    address: fromFirst?.address ? fromFirst.address.trim().toLowerCase() : null,
    name: fromFirst?.name ? fromFirst.name.trim() || null : null,
  };
  const to = [
    ...new Set(
      addresses(mail.to)
        .map((a) => a.address?.trim().toLowerCase() ?? '')
        .filter((a) => a.length > 0),
    ),
  ];
  const subject = (mail.subject ?? '').replace(/\s+/g, ' ').trim();
  let date: string | null = null;
  if (mail.date && !Number.isNaN(mail.date.getTime())) date = mail.date.toISOString();
  else if (headers.has('date')) defects.push('unparseable Date ignored');

  const plain = typeof mail.text === 'string' ? mail.text : '';
  const html = typeof mail.html === 'string' ? mail.html : '';
  let text: string;
  let fullText: string;
  if (plain.trim().length > 0 || !html) {
    fullText = plain.replace(/\r\n?/g, '\n').trim();
    text = stripQuotedText(fullText);
  } else {
    fullText = htmlToText(html);
    text = stripQuotedText(htmlToText(html, { dropQuotes: true }));
    defects.push('text from HTML');
  }

  const attachments: ParsedMail['attachments'] = (mail.attachments ?? []).map((a) => ({
    filename: a.filename ?? null,
    contentType: (a.contentType || 'application/octet-stream').toLowerCase(),
    size: a.content?.length ?? a.size ?? 0,
    content: a.content ?? Buffer.alloc(0),
    inline: a.contentDisposition === 'inline' || a.related === true,
  }));

  const ct = mail.headers.get('content-type');
  let contentType = 'text/plain';
  let reportType: string | null = null;
  if (ct && typeof ct === 'object' && 'value' in ct) {
    contentType = String(ct.value ?? 'text/plain').toLowerCase();
    const params = (ct as { params?: Record<string, string> }).params;
    const rt = params?.['report-type'];
    reportType = rt ? rt.toLowerCase() : null;
  }

  const { kind, reason } = classifyMail({
    headers,
    fromAddress: from.address,
    fromName: from.name,
    subject,
    contentType,
    reportType,
    partTypes: partTypes(repaired.raw),
    ourAddresses: options.ourAddresses ?? [],
  });

  const bouncedMessageId = kind === 'bounce' ? findBouncedMessageId(attachments, fullText, repaired.raw, messageId) : null;

  return {
    messageId,
    inReplyTo: extractMessageIds(mail.inReplyTo),
    references: extractMessageIds(mail.references),
    from,
    to,
    subject,
    date,
    text,
    fullText,
    attachments,
    kind,
    kindReason: reason,
    bouncedMessageId,
    contentHash,
    authenticationResults: headers.get('authentication-results') ?? [],
    defects,
  };
}
