// The SMS outbox (migration 022), beside the mail outbox: a text message is a row written in the
// transaction of the change that causes it, delivered later by the worker. All the outbox's SQL.
// Returns plain objects; no row type leaves this file.
import type { Kysely, Transaction } from 'kysely';
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
