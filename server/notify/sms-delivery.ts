// Delivers the SMS outbox (sms-outbox-repository.ts), in the worker like mail (mail-delivery.ts):
// claims the due messages a batch at a time (two workers never send one message: FOR UPDATE SKIP
// LOCKED on PostgreSQL), up to `concurrency` in flight and `maxPerPass` per run, and for each —
//   • a kind switched off (SMS_KINDS_OFF): skipped, with the reason;
//   • a non-urgent message to a resident in the quiet hours (22:00–08:00 China time): held until
//     they end, no attempt counted;
//   • the daily budget of the deployment, or (residents and one-time codes) the number's daily
//     cap, reached: held until the next China day (residents: until the quiet hours end then); a
//     one-time code is skipped instead — the resident waiting for it cannot use it tomorrow;
//   • otherwise sent: the provider's BizId/RequestId recorded (or the outbox-file line), or
//     another attempt later with back-off (1, 2, 4 … minutes, at most an hour), or — after
//     `maxAttempts`, or a refusal no retry changes — failed, shown to the office, requeueable.
// Log lines carry masked numbers only (138****5678).
// The caps are counted with the messages this process is sending at that moment, and a message's
// check and its "sent" mark never interleave with another's, so sending several at once cannot
// pass a cap (two worker processes at once may, by at most what each has in flight).
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/schema.ts';
import { maskPhone } from '../tickets/phone.ts';
import type { WorkerLog } from '../worker/scheduler.ts';
import { retryDelayMs } from './mail-delivery.ts';
import { appendOutboxLine, smsOutboxFile } from './sms-outbox-file.ts';
import type { Dialect } from '../db/database.ts';
import { drainQueue } from '../worker/drain-queue.ts';
import {
  claimDueSms,
  countSmsSent,
  holdSms,
  markSmsAttemptFailed,
  markSmsSent,
  skipSms,
  type DueSms,
  type SmsKind,
} from './sms-outbox-repository.ts';
import { createAliyunSmsProvider, SmsProviderError, type SmsProvider } from './sms-provider.ts';
import { DAY_MS } from '../china-time.ts';
import { chinaDayStartOf, inQuietHours, quietHoursEnd } from './sms-schedule.ts';
import type { SmsSettings } from './sms-settings.ts';

const HOUR_MS = 3600_000;

export interface SmsDeliveryOptions {
  db: Kysely<Database>;
  clock: Clock;
  settings: SmsSettings;
  dataDir: string;
  /** The provider; by default the one the settings name (null: the outbox file). */
  provider?: SmsProvider | null;
  /** Attempts before a message is marked failed (default 8: about two hours of trying). */
  maxAttempts?: number;
  /** The database's dialect: 'postgres' claims with FOR UPDATE SKIP LOCKED (default 'sqlite': conditional updates). */
  dialect?: Dialect;
  /** Messages sent at once, at most (SMS_CONCURRENCY, default 4). */
  concurrency?: number;
  /** Messages taken in one run, at most (SMS_MAX_PER_PASS, default 500). */
  maxPerPass?: number;
  /** Messages claimed at once (default four times the concurrency). */
  batchSize?: number;
  /** How long a claim holds a message (OUTBOX_CLAIM_SECONDS; default 15 minutes). */
  claimMs?: number;
  log?: WorkerLog;
}

export interface SmsDeliveryRun {
  sent: number;
  failed: number;
  retried: number;
  /** Held for the quiet hours or a cap (no attempt counted). */
  held: number;
  skipped: number;
}

export interface SmsDelivery {
  /** 'aliyun' or 'outbox-file', for the start-up log. */
  readonly kind: 'aliyun' | 'outbox-file';
  runOnce(): Promise<SmsDeliveryRun>;
}

/** By default longer than a provider call may take (its timeout is 15 s): a message is sent twice only if its worker died mid-send. */
const DEFAULT_CLAIM_MS = 15 * 60_000;

