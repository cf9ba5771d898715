// The rules of what a mail becomes (pure: no database, no files): a new ticket, a reply appended
// to a ticket's timeline, ignored (auto-replies, bounces, lists, our own mail) or quarantined with
// the reason; what a new report and its acknowledgement say; the rows a reply or a bounce adds to a
// ticket's timeline. mail-intake.ts looks up what these rules need and records what they decide.
import { createHash } from 'node:crypto';
import { plainText } from '../../plain-text.ts';
import { normalizeTrackingCode } from '../../tickets/tracking-code.ts';
import { emailSchema, MAX_DESCRIPTION_CHARS } from '../report-schema.ts';
import type { AcknowledgementRequest } from './acknowledgement.ts';
import { authenticateSender } from './authentication-results.ts';
import type { NewTicketMessage } from './mail-message-repository.ts';
import type { ParsedMail } from './parse-mail.ts';

export type MailOutcome = 'created' | 'appended' | 'ignored' | 'quarantined';

export interface AttachmentRecord {
  name: string | null;
  type: string;
  size: number;
  photoId?: string;
  path?: string;
  refused?: string;
}

/** What a mail is before anything is looked up. */
export type MailSort =
  | { kind: 'settled'; outcome: 'ignored' | 'quarantined'; reason: string }
  | { kind: 'bounce'; reason: string }
  /** A letter from a person: a reply when it answers a ticket, else a new report. */
  | { kind: 'letter' };

export function sortMail(mail: ParsedMail, from: string | null, ours: ReadonlySet<string>): MailSort {
  // A file with none of a message's headers (a licence text, a note) is not a mail to act on.
  if (!from && !mail.messageId && !mail.date && !mail.subject) {
    return { kind: 'settled', outcome: 'quarantined', reason: 'not an e-mail message: no From, Message-ID, Date or Subject' };
  }
  if (from && ours.has(from)) return { kind: 'settled', outcome: 'ignored', reason: 'from ourselves' };
  if (mail.kind === 'bounce') return { kind: 'bounce', reason: `bounce${mail.kindReason ? `: ${mail.kindReason}` : ''}` };
  if (mail.kind === 'auto-reply' || mail.kind === 'list') {
    return { kind: 'settled', outcome: 'ignored', reason: `${mail.kind}${mail.kindReason ? `: ${mail.kindReason}` : ''}` };
  }
  return { kind: 'letter' };
}

/** The Message-IDs a mail answers (In-Reply-To, References), at most 100. */
export function referencedIds(mail: Pick<ParsedMail, 'inReplyTo' | 'references'>): string[] {
  return [...new Set([...mail.inReplyTo, ...mail.references].map((id) => id.trim()).filter(Boolean))].slice(0, 100);
}

/** Canonical tracking codes written anywhere in a subject ("回复：【已受理】…（查询码 AC3-K7M-9X6）"). */
export function trackingCodesIn(subject: string): string[] {
  const text = subject.normalize('NFKC');
  const found = new Set<string>();
  for (const m of text.matchAll(/(?<![A-Za-z0-9])[A-Za-z0-9]{3}[\s\-_—–·.]?[A-Za-z0-9]{3}[\s\-_—–·.]?[A-Za-z0-9]{3}(?![A-Za-z0-9])/g)) {
    const code = normalizeTrackingCode(m[0]);
    if (code) found.add(code);
  }
  return [...found];
}

/**
 * The idempotency key a mail's ticket is submitted with (submitReport keeps it as `mail:<key>`):
 * its Message-ID, else the hash of its bytes. A Message-ID outside the key's 8–100 characters is
 * hashed, so that a long one is never cut short into another mail's key (nor refused).
 */
export function mailKey(mail: Pick<ParsedMail, 'messageId' | 'contentHash'>): string {
  const id = mail.messageId?.trim();
  if (!id) return mail.contentHash;
  return id.length >= 8 && id.length <= 100 ? id : `sha256:${createHash('sha256').update(id).digest('hex')}`;
}

/** The raw report a new mail is submitted as (submitReport validates it), and the sender's address when it is a valid one. */
export function reportOf(mail: ParsedMail, from: string | null, photoIds: string[]) {
  const description = [mail.subject.trim(), (mail.text.trim() || mail.fullText.trim()).trim()]
    .filter(Boolean)
    .join('\n')
    .slice(0, MAX_DESCRIPTION_CHARS)
    .trim();
  const email = from && emailSchema.safeParse(from).success ? from : undefined;
  const name = mail.from.name?.trim().slice(0, 50) || undefined;
  const raw = {
    description,
    reporter: { ...(name && { name }), ...(email && { email }) },
    photoIds,
    idempotencyKey: mailKey(mail),
  };
  return { raw, email };
}

/** Whether a new ticket's sender is to be acknowledged (the caps are acknowledgement.ts's), or why not. */
export function acknowledgementOf(
  mail: ParsedMail,
  email: string | undefined,
  ticket: { id: number; trackingCode: string },
  trustedAuthservIds: readonly string[],
): { reason: string | null; acknowledgement?: AcknowledgementRequest } {
  if (mail.kind !== 'normal') return { reason: `no acknowledgement: ${mail.kind}` };
  if (!email) return { reason: 'no acknowledgement: no valid sender address' };
  const authentication = authenticateSender(mail.authenticationResults, email, trustedAuthservIds);
  return {
    reason: null,
    acknowledgement: { to: email, ticketId: ticket.id, trackingCode: ticket.trackingCode, subject: mail.subject, authentication },
  };
}

/** A resident's reply on the ticket's timeline, stored as every text is (server/plain-text.ts): the office reads it there. */
export function replyMessage(
  mail: ParsedMail,
  from: string | null,
  at: string,
  ids: { ticketId: number; mailRowId: number },
  attachments: readonly AttachmentRecord[],
): NewTicketMessage {
  return {
    ticket_id: ids.ticketId,
    mail_message_id: ids.mailRowId,
    kind: 'reply',
    at,
    from_address: from,
    from_name: mail.from.name ? plainText(mail.from.name).slice(0, 200) : null,
    subject: plainText(mail.subject).slice(0, 500),
    text: plainText(mail.text.trim() || mail.fullText.trim()).slice(0, 20_000),
    attachments: JSON.stringify(attachments),
  };
}

/** One of our mails about a ticket came back: the timeline says to whom it was sent. */
export function bounceMessage(
  mail: ParsedMail,
  at: string,
  ids: { ticketId: number; mailRowId: number },
  sentTo: readonly string[],
): NewTicketMessage {
  return {
    ticket_id: ids.ticketId,
    mail_message_id: ids.mailRowId,
    kind: 'bounce',
    at,
    from_address: null,
    from_name: null,
    subject: mail.subject.slice(0, 500),
    text: `发往 ${sentTo.join(', ')} 的邮件被退回。${mail.text.slice(0, 2000)}`,
    attachments: '[]',
  };
}

/** The note on our outbox row of a mail that came back. */
export function bounceNote(mail: ParsedMail, at: string): string {
  return `退信 ${at}: ${(mail.kindReason ?? mail.subject).slice(0, 900)}`;
}

export function describe(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 500);
}
