// What a mail to the dedicated mailbox becomes (issue 4, item 3): a new ticket through the same
// submitReport as the web form, a reply appended to a ticket's timeline, ignored (auto-replies,
// bounces, lists, our own mail) or quarantined with the reason — never lost: the raw message is
// kept privately under DATA_DIR/mail-raw/ before anything else, and every message gets a
// mail_messages row. The IMAP poller and the import command (mail-import.ts) both call
// processMail; a message seen before (same Message-ID, or same content hash when it has none)
// is answered with its earlier outcome, under a race too (the unique constraints decide).
// processMail may be called for several messages at once (the import does, mail-import.ts):
// messages that share a Message-ID, content or sender take turns in call order (createTurns).
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { SubmitResult } from '../submit-result.ts';
import type { Clock } from '../../clock.ts';
import { isUniqueViolation } from '../../db/database.ts';
import { plainText } from '../../plain-text.ts';
import type { Database } from '../../db/schema.ts';
import type { WriteBatcher } from '../../db/write-batcher.ts';
import { InvalidInputError } from '../../errors.ts';
import type { ProcessedPhoto } from '../../media/photo-pipeline.ts';
import type { PhotoPurpose } from '../../media/photo-repository.ts';
import type { PhotoStore } from '../../media/photo-store.ts';
import { normalizeTrackingCode } from '../../tickets/tracking-code.ts';
import { emailSchema, MAX_DESCRIPTION_CHARS, MAX_PHOTOS } from '../report-schema.ts';
import type { SubmitContext } from '../submit-report.ts';
import { acknowledge, type AcknowledgementRequest } from './acknowledgement.ts';
import { authenticateSender } from './authentication-results.ts';
import { parseMail, type ParsedMail } from './parse-mail.ts';
import { senderKey, taggedPattern } from './sender-address.ts';

export { ACKNOWLEDGEMENT_KIND } from './acknowledgement.ts';

export type MailOutcome = 'created' | 'appended' | 'ignored' | 'quarantined';

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
  intake: { submitReport(raw: unknown, ctx: SubmitContext): Promise<SubmitResult> };
  photos: {
    process(bytes: Uint8Array): Promise<ProcessedPhoto>;
    store: Pick<PhotoStore, 'save'>;
    record(
      db: Kysely<Database>,
      photo: { id: string; purpose: PhotoPurpose; width: number; height: number; sha256: string; at: string },
    ): Promise<void>;
  };
  clock: Clock;
  dataDir: string;
  /** The mailbox's own addresses: mail from them is ignored, never answered. */
  ourAddresses: readonly string[];
  publicUrl: string;
  messageIdDomain?: string | undefined;
  limits?: Partial<MailLimits>;
  /** Where the mail's row and its consequences are written: the portal's one write batcher (group commit on SQLite, write-batcher.ts). */
  writes: WriteBatcher;
}

