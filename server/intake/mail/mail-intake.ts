// What a mail to the dedicated mailbox becomes (issue 4, item 3): a new ticket through the same
// submitReport as the web form, a reply appended to a ticket's timeline, ignored (auto-replies,
// bounces, lists, our own mail) or quarantined with the reason — never lost: the raw message is
// kept privately under DATA_DIR/mail-raw/ before anything is recorded, and every message gets a
// mail_messages row. The IMAP poller and the import command (mail-import.ts) both call
// processMail; a message seen before (same Message-ID, or same content hash when it has none)
// is answered with its earlier outcome, under a race too (the unique constraints decide).
// processMail may be called for several messages at once (the import does, mail-import.ts):
// messages that share a Message-ID, content or sender take turns in call order (mail-turns.ts).
//
// This file runs the steps; the rules are mail-decision.ts's, the SQL mail-message-repository.ts's,
// the files mail-files.ts's. A new ticket's mail row (and its acknowledgement) is written in the
// ticket's own transaction, so the two commit together.
import { createHash } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { Clock } from '../../clock.ts';
import type { Keyring } from '../../db/data-keys.ts';
import { isUniqueViolation } from '../../db/database.ts';
import type { Database } from '../../db/schema.ts';
import type { WriteBatcher } from '../../db/write-batcher.ts';
import { InvalidInputError } from '../../errors.ts';
import { findMailByMessageId, findTicketMailedAs, recordBounce } from '../../notify/mail-outbox-repository.ts';
import { findTicketByIdempotencyKey } from '../../tickets/ticket-repository.ts';
import type { SubmitResult } from '../submit-result.ts';
import { channelKey, type ReportIntake } from '../submit-report.ts';
import { acknowledge, type AcknowledgementRequest } from './acknowledgement.ts';
import { createMailFiles, type MailPhotos } from './mail-files.ts';
import {
  acknowledgementOf,
  bounceMessage,
  bounceNote,
  describe,
  referencedIds,
  replyMessage,
  reportOf,
  sortMail,
  trackingCodesIn,
  type AttachmentRecord,
  type MailOutcome,
} from './mail-decision.ts';
import {
  countTicketsMailedSince,
  findRecordedMail,
  findTicketNamed,
  insertMailMessage,
  insertTicketMessage,
  type MailKey,
  type RecordedMail,
} from './mail-message-repository.ts';
import { createTurns, type Turn } from './mail-turns.ts';
import { parseMail, type ParsedMail } from './parse-mail.ts';
import { senderKey } from './sender-address.ts';
import type { BlobStore } from '../../storage/blob-store.ts';

export interface MailResult {
  outcome: MailOutcome;
  trackingCode?: string;
  subject: string;
  reason?: string;
}

export interface MailSource {
  file?: string;
  uid?: number;
  /** The office re-processes the quarantined mail_messages row with this id (mailbox-console.ts): the flood cap does not apply. */
  reprocessOf?: number;
}

export interface MailLimits {
  /** A larger message is quarantined unparsed (default 40 MB). */
  maxMessageBytes: number;
  /** Attachments kept per message, images included (default 25 MB); the rest are listed only. */
  maxAttachmentBytes: number;
  /** New tickets per sender (+tags folded: sender-address.ts) in 24 hours before further mail is quarantined as 'flood' (10). */
  ticketsPerSenderPerDay: number;
  /** Acknowledgements per sender (+tags folded) in 24 hours (3). */
  acknowledgementsPerSenderPerDay: number;
  /** Acknowledgements to one mail domain in 24 hours (100). */
  acknowledgementsPerDomainPerDay: number;
  /** The authserv-ids of the receiving mail servers whose Authentication-Results are believed (none). */
  trustedAuthservIds: readonly string[];
  /** Acknowledge a sender no trusted server authenticated (false: backscatter, issue 11 item 6). */
  acknowledgeUnauthenticated: boolean;
}

export const DEFAULT_MAIL_LIMITS: MailLimits = {
  maxMessageBytes: 40 * 1024 * 1024,
  maxAttachmentBytes: 25 * 1024 * 1024,
  ticketsPerSenderPerDay: 10,
  acknowledgementsPerSenderPerDay: 3,
  acknowledgementsPerDomainPerDay: 100,
  trustedAuthservIds: [],
  acknowledgeUnauthenticated: false,
};

