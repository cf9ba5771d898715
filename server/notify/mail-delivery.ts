// Delivers the outbox (mail-outbox-repository.ts). Runs in the worker, never in a request: a mail server
// that is slow or down delays mail and nothing else. Each run takes the due mails, claims each
// one (so two workers never send the same mail), sends it, and records the outcome: sent with
// the server's answer, or another attempt later with exponential back-off, or — after
// `maxAttempts`, or when the server refuses the recipients outright — failed, which the office
// sees in the console and can requeue.
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/schema.ts';
import { claimMail, dueMail, markAttemptFailed, markSent, type DueMail } from './mail-outbox-repository.ts';
import type { MailTransport } from './mail-transport.ts';

export interface MailDeliveryOptions {
  db: Kysely<Database>;
  transport: MailTransport;
  clock: Clock;
  /** The From header, e.g. `"临城县创城办" <noreply@example.org>` (MAIL_FROM). */
  from: string;
  /** Attempts before a mail is marked failed (default 12: about six hours of trying). */
  maxAttempts?: number;
  /** Mails taken per run (default 20), so one run stays short. */
  batchSize?: number;
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
/**
 * How long a claim holds a mail. Longer than any one SMTP conversation can take (the transport's
 * timeouts are seconds), so a mail is sent twice only if its worker died mid-send.
 */
const CLAIM_MS = 15 * MINUTE_MS;

/** 1, 2, 4, 8 … minutes after the n-th failed attempt, at most an hour. */
export function retryDelayMs(failedAttempts: number): number {
  return Math.min(60, 2 ** Math.max(0, failedAttempts - 1)) * MINUTE_MS;
}

export function createMailDelivery(options: MailDeliveryOptions): MailDelivery {
  const { db, transport, clock, from } = options;
  const maxAttempts = options.maxAttempts ?? 12;
  const batchSize = options.batchSize ?? 20;

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
      const now = clock.now();
      for (const mail of await dueMail(db, now, batchSize)) {
        const claim = await claimMail(db, mail, new Date(now.getTime() + CLAIM_MS));
        if (claim) await deliver(mail, claim, outcome);
      }
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
