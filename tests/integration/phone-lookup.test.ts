// Looking up one's tickets by mobile number (issue 15, item 5): a one-time code queued as an SMS,
// then the number's tickets — once, within 10 minutes, at most 5 tries — and the throttles per
// number and per client address. Through the tRPC router, on SQLite and PostgreSQL.
import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds } from '../support/databases.ts';
import { lookupHashes } from '../../server/db/personal-data.ts';
import { startTestPortal, type TestPortal } from '../support/portal.ts';
import { submitTicket } from '../support/ticket-factory.ts';
import { lastLookupCode, lookupCodesSentTo } from '../support/sms-codes.ts';
import { createHousekeeping } from '../../server/worker/housekeeping.ts';

const kinds = await databaseKinds();

const CROSSING = '人民路和府前街交叉口，机动车经过斑马线从来不礼让行人，老人过马路太危险了';
const MARKET = '东关菜市场门口的商贩把摊位摆到了马路中间，早上买菜的人和车堵在一起';
const GARBAGE = '建设路小区后门的垃圾桶已经三天没人清运了，气味很大，苍蝇很多';

async function rejection(promise: Promise<unknown>): Promise<TRPCError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TRPCError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

/** A code that is not `code` (six digits). */
function otherCode(code: string): string {
  return String((Number(code) + 1) % 1_000_000).padStart(6, '0');
}