interface AttachmentRecord {
  name: string | null;
  type: string;
  size: number;
  photoId?: string;
  path?: string;
  refused?: string;
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

const DAY_MS = 24 * 60 * 60 * 1000;

export function createMailIntake(deps: MailIntakeDeps) {
  const { db, intake, photos, clock, dataDir } = deps;
  const limits: MailLimits = { ...DEFAULT_MAIL_LIMITS, ...deps.limits };
  const ours = new Set(deps.ourAddresses.map((a) => a.trim().toLowerCase()).filter(Boolean));
  const ourList = [...ours];
  const rawDir = path.join(dataDir, 'mail-raw');
  const attachmentDir = path.join(dataDir, 'mail-attachments');
  const { writes } = deps;
  const turns = createTurns();

  /**
   * One raw message → its outcome. Several may run at once: a message takes its turn on its
   * keys (Message-ID, content hash, sender) before it looks for an earlier outcome, after every
   * message called before it that shares one of them has finished. So a duplicate in the same
   * batch gets the earlier outcome (never a second ticket), and the per-sender caps count as if
   * the messages had come one after the other.
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
    const sourceText =
      source.reprocessOf !== undefined
        ? `reprocess:${source.reprocessOf}`
        : source.uid !== undefined
          ? `imap:${source.uid}`
          : source.file
            ? `file:${source.file}`
            : null;
    // Kept before anything else, so that whatever happens next the message exists.
    const rawPath = await keepRaw(rawHash, raw);

    let mail: ParsedMail;
    try {
      if (raw.length > limits.maxMessageBytes) throw new Error(`message too large (${raw.length} bytes)`);
      mail = await parseMail(raw, { ourAddresses: ourList, maxBytes: limits.maxMessageBytes, contentHash: rawHash });
    } catch (error) {
      const key = { messageId: null, contentHash: `raw:${rawHash}` };
      await turn.take([`hash:${rawHash}`]);
      const earlier = await findEarlier(key);
      if (earlier) return earlier;
      return record(key, { address: null, subject: '' }, rawPath, sourceText, {
        outcome: 'quarantined',
        reason: `unparseable: ${describe(error)}`,
        ticketId: null,
        attachments: [],
      });
    }

    const key = { messageId: mail.messageId?.trim() || null, contentHash: mail.contentHash || `raw:${rawHash}` };
    const meta = { address: mail.from.address?.trim().toLowerCase() || null, subject: mail.subject ?? '' };
    await turn.take([
      `hash:${rawHash}`,
      ...(key.messageId ? [`id:${key.messageId}`] : []),
      ...(meta.address ? [`from:${senderKey(meta.address)}`] : []),
    ]);
    const earlier = await findEarlier(key);
    if (earlier) return earlier;

    let decision: Decision;
    try {
      decision = await decide(mail, meta.address, source);
    } catch (error) {
      decision = { outcome: 'quarantined', reason: describe(error), ticketId: null, attachments: [] };
    }
    try {
      return await record(key, meta, rawPath, sourceText, decision);
    } catch (error) {
      // The row could not be written with its consequences: keep the message as quarantined.
      const again = await findEarlier(key);
      if (again) return again;
      return record(key, meta, rawPath, sourceText, {
        outcome: 'quarantined',
        reason: describe(error),
        ticketId: decision.ticketId,
        attachments: decision.attachments,
      });
    }
  }

  async function decide(mail: ParsedMail, from: string | null, source: MailSource): Promise<Decision> {
    const none = { ticketId: null, attachments: [] as AttachmentRecord[] };
    // A file with none of a message's headers (a licence text, a note) is not a mail to act on.
    if (!from && !mail.messageId && !mail.date && !mail.subject) {
      return { outcome: 'quarantined', reason: 'not an e-mail message: no From, Message-ID, Date or Subject', ...none };
    }
    if (from && ours.has(from)) return { outcome: 'ignored', reason: 'from ourselves', ...none };
    if (mail.kind === 'bounce') return bounce(mail);
    if (mail.kind === 'auto-reply' || mail.kind === 'list') {
      return { outcome: 'ignored', reason: `${mail.kind}${mail.kindReason ? `: ${mail.kindReason}` : ''}`, ...none };
    }
    const ticket = await ticketRepliedTo(mail);
    if (ticket) return reply(mail, from, ticket);
    return newReport(mail, from, { floodCap: source.reprocessOf === undefined });
  }

  /** A bounce is ignored; when it is one of ours coming back, the outbox row and the ticket say so. */
  async function bounce(mail: ParsedMail): Promise<Decision> {
    const reason = `bounce${mail.kindReason ? `: ${mail.kindReason}` : ''}`;
    const sent = mail.bouncedMessageId
      ? await db
          .selectFrom('mail_outbox')
          .select(['id', 'ticket_id', 'recipients'])
          .where('message_id', '=', mail.bouncedMessageId.trim())
          .executeTakeFirst()
      : undefined;
    if (!sent) return { outcome: 'ignored', reason, ticketId: null, attachments: [] };
    const ticketId = sent.ticket_id === null ? null : Number(sent.ticket_id);
    const at = clock.now().toISOString();
    return {
      outcome: 'ignored',
      reason: `${reason} (of our mail ${mail.bouncedMessageId})`,
      ticketId,
      attachments: [],
      async also(trx, mailRowId) {
        await trx
          .updateTable('mail_outbox')
          .set({ last_error: `退信 ${at}: ${(mail.kindReason ?? mail.subject).slice(0, 900)}` })
          .where('id', '=', Number(sent.id))
          .execute();
        if (ticketId !== null) {
          await trx
            .insertInto('ticket_messages')
            .values({
              ticket_id: ticketId,
              mail_message_id: mailRowId,
              kind: 'bounce',
              at,
              from_address: null,
              from_name: null,
              subject: mail.subject.slice(0, 500),
              text: `发往 ${(JSON.parse(sent.recipients) as string[]).join(', ')} 的邮件被退回。${mail.text.slice(0, 2000)}`,
              attachments: '[]',
            })
            .execute();
        }
      },
    };
  }

  /** The ticket a mail answers: a Message-ID of ours it references, else a tracking code in its subject. */
  async function ticketRepliedTo(mail: ParsedMail): Promise<{ id: number; trackingCode: string } | null> {
    const referenced = [...new Set([...mail.inReplyTo, ...mail.references].map((id) => id.trim()).filter(Boolean))];
    if (referenced.length > 0) {
      const row = await db
        .selectFrom('mail_outbox')
        .innerJoin('tickets', 'tickets.id', 'mail_outbox.ticket_id')
        .select(['tickets.id', 'tickets.tracking_code'])
        .where('mail_outbox.message_id', 'in', referenced.slice(0, 100))
        .orderBy('mail_outbox.id', 'desc')
        .executeTakeFirst();
      if (row) return { id: Number(row.id), trackingCode: row.tracking_code };
    }
    const codes = trackingCodesIn(mail.subject);
    if (codes.length > 0) {
      const row = await db.selectFrom('tickets').select(['id', 'tracking_code']).where('tracking_code', 'in', codes).executeTakeFirst();
      if (row) return { id: Number(row.id), trackingCode: row.tracking_code };
    }
    return null;
  }

  async function reply(mail: ParsedMail, from: string | null, ticket: { id: number; trackingCode: string }): Promise<Decision> {
    // Attachments of a reply are kept privately and listed on the message, not added to the
    // ticket's public photos: the office decides what they are.
    const attachments = await keepFiles(mail.attachments);
    const at = clock.now().toISOString();
    return {
      outcome: 'appended',
      reason: null,
      ticketId: ticket.id,
      trackingCode: ticket.trackingCode,
      attachments,
      async also(trx, mailRowId) {
        await trx
          .insertInto('ticket_messages')
          .values({
            ticket_id: ticket.id,
            mail_message_id: mailRowId,
            kind: 'reply',
            at,
            from_address: from,
            // Stored as every text is (server/plain-text.ts): the office reads it on the ticket's page.
            from_name: mail.from.name ? plainText(mail.from.name).slice(0, 200) : null,
            subject: plainText(mail.subject).slice(0, 500),
            text: plainText(mail.text.trim() || mail.fullText.trim()).slice(0, 20_000),
            attachments: JSON.stringify(attachments),
          })
          .execute();
      },
    };
  }

  async function newReport(mail: ParsedMail, from: string | null, options: { floodCap: boolean }): Promise<Decision> {
    if (options.floodCap && from && (await createdLately(from)) >= limits.ticketsPerSenderPerDay) {
      return { outcome: 'quarantined', reason: 'flood', ticketId: null, attachments: [] };
    }
    const attachments = await keepAttachments(mail.attachments);
    const photoIds = attachments.flatMap((a) => (a.photoId ? [a.photoId] : []));
    const description = [mail.subject.trim(), (mail.text.trim() || mail.fullText.trim()).trim()]
      .filter(Boolean)
      .join('\n')
      .slice(0, MAX_DESCRIPTION_CHARS)
      .trim();
    const email = from && emailSchema.safeParse(from).success ? from : undefined;
    const name = mail.from.name?.trim().slice(0, 50) || undefined;
    let result: SubmitResult;
    try {
      result = await intake.submitReport(
        {
          description,
          reporter: { ...(name && { name }), ...(email && { email }) },
          photoIds,
          idempotencyKey: mailKey(mail),
        },
        { channel: 'mail' },
      );
    } catch (error) {
      if (error instanceof InvalidInputError) return { outcome: 'quarantined', reason: error.message, ticketId: null, attachments };
      throw error;
    }
    const ticket = await db.selectFrom('tickets').select('id').where('tracking_code', '=', result.trackingCode).executeTakeFirstOrThrow();
    const ticketId = Number(ticket.id);
    const created = { outcome: 'created' as const, ticketId, trackingCode: result.trackingCode, attachments };
    if (mail.kind !== 'normal') return { ...created, reason: `no acknowledgement: ${mail.kind}` };
    if (!email) return { ...created, reason: 'no acknowledgement: no valid sender address' };
    const authentication = authenticateSender(mail.authenticationResults, email, limits.trustedAuthservIds);
    return {
      ...created,
      reason: null,
      acknowledgement: { to: email, ticketId, trackingCode: result.trackingCode, subject: mail.subject, authentication },
    };
  }

  /** Tickets made lately from this sender, in any of its +tagged forms. */
  async function createdLately(from: string): Promise<number> {
    const since = new Date(clock.now().getTime() - DAY_MS).toISOString();
    const key = senderKey(from);
    const tagged = taggedPattern(key);
    const row = await db
      .selectFrom('mail_messages')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('outcome', '=', 'created')
      .where('received_at', '>=', since)
      .where((eb) =>
        tagged
          ? eb.or([eb('from_address', '=', key), sql<boolean>`from_address like ${tagged} escape '\\'`])
          : eb('from_address', '=', key),
      )
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  /** Images through the photo pipeline (at most MAX_PHOTOS, as on the web form), the rest kept privately. */
  async function keepAttachments(list: ParsedMail['attachments']): Promise<AttachmentRecord[]> {
    const out: AttachmentRecord[] = [];
    let budget = limits.maxAttachmentBytes;
    let photoCount = 0;
    for (const a of list) {
      const entry: AttachmentRecord = { name: a.filename, type: a.contentType, size: a.size };
      out.push(entry);
      if (a.content.length > budget) {
        entry.refused = 'too large: not kept';
        continue;
      }
      budget -= a.content.length;
      if (a.contentType.toLowerCase().startsWith('image/') && photoCount < MAX_PHOTOS) {
        try {
          const processed = await photos.process(a.content);
          const { id } = await photos.store.save(processed);
          await writes.run((trx) =>
            photos.record(trx, {
              id,
              purpose: 'report',
              width: processed.width,
              height: processed.height,
              sha256: processed.sha256,
              at: clock.now().toISOString(),
            }),
          );
          entry.photoId = id;
          photoCount++;
          continue;
        } catch (error) {
          entry.refused = describe(error);
        }
      }
      entry.path = await keepFile(a.content, a.filename);
    }
    return out;
  }

  async function keepFiles(list: ParsedMail['attachments']): Promise<AttachmentRecord[]> {
    const out: AttachmentRecord[] = [];
    let budget = limits.maxAttachmentBytes;
    for (const a of list) {
      const entry: AttachmentRecord = { name: a.filename, type: a.contentType, size: a.size };
      out.push(entry);
      if (a.content.length > budget) entry.refused = 'too large: not kept';
      else {
        budget -= a.content.length;
        entry.path = await keepFile(a.content, a.filename);
      }
    }
    return out;
  }

  /** DATA_DIR/mail-attachments/<sha256>-<safe name>: never served; the path relative to DATA_DIR. */
  async function keepFile(content: Buffer, filename: string | null): Promise<string> {
    const hash = createHash('sha256').update(content).digest('hex');
    const safe = (filename ?? 'attachment')
      .normalize('NFKC')
      .replace(/[^\p{L}\p{N}._-]+/gu, '_')
      .replace(/^\.+/, '')
      .slice(0, 80);
    const file = path.join(attachmentDir, `${hash}-${safe || 'attachment'}`);
    await writeOnce(file, content);
    return path.relative(dataDir, file);
  }

  async function keepRaw(hash: string, raw: Buffer): Promise<string> {
    const file = path.join(rawDir, `${hash}.eml`);
    await writeOnce(file, raw);
    return path.relative(dataDir, file);
  }

  async function findEarlier(key: { messageId: string | null; contentHash: string }): Promise<MailResult | null> {
    const { messageId, contentHash } = key;
    // One query for both (each column is unique, so at most two rows): the row of the same
    // Message-ID, else one with the very same content under another id (or none).
    const rows = await db
      .selectFrom('mail_messages')
      .leftJoin('tickets', 'tickets.id', 'mail_messages.ticket_id')
      .select([
        'mail_messages.message_id',
        'mail_messages.outcome',
        'mail_messages.reason',
        'mail_messages.subject',
        'tickets.tracking_code',
      ])
      .where((eb) =>
        messageId
          ? eb.or([eb('mail_messages.message_id', '=', messageId), eb('mail_messages.content_hash', '=', contentHash)])
          : eb('mail_messages.content_hash', '=', contentHash),
      )
      .execute();
    const row = (messageId ? rows.find((r) => r.message_id === messageId) : undefined) ?? rows[0];
    return row ? toResult(row) : null;
  }

  async function record(
    key: { messageId: string | null; contentHash: string },
    meta: { address: string | null; subject: string },
    rawPath: string,
    source: string | null,
    decision: Decision,
  ): Promise<MailResult> {
    const subject = meta.subject.slice(0, 1000);
    let reason = decision.reason;
    try {
      await writes.run(async (trx) => {
        reason = decision.reason;
        if (decision.acknowledgement) {
          reason ??= await acknowledge(trx, decision.acknowledgement, {
            policy: limits,
            now: clock.now(),
            publicUrl: deps.publicUrl,
            messageIdDomain: deps.messageIdDomain,
          });
        }
        const row = await trx
          .insertInto('mail_messages')
          .values({
            message_id: key.messageId?.slice(0, 1000) ?? null,
            content_hash: key.contentHash,
            received_at: clock.now().toISOString(),
            from_address: meta.address?.slice(0, 320) ?? null,
            subject,
            outcome: decision.outcome,
            reason: reason?.slice(0, 2000) ?? null,
            ticket_id: decision.ticketId,
            raw_path: rawPath,
            attachments: JSON.stringify(decision.attachments),
            source,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        await decision.also?.(trx, Number(row.id));
      });
    } catch (error) {
      // Another worker recorded the same message first: its outcome is the answer.
      if (isUniqueViolation(error, 'message_id') || isUniqueViolation(error, 'content_hash')) {
        const earlier = (await findEarlier(key)) ?? (await findEarlier({ messageId: null, contentHash: key.contentHash }));
        if (earlier) return earlier;
      }
      throw error;
    }
    return toResult({ outcome: decision.outcome, reason, subject, tracking_code: decision.trackingCode ?? null });
  }

  return { processMail };
}

export type MailIntake = ReturnType<typeof createMailIntake>;

function toResult(row: { outcome: string; reason: string | null; subject: string; tracking_code: string | null }): MailResult {
  return {
    outcome: row.outcome as MailOutcome,
    ...(row.tracking_code && { trackingCode: row.tracking_code }),
    subject: row.subject,
    ...(row.reason && { reason: row.reason }),
  };
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

function describe(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 500);
}

/** A message's place in line for its keys (createTurns). */
interface Turn {
  /** Waits until every earlier-called message holding one of `keys` has left; at most once. */
  take(keys: readonly string[]): Promise<void>;
  /** Done (or failed): later messages waiting for this one's keys may go on. */
  leave(): void;
}

/**
 * Turns per key, in call order. A message enters when processMail is called; once its keys are
 * known it takes them — but only after every message that entered before it has taken its own
 * (or left), so that which of two duplicates goes first does not depend on which parsed faster —
 * and then waits for the earlier holders of the same keys to leave. A message only ever waits
 * for earlier ones: no deadlock.
 */
function createTurns() {
  let lastTaken: Promise<void> = Promise.resolve();
  const holders = new Map<string, Promise<void>>();
  return {
    enter(): Turn {
      const previous = lastTaken;
      let taken!: () => void;
      lastTaken = new Promise<void>((resolve) => (taken = resolve));
      let release = () => {};
      return {
        async take(keys) {
          await previous;
          const own = [...new Set(keys)];
          let left!: () => void;
          const mine = new Promise<void>((resolve) => (left = resolve));
          const earlier: Array<Promise<void>> = [];
          for (const key of own) {
            const holder = holders.get(key);
            if (holder) earlier.push(holder);
            holders.set(key, mine);
          }
          release = () => {
            for (const key of own) if (holders.get(key) === mine) holders.delete(key);
            left();
          };
          taken();
          await Promise.all(earlier);
        },
        leave() {
          taken();
          release();
        },
      };
    },
  };
}

/** Content-addressed files: written once (atomically), left alone when already there. */
async function writeOnce(file: string, content: Buffer): Promise<void> {
  // existsSync is one stat without an exception to build for the usual "not there yet"
  // (fs.access throws one); the directory is made only when the write finds it missing.
  if (existsSync(file)) return;
  const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await fs.writeFile(temp, content);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(temp, content);
  }
  await fs.rename(temp, file);
}
