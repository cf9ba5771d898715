// The SMS outbox (migration 022), beside the mail outbox: a text message is a row written in the
// transaction of the change that causes it, delivered later by the worker. All the outbox's SQL.
// Returns plain objects; no row type leaves this file.
import { lookupHashes } from '../db/personal-data.ts';
import type { Kysely, Transaction } from 'kysely';
import type { Dialect } from '../db/database.ts';
import type { Database } from '../db/schema.ts';
import { normalizePhone } from '../tickets/phone.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** The kinds of message; each has its own template code and switch in the settings. */
export const SMS_KINDS = [
  // To the reporter who gave a mobile number.
  'reporter-accepted',
  'reporter-dispatched',
  'reporter-closed',
  // To a unit's duty phones.
  'unit-dispatch',
  'unit-reminder',
  'unit-overdue',
  // A one-time code the resident asked for (looking up their reports by number).
  'lookup-code',
] as const;
export type SmsKind = (typeof SMS_KINDS)[number];

export type SmsAudience = 'reporter' | 'unit' | 'lookup';

export interface NewSms {
  kind: SmsKind;
  audience: SmsAudience;
  /** A number as given; only a mainland mobile number (11 digits from 1) gets a message. */
  to: string;
  ticketId?: number | null;
  unitCode?: string | null;
  /** The template's parameters, e.g. { code: 'AC3K7M9X6' }. */
  params: Record<string, string>;
  /** The message as the recipient will read it (console, outbox file). */
  text: string;
  /** May be sent in the night-time quiet hours. */
  urgent?: boolean;
}

/** 11 digits from 1: a mainland mobile number, the only kind a text message reaches. */
export function mobileNumber(raw: string | null | undefined): string | null {
  if (!raw) return null;
  const digits = normalizePhone(raw);
  return /^1[3-9]\d{9}$/.test(digits) ? digits : null;
}

/**
 * Queues a message in the caller's transaction and returns its id, or null when the number is no
 * mobile number (a landline, nothing) — so callers can pass what the reporter gave as it is.
 */
