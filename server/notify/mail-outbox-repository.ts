// The outbox: notification mail is a row written in the same transaction as the ticket change
// that causes it (DESIGN rule 6, "nothing is lost"). If the change rolls back, so does the mail;
// if it commits, the mail waits here until the worker delivers it (mail-delivery.ts), however
// long the mail server is away. Returns plain objects; no row type leaves this file.
import { lookupHashes } from '../db/personal-data.ts';
import { randomBytes } from 'node:crypto';
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Dialect } from '../db/database.ts';
import type { Database } from '../db/schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** The kinds in use; the column is open text so a later issue can add its own. */
export const MAIL_KINDS = [
  'dispatch',
  'reminder',
  'overdue',
  'send-back',
  'accepted-on-behalf',
  'escalation',
  'reporter-accepted',
  'reporter-rectified',
  'reporter-closed',
  'notice-published',
  'response-submitted',
  'response-returned',
  'supervised',
] as const;
export type MailKind = (typeof MAIL_KINDS)[number] | (string & {});

export type MailStatus = 'pending' | 'sent' | 'failed';

export interface NewMail {
  kind: MailKind;
  ticketId?: number | null;
  unitCode?: string | null;
  to: readonly string[];
  subject: string;
  text: string;
  html: string;
}

export interface MailRecord {
  id: number;
  kind: string;
  ticketId: number | null;
  unitCode: string | null;
  to: string[];
  subject: string;
  text: string;
  html: string;
  messageId: string;
  createdAt: string;
  status: MailStatus;
  attempts: number;
  nextAttemptAt: string;
  lastError: string | null;
  sentAt: string | null;
  response: string | null;
}

export interface MailFilter {
  status?: MailStatus;
  kind?: string;
  ticketId?: number;
  unitCode?: string;
  /** Newest first; at most this many (default 100). */
  limit?: number;
  offset?: number;
}

/**
 * Queues a mail in the caller's transaction and returns its id and Message-ID, or null when
 * there is nobody to tell (a unit without contact addresses, a reporter who gave none) — so
 * callers can pass `unit.emails` as they are.
 *
 * `messageIdDomain` should be our sending domain (mail-settings.ts derives it from MAIL_FROM);
 * replies quoting the Message-ID can then be recognised as answers to our mail.
 */
export async function enqueueMail(
  db: Db,
  mail: NewMail,
  now: Date,
  options: { messageIdDomain?: string } = {},
): Promise<{ id: number; messageId: string } | null> {
  const to = normaliseRecipients(mail.to);
  if (to.length === 0) return null;
  const at = now.toISOString();
  const messageId = newMessageId(now, options.messageIdDomain ?? 'localhost');
  const row = await db
    .insertInto('mail_outbox')
    .values({
      kind: mail.kind,
      ticket_id: mail.ticketId ?? null,
      unit_code: mail.unitCode ?? null,
      recipients: JSON.stringify(to),
      subject: oneLine(mail.subject),
      text: mail.text,
      html: mail.html,
      message_id: messageId,
      created_at: at,
      status: 'pending',
      attempts: 0,
      next_attempt_at: at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: Number(row.id), messageId };
}

/** For the office console and tests: newest first. */
export async function listMail(db: Db, filter: MailFilter = {}): Promise<MailRecord[]> {
  let query = db.selectFrom('mail_outbox').select(mailColumns);
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.kind) query = query.where('kind', '=', filter.kind);
  if (filter.ticketId !== undefined) query = query.where('ticket_id', '=', filter.ticketId);
  if (filter.unitCode) query = query.where('unit_code', '=', filter.unitCode);
  const rows = await query
    .orderBy('id', 'desc')
    .limit(filter.limit ?? 100)
    .offset(filter.offset ?? 0)
    .execute();
  return rows.map(toMail);
}

/**
 * Gives a failed mail a fresh series of attempts, for the office once the cause (a wrong
 * address, a mail server refusing us) is fixed. The last error stays until the next attempt.
 */