describe.each(kinds)('lookup by mobile number on %s', (kind) => {
  let t: TestPortal;
  /** Tracking codes of the tickets of 13800138001, by any channel and however the number was written. */
  const mine: string[] = [];
  let othersCode = '';

  const smsCount = async () =>
    (await t.portal.database.db.selectFrom('sms_outbox').select('id').where('kind', '=', 'lookup-code').execute()).length;

  beforeAll(async () => {
    t = await startTestPortal(kind);
    const a = await submitTicket(t, { text: CROSSING, reporter: { name: '张大爷', phone: '+86 138-0013-8001' } });
    const b = await submitTicket(t, { text: MARKET, reporter: { phone: '13800138001' } });
    const c = await submitTicket(t, { text: GARBAGE, channel: 'hotline', reporter: { phone: '138 0013 8001' } });
    // A ticket of someone else's that this number joined with 我也遇到了 is theirs too.
    const clues = { category: 'compound.environment', pointId: 'compound-jinxiu' };
    const joined = await submitTicket(t, { text: '锦绣家园小区3号楼下垃圾成堆没人清理', ...clues, reporter: { phone: '13900139008' } });
    await t.caller().meToo.join({ ...clues, problem: joined.id, phone: '138 0013 8001', idempotencyKey: 'lookup-join-1' });
    mine.push(a.trackingCode, b.trackingCode, c.trackingCode, joined.trackingCode);
    othersCode = (await submitTicket(t, { text: MARKET, reporter: { phone: '13900139002' } })).trackingCode;
    await submitTicket(t, { text: GARBAGE, reporter: { phone: '0319-5551234' } });
    // Numbers with a ticket each, one per test below (the throttles count per number).
    for (const phone of ['13700137003', '13700137004', '13700137005', '13700137006', '13700137007']) {
      await submitTicket(t, { text: CROSSING, reporter: { phone } });
    }
  });
  afterAll(async () => {
    await t?.close();
  });

  it('queues one urgent SMS with a 6-digit code; the right code lists exactly that number’s tickets, once', async () => {
    const resident = t.caller({ ip: '198.51.100.101' });
    const answer = await resident.lookup.requestCode({ phone: '+86 138 0013 8001' });
    expect(answer).toEqual({ phone: '13800138001', maskedPhone: '138****8001', validMinutes: 10 });

    const sent = await lookupCodesSentTo(t.portal.database.db, '13800138001');
    expect(sent).toHaveLength(1);
    const [sms] = sent;
    expect(sms).toMatchObject({ audience: 'lookup', urgent: true });
    expect(sms!.code).toMatch(/^\d{6}$/);
    expect(sms!.text).toContain(sms!.code);
    expect(sms!.text).toContain('10分钟内有效');

    const list = await resident.lookup.tickets({ phone: '138-0013-8001', code: sms!.code });
    expect(list.maskedPhone).toBe('138****8001');
    expect(list.truncated).toBe(false);
    expect(list.tickets.map((x) => x.trackingCode).sort()).toEqual([...mine].sort());
    expect(list.tickets.map((x) => x.trackingCode)).not.toContain(othersCode);
    for (const ticket of list.tickets) {
      // Code, status, category and date: nothing of the description or the reporter.
      expect(Object.keys(ticket).sort()).toEqual(['category', 'createdAt', 'status', 'statusLabel', 'trackingCode']);
      expect(ticket.statusLabel).not.toBe('');
    }
    expect(JSON.stringify(list)).not.toMatch(/张大爷|13800138001|人民路|菜市场|垃圾桶/);
    // Newest first.
    const dates = list.tickets.map((x) => x.createdAt);
    expect(dates).toEqual([...dates].sort().reverse());

    // Single use: the same code lists nothing a second time.
    const again = await rejection(resident.lookup.tickets({ phone: '13800138001', code: sms!.code }));
    expect(again.code).toBe('CONFLICT');
    expect(again.message).toContain('只能查询一次');
  });

  it('answers a number without reports exactly alike, sends it nothing, and refuses guesses alike', async () => {
    const before = await smsCount();
    const unknown = await t.caller({ ip: '198.51.100.102' }).lookup.requestCode({ phone: '13600136000' });
    const known = await t.caller({ ip: '198.51.100.102' }).lookup.requestCode({ phone: '13700137003' });
    expect(unknown).toEqual({ phone: '13600136000', maskedPhone: '136****6000', validMinutes: 10 });
    expect(Object.keys(unknown)).toEqual(Object.keys(known));
    expect(await lookupCodesSentTo(t.portal.database.db, '13600136000')).toEqual([]);
    expect(await smsCount()).toBe(before + 1);

    const knownCode = await lastLookupCode(t.portal.database.db, '13700137003');
    const guessUnknown = await rejection(t.caller().lookup.tickets({ phone: '13600136000', code: '123456' }));
    const guessKnown = await rejection(t.caller().lookup.tickets({ phone: '13700137003', code: otherCode(knownCode) }));
    expect([guessUnknown.code, guessUnknown.message]).toEqual([guessKnown.code, guessKnown.message]);
    expect(guessKnown.code).toBe('BAD_REQUEST');
  });

  it('locks a code after 5 wrong tries: even the right one is refused then', async () => {
    const caller = t.caller({ ip: '198.51.100.103' });
    await caller.lookup.requestCode({ phone: '13700137004' });
    const code = await lastLookupCode(t.portal.database.db, '13700137004');
    const wrong = otherCode(code);
    for (const left of [4, 3, 2, 1]) {
      const refused = await rejection(caller.lookup.tickets({ phone: '13700137004', code: wrong }));
      expect(refused.code).toBe('BAD_REQUEST');
      expect(refused.message).toBe(`验证码不对，请对照短信重新填写（还可以再试${left}次）`);
    }
    const fifth = await rejection(caller.lookup.tickets({ phone: '13700137004', code: wrong }));
    expect(fifth.code).toBe('CONFLICT');
    expect(fifth.message).toContain('输错5次');
    const right = await rejection(caller.lookup.tickets({ phone: '13700137004', code }));
    expect(right.code).toBe('CONFLICT');
    expect(right.message).toContain('已经作废');

    // A new code works again (and only the newest counts).
    await caller.lookup.requestCode({ phone: '13700137004' });
    const fresh = await lastLookupCode(t.portal.database.db, '13700137004');
    if (fresh !== code) expect((await rejection(caller.lookup.tickets({ phone: '13700137004', code }))).code).toBe('BAD_REQUEST');
    expect((await caller.lookup.tickets({ phone: '13700137004', code: fresh })).tickets).toHaveLength(1);
  });

  it('checks at most 5 of many simultaneous tries', async () => {
    const caller = t.caller({ ip: '198.51.100.104' });
    await caller.lookup.requestCode({ phone: '13700137005' });
    const code = await lastLookupCode(t.portal.database.db, '13700137005');
    const guesses = Array.from({ length: 30 }, (_, i) => String((Number(code) + 1 + i) % 1_000_000).padStart(6, '0'));
    const outcomes = await Promise.all(guesses.map((g) => rejection(caller.lookup.tickets({ phone: '13700137005', code: g }))));
    // Four "wrong, try again", then only "作废": the tries counted stop at five, whatever the race.
    expect(outcomes.filter((o) => o.code === 'BAD_REQUEST')).toHaveLength(4);
    expect(outcomes.filter((o) => o.code === 'CONFLICT')).toHaveLength(26);
    const row = await t.portal.database.db
      .selectFrom('phone_lookup_codes')
      .select('tries')
      .where('phone_hash', 'in', lookupHashes(t.portal.database.db, 'phone', '13700137005'))
      .executeTakeFirstOrThrow();
    expect(Number(row.tries)).toBe(5);
    expect((await rejection(caller.lookup.tickets({ phone: '13700137005', code }))).code).toBe('CONFLICT');
  });

  it('refuses an expired code', async () => {
    const caller = t.caller({ ip: '198.51.100.105' });
    await caller.lookup.requestCode({ phone: '13700137006' });
    const code = await lastLookupCode(t.portal.database.db, '13700137006');
    t.clock.advance(10 * 60_000 + 1000);
    const late = await rejection(caller.lookup.tickets({ phone: '13700137006', code }));
    expect(late.code).toBe('CONFLICT');
    expect(late.message).toContain('验证码已过期');

    // An hour later the worker's housekeeping deletes the row (it holds the number).
    const housekeeping = createHousekeeping({ db: t.portal.database.db, photos: t.portal.photos, throttles: t.portal.throttles });
    const rows = () =>
      t.portal.database.db
        .selectFrom('phone_lookup_codes')
        .select('id')
        .where('phone_hash', 'in', lookupHashes(t.portal.database.db, 'phone', '13700137006'))
        .execute();
    expect(await rows()).toHaveLength(1);
    t.clock.advance(61 * 60_000);
    expect((await housekeeping.runOnce(t.clock.now())).expiredLookupCodes).toBeGreaterThanOrEqual(1);
    expect(await rows()).toHaveLength(0);
  });

  it('sends nothing for a landline and lists nothing for one', async () => {
    const before = await smsCount();
    const caller = t.caller({ ip: '198.51.100.106' });
    const refused = await rejection(caller.lookup.requestCode({ phone: '0319-5551234' }));
    expect(refused.code).toBe('BAD_REQUEST');
    expect(refused.message).toContain('11位手机号码');
    expect((await rejection(caller.lookup.tickets({ phone: '0319-5551234', code: '123456' }))).code).toBe('BAD_REQUEST');
    expect(await smsCount()).toBe(before);
    expect((await rejection(caller.lookup.requestCode({ phone: '' }))).message).toBe('请填写手机号码');
  });

  it('throttles a number: 3 codes an hour and 5 a day, from any address', async () => {
    const phone = '13700137007';
    for (let i = 0; i < 3; i++) await t.caller({ ip: `198.51.100.${110 + i}` }).lookup.requestCode({ phone });
    const hour = await rejection(t.caller({ ip: '198.51.100.120' }).lookup.requestCode({ phone }));
    expect(hour.code).toBe('TOO_MANY_REQUESTS');
    expect(hour.message).toMatch(/^这个号码获取验证码太频繁了：1小时内最多3次，请\d+分钟后再试。$/);
    expect(await lookupCodesSentTo(t.portal.database.db, phone)).toHaveLength(3);

    // A window and a slice (a tenth of it) later, the hour's counts have all dropped out.
    t.clock.advance(67 * 60_000);
    for (let i = 0; i < 2; i++) await t.caller({ ip: `198.51.100.${121 + i}` }).lookup.requestCode({ phone });
    const day = await rejection(t.caller({ ip: '198.51.100.123' }).lookup.requestCode({ phone }));
    expect(day.code).toBe('TOO_MANY_REQUESTS');
    expect(day.message).toMatch(/^这个号码获取验证码的次数已经用完：24小时内最多5次，请\d+小时后再试。$/);
    expect(await lookupCodesSentTo(t.portal.database.db, phone)).toHaveLength(5);
  });

  it('throttles a client address: 10 codes an hour, for any numbers', async () => {
    const caller = t.caller({ ip: '198.51.100.130' });
    for (let i = 0; i < 10; i++) await caller.lookup.requestCode({ phone: `1350013${String(i).padStart(4, '0')}` });
    const refused = await rejection(caller.lookup.requestCode({ phone: '13500139999' }));
    expect(refused.code).toBe('TOO_MANY_REQUESTS');
    expect(refused.message).toMatch(/^同一网络获取验证码太频繁了：1小时内最多10次，请\d+分钟后再试。$/);
    // Another address is not affected, and the refused number was not counted.
    await t.caller({ ip: '198.51.100.131' }).lookup.requestCode({ phone: '13500139999' });
  });
});

describe('lookup by mobile number with the one-time code switched off (SMS_KINDS_OFF=lookup-code)', () => {
  it('refuses at once, saying the hotline helps instead; nothing is queued', async () => {
    const t = await startTestPortal('sqlite', undefined, undefined, { sms: { signName: '临城创城', kindsOff: ['lookup-code'] } });
    try {
      await submitTicket(t, { text: CROSSING, reporter: { phone: '13700137111' } });
      const refused = await rejection(t.caller().lookup.requestCode({ phone: '13700137111' }));
      expect(refused.code).toBe('CONFLICT');
      expect(refused.message).toContain('没有开通短信验证码');
      expect(refused.message).toContain('创城热线');
      expect(await lookupCodesSentTo(t.portal.database.db, '13700137111')).toHaveLength(0);
    } finally {
      await t.close();
    }
  });
});
