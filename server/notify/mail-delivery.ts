// Delivers the outbox (mail-outbox-repository.ts). Runs in the worker, never in a request: a mail server
// that is slow or down delays mail and nothing else. Each run claims the due mails a batch at a
// time (so two workers never send the same mail: FOR UPDATE SKIP LOCKED on PostgreSQL), sends up
// to `concurrency` at once (one slow SMTP answer holds up one lane, not the rest), and records
// each outcome: sent with the server's answer, or another attempt later with exponential
// back-off, or — after `maxAttempts`, or when the server refuses the recipients outright —
// failed, which the office sees in the console and can requeue. A run goes on until the outbox
// has nothing due or it took `maxPerPass` mails (MAIL_MAX_PER_PASS), so a pass ends.
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.ts';
import type { Dialect } from '../db/database.ts';
import type { Database } from '../db/schema.ts';
import { drainQueue } from '../worker/drain-queue.ts';
import { claimDueMail, markAttemptFailed, markSent, type DueMail } from './mail-outbox-repository.ts';
import type { MailTransport } from './mail-transport.ts';

export interface MailDeliveryOptions {
  db: Kysely<Database>;
  transport: MailTransport;
  clock: Clock;
  /** The From header, e.g. `"临城县创城办" <noreply@example.org>` (MAIL_FROM). */
  from: string;
  /** Attempts before a mail is marked failed (default 12: about six hours of trying). */
  maxAttempts?: number;
  /** The database's dialect: 'postgres' claims with FOR UPDATE SKIP LOCKED (default 'sqlite': conditional updates, right on both). */
  dialect?: Dialect;
  /** Mails sent at once, at most (MAIL_CONCURRENCY, default 4). */
  concurrency?: number;
  /** Mails taken in one run, at most (MAIL_MAX_PER_PASS, default 500); the rest go in the next. */
  maxPerPass?: number;
  /** Mails claimed at once (default four times the concurrency). */
  batchSize?: number;
  /** How long a claim holds a mail (OUTBOX_CLAIM_SECONDS; default 15 minutes). */
  claimMs?: number;
}

export interface DeliveryRun {
  sent: number;
  /** Given up on in this run (status 'failed'). */
  failed: number;
  /** Failed this time, to be tried again later. */
  retried: number;
}

export interface MailDelivery {
  runOnce(): Promise<DeliveryRun>;
}

const MINUTE_MS = 60_000;
const DEFAULT_MAIL_CONCURRENCY = 4;
const DEFAULT_MAIL_MAX_PER_PASS = 500;
/**
 * How long a claim holds a mail by default. Longer than any one SMTP conversation can take (the transport's
 * timeouts are seconds), so a mail is sent twice only if its worker died mid-send.
 */
const DEFAULT_CLAIM_MS = 15 * MINUTE_MS;

/** 1, 2, 4, 8 … minutes after the n-th failed attempt, at most an hour. */
export function retryDelayMs(failedAttempts: number): number {
  return Math.min(60, 2 ** Math.max(0, failedAttempts - 1)) * MINUTE_MS;
}

export function createMailDelivery(options: MailDeliveryOptions): MailDelivery {
  const { db, transport, clock, from } = options;
  const maxAttempts = options.maxAttempts ?? 12;
  const dialect = options.dialect ?? 'sqlite';
  const concurrency = options.concurrency ?? DEFAULT_MAIL_CONCURRENCY;
  const maxPerPass = options.maxPerPass ?? DEFAULT_MAIL_MAX_PER_PASS;
  // A few rounds of sends at a time: the last of a batch is sent well within its claim even when
  // every conversation runs into the transport's timeouts (about two minutes each at worst).
  const batchSize = options.batchSize ?? concurrency * 4;
  const claimMs = options.claimMs ?? DEFAULT_CLAIM_MS;

  async function deliver(mail: DueMail, claim: string, outcome: DeliveryRun): Promise<void> {
    const attempt = mail.attempts + 1;
    try {
      const { to, subject, text, html, messageId } = mail;
      // The mailbox's acknowledgements answer a resident's mail (RFC 3834 'auto-replied').
      const autoSubmitted = mail.kind === 'mail-acknowledgement' ? ('auto-replied' as const) : ('auto-generated' as const);
      const response = await transport.send({ from, to, subject, text, html, messageId, date: clock.now(), autoSubmitted });
      await markSent(db, mail.id, clock.now(), response);
      outcome.sent++;
    } catch (error) {
      const giveUp = attempt >= maxAttempts || isPermanent(error);
      const retryAt = giveUp ? null : new Date(clock.now().getTime() + retryDelayMs(attempt));
      await markAttemptFailed(db, mail.id, claim, describe(error), retryAt);
      if (giveUp) outcome.failed++;
      else outcome.retried++;
    }
  }

  return {
    async runOnce() {
      const outcome: DeliveryRun = { sent: 0, failed: 0, retried: 0 };
      // Due as of the run's start: a mail that fails now and is due again in a minute waits for the next run.
      const now = clock.now();
      await drainQueue({
        claim: (limit) => claimDueMail(db, dialect, now, limit, new Date(clock.now().getTime() + claimMs)),
        handle: (mail) => deliver(mail, mail.claim, outcome),
        concurrency,
        maxItems: maxPerPass,
        batchSize,
      });
      return outcome;
    },
  };
}

interface SmtpError {
  code?: unknown;
  responseCode?: unknown;
}

/**
 * The server refused every recipient for good (5xx to RCPT TO: no such mailbox, say). Trying
 * again will not change that; the office must correct the address. Everything else — refused
 * connections, timeouts, 4xx "try later", even a refused login (someone may be fixing the
 * settings) — is worth another attempt.
 */
function isPermanent(error: unknown): boolean {
  const e = error as SmtpError;
  return e.code === 'EENVELOPE' && typeof e.responseCode === 'number' && e.responseCode >= 500 && e.responseCode < 600;
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const e = error as Error & SmtpError;
  const code = typeof e.code === 'string' ? `${e.code}: ` : '';
  return `${code}${e.message}`;
}
