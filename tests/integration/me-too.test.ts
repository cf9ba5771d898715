// "Me too" (我也遇到了, issue 15 item 4) on SQLite and PostgreSQL, through the public tRPC API: the
// report form's list of open problems of the same category at the chosen point or within 200 m
// (not 250 m), with nothing of the description, the tracking code or the reporter; joining one
// raises its count of reports once per phone number, a retried request is recorded once, a
// ticket merged meanwhile is joined where it was merged to; the hotline's "+1" raises the count
// too; the office's queue puts more-reported tickets first; the retention purge clears who
// joined; and neither the nearby answer nor the public snapshot carries a description or a number.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { TRPCError } from '@trpc/server';
import type { Kysely } from 'kysely';
import { Migrator, type Migration } from 'kysely/migration';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StaffUser } from '../../server/auth/roles.ts';
import { createPrivacyPurge } from '../../server/privacy/purge.ts';
import { publicSnapshot } from '../../server/publish/public-projection.ts';
import { metresBetween } from '../../server/routing/router.ts';
import type { TicketRecord } from '../../server/tickets/ticket-repository.ts';
import { appRouter } from '../../server/trpc/app-router.ts';
import { openDatabase, type Dialect } from '../../server/db/database.ts';
import { databaseKinds, makeDatabase } from '../support/databases.ts';
import { startTestPortal, TEST_THROTTLE_LIMITS, type TestPortal } from '../support/portal.ts';
import { createStaff } from '../support/staff-accounts.ts';
import { act, makeTicket, reportRectification, submitTicket } from '../support/ticket-factory.ts';

const kinds = await databaseKinds();

/** 临城县西关集贸市场 in content/points.json. */
const XIGUAN = { lat: 37.4452, lng: 114.4921 };
/** Metres north of a place, as latitude. */
const north = (metres: number) => XIGUAN.lat + metres / 111_195;
/** Words and numbers that occur nowhere but in what the reporters and joiners gave. */
const SECRET = { name: '钱多多', phone: '13700013701', joinerName: '孙小美', joinerPhone: '13700013702' };

const reportCount = async (t: TestPortal, trackingCode: string) =>
  Number(
    (
      await t.portal.database.db
        .selectFrom('tickets')
        .select('report_count')
        .where('tracking_code', '=', trackingCode)
        .executeTakeFirstOrThrow()
    ).report_count,
  );