export function createSmsDelivery(options: SmsDeliveryOptions): SmsDelivery {
  const { db, clock, settings } = options;
  const provider =
    options.provider !== undefined ? options.provider : settings.provider ? createAliyunSmsProvider(settings.provider) : null;
  const file = smsOutboxFile(options.dataDir);
  const maxAttempts = options.maxAttempts ?? 8;
  const dialect = options.dialect ?? 'sqlite';
  const concurrency = options.concurrency ?? 4;
  const maxPerPass = options.maxPerPass ?? 500;
  // A few rounds of sends at a time: the last of a batch is sent well within its claim even when
  // every conversation runs into the transport's timeouts (about two minutes each at worst).
  const batchSize = options.batchSize ?? concurrency * 4;
  const claimMs = options.claimMs ?? DEFAULT_CLAIM_MS;
  const log = options.log;

  // Messages this process is sending now (taken by the cap check, given back with the outcome).
  let inFlight = 0;
  const inFlightTo = new Map<string, number>();
  // The cap checks and the outcomes of sends run one at a time, so a check never counts a message
  // both as sent and as in flight, nor misses one that is in neither yet.
  let gate: Promise<unknown> = Promise.resolve();
  function exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = gate.then(work);
    gate = run.catch(() => {});
    return run;
  }
  function take(to: string): void {
    inFlight++;
    inFlightTo.set(to, (inFlightTo.get(to) ?? 0) + 1);
  }
  function giveBack(to: string): void {
    inFlight--;
    const n = (inFlightTo.get(to) ?? 1) - 1;
    if (n > 0) inFlightTo.set(to, n);
    else inFlightTo.delete(to);
  }

  async function send(sms: DueSms): Promise<string> {
    const template = settings.templates[sms.kind as SmsKind] ?? sms.kind;
    if (!provider) {
      await appendOutboxLine(file, {
        to: sms.to,
        template,
        params: sms.params,
        text: sms.text,
        kind: sms.kind,
        trackingCode: sms.trackingCode,
      });
      return `written to ${file}`;
    }
    const receipt = await provider.send({ phone: sms.to, signName: settings.signName, templateCode: template, templateParam: sms.params });
    return JSON.stringify({ BizId: receipt.bizId, RequestId: receipt.requestId });
  }

  /** Why this message must wait now, and until when; null when it may go. */
  async function hold(sms: DueSms, now: Date): Promise<{ reason: 'quiet-hours' | 'number-cap' | 'daily-budget'; until: Date } | null> {
    const resident = sms.audience === 'reporter';
    if (resident && !sms.urgent && inQuietHours(now, settings.quietHours)) {
      return { reason: 'quiet-hours', until: quietHoursEnd(now, settings.quietHours) };
    }
    const dayStart = chinaDayStartOf(now).toISOString();
    // Residents' messages resume when tomorrow's night-time quiet hours end; units' at midnight.
    const { from, to } = settings.quietHours;
    const tomorrow = new Date(chinaDayStartOf(now).getTime() + DAY_MS + (resident && from > to ? to * HOUR_MS : 0));
    if ((await countSmsSent(db, dayStart)) + inFlight >= settings.dailyBudget) return { reason: 'daily-budget', until: tomorrow };
    if (sms.audience !== 'unit' && (await countSmsSent(db, dayStart, sms.to)) + (inFlightTo.get(sms.to) ?? 0) >= settings.perNumberPerDay) {
      return { reason: 'number-cap', until: tomorrow };
    }
    return null;
  }

  async function deliver(sms: DueSms, claim: string, outcome: SmsDeliveryRun): Promise<void> {
    const now = clock.now();
    const masked = maskPhone(sms.to) ?? '';
    if (settings.kindsOff.includes(sms.kind as SmsKind)) {
      await skipSms(db, sms.id, claim, `该类短信已关闭（SMS_KINDS_OFF=${sms.kind}）`);
      outcome.skipped++;
      return;
    }
    const wait = await exclusive(async () => {
      const reason = await hold(sms, now);
      if (!reason) take(sms.to);
      return reason;
    });
    if (wait && sms.kind === 'lookup-code' && wait.reason !== 'quiet-hours') {
      await skipSms(db, sms.id, claim, wait.reason === 'number-cap' ? '该号码今日短信已达上限' : '今日短信总量已达上限');
      log?.info(`[sms] #${sms.id} to ${masked} skipped: ${wait.reason}`);
      outcome.skipped++;
      return;
    }
    if (wait) {
      await holdSms(db, sms.id, claim, wait.reason, wait.until);
      outcome.held++;
      return;
    }
    const attempt = sms.attempts + 1;
    let response: string;
    try {
      response = await send(sms);
    } catch (error) {
      await exclusive(async () => giveBack(sms.to));
      const permanent = error instanceof SmsProviderError && error.permanent;
      const giveUp = attempt >= maxAttempts || permanent;
      const retryAt = giveUp ? null : new Date(clock.now().getTime() + retryDelayMs(attempt));
      const message = error instanceof Error ? error.message : String(error);
      await markSmsAttemptFailed(db, sms.id, claim, message, retryAt);
      log?.info(`[sms] #${sms.id} (${sms.kind}) to ${masked}: attempt ${attempt} failed${giveUp ? ', given up' : ''}: ${message}`);
      if (giveUp) outcome.failed++;
      else outcome.retried++;
      return;
    }
    await exclusive(async () => {
      try {
        await markSmsSent(db, sms.id, clock.now(), response);
      } finally {
        giveBack(sms.to);
      }
    });
    outcome.sent++;
  }

  return {
    kind: provider ? 'aliyun' : 'outbox-file',
    async runOnce() {
      const outcome: SmsDeliveryRun = { sent: 0, failed: 0, retried: 0, held: 0, skipped: 0 };
      // Due as of the run's start: a message held or retried now waits for a later run.
      const now = clock.now();
      await drainQueue({
        claim: (limit) => claimDueSms(db, dialect, now, limit, new Date(clock.now().getTime() + claimMs)),
        handle: (sms) => deliver(sms, sms.claim, outcome),
        concurrency,
        maxItems: maxPerPass,
        batchSize,
      });
      return outcome;
    },
  };
}
