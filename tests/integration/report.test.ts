// A resident's report through the tRPC router, on SQLite and on PostgreSQL.
import { TRPCError } from '@trpc/server';
import sharp from 'sharp';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fieldErrors } from '../../server/field-errors.ts';
import { DESCRIPTION_WITHOUT_WORDS } from '../../server/intake/report-schema.ts';
import { databaseKinds } from '../support/databases.ts';
import { startTestPortal, type TestPortal } from '../support/portal.ts';

const kinds = await databaseKinds();

const CROSSING = '人民路和府前街交叉口，机动车经过斑马线从来不礼让行人，老人过马路太危险了';
const OUT_OF_SCOPE = '我单位拖欠我三个月工资一直不发，老板电话也不接，请帮忙讨薪';

async function jpeg(seed: number): Promise<Uint8Array> {
  return sharp({ create: { width: 64, height: 48, channels: 3, background: { r: seed, g: 120, b: 200 } } })
    .jpeg()
    .toBuffer()
    .then((b) => new Uint8Array(b));
}

async function rejection(promise: Promise<unknown>): Promise<TRPCError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TRPCError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

describe.each(kinds)('web report on %s', (kind) => {
  let t: TestPortal;
  beforeAll(async () => {
    t = await startTestPortal(kind);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('a description alone is a valid report, and it is routed to the lead unit with a one-week deadline', async () => {
    const result = await t.caller().report.submit({ description: CROSSING });
    expect(result.trackingCode).toMatch(/^[2-9A-Z]{3}-[2-9A-Z]{3}-[2-9A-Z]{3}$/);
    expect(result.status).toBe('dispatched');
    expect(result.unit?.name).toBe('临城县公安局交通警察大队');
    expect(result.deadline).toBe('2026-12-07T02:00:00.000Z');
  });

  it('a report outside every focus category waits for triage by the office', async () => {
    const result = await t.caller().report.submit({ description: OUT_OF_SCOPE });
    expect(result).toMatchObject({ status: 'received', unit: null, deadline: null });
    const tracked = await t.caller().report.track({ trackingCode: result.trackingCode });
    expect(tracked.statusLabel).toBe('已受理，待分派');
  });

  it('track shows status, unit, deadline, timeline and photos, and no personal data', async () => {
    const photos = await Promise.all([jpeg(10), jpeg(20)].map(async (p) => t.portal.services.uploadPhoto(await p, { ip: '198.51.100.1' })));
    const submitted = await t.caller().report.submit({
      description: CROSSING,
      location: { address: '临城县人民路与府前街交叉口', lat: 37.44, lng: 114.5 },
      reporter: { name: '王秀兰', phone: '13912345678', email: 'wangxl@example.com' },
      photoIds: photos.map((p) => p.id),
    });
    const tracked = await t.caller().report.track({ trackingCode: submitted.trackingCode.toLowerCase().replaceAll('-', '') });
    expect(tracked).toMatchObject({
      trackingCode: submitted.trackingCode,
      status: 'dispatched',
      unit: { name: '临城县公安局交通警察大队' },
      deadline: submitted.deadline,
    });
    expect(tracked.timeline.map((e) => e.status)).toEqual(['received', 'dispatched']);
    expect(tracked.timeline[1]!.text).toContain('已转交临城县公安局交通警察大队办理');
    expect(tracked.photos).toEqual(photos.map(({ url, thumbUrl }) => ({ url, thumbUrl })));
    const wire = JSON.stringify(tracked);
    for (const secret of ['王秀兰', '13912345678', 'wangxl', '人民路与府前街', '198.51.100.1', '203.0.113.7']) {
      expect(wire).not.toContain(secret);
    }
  });

  it('the reporter is kept privately, and not at all when anonymous', async () => {
    const named = await t.caller().report.submit({ description: CROSSING, reporter: { name: '李四', phone: '138 1234 5678' } });
    const anonymous = await t
      .caller()
      .report.submit({ description: CROSSING, anonymous: true, reporter: { name: '张三', phone: '13800000000' } });
    const rows = await t.portal.database.db
      .selectFrom('ticket_reporters')
      .innerJoin('tickets', 'tickets.id', 'ticket_reporters.ticket_id')
      .select(['tracking_code', 'name', 'phone', 'anonymous', 'ip'])
      .where('tracking_code', 'in', [named.trackingCode, anonymous.trackingCode])
      .execute();
    const byCode = Object.fromEntries(rows.map((r) => [r.tracking_code, r]));
    expect(byCode[named.trackingCode]).toMatchObject({ name: '李四', phone: '13812345678', ip: '203.0.113.7' });
    expect(Number(byCode[named.trackingCode]!.anonymous)).toBe(0);
    expect(byCode[anonymous.trackingCode]).toMatchObject({ name: null, phone: null });
    expect(Number(byCode[anonymous.trackingCode]!.anonymous)).toBe(1);
  });

  it('a retried submit with the same idempotency key creates one ticket, also when the retries race', async () => {
    const input = { description: CROSSING, idempotencyKey: `key-${kind}-sequential` };
    const first = await t.caller().report.submit(input);
    const again = await t.caller().report.submit(input);
    expect(again.trackingCode).toBe(first.trackingCode);

    const raced = { description: CROSSING, idempotencyKey: `key-${kind}-raced` };
    const results = await Promise.all(Array.from({ length: 5 }, () => t.caller().report.submit(raced)));
    expect(new Set(results.map((r) => r.trackingCode)).size).toBe(1);
    const count = await t.portal.database.db
      .selectFrom('tickets')
      .select((eb) => eb.fn.countAll().as('n'))
      // Kept in the web's own key space (submit-report.ts, channelKey).
      .where('idempotency_key', 'in', [`web:${input.idempotencyKey}`, `web:${raced.idempotencyKey}`])
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(2);
  });

  it('bad input gets field-level Chinese messages and creates nothing', async () => {
    const before = await countTickets(t);
    const short = await rejection(t.caller().report.submit({ description: '灯坏' }));
    expect(short.code).toBe('BAD_REQUEST');
    const badPhone = await rejection(t.caller().report.submit({ description: CROSSING, reporter: { phone: '12345' } }));
    expect(badPhone.code).toBe('BAD_REQUEST');
    const unknownCategory = await rejection(t.caller().report.submit({ description: CROSSING, category: 'no-such-category' }));
    expect(unknownCategory.message).toBe('所选问题类别不存在，请重新选择或不选');
    const unknownPhoto = await rejection(t.caller().report.submit({ description: CROSSING, photoIds: ['doesnotexist0000'] }));
    expect(unknownPhoto.message).toContain('照片');
    expect(await countTickets(t)).toBe(before);
  });

  it('stores what a resident wrote without invisible control characters, and refuses a description with no words', async () => {
    const submitted = await t.caller().report.submit({
      description: `\u202e${CROSSING}\u0000\r\n\u0007已经好几天了\u200f`,
      location: { address: '人民路\u2066与府前街\u2069交叉口\u001b' },
      reporter: { name: '\u202d王秀兰\u0085' },
    });
    const row = await t.portal.database.db
      .selectFrom('tickets')
      .innerJoin('ticket_reporters', 'ticket_reporters.ticket_id', 'tickets.id')
      .select(['description', 'location_address', 'name'])
      .where('tracking_code', '=', submitted.trackingCode)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ description: `${CROSSING}\n已经好几天了`, location_address: '人民路与府前街交叉口', name: '王秀兰' });

    const before = await countTickets(t);
    for (const description of ['。。。。。。', '!!!!!!', '……………', '😀😀😀😀😀', '\u200b\u200b\u200b\u200b\u200b\ufeff']) {
      const refused = await rejection(t.caller().report.submit({ description }));
      expect(refused.code, description).toBe('BAD_REQUEST');
      expect(fieldErrors(refused.cause as never)['description'], description).toBe(DESCRIPTION_WITHOUT_WORDS);
    }
    expect(await countTickets(t)).toBe(before);
  });

  it('a photo can be attached to one report only', async () => {
    const photo = await t.portal.services.uploadPhoto(await jpeg(99), { ip: '198.51.100.1' });
    await t.caller().report.submit({ description: CROSSING, photoIds: [photo.id] });
    const second = await rejection(t.caller().report.submit({ description: CROSSING, photoIds: [photo.id] }));
    expect(second.code).toBe('BAD_REQUEST');
  });

  it('an unknown code gets a clear answer, and guessing is throttled per client', async () => {
    const guesser = t.caller({ ip: '192.0.2.99' });
    const unknown = await rejection(guesser.report.track({ trackingCode: '222-222-222' }));
    expect(unknown.code).toMatch(/NOT_FOUND|BAD_REQUEST/);
    for (let i = 0; i < 20; i++) await guesser.report.track({ trackingCode: `AC3-K7M-${i}XP` }).catch(() => {});
    const real = await t.caller().report.submit({ description: CROSSING });
    const throttled = await rejection(guesser.report.track({ trackingCode: real.trackingCode }));
    expect(throttled.code).toBe('TOO_MANY_REQUESTS');
    expect(throttled.message).toMatch(/分钟后再试/);
    // Another client is not affected.
    await expect(t.caller({ ip: '192.0.2.100' }).report.track({ trackingCode: real.trackingCode })).resolves.toMatchObject({
      trackingCode: real.trackingCode,
    });
    // And the guesser may try again once the window has passed.
    t.clock.advance(17 * 60_000); // the 15-minute window, and at most a tenth more
    await expect(guesser.report.track({ trackingCode: real.trackingCode })).resolves.toMatchObject({ trackingCode: real.trackingCode });
  });

  it('the event log is append-only, enforced by the database', async () => {
    const { db } = t.portal.database;
    const anyEvent = await db.selectFrom('ticket_events').select('id').executeTakeFirstOrThrow();
    await expect(sql`update ticket_events set reason = 'x' where id = ${anyEvent.id}`.execute(db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from ticket_events where id = ${anyEvent.id}`.execute(db)).rejects.toThrow(/append-only/);
  });

  it('routing.suggest names the category and the unit that will handle it', async () => {
    const suggestion = await t.caller().routing.suggest({ text: CROSSING });
    expect(suggestion).toMatchObject({ needsTriage: false, unit: { name: '临城县公安局交通警察大队' } });
    expect(suggestion.confidence).toBeGreaterThan(0);
    const triage = await t.caller().routing.suggest({ text: OUT_OF_SCOPE });
    expect(triage).toMatchObject({ needsTriage: true, unit: null });
  });
});

async function countTickets(t: TestPortal): Promise<number> {
  const row = await t.portal.database.db
    .selectFrom('tickets')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