export interface MailIntakeDeps {
  db: Kysely<Database>;
  intake: ReportIntake;
  photos: MailPhotos;
  clock: Clock;
  /** Where the raw message and attachments are kept (server/storage/). */
  blobs: BlobStore;
  /** The data key they are sealed with there (keyringOf(db)). */
  keyring: Keyring;
  /** The mailbox's own addresses: mail from them is ignored, never answered. */
  ourAddresses: readonly string[];
  publicUrl: string;
  messageIdDomain?: string | undefined;
  limits?: Partial<MailLimits>;
  /** Where the mail's row and its consequences are written: the portal's one write batcher (group commit on SQLite, write-batcher.ts). */
  writes: WriteBatcher;
}

interface Decision {
  outcome: MailOutcome;
  reason: string | null;
  ticketId: number | null;
  trackingCode?: string;
  attachments: AttachmentRecord[];
  /** Written in the same transaction as the mail's row. */
  also?: (trx: Transaction<Database>, mailRowId: number) => Promise<void>;
  /** Queued in the same transaction, before the row, which then says why when none goes out. */
  acknowledgement?: AcknowledgementRequest;
}

/** A mail to submit as a new report: its row is written with the ticket. */
interface NewReport {
  mail: ParsedMail;
  report: ReturnType<typeof reportOf>;
  attachments: AttachmentRecord[];
}

