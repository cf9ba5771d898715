// Looking up one's tickets by mobile number (issue 15, item 5), for a resident who lost the
// tracking codes. Two steps, no session: (1) the number → a 6-digit one-time code by SMS, valid
// CODE_VALID_MINUTES; (2) the number and the code → the list of that number's tickets (code,
// category, status, date — never a description or anyone's data). A code lists once; after
// MAX_TRIES codes tried against it, even the right one is refused.
//
// Nothing tells whether a number reported anything: a code row is written for every request, but
// the SMS goes out only to a number tied to a ticket — the answer, the throttles and the wrong-code
// refusals are the same either way. Requests are throttled per number (an hour, a day) and per
// client address (THROTTLE_LOOKUP_*). Landlines get no code: they cannot receive a text message.
import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Catalog } from '../catalog/types.ts';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/schema.ts';
import { lookupHash } from '../db/personal-data.ts';
import type { WriteBatcher } from '../db/write-batcher.ts';
import { ConflictError, InvalidInputError, TooManyRequestsError } from '../errors.ts';
import { enqueueSms, mobileNumber } from '../notify/sms-outbox-repository.ts';
import { statusLabel, type Status } from '../tickets/lifecycle.ts';
import { maskPhone } from '../tickets/phone.ts';
import { waitText, type Taken, type ThrottleScope, type Throttles } from '../throttle/throttles.ts';
import {
  deleteCodesExpiredBefore,
  hasTickets,
  latestCode,
  replaceCode,
  takeTry,
  ticketsOfPhone,
  useCode,
  type LookupCodeRecord,
} from './phone-lookup-repository.ts';

const CODE_VALID_MINUTES = 10;
const MAX_TRIES = 5;
/** An expired code is kept this long (step 2 then says "expired", not "ask for a code"), then deleted. */
const KEEP_EXPIRED_MS = 60 * 60_000;
/** More than any resident has; the list says so when it is cut. */
const MAX_TICKETS = 100;

export interface PhoneLookupDeps {
  db: Kysely<Database>;
  writes: WriteBatcher;
  catalog: Catalog;
  clock: Clock;
  throttles: Throttles;
  /** False when the deployment switched the one-time code's text off (SMS_KINDS_OFF=lookup-code): nothing could reach the resident. */
  codesSent?: boolean;
}

/** What step 1 answers, the same whether or not the number reported anything. */
export interface LookupCodeRequested {
  /** The number as digits, for step 2's form. */
  phone: string;
  /** 138****5678, to show. */
  maskedPhone: string;
  validMinutes: number;
}

export interface PhoneTicket {
  trackingCode: string;
  status: Status;
  statusLabel: string;
  /** The category's name; null while the office has not set one. */
  category: string | null;
  createdAt: string;
}

export interface PhoneTickets {
  maskedPhone: string;
  tickets: PhoneTicket[];
  /** More tickets than the list shows. */
  truncated: boolean;
}

function hashCode(salt: string, phone: string, code: string): string {
  return createHash('sha256').update(`${salt}:${phone}:${code}`).digest('hex');
}

/** "1小时", "24小时", "10分钟": a window in the words of a refusal. */
function windowText(ms: number): string {
  return ms % 3_600_000 === 0 ? `${ms / 3_600_000}小时` : waitText(Math.round(ms / 1000));
}

/** How long to wait, in hours past two hours (a day's limit). */
function longWaitText(seconds: number): string {
  return seconds >= 7200 ? `${Math.ceil(seconds / 3600)}小时` : waitText(seconds);
}

function phoneOf(raw: string): string {
  const text = raw.trim();
  if (!text) throw new InvalidInputError('请填写手机号码', { phone: '请填写手机号码' });
  const phone = mobileNumber(text);
  if (!phone) {
    const message = '请填写11位手机号码，例如 13812345678。座机收不到短信验证码';
    throw new InvalidInputError(message, { phone: message });
  }
  return phone;
}

/** Why a code can no longer list anything, or null while it is open. */
function closedReason(code: LookupCodeRecord | null, now: string): string | null {
  if (!code) return '请先获取验证码。';
  if (code.usedAt) return '这个验证码已经用过了：每个验证码只能查询一次。请重新获取验证码。';
  if (code.expiresAt <= now) return `验证码已过期（${CODE_VALID_MINUTES}分钟内有效），请重新获取验证码。`;
  if (code.tries >= MAX_TRIES) return `验证码输错${MAX_TRIES}次，已经作废，请重新获取验证码。`;
  return null;
}

/**
 * Deletes the codes expired over an hour ago (worker housekeeping): their rows hold a number, and
 * a request deletes them only when another request comes.
 */
export function sweepLookupCodes(db: Kysely<Database>, now: Date): Promise<number> {
  return deleteCodesExpiredBefore(db, new Date(now.getTime() - KEEP_EXPIRED_MS).toISOString());
}