export async function enqueueSms(db: Db, sms: NewSms, now: Date): Promise<{ id: number } | null> {
  const to = mobileNumber(sms.to);
  if (!to) return null;
  const at = now.toISOString();
  const row = await db
    .insertInto('sms_outbox')
    .values({
      kind: sms.kind,
      audience: sms.audience,
      ticket_id: sms.ticketId ?? null,
      unit_code: sms.unitCode ?? null,
      recipient: to,
      params: JSON.stringify(sms.params),
      text: sms.text,
      urgent: sms.urgent ? 1 : 0,
      created_at: at,
      status: 'pending',
      attempts: 0,
      next_attempt_at: at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: Number(row.id) };
}

export type SmsStatus = 'pending' | 'sent' | 'failed' | 'skipped';
export type SmsHoldReason = 'quiet-hours' | 'number-cap' | 'daily-budget';

/** A message as the console shows it (the number in full: the console masks it). */
export interface SmsRecord {
  id: number;
  kind: string;
  audience: string;
  ticketId: number | null;
  trackingCode: string | null;
  unitCode: string | null;
  /** Null once the retention purge cleared it. */
  to: string | null;
  text: string;
  createdAt: string;
  status: SmsStatus;
  attempts: number;
  nextAttemptAt: string;
  holdReason: SmsHoldReason | null;
  lastError: string | null;
  sentAt: string | null;
  response: string | null;
}

export interface SmsFilter {
  ticketId?: number;
  trackingCode?: string;
  statuses?: readonly SmsStatus[];
  kind?: string;
  /** Newest first; at most this many (default 100). */
  limit?: number;
}

export async function listSms(db: Db, filter: SmsFilter = {}): Promise<SmsRecord[]> {
  let query = db
    .selectFrom('sms_outbox')
    .leftJoin('tickets', 'tickets.id', 'sms_outbox.ticket_id')
    .select([
      'sms_outbox.id',
      'sms_outbox.kind',
      'sms_outbox.audience',
      'sms_outbox.ticket_id',
      'tickets.tracking_code',
      'sms_outbox.unit_code',
      'sms_outbox.recipient',
      'sms_outbox.text',
      'sms_outbox.created_at',
      'sms_outbox.status',
      'sms_outbox.attempts',
      'sms_outbox.next_attempt_at',
      'sms_outbox.hold_reason',
      'sms_outbox.last_error',
      'sms_outbox.sent_at',
      'sms_outbox.response',
    ]);
  if (filter.ticketId !== undefined) query = query.where('sms_outbox.ticket_id', '=', filter.ticketId);
  if (filter.trackingCode !== undefined) query = query.where('tickets.tracking_code', '=', filter.trackingCode);
  if (filter.statuses) query = query.where('sms_outbox.status', 'in', [...filter.statuses]);
  if (filter.kind) query = query.where('sms_outbox.kind', '=', filter.kind);
  const rows = await query
    .orderBy('sms_outbox.id', 'desc')
    .limit(filter.limit ?? 100)
    .execute();
  return rows.map((r) => ({
    id: Number(r.id),
    kind: r.kind,
    audience: r.audience,
    ticketId: r.ticket_id === null ? null : Number(r.ticket_id),
    trackingCode: r.tracking_code ?? null,
    unitCode: r.unit_code,
    to: r.recipient,
    text: r.text,
    createdAt: r.created_at,
    status: r.status as SmsStatus,
    attempts: Number(r.attempts),
    nextAttemptAt: r.next_attempt_at,
    holdReason: r.hold_reason as SmsHoldReason | null,
    lastError: r.last_error,
    sentAt: r.sent_at,
    response: r.response,
  }));
}

/** A failed or skipped message gets a fresh series of attempts (the office fixed the cause). */
export async function requeueSms(db: Db, id: number, now: Date): Promise<boolean> {
  const result = await db
    .updateTable('sms_outbox')
    .set({ status: 'pending', attempts: 0, next_attempt_at: now.toISOString(), claimed_until: null, hold_reason: null })
    .where('id', '=', id)
    .where('status', 'in', ['failed', 'skipped'])
    .where('recipient', 'is not', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

// ——— For the delivery worker (sms-delivery.ts) ———

export interface DueSms {
  id: number;
  kind: string;
  audience: string;
  to: string;
  params: Record<string, string>;
  text: string;
  urgent: boolean;
  trackingCode: string | null;
  attempts: number;
  claimedUntil: string | null;
}

async function dueSms(db: Db, now: Date, limit: number): Promise<DueSms[]> {
  const rows = await dueSmsQuery(db, now, limit).execute();
  return rows.map(toDueSms);
}

function dueSmsQuery(db: Db, now: Date, limit: number) {
  const at = now.toISOString();
  return db
    .selectFrom('sms_outbox')
    .leftJoin('tickets', 'tickets.id', 'sms_outbox.ticket_id')
    .select([
      'sms_outbox.id',
      'sms_outbox.kind',
      'sms_outbox.audience',
      'sms_outbox.recipient',
      'sms_outbox.params',
      'sms_outbox.text',
      'sms_outbox.urgent',
      'tickets.tracking_code',
      'sms_outbox.attempts',
      'sms_outbox.claimed_until',
    ])
    .where('sms_outbox.status', '=', 'pending')
    .where('sms_outbox.next_attempt_at', '<=', at)
    .where('sms_outbox.recipient', 'is not', null)
    .where((eb) => eb.or([eb('sms_outbox.claimed_until', 'is', null), eb('sms_outbox.claimed_until', '<=', at)]))
    .orderBy('sms_outbox.urgent', 'desc')
    .orderBy('sms_outbox.next_attempt_at')
    .orderBy('sms_outbox.id')
    .limit(limit);
}

type DueSmsRow = Awaited<ReturnType<ReturnType<typeof dueSmsQuery>['execute']>>[number];

function toDueSms(r: DueSmsRow): DueSms {
  return {
    id: Number(r.id),
    kind: r.kind,
    audience: r.audience,
    to: r.recipient!,
    params: JSON.parse(r.params) as Record<string, string>,
    text: r.text,
    urgent: Number(r.urgent) === 1,
    trackingCode: r.tracking_code ?? null,
    attempts: Number(r.attempts),
    claimedUntil: r.claimed_until,
  };
}

export interface ClaimedSms extends DueSms {
  /** The claim token (claimed_until) the outcome's update must match. */
  claim: string;
}

/**
 * Claims up to `limit` due messages (urgent first, then oldest) for this worker until
 * `leaseUntil`; should the worker die, they are due again then. On PostgreSQL one short
 * transaction selects them `FOR UPDATE SKIP LOCKED` (rows another worker is claiming are passed
 * over) and marks them claimed; on SQLite (one writer) each is taken with claimSms's conditional update.
 */
export async function claimDueSms(
  db: Kysely<Database>,
  dialect: Dialect,
  now: Date,
  limit: number,
  leaseUntil: Date,
): Promise<ClaimedSms[]> {
  const claim = leaseUntil.toISOString();
  if (dialect === 'sqlite') {
    // Another worker may have taken every row read: read again (those are no longer due) until
    // some are ours or none are due — an empty answer means the queue is drained.
    for (;;) {
      const due = await dueSms(db, now, limit);
      const claimed: ClaimedSms[] = [];
      for (const sms of due) {
        if (await claimSms(db, sms, leaseUntil)) claimed.push({ ...sms, claim });
      }
      if (claimed.length > 0 || due.length === 0) return claimed;
    }
  }
  return db.transaction().execute(async (trx) => {
    const rows = await dueSmsQuery(trx, now, limit).forUpdate('sms_outbox').skipLocked().execute();
    if (rows.length === 0) return [];
    await trx
      .updateTable('sms_outbox')
      .set({ claimed_until: claim })
      .where(
        'id',
        'in',
        rows.map((r) => r.id),
      )
      .execute();
    return rows.map((r) => ({ ...toDueSms(r), claim }));
  });
}

/**
 * Takes a due message for this worker until `leaseUntil`. The update matches the row as it was
 * read, so of two workers reading one message exactly one gets it; should the worker die while
 * sending, the message is due again when the claim expires. Returns the claim token, or null.
 */
async function claimSms(db: Db, sms: DueSms, leaseUntil: Date): Promise<string | null> {
  const token = leaseUntil.toISOString();
  let query = db
    .updateTable('sms_outbox')
    .set({ claimed_until: token })
    .where('id', '=', sms.id)
    .where('status', '=', 'pending')
    .where('attempts', '=', sms.attempts);
  query = sms.claimedUntil === null ? query.where('claimed_until', 'is', null) : query.where('claimed_until', '=', sms.claimedUntil);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows) === 1 ? token : null;
}

export async function markSmsSent(db: Db, id: number, at: Date, response: string): Promise<void> {
  // Unconditional: the provider took the message, whatever happened to the claim meanwhile.
  await db
    .updateTable('sms_outbox')
    .set((eb) => ({
      status: 'sent',
      sent_at: at.toISOString(),
      response: response.slice(0, 1000),
      last_error: null,
      hold_reason: null,
      claimed_until: null,
      attempts: eb('attempts', '+', 1),
    }))
    .where('id', '=', id)
    .execute();
}

/** A failed attempt: another try at `retryAt`, or none (status 'failed') when null. */
export async function markSmsAttemptFailed(db: Db, id: number, claim: string, error: string, retryAt: Date | null): Promise<void> {
  await db
    .updateTable('sms_outbox')
    .set((eb) => ({
      last_error: error.slice(0, 1000),
      attempts: eb('attempts', '+', 1),
      claimed_until: null,
      hold_reason: null,
      ...(retryAt ? { next_attempt_at: retryAt.toISOString() } : { status: 'failed' }),
    }))
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .where('claimed_until', '=', claim)
    .execute();
}

/** Holds a claimed message until `until` without counting an attempt (quiet hours, a cap). */
export async function holdSms(db: Db, id: number, claim: string, reason: SmsHoldReason, until: Date): Promise<void> {
  await db
    .updateTable('sms_outbox')
    .set({ hold_reason: reason, next_attempt_at: until.toISOString(), claimed_until: null })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .where('claimed_until', '=', claim)
    .execute();
}

/** Gives up on a claimed message without sending it (status 'skipped', the reason in last_error). */
export async function skipSms(db: Db, id: number, claim: string, reason: string): Promise<void> {
  await db
    .updateTable('sms_outbox')
    .set({ status: 'skipped', last_error: reason.slice(0, 1000), claimed_until: null, hold_reason: null })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .where('claimed_until', '=', claim)
    .execute();
}

/** Messages sent since `since` (ISO): to `to` when given, else by the whole deployment. */
export async function countSmsSent(db: Db, since: string, to?: string): Promise<number> {
  let query = db
    .selectFrom('sms_outbox')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('status', '=', 'sent')
    .where('sent_at', '>=', since);
  if (to !== undefined) query = query.where('recipient_hash', 'in', lookupHashes(db, 'phone', to));
  const row = await query.executeTakeFirst();
  return Number(row?.n ?? 0);
}