export async function requeueFailedMail(db: Db, id: number, now: Date): Promise<boolean> {
  const result = await db
    .updateTable('mail_outbox')
    .set({ status: 'pending', attempts: 0, next_attempt_at: now.toISOString() })
    .where('id', '=', id)
    .where('status', '=', 'failed')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

// ——— For the mail intake: mail that answers ours (server/intake/mail/) ———

/** The mail of ours with this Message-ID (a bounce names it), or null. */
export async function findMailByMessageId(
  db: Db,
  messageId: string,
): Promise<{ id: number; ticketId: number | null; to: string[] } | null> {
  const row = await db
    .selectFrom('mail_outbox')
    .select(['id', 'ticket_id', 'recipients'])
    .where('message_id', '=', messageId)
    .executeTakeFirst();
  return row
    ? { id: Number(row.id), ticketId: row.ticket_id === null ? null : Number(row.ticket_id), to: JSON.parse(row.recipients) as string[] }
    : null;
}

/** The ticket of the latest of our mails among these Message-IDs (a reply's References), or null. */
export async function findTicketMailedAs(db: Db, messageIds: readonly string[]): Promise<{ id: number; trackingCode: string } | null> {
  const row = await db
    .selectFrom('mail_outbox')
    .innerJoin('tickets', 'tickets.id', 'mail_outbox.ticket_id')
    .select(['tickets.id', 'tickets.tracking_code'])
    .where('mail_outbox.message_id', 'in', [...messageIds])
    .orderBy('mail_outbox.id', 'desc')
    .executeTakeFirst();
  return row ? { id: Number(row.id), trackingCode: row.tracking_code } : null;
}

/** Notes on a mail of ours that it came back (the office sees it with the delivery's errors). */
export async function recordBounce(db: Db, id: number, note: string): Promise<void> {
  await db.updateTable('mail_outbox').set({ last_error: note }).where('id', '=', id).execute();
}

/**
 * The first recipient of each mail of `kind` queued since `since` whose first recipient is at
 * `domain` (recipients are stored encrypted; their domain's keyed hash is looked up, ADR 019).
 */
export async function recipientsAtDomain(db: Db, kind: MailKind, domain: string, since: string): Promise<string[]> {
  const rows = await db
    .selectFrom('mail_outbox')
    .select('recipients')
    .where('kind', '=', kind)
    .where('recipient_domain_hash', 'in', lookupHashes(db, 'domain', domain.trim().toLowerCase()))
    .where('created_at', '>=', since)
    .execute();
  return rows.flatMap((r) => (JSON.parse(r.recipients) as string[]).slice(0, 1));
}

// ——— For the delivery worker (mail-delivery.ts) ———

export interface DueMail {
  id: number;
  kind: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  messageId: string;
  attempts: number;
  nextAttemptAt: string;
}

async function dueMail(db: Db, now: Date, limit: number): Promise<DueMail[]> {
  const rows = await dueMailQuery(db, now, limit).execute();
  return rows.map(toDueMail);
}

function dueMailQuery(db: Db, now: Date, limit: number) {
  return db
    .selectFrom('mail_outbox')
    .select(['id', 'kind', 'recipients', 'subject', 'text', 'html', 'message_id', 'attempts', 'next_attempt_at'])
    .where('status', '=', 'pending')
    .where('next_attempt_at', '<=', now.toISOString())
    .orderBy('next_attempt_at')
    .orderBy('id')
    .limit(limit);
}

type DueRow = Awaited<ReturnType<ReturnType<typeof dueMailQuery>['execute']>>[number];

function toDueMail(r: DueRow): DueMail {
  return {
    id: Number(r.id),
    kind: r.kind,
    to: JSON.parse(r.recipients) as string[],
    subject: r.subject,
    text: r.text,
    html: r.html,
    messageId: r.message_id,
    attempts: Number(r.attempts),
    nextAttemptAt: r.next_attempt_at,
  };
}

/**
 * Takes a due mail for one delivery attempt. The update matches only the row as it was read, so
 * when two workers read the same mail exactly one of them gets it. The claim pushes the mail's
 * next attempt to `leaseUntil`: should this worker die while sending, the mail becomes due again
 * then instead of being stuck. Returns the claim token (the new next_attempt_at), or null.
 */
async function claimMail(db: Db, mail: DueMail, leaseUntil: Date): Promise<string | null> {
  const token = leaseUntil.toISOString();
  const result = await db
    .updateTable('mail_outbox')
    .set({ attempts: mail.attempts + 1, next_attempt_at: token })
    .where('id', '=', mail.id)
    .where('status', '=', 'pending')
    .where('attempts', '=', mail.attempts)
    .where('next_attempt_at', '=', mail.nextAttemptAt)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1 ? token : null;
}

export interface ClaimedMail extends DueMail {
  /** The claim token for markAttemptFailed (the mail's next_attempt_at while it is claimed). */
  claim: string;
}

/**
 * Claims up to `limit` due mails, oldest first, for one delivery attempt each until `leaseUntil`
 * (the attempt is counted now; should the worker die, the mails are due again then).
 *
 * On PostgreSQL, where several workers may claim at once, one short transaction selects the due
 * rows `FOR UPDATE SKIP LOCKED` (rows another worker is claiming are passed over, not waited
 * for) and marks them claimed. On SQLite (one writer) the due rows are read and each is taken
 * with claimMail's conditional update.
 */
export async function claimDueMail(
  db: Kysely<Database>,
  dialect: Dialect,
  now: Date,
  limit: number,
  leaseUntil: Date,
): Promise<ClaimedMail[]> {
  const claim = leaseUntil.toISOString();
  if (dialect === 'sqlite') {
    // Another worker may have taken every row read: read again (those are no longer due) until
    // some are ours or none are due — an empty answer means the queue is drained.
    for (;;) {
      const due = await dueMail(db, now, limit);
      const claimed: ClaimedMail[] = [];
      for (const mail of due) {
        if (await claimMail(db, mail, leaseUntil)) claimed.push({ ...mail, claim });
      }
      if (claimed.length > 0 || due.length === 0) return claimed;
    }
  }
  return db.transaction().execute(async (trx) => {
    const rows = await dueMailQuery(trx, now, limit).forUpdate().skipLocked().execute();
    if (rows.length === 0) return [];
    await trx
      .updateTable('mail_outbox')
      .set((eb) => ({ attempts: eb('attempts', '+', 1), next_attempt_at: claim }))
      .where(
        'id',
        'in',
        rows.map((r) => r.id),
      )
      .execute();
    return rows.map((r) => ({ ...toDueMail(r), claim }));
  });
}

export async function markSent(db: Db, id: number, at: Date, response: string): Promise<void> {
  // Unconditional: the server took the mail, whatever happened to the claim meanwhile.
  await db
    .updateTable('mail_outbox')
    .set({ status: 'sent', sent_at: at.toISOString(), response: response.slice(0, 1000), last_error: null })
    .where('id', '=', id)
    .execute();
}

/** Records a failed attempt: another try at `retryAt`, or none (status 'failed') when null. */
export async function markAttemptFailed(db: Db, id: number, claim: string, error: string, retryAt: Date | null): Promise<void> {
  await db
    .updateTable('mail_outbox')
    .set(
      retryAt
        ? { last_error: error.slice(0, 1000), next_attempt_at: retryAt.toISOString() }
        : { last_error: error.slice(0, 1000), status: 'failed' },
    )
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .where('next_attempt_at', '=', claim)
    .execute();
}

// ——— helpers ———

const mailColumns = [
  'id',
  'kind',
  'ticket_id',
  'unit_code',
  'recipients',
  'subject',
  'text',
  'html',
  'message_id',
  'created_at',
  'status',
  'attempts',
  'next_attempt_at',
  'last_error',
  'sent_at',
  'response',
] as const;

function toMail(r: Pick<Selectable<Database['mail_outbox']>, (typeof mailColumns)[number]>): MailRecord {
  return {
    id: Number(r.id),
    kind: r.kind,
    ticketId: r.ticket_id === null ? null : Number(r.ticket_id),
    unitCode: r.unit_code,
    to: JSON.parse(r.recipients) as string[],
    subject: r.subject,
    text: r.text,
    html: r.html,
    messageId: r.message_id,
    createdAt: r.created_at,
    status: r.status as MailStatus,
    attempts: Number(r.attempts),
    nextAttemptAt: r.next_attempt_at,
    lastError: r.last_error,
    sentAt: r.sent_at,
    response: r.response,
  };
}

const PLAIN_ADDRESS = /^[^\s<>@,;"]+@[^\s<>@,;"]+$/;

/**
 * Trimmed, de-duplicated (ignoring case) bare addresses. An address that is not one is a bug in
 * the caller (forms and the catalog validate them), so it throws rather than queue a mail that
 * can never be delivered; CR/LF in particular would let text into the headers.
 */
function normaliseRecipients(to: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of to) {
    const address = raw.trim();
    if (!PLAIN_ADDRESS.test(address)) throw new Error(`Not a mail address: ${JSON.stringify(raw)}`);
    if (seen.has(address.toLowerCase())) continue;
    seen.add(address.toLowerCase());
    out.push(address);
  }
  return out;
}

/** Subjects are one header line: a line break there would start a new header. */
function oneLine(subject: string): string {
  return subject.replace(/\s+/g, ' ').trim();
}

/** "<20261130T020000Z.9f3c…@domain>": time first, so ids (and .eml file names) sort by age. */
function newMessageId(now: Date, domain: string): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '');
  return `<${stamp}.${randomBytes(9).toString('hex')}@${domain}>`;
}