describe.each(kinds)('me too on %s', (kind) => {
  let t: TestPortal;
  let users: Record<string, StaffUser> = {};
  let serial = 0;
  const key = () => `metoo-${kind}-${++serial}-key`;
  const resident = () => t.caller({ ip: '198.51.100.23', userAgent: 'MeTooProbe/1.0' });

  beforeAll(async () => {
    t = await startTestPortal(kind);
    users = await createStaff(t, [
      ['operator', 'operator'],
      ['dispatcher', 'dispatcher'],
    ]);
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('the nearby list', () => {
    let atPoint: TicketRecord;
    let at150: TicketRecord;
    let at250: TicketRecord;
    let otherCategory: TicketRecord;
    let closed: TicketRecord;

    beforeAll(async () => {
      const reporter = { name: SECRET.name, phone: SECRET.phone };
      atPoint = await submitTicket(t, {
        text: `西关集贸市场${SECRET.name}摊位旁边垃圾堆了好几天，电话${SECRET.phone}`,
        category: 'market.hygiene',
        pointId: 'market-xiguan',
        reporter,
      });
      at150 = await submitTicket(t, {
        text: '市场北边路上垃圾没人清理，气味很大',
        category: 'market.hygiene',
        location: { address: '西关市场北侧', lat: north(150), lng: XIGUAN.lng },
        reporter,
      });
      at250 = await submitTicket(t, {
        text: '再往北一点的路口垃圾没人清理',
        category: 'market.hygiene',
        location: { lat: north(250), lng: XIGUAN.lng },
      });
      otherCategory = await submitTicket(t, { text: '西关市场里有人缺斤短两', category: 'market.order', pointId: 'market-xiguan' });
      closed = await makeTicket(t, {
        text: '西关市场垃圾桶满了没人收',
        category: 'market.hygiene',
        pointId: 'market-xiguan',
        unit: 'fagaiju',
        status: 'closed',
      });
    });

    it('lists the open problems of the category at the point and within 200 m, not 250 m, nearest first', async () => {
      expect(metresBetween(XIGUAN.lat, XIGUAN.lng, north(150), XIGUAN.lng)).toBeCloseTo(150, 0);
      const list = await resident().meToo.nearby({ category: 'market.hygiene', pointId: 'market-xiguan' });
      const ids = new Map([
        [atPoint.id, 'atPoint'],
        [at150.id, 'at150'],
        [at250.id, 'at250'],
        [otherCategory.id, 'otherCategory'],
        [closed.id, 'closed'],
      ]);
      expect(list.map((p) => ids.get(p.ref) ?? p.ref)).toEqual(['atPoint', 'at150']);
      expect(list[0]).toMatchObject({
        category: '市场环境卫生',
        pointName: '临城县西关集贸市场',
        statusLabel: expect.any(String),
        distanceMetres: 0,
        reportCount: 1,
        reportedAt: atPoint.createdAt,
      });
      expect(list[1]!.distanceMetres).toBe(150);
    });

    it('lists them by the resident position alone, and by the top-level category with its sub-categories', async () => {
      const byPosition = await resident().meToo.nearby({ category: 'market.hygiene', lat: north(-30), lng: XIGUAN.lng });
      // 30 m from the market, 180 m from the one north of it; the one 250 m north is 280 m away.
      expect(byPosition.map((p) => [p.ref, p.distanceMetres])).toEqual([
        [atPoint.id, 30],
        [at150.id, 180],
      ]);
      const top = await resident().meToo.nearby({ category: 'market', pointId: 'market-xiguan' });
      expect(top.map((p) => p.ref).sort()).toEqual([atPoint.id, at150.id, otherCategory.id].sort());
      const order = await resident().meToo.nearby({ category: 'market.order', pointId: 'market-xiguan' });
      expect(order.map((p) => p.ref)).toEqual([otherCategory.id]);
      // Nothing to compare with: no point, no position, or a category the catalog does not know.
      expect(await resident().meToo.nearby({ category: 'market.hygiene' })).toEqual([]);
      expect(await resident().meToo.nearby({ category: 'no-such', pointId: 'market-xiguan' })).toEqual([]);
    });

    it('shows no description, tracking code, name or phone number', async () => {
      const list = await resident().meToo.nearby({ category: 'market', lat: XIGUAN.lat, lng: XIGUAN.lng });
      expect(list.length).toBeGreaterThan(0);
      for (const p of list) {
        expect(Object.keys(p).sort()).toEqual(
          ['category', 'distanceMetres', 'photos', 'pointName', 'ref', 'reportCount', 'reportedAt', 'statusLabel'].sort(),
        );
      }
      const json = JSON.stringify(list);
      for (const ticket of [atPoint, at150, otherCategory]) {
        expect(json).not.toContain(ticket.trackingCode);
        expect(json).not.toContain(ticket.description.slice(0, 8));
      }
      expect(json).not.toContain(SECRET.name);
      expect(json).not.toMatch(/1[3-9]\d{9}/);
    });
  });

  describe('joining', () => {
    const clues = { category: 'compound.environment', pointId: 'compound-jinxiu' };
    let target: TicketRecord;

    beforeAll(async () => {
      target = await submitTicket(t, {
        text: '锦绣家园小区3号楼下垃圾成堆没人清理',
        ...clues,
        reporter: { phone: '13700013799' },
      });
    });

    it('adds the report to the ticket: the existing code, one more report, the joiner kept privately', async () => {
      const k = key();
      const joined = await resident().meToo.join({
        ...clues,
        problem: target.id,
        name: SECRET.joinerName,
        phone: '137 0001 3702',
        idempotencyKey: k,
      });
      expect(joined).toEqual({ trackingCode: target.trackingCode, statusLabel: expect.any(String), counted: true });
      expect(await reportCount(t, target.trackingCode)).toBe(2);
      const rows = await t.portal.database.db
        .selectFrom('ticket_supporters')
        .select(['ticket_id', 'channel', 'name', 'phone', 'ip', 'user_agent', 'idempotency_key', 'purged_at'])
        .where('ticket_id', '=', target.id)
        .execute();
      expect(rows).toEqual([
        {
          ticket_id: target.id,
          channel: 'web',
          name: SECRET.joinerName,
          phone: SECRET.joinerPhone,
          ip: '198.51.100.23',
          user_agent: 'MeTooProbe/1.0',
          idempotency_key: `web:${k}`,
          purged_at: null,
        },
      ]);
      expect((await resident().meToo.nearby(clues)).find((p) => p.ref === target.id)?.reportCount).toBe(2);

      // The same request again (the answer was lost): recorded once.
      const again = await resident().meToo.join({ ...clues, problem: target.id, phone: SECRET.joinerPhone, idempotencyKey: k });
      expect(again).toEqual(joined);
      expect(await reportCount(t, target.trackingCode)).toBe(2);
    });

    it('counts one phone number once on a ticket, the reporter own number included; without a number each join counts', async () => {
      const before = await reportCount(t, target.trackingCode);
      const twice = await resident().meToo.join({ ...clues, problem: target.id, phone: SECRET.joinerPhone, idempotencyKey: key() });
      expect(twice).toMatchObject({ trackingCode: target.trackingCode, counted: false });
      const reporter = await resident().meToo.join({ ...clues, problem: target.id, phone: '13700013799', idempotencyKey: key() });
      expect(reporter.counted).toBe(false);
      expect(await reportCount(t, target.trackingCode)).toBe(before);
      await resident().meToo.join({ ...clues, problem: target.id, idempotencyKey: key() });
      await resident().meToo.join({ ...clues, problem: target.id, idempotencyKey: key() });
      expect(await reportCount(t, target.trackingCode)).toBe(before + 2);
    });

    it('joins the ticket a problem was merged into', async () => {
      const duplicate = await submitTicket(t, { text: '锦绣家园小区楼下垃圾没人收', ...clues });
      const before = await reportCount(t, target.trackingCode);
      await act(t, duplicate, { action: 'merge', intoTrackingCode: target.trackingCode }, { at: t.clock.now() });
      expect(duplicate.status).toBe('merged');
      const joined = await resident().meToo.join({ ...clues, problem: duplicate.id, idempotencyKey: key() });
      expect(joined.trackingCode).toBe(target.trackingCode);
      expect(await reportCount(t, target.trackingCode)).toBe(before + 1);
      expect(await reportCount(t, duplicate.trackingCode)).toBe(1);
    });

    it('refuses a problem that is closed, of another category, or not near what the resident reports', async () => {
      const done = await makeTicket(t, { text: '锦绣家园小区门口垃圾没人清理', ...clues, unit: 'zhujianju', status: 'closed' });
      const refusal = (input: Record<string, unknown>) =>
        resident()
          .meToo.join({ ...clues, idempotencyKey: key(), ...input } as Parameters<ReturnType<typeof resident>['meToo']['join']>[0])
          .then(
            () => null,
            (e: unknown) => e,
          );
      const closedError = await refusal({ problem: done.id });
      expect(closedError).toBeInstanceOf(TRPCError);
      expect((closedError as TRPCError).code).toBe('BAD_REQUEST');
      expect((closedError as TRPCError).message).toContain('已经办结');
      expect(((await refusal({ problem: target.id, category: 'compound.facilities' })) as TRPCError).message).toContain('没有找到');
      expect(((await refusal({ problem: target.id, pointId: 'market-haozhuang' })) as TRPCError).message).toContain('没有找到');
      expect(((await refusal({ problem: 999_999 })) as TRPCError).message).toContain('没有找到');
      expect(await reportCount(t, done.trackingCode)).toBe(1);
    });
  });

  it('raises the count with a hotline "+1" too', async () => {
    const ticket = await submitTicket(t, { text: '泜河花园小区楼道里堆满杂物', category: 'compound.safety', pointId: 'compound-zhihe' });
    const operator = appRouter.createCaller({
      app: t.portal.services,
      request: { ip: '10.0.0.2', sameOrigin: true },
      user: users['operator']!,
    });
    await operator.staff.hotline.logCall({
      idempotencyKey: key(),
      caller: { phone: '13700013755', anonymous: false, wantsCallback: false },
      outcome: 'attach',
      attachTo: ticket.trackingCode,
      description: '泜河花园楼道杂物',
    });
    expect(await reportCount(t, ticket.trackingCode)).toBe(2);
  });

  it('shows the count to the office and lists more-reported tickets first', async () => {
    const older = await submitTicket(t, {
      text: '临城镇政府东侧公益广告墙破了一大块',
      category: 'psa.damaged',
      pointId: 'psa-linchengzhen-wall',
    });
    t.clock.set(new Date(t.clock.now().getTime() + 3600_000));
    const newer = await submitTicket(t, {
      text: '临城镇政府东侧广告墙的画掉色了',
      category: 'psa.damaged',
      pointId: 'psa-linchengzhen-wall',
    });
    const office = users['dispatcher']!;
    const list = async () =>
      (await t.portal.services.staff.list(office, { pointId: 'psa-linchengzhen-wall' })).items.map((i) => i.trackingCode);
    expect(await list()).toEqual([newer.trackingCode, older.trackingCode]);
    await resident().meToo.join({ category: 'psa.damaged', pointId: 'psa-linchengzhen-wall', problem: older.id, idempotencyKey: key() });
    expect(await list()).toEqual([older.trackingCode, newer.trackingCode]);
    const detail = await t.portal.services.staff.detail(office, older.trackingCode);
    expect(detail.reportCount).toBe(2);
  });

  it('is cleared by the retention purge once the ticket is finished, and kept while it is open', async () => {
    const finishing = await makeTicket(t, {
      text: '县医院后街路面坑洼积水',
      category: 'backstreet.environment',
      pointId: 'backstreet-yiyuan-houjie',
      unit: 'zhujianju',
      status: 'rectifying',
    });
    const open = await submitTicket(t, {
      text: '民主街胡同里乱堆杂物',
      category: 'backstreet.environment',
      pointId: 'backstreet-minzhu-hutong',
    });
    const clues = (pointId: string) => ({ category: 'backstreet.environment', pointId });
    await resident().meToo.join({
      ...clues('backstreet-yiyuan-houjie'),
      problem: finishing.id,
      name: '周半仙',
      phone: '13700013781',
      idempotencyKey: key(),
    });
    await resident().meToo.join({
      ...clues('backstreet-minzhu-hutong'),
      problem: open.id,
      name: '吴老六',
      phone: '13700013782',
      idempotencyKey: key(),
    });
    await reportRectification(t, finishing, { at: new Date(t.clock.now().getTime() + 3600_000) });
    await act(t, finishing, { action: 'verify' }, { at: new Date(t.clock.now().getTime() + 3600_000) });
    expect(finishing.status).toBe('closed');

    const { db } = t.portal.database;
    const purge = createPrivacyPurge({ db, blobs: t.portal.blobs, clock: t.clock, retentionDays: 730 });
    const before = new Date(t.clock.now().getTime() + 60_000);
    const dry = await purge.purge({ before, dryRun: true });
    expect(dry.removed.supporters).toBeGreaterThanOrEqual(1);
    const done = await purge.purge({ before });
    expect(done.removed.supporters).toBe(dry.removed.supporters);
    const rows = await db.selectFrom('ticket_supporters').select(['ticket_id', 'name', 'phone', 'ip', 'user_agent', 'purged_at']).execute();
    expect(rows.find((r) => Number(r.ticket_id) === finishing.id)).toMatchObject({
      name: null,
      phone: null,
      ip: null,
      user_agent: null,
      purged_at: expect.any(String),
    });
    expect(rows.find((r) => Number(r.ticket_id) === open.id)).toMatchObject({ name: '吴老六', phone: '13700013782', purged_at: null });
    expect((await purge.purge({ before })).removed.supporters).toBe(0);
  });

  it('puts no description from the nearby list and no phone number in the public snapshot', async () => {
    const { db } = t.portal.database;
    const snapshot = await publicSnapshot({ db, catalog: t.portal.services.catalog, mediaDir: '/m' }, t.clock.now());
    const json = JSON.stringify(snapshot);
    const descriptions = await db.selectFrom('tickets').select('description').execute();
    expect(descriptions.length).toBeGreaterThan(5);
    for (const { description } of descriptions) expect(json).not.toContain(description.slice(0, 10));
    for (const secret of Object.values(SECRET)) expect(json).not.toContain(secret);
    expect(json).not.toMatch(/(?<!\d)1[3-9]\d{9}(?!\d)/);
  });
});

// Migration 024 counts the hotline "+1"s recorded before it: a database as it was before 024,
// with a ticket that had two "+1" calls (and the call that made it) and one that had none.
describe.each(kinds)('migration 024 on %s', (kind) => {
  const dir = path.resolve(import.meta.dirname, '../../server/db/migrations');
  const names = fs
    .readdirSync(dir)
    .filter((f) => /^\d{3}-[\w-]+\.ts$/.test(f))
    .sort()
    .map((f) => f.replace(/\.ts$/, ''));

  it('backfills report_count from the "+1" calls already recorded', async () => {
    const database = await makeDatabase(kind);
    const handle = openDatabase(database.url);
    try {
      const modules = Object.fromEntries(
        await Promise.all(
          names.map(
            async (n) =>
              [
                n,
                (await import(pathToFileURL(path.join(dir, `${n}.ts`)).href)) as { up(db: Kysely<unknown>, d: Dialect): Promise<void> },
              ] as const,
          ),
        ),
      );
      const migrator = new Migrator({
        db: handle.db,
        provider: {
          getMigrations: async (): Promise<Record<string, Migration>> =>
            Object.fromEntries(Object.entries(modules).map(([n, m]) => [n, { up: (db: Kysely<any>) => m.up(db, handle.dialect) }])),
        },
      });
      const before = names.filter((n) => n < '024').at(-1)!;
      expect((await migrator.migrateTo(before)).error).toBeUndefined();

      const db = handle.db as unknown as Kysely<any>;
      const at = '2026-11-01T02:00:00.000Z';
      const ticket = (code: string) => ({
        tracking_code: code,
        status: 'dispatched',
        channel: 'hotline',
        description: '测试',
        cooperating_unit_codes: '[]',
        created_at: at,
        updated_at: at,
        version: 1,
      });
      const plus = await db.insertInto('tickets').values(ticket('AAA-AAA-AAA')).returning('id').executeTakeFirstOrThrow();
      const alone = await db.insertInto('tickets').values(ticket('BBB-BBB-BBB')).returning('id').executeTakeFirstOrThrow();
      const call = (ticketId: number, outcome: string) => ({
        at,
        anonymous: 0,
        wants_callback: 0,
        outcome,
        ticket_id: ticketId,
        summary: '测试',
        source: 'console',
      });
      await db
        .insertInto('calls')
        .values([call(plus.id, 'ticket'), call(plus.id, 'attached'), call(plus.id, 'attached')])
        .execute();

      expect((await migrator.migrateToLatest()).error).toBeUndefined();
      const count = async (id: number) =>
        Number((await db.selectFrom('tickets').select('report_count').where('id', '=', id).executeTakeFirstOrThrow()).report_count);
      expect(await count(plus.id)).toBe(3);
      expect(await count(alone.id)).toBe(1);
    } finally {
      await handle.close();
      await database.drop();
    }
  });
});

describe.each(kinds)('the nearby look-up on %s', (kind) => {
  it('is throttled per client address (THROTTLE_NEARBY)', async () => {
    const t = await startTestPortal(kind, undefined, { ...TEST_THROTTLE_LIMITS, nearby: { count: 2, windowMs: 60_000 } });
    try {
      const ask = () => t.caller({ ip: '198.51.100.99' }).meToo.nearby({ category: 'market.hygiene', pointId: 'market-xiguan' });
      await ask();
      await ask();
      const refused = await ask().then(
        () => null,
        (e: unknown) => e,
      );
      expect((refused as TRPCError).code).toBe('TOO_MANY_REQUESTS');
      expect((refused as TRPCError).message).toContain('查询附近的问题太频繁了');
      // Another address is not limited by it.
      expect(await t.caller({ ip: '198.51.100.100' }).meToo.nearby({ category: 'market.hygiene', pointId: 'market-xiguan' })).toEqual([]);
    } finally {
      await t.close();
    }
  });
});
