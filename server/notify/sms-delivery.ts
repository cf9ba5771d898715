// Delivers the SMS outbox (sms-outbox-repository.ts), in the worker like mail (mail-delivery.ts):
// takes the due messages, claims each (two workers never send one message), and then —
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
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/schema.ts';
import { maskPhone } from '../tickets/phone.ts';
import type { WorkerLog } from '../worker/scheduler.ts';
import { retryDelayMs } from './mail-delivery.ts';
import { appendOutboxLine, smsOutboxFile } from './sms-outbox-file.ts';
import {
  claimSms,
  countSmsSent,
  dueSms,
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
  /** Messages taken per run (default 20). */
  batchSize?: number;
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

/** Longer than a provider call may take (its timeout is 15 s): a message is sent twice only if its worker died mid-send. */
const CLAIM_MS = 15 * 60_000;

export function createSmsDelivery(options: SmsDeliveryOptions): SmsDelivery {
  const { db, clock, settings } = options;
  const provider =
    options.provider !== undefined ? options.provider : settings.provider ? createAliyunSmsProvider(settings.provider) : null;
  const file = smsOutboxFile(options.dataDir);
  const maxAttempts = options.maxAttempts ?? 8;
  const batchSize = options.batchSize ?? 20;
  const log = options.log;

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
    if ((await countSmsSent(db, dayStart)) >= settings.dailyBudget) return { reason: 'daily-budget', until: tomorrow };
    if (sms.audience !== 'unit' && (await countSmsSent(db, dayStart, sms.to)) >= settings.perNumberPerDay) {
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
    const wait = await hold(sms, now);
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
    try {
      const response = await send(sms);
      await markSmsSent(db, sms.id, clock.now(), response);
      outcome.sent++;
    } catch (error) {
      const permanent = error instanceof SmsProviderError && error.permanent;
      const giveUp = attempt >= maxAttempts || permanent;
      const retryAt = giveUp ? null : new Date(clock.now().getTime() + retryDelayMs(attempt));
      const message = error instanceof Error ? error.message : String(error);
      await markSmsAttemptFailed(db, sms.id, claim, message, retryAt);
      log?.info(`[sms] #${sms.id} (${sms.kind}) to ${masked}: attempt ${attempt} failed${giveUp ? ', given up' : ''}: ${message}`);
      if (giveUp) outcome.failed++;
      else outcome.retried++;
    }
  }

  return {
    kind: provider ? 'aliyun' : 'outbox-file',
    async runOnce() {
      const outcome: SmsDeliveryRun = { sent: 0, failed: 0, retried: 0, held: 0, skipped: 0 };
      const now = clock.now();
      for (const sms of await dueSms(db, now, batchSize)) {
        const claim = await claimSms(db, sms, new Date(now.getTime() + CLAIM_MS));
        if (claim) await deliver(sms, claim, outcome);
      }
      return outcome;
    },
  };
}