export function createPhoneLookup(deps: PhoneLookupDeps) {
  const { db, writes, catalog, clock, throttles } = deps;

  const refusals: Record<'lookup-address' | 'lookup-number' | 'lookup-number-day', (wait: string) => string> = {
    'lookup-address': (wait) => {
      const { count, windowMs } = throttles.limits['lookup-address'];
      return `同一网络获取验证码太频繁了：${windowText(windowMs)}内最多${count}次，请${wait}后再试。`;
    },
    'lookup-number': (wait) => {
      const { count, windowMs } = throttles.limits['lookup-number'];
      return `这个号码获取验证码太频繁了：${windowText(windowMs)}内最多${count}次，请${wait}后再试。`;
    },
    'lookup-number-day': (wait) => {
      const { count, windowMs } = throttles.limits['lookup-number-day'];
      return `这个号码获取验证码的次数已经用完：${windowText(windowMs)}内最多${count}次，请${wait}后再试。`;
    },
  };

  /** Takes a count in each scope in turn; a refusal gives back the counts already taken. */
  async function takeAll(takes: Array<[ThrottleScope & keyof typeof refusals, string]>): Promise<void> {
    const taken: Array<Extract<Taken, { allowed: true }>> = [];
    for (const [scope, key] of takes) {
      const result = await throttles.take(scope, key);
      if (!result.allowed) {
        for (const t of taken) await t.release();
        throw new TooManyRequestsError(refusals[scope](longWaitText(result.retryAfterSeconds)), result.retryAfterSeconds);
      }
      taken.push(result);
    }
  }

  /** Step 1: a code for the number, sent by SMS if the number is tied to a ticket. */
  async function requestCode(rawPhone: string, client: string): Promise<LookupCodeRequested> {
    if (deps.codesSent === false) {
      throw new ConflictError('本平台没有开通短信验证码，暂时不能用手机号查询。请拨打创城热线，工作人员会帮您查找。');
    }
    const phone = phoneOf(rawPhone);
    // The counters are kept by the number's keyed hash: the throttle table holds no number (ADR 019).
    const numberKey = lookupHash(deps.db, 'phone', phone);
    await takeAll([
      ['lookup-address', client],
      ['lookup-number', numberKey],
      ['lookup-number-day', numberKey],
    ]);
    const now = clock.now();
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    const salt = randomBytes(16).toString('hex');
    await writes.run(async (trx) => {
      await replaceCode(
        trx,
        {
          phone,
          codeHash: hashCode(salt, phone, code),
          salt,
          createdAt: now.toISOString(),
          expiresAt: new Date(now.getTime() + CODE_VALID_MINUTES * 60_000).toISOString(),
        },
        new Date(now.getTime() - KEEP_EXPIRED_MS).toISOString(),
      );
      if (!(await hasTickets(trx, phone))) return;
      await enqueueSms(
        trx,
        {
          kind: 'lookup-code',
          audience: 'lookup',
          to: phone,
          params: { code },
          text: `您查询反映记录的验证码是${code}，${CODE_VALID_MINUTES}分钟内有效，只能使用一次。请勿告诉他人；如非本人操作，请忽略。`,
          urgent: true,
        },
        now,
      );
    });
    return { phone, maskedPhone: maskPhone(phone) ?? '', validMinutes: CODE_VALID_MINUTES };
  }

  /** Step 2: the number's tickets for the right code, once. */
  async function listTickets(rawPhone: string, rawCode: string): Promise<PhoneTickets> {
    const phone = phoneOf(rawPhone);
    const given = rawCode.replace(/\s/g, '');
    if (!/^\d{6}$/.test(given)) {
      const message = given ? '验证码是6位数字，请对照短信重新填写' : '请填写短信里的6位验证码';
      throw new InvalidInputError(message, { code: message });
    }
    const now = clock.now().toISOString();
    const code = await latestCode(db, phone);
    const closed = closedReason(code, now);
    if (closed || !code) throw new ConflictError(closed ?? '请先获取验证码。');
    const tries = await writes.run((trx) => takeTry(trx, code.id, now, MAX_TRIES));
    if (tries === null) {
      throw new ConflictError(closedReason(await latestCode(db, phone), now) ?? '请重新获取验证码。');
    }
    const right = timingSafeEqual(Buffer.from(hashCode(code.salt, phone, given), 'hex'), Buffer.from(code.codeHash, 'hex'));
    if (!right) {
      const left = MAX_TRIES - tries;
      if (left <= 0) throw new ConflictError(`验证码输错${MAX_TRIES}次，已经作废，请重新获取验证码。`);
      const message = `验证码不对，请对照短信重新填写（还可以再试${left}次）`;
      throw new InvalidInputError(message, { code: message });
    }
    if (!(await writes.run((trx) => useCode(trx, code.id, now)))) {
      throw new ConflictError('这个验证码已经用过了：每个验证码只能查询一次。请重新获取验证码。');
    }
    const rows = await ticketsOfPhone(db, phone, MAX_TICKETS + 1);
    const tickets = rows.slice(0, MAX_TICKETS).map((r) => {
      const status = r.status as Status;
      return {
        trackingCode: r.trackingCode,
        status,
        statusLabel: statusLabel(status),
        category: r.categoryCode ? (catalog.category(r.categoryCode)?.name ?? null) : null,
        createdAt: r.createdAt,
      };
    });
    return { maskedPhone: maskPhone(phone) ?? '', tickets, truncated: rows.length > MAX_TICKETS };
  }

  return { requestCode, listTickets };
}