/** One message as its row records it, whatever it becomes. */
interface MailEntry {
  key: MailKey;
  meta: { address: string | null; subject: string };
  rawPath: string;
  source: string | null;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export function createMailIntake(deps: MailIntakeDeps) {
  const { db, intake, clock, writes } = deps;
  const limits: MailLimits = { ...DEFAULT_MAIL_LIMITS, ...deps.limits };
  const ours = new Set(deps.ourAddresses.map((a) => a.trim().toLowerCase()).filter(Boolean));
  const ourList = [...ours];
  const files = createMailFiles({ ...deps, maxAttachmentBytes: limits.maxAttachmentBytes });
  const turns = createTurns();

  /**
   * One raw message → its outcome. Several may run at once: a message takes its turn on its
   * keys (Message-ID, content hash, sender) before it looks for an earlier outcome, after every
   * message called before it that shares one of them has finished (mail-turns.ts).
   */
  async function processMail(raw: Buffer, source: MailSource = {}): Promise<MailResult> {
    const turn = turns.enter();
    try {
      return await processInTurn(raw, source, turn);
    } finally {
      turn.leave();
    }
  }

  async function processInTurn(raw: Buffer, source: MailSource, turn: Turn): Promise<MailResult> {
    const rawHash = createHash('sha256').update(raw).digest('hex');
    // The raw message is kept before anything is recorded, so that whatever happens next the
    // message exists. Parsing has no effects, so it runs while the write (and its fsync) waits on
    // libuv's threads; a failed write fails the message as before, whatever the parse gave.
    const [rawPath, parsed] = await Promise.all([files.keepRaw(rawHash, raw), parseRaw(raw, rawHash)]);

    if ('error' in parsed) {
      const { error } = parsed;
      const entry = {
        key: { messageId: null, contentHash: `raw:${rawHash}` },
        meta: { address: null, subject: '' },
        rawPath,
        source: sourceText(source),
      };
      await turn.take([`hash:${rawHash}`]);
      return (await findEarlier(entry.key)) ?? record(entry, quarantined(`unparseable: ${describe(error)}`));
    }
    const { mail } = parsed;

    const entry: MailEntry = {
      key: { messageId: mail.messageId?.trim() || null, contentHash: mail.contentHash || `raw:${rawHash}` },
      meta: { address: mail.from.address?.trim().toLowerCase() || null, subject: mail.subject ?? '' },
      rawPath,
      source: sourceText(source),
    };
    const { key, meta } = entry;
    await turn.take([
      `hash:${rawHash}`,
      ...(key.messageId ? [`id:${key.messageId}`] : []),
      ...(meta.address ? [`from:${senderKey(meta.address)}`] : []),
    ]);
    const earlier = await findEarlier(key);
    if (earlier) return earlier;

    let decision: Decision | NewReport;
    try {
      decision = await decide(mail, meta.address, source);
    } catch (error) {
      decision = quarantined(describe(error));
    }
    return 'report' in decision ? submitNew(entry, decision) : recordOrQuarantine(entry, decision);
  }

  async function parseRaw(raw: Buffer, rawHash: string): Promise<{ mail: ParsedMail } | { error: unknown }> {
    try {
      if (raw.length > limits.maxMessageBytes) throw new Error(`message too large (${raw.length} bytes)`);
      return { mail: await parseMail(raw, { ourAddresses: ourList, maxBytes: limits.maxMessageBytes, contentHash: rawHash }) };
    } catch (error) {
      return { error };
    }
  }

  async function decide(mail: ParsedMail, from: string | null, source: MailSource): Promise<Decision | NewReport> {
    const sorted = sortMail(mail, from, ours);
    if (sorted.kind === 'settled') return { outcome: sorted.outcome, reason: sorted.reason, ticketId: null, attachments: [] };
    if (sorted.kind === 'bounce') return bounce(mail, sorted.reason);
    const ticket = await ticketRepliedTo(mail);
    if (ticket) return reply(mail, from, ticket);
    if (source.reprocessOf === undefined && from && (await createdLately(from)) >= limits.ticketsPerSenderPerDay)
      return quarantined('flood');
    const attachments = await files.keepAttachments(mail.attachments);
    const photoIds = attachments.flatMap((a) => (a.photoId ? [a.photoId] : []));
    return { mail, report: reportOf(mail, from, photoIds), attachments };
  }

  /** A bounce is ignored; when it is one of ours coming back, the outbox row and the ticket say so. */
  async function bounce(mail: ParsedMail, reason: string): Promise<Decision> {
    const sent = mail.bouncedMessageId ? await findMailByMessageId(db, mail.bouncedMessageId.trim()) : null;
    if (!sent) return { outcome: 'ignored', reason, ticketId: null, attachments: [] };
    const { ticketId } = sent;
    const at = clock.now().toISOString();
    return {
      outcome: 'ignored',
      reason: `${reason} (of our mail ${mail.bouncedMessageId})`,
      ticketId,
      attachments: [],
      async also(trx, mailRowId) {
        await recordBounce(trx, sent.id, bounceNote(mail, at));
        if (ticketId !== null) await insertTicketMessage(trx, bounceMessage(mail, at, { ticketId, mailRowId }, sent.to));
      },
    };
  }

  /** The ticket a mail answers: a Message-ID of ours it references, else a tracking code in its subject. */
  async function ticketRepliedTo(mail: ParsedMail): Promise<{ id: number; trackingCode: string } | null> {
    const referenced = referencedIds(mail);
    const mailed = referenced.length > 0 ? await findTicketMailedAs(db, referenced) : null;
    if (mailed) return mailed;
    const codes = trackingCodesIn(mail.subject);
    return codes.length > 0 ? findTicketNamed(db, codes) : null;
  }

  async function reply(mail: ParsedMail, from: string | null, ticket: { id: number; trackingCode: string }): Promise<Decision> {
    // Attachments of a reply are kept privately and listed on the message, not added to the
    // ticket's public photos: the office decides what they are.
    const attachments = await files.keepFiles(mail.attachments);
    const at = clock.now().toISOString();
    return {
      outcome: 'appended',
      reason: null,
      ticketId: ticket.id,
      trackingCode: ticket.trackingCode,
      attachments,
      async also(trx, mailRowId) {
        await insertTicketMessage(trx, replyMessage(mail, from, at, { ticketId: ticket.id, mailRowId }, attachments));
      },
    };
  }

  /** Tickets made lately from this sender, in any of its +tagged forms. */
  function createdLately(from: string): Promise<number> {
    const key = senderKey(from);
    return countTicketsMailedSince(db, key, new Date(clock.now().getTime() - DAY_MS).toISOString());
  }

  function created(plan: NewReport, ticket: { id: number; trackingCode: string }): Decision {
    const { reason, acknowledgement } = acknowledgementOf(plan.mail, plan.report.email, ticket, limits.trustedAuthservIds);
    return {
      outcome: 'created',
      ticketId: ticket.id,
      trackingCode: ticket.trackingCode,
      attachments: plan.attachments,
      reason,
      ...(acknowledgement && { acknowledgement }),
    };
  }

  /** The ticket and the mail's row (with the acknowledgement) commit in one transaction. */
  async function submitNew(entry: MailEntry, plan: NewReport): Promise<MailResult> {
    let written: { trackingCode: string; reason: string | null } | undefined;
    let result: SubmitResult;
    try {
      result = await intake.submitReport(plan.report.raw, { channel: 'mail' }, async (trx, ticketId, trackingCode) => {
        const reason = await writeRow(trx, entry, created(plan, { id: ticketId, trackingCode }));
        written = { trackingCode, reason };
      });
    } catch (error) {
      if (error instanceof InvalidInputError)
        return recordOrQuarantine(entry, { ...quarantined(error.message), attachments: plan.attachments });
      // The ticket rolled back with the row: another worker's row of this message answers, else the message is quarantined.
      return (await findEarlier(entry.key)) ?? recordOrQuarantine(entry, quarantined(describe(error)));
    }
    if (written?.trackingCode === result.trackingCode) {
      return toResult({
        outcome: 'created',
        reason: written.reason,
        subject: entry.meta.subject.slice(0, 1000),
        trackingCode: result.trackingCode,
      });
    }
    // The key named an earlier ticket: its row answers — or, for a ticket whose mail row was lost
    // before rows committed with their ticket, this row links it now.
    const earlier = await findEarlier(entry.key);
    if (earlier) return earlier;
    const ticket = await findTicketByIdempotencyKey(db, channelKey('mail', plan.report.raw.idempotencyKey)!);
    if (!ticket) return recordOrQuarantine(entry, quarantined(`ticket ${result.trackingCode} not found`));
    return recordOrQuarantine(entry, created(plan, ticket));
  }

  function findEarlier(key: MailKey): Promise<MailResult | null> {
    return findRecordedMail(db, key).then((row) => (row ? toResult(row) : null));
  }

  /** Records the decision; when that fails, the message is kept as quarantined (or its earlier outcome answers). */
  async function recordOrQuarantine(entry: MailEntry, decision: Decision): Promise<MailResult> {
    try {
      return await record(entry, decision);
    } catch (error) {
      const again = await findEarlier(entry.key);
      if (again) return again;
      return record(entry, { ...quarantined(describe(error)), ticketId: decision.ticketId, attachments: decision.attachments });
    }
  }

  async function record(entry: MailEntry, decision: Decision): Promise<MailResult> {
    let reason: string | null;
    try {
      reason = await writes.run((trx) => writeRow(trx, entry, decision));
    } catch (error) {
      // Another worker recorded the same message first: its outcome is the answer.
      if (isUniqueViolation(error, 'message_id') || isUniqueViolation(error, 'content_hash')) {
        const earlier = (await findEarlier(entry.key)) ?? (await findEarlier({ messageId: null, contentHash: entry.key.contentHash }));
        if (earlier) return earlier;
      }
      throw error;
    }
    const subject = entry.meta.subject.slice(0, 1000);
    return toResult({ outcome: decision.outcome, reason, subject, trackingCode: decision.trackingCode ?? null });
  }

  /** The mail's row and its consequences, in the caller's transaction; the reason the row gives. */
  async function writeRow(trx: Transaction<Database>, entry: MailEntry, decision: Decision): Promise<string | null> {
    let reason = decision.reason;
    if (decision.acknowledgement) {
      reason ??= await acknowledge(trx, decision.acknowledgement, {
        policy: limits,
        now: clock.now(),
        publicUrl: deps.publicUrl,
        messageIdDomain: deps.messageIdDomain,
      });
    }
    const { key, meta } = entry;
    const id = await insertMailMessage(trx, {
      message_id: key.messageId?.slice(0, 1000) ?? null,
      content_hash: key.contentHash,
      received_at: clock.now().toISOString(),
      from_address: meta.address?.slice(0, 320) ?? null,
      subject: meta.subject.slice(0, 1000),
      outcome: decision.outcome,
      reason: reason?.slice(0, 2000) ?? null,
      ticket_id: decision.ticketId,
      raw_path: entry.rawPath,
      attachments: JSON.stringify(decision.attachments),
      source: entry.source,
    });
    await decision.also?.(trx, id);
    return reason;
  }

  return { processMail };
}

export type MailIntake = ReturnType<typeof createMailIntake>;

function quarantined(reason: string): Decision {
  return { outcome: 'quarantined', reason, ticketId: null, attachments: [] };
}

function sourceText(source: MailSource): string | null {
  if (source.reprocessOf !== undefined) return `reprocess:${source.reprocessOf}`;
  if (source.uid !== undefined) return `imap:${source.uid}`;
  return source.file ? `file:${source.file}` : null;
}

function toResult(row: RecordedMail): MailResult {
  return {
    outcome: row.outcome as MailOutcome,
    ...(row.trackingCode && { trackingCode: row.trackingCode }),
    subject: row.subject,
    ...(row.reason && { reason: row.reason }),
  };
}
