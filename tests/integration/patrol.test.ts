// Issue 14 item 5 on SQLite and PostgreSQL: a patrol member's report routed like a resident's
// (channel and source `patrol`, actor kind `patrol`, the member's name from the account) and listed
// on the member's own page only; the persuasion tally (劝导) recorded once per device key, refused
// for bad input with a clear message and counted in the monthly report; the office's media finding
// with its exposure-notice draft; and migration 021's backfill of the source from the channel.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Migrator, type Migration } from 'kysely/migration';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StaffUser } from '../../server/auth/roles.ts';
import { migrateToLatest, openDatabase } from '../../server/db/database.ts';
import { databaseKinds, makeDatabase } from '../support/databases.ts';
import { startTestPortal, type TestPortal } from '../support/portal.ts';
import { createStaff } from '../support/staff-accounts.ts';

const kinds = await databaseKinds();

const CROSSING = '人民路和府前街交叉口，机动车经过斑马线从来不礼让行人，老人过马路太危险了';
const MARKET = '西关集贸市场门口垃圾堆了好几天没人清理，气味很大';
const REQUEST = { ip: '198.51.100.20', userAgent: 'patrol-phone' };

describe.each(kinds)('patrol group on %s', (kind) => {
  let t: TestPortal;
  let users: Record<'zhang01' | 'li01' | 'dispatcher' | 'leader' | 'jiaojing01', StaffUser>;

  beforeEach(async () => {
    t = await startTestPortal(kind);
    users = await createStaff(
      t,
      [
        ['zhang01', 'patrol'],
        ['li01', 'patrol'],
        ['dispatcher', 'dispatcher'],
        ['leader', 'leader'],
        ['jiaojing01', 'unit', 'jiaojing'],
      ],
      { displayName: (u) => ({ zhang01: '张大爷', li01: '李阿姨' })[u] ?? u },
    );
  });
  afterEach(async () => {
    await t?.close();
  });

  const patrol = () => t.portal.services.patrol;
  const db = () => t.portal.database.db;

  it("routes a member's report like a resident's, as channel, source and actor patrol, and lists it only for that member", async () => {
    const result = await patrol().reports.submit(
      users.zhang01,
      { description: CROSSING, location: { address: '人民路与府前街交叉口' }, idempotencyKey: 'patrol-key-0001' },
      REQUEST,
    );
    expect(result).toMatchObject({ status: 'dispatched', unit: { code: 'jiaojing' } });

    const row = await db()
      .selectFrom('tickets')
      .innerJoin('ticket_reporters', 'ticket_reporters.ticket_id', 'tickets.id')
      .select(['channel', 'source', 'lead_unit_code', 'name', 'phone', 'email', 'anonymous'])
      .where('tracking_code', '=', result.trackingCode)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({
      channel: 'patrol',
      source: 'patrol',
      lead_unit_code: 'jiaojing',
      name: '张大爷',
      phone: null,
      email: null,
      anonymous: 0,
    });
    const detail = await t.portal.services.staff.detail(users.dispatcher, result.trackingCode);
    expect(detail.timeline[0]).toMatchObject({ action: 'submit', actor: '张大爷', data: { channel: 'patrol', source: 'patrol' } });
    expect(detail).toMatchObject({ source: 'patrol', sourceLabel: '巡访监督团', channel: 'patrol' });
    // The unit sees no more of the member than of a resident who left only a name: nothing.
    expect((await t.portal.services.staff.detail(users.jiaojing01, result.trackingCode)).reporter).toBeNull();

    // Sent again (the phone lost the answer): the same ticket.
    const again = await patrol().reports.submit(users.zhang01, { description: CROSSING, idempotencyKey: 'patrol-key-0001' }, REQUEST);
    expect(again.trackingCode).toBe(result.trackingCode);

    expect((await patrol().reports.mine(users.zhang01)).map((r) => [r.trackingCode, r.statusLabel, r.unitName])).toEqual([
      [result.trackingCode, '已转交责任单位', '临城县公安局交通警察大队'],
    ]);
    expect(await patrol().reports.mine(users.li01)).toEqual([]);
    await expect(patrol().reports.mine(users.dispatcher)).rejects.toThrow('只有社会巡访监督员账号可以用此页面反映问题');
    await expect(patrol().reports.submit(users.dispatcher, { description: CROSSING })).rejects.toThrow('只有社会巡访监督员账号');
    // Patrol members see no staff ticket view.
    await expect(t.portal.services.staff.detail(users.zhang01, result.trackingCode)).rejects.toThrow(`没有找到工单 ${result.trackingCode}`);
  });

  it('records a persuasion once under a repeated key, refuses bad input clearly, and counts the month in the monthly report', async () => {
    const record = {
      idempotencyKey: 'device-0000-0001',
      doneOn: '2026-11-30',
      place: '人民路与府前街路口',
      kind: 'red-light',
      people: 3,
      note: '早高峰',
    };
    const first = await patrol().persuasion.record(users.zhang01, record);
    const second = await patrol().persuasion.record(users.zhang01, record);
    expect([first.created, second.created]).toEqual([true, false]);
    expect(second.entry.id).toBe(first.entry.id);
    expect(first.entry).toMatchObject({ kindName: '闯红灯、不礼让行人', people: 3, memberName: '张大爷' });
    await patrol().persuasion.record(users.zhang01, { ...record, idempotencyKey: 'device-0000-0002', kind: 'littering', people: 2 });
    // Another member's record with the same device key is theirs, not an answer to the first.
    await patrol().persuasion.record(users.li01, { ...record, people: 5, note: undefined });
    expect(
      await db()
        .selectFrom('persuasion_actions')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow(),
    ).toMatchObject({
      n: kind === 'postgres' ? '3' : 3,
    });

    await expect(
      patrol().persuasion.record(users.zhang01, { ...record, idempotencyKey: 'device-0000-0003', people: 0 }),
    ).rejects.toMatchObject({
      message: '劝导人数至少为1人',
      fields: { people: '劝导人数至少为1人' },
    });
    await expect(
      patrol().persuasion.record(users.zhang01, { ...record, idempotencyKey: 'device-0000-0003', kind: 'karaoke' }),
    ).rejects.toMatchObject({ message: '请从列表中选择劝导类型', fields: { kind: '请从列表中选择劝导类型' } });
    await expect(
      patrol().persuasion.record(users.zhang01, { ...record, idempotencyKey: 'device-0000-0003', place: '  ' }),
    ).rejects.toMatchObject({
      fields: { place: '请填写劝导地点，例如：东街与建设路路口' },
    });
    await expect(
      patrol().persuasion.record(users.zhang01, { ...record, idempotencyKey: 'device-0000-0003', doneOn: '2026-12-01' }),
    ).rejects.toMatchObject({ fields: { doneOn: '劝导日期不能晚于今天' } });
    await expect(patrol().persuasion.record(users.dispatcher, record)).rejects.toThrow('只有社会巡访监督员账号可以记录劝导');

    expect((await patrol().persuasion.mine(users.zhang01)).map((e) => [e.kind, e.people])).toEqual([
      ['littering', 2],
      ['red-light', 3],
    ]);
    const tally = await patrol().persuasion.tally(users.leader, '2026-11');
    expect(tally).toMatchObject({ actions: 3, people: 10 });
    expect(tally.byMember.map((r) => [r.label, r.actions, r.people])).toEqual([
      ['张大爷', 2, 5],
      ['李阿姨', 1, 5],
    ]);
    expect(tally.byKind.map((r) => [r.label, r.actions, r.people])).toEqual([
      ['闯红灯、不礼让行人', 2, 8],
      ['乱扔垃圾', 1, 2],
    ]);
    await expect(patrol().persuasion.tally(users.zhang01, '2026-11')).rejects.toThrow('劝导统计仅供创城办和领导查看');

    const report = await t.portal.services.ledgersFor(users.dispatcher).monthlyReport('2026-11');
    expect(report.persuasion).toMatchObject({ actions: 3, people: 10, from: '2026-11-01', to: '2026-11-30' });
    expect(report.persuasion.byKind.map((r) => r.key)).toEqual(['red-light', 'littering']);
    expect((await t.portal.services.ledgersFor(users.dispatcher).monthlyReport('2026-10')).persuasion).toMatchObject({
      actions: 0,
      people: 0,
    });
  });

  it("enters the office's media finding as a ticket of source media with an exposure-notice draft, and counts tickets by source", async () => {
    await t.caller(REQUEST).report.submit({ description: MARKET });
    await patrol().reports.submit(users.zhang01, { description: CROSSING }, REQUEST);
    const finding = await patrol().findings.enter(
      users.dispatcher,
      {
        source: 'media',
        description: '记者暗访发现西关集贸市场东侧占道经营严重，摊位摆到了机动车道上',
        categoryCode: 'market',
        unitCode: 'shichangjianguanju',
        pointId: 'market-xiguan',
        exposureDraft: true,
      },
      REQUEST,
    );
    expect(finding.ticket).toMatchObject({ status: 'dispatched', unit: { code: 'shichangjianguanju' } });
    expect(finding.noticeId).toEqual(expect.any(Number));
    const notice = await t.portal.services.notices.get(users.dispatcher, finding.noticeId!);
    expect(notice).toMatchObject({ status: 'draft', unit: { code: 'shichangjianguanju' } });
    expect(notice.tickets.map((x) => x.trackingCode)).toEqual([finding.ticket.trackingCode]);

    const detail = await t.portal.services.staff.detail(users.dispatcher, finding.ticket.trackingCode);
    expect(detail).toMatchObject({ channel: 'inspection', source: 'media', sourceLabel: '媒体暗访' });
    expect(detail.timeline[0]).toMatchObject({ actor: 'dispatcher', data: { source: 'media' } });

    const leaderFinding = await patrol().findings.enter(users.dispatcher, {
      source: 'leader',
      description: '县领导督导发现府前街公益广告牌破损，内容过期',
      categoryCode: 'other',
    });
    expect((await t.portal.services.staff.detail(users.dispatcher, leaderFinding.ticket.trackingCode)).source).toBe('leader');
    expect(leaderFinding.noticeId).toBeNull();

    await expect(
      patrol().findings.enter(users.dispatcher, {
        source: 'leader',
        description: '县领导督导发现问题若干',
        categoryCode: 'other',
        exposureDraft: true,
      }),
    ).rejects.toMatchObject({ fields: { exposureDraft: '只有媒体暗访发现的问题可以直接生成曝光稿' } });
    await expect(
      patrol().findings.enter(users.dispatcher, {
        source: 'media',
        description: '记者暗访发现问题若干',
        categoryCode: 'other',
        exposureDraft: true,
      }),
    ).rejects.toMatchObject({ fields: { unitCode: '生成曝光稿需要选定责任单位' } });
    await expect(
      patrol().findings.enter(users.leader, { source: 'media', description: '记者暗访发现问题若干', categoryCode: 'other' }),
    ).rejects.toThrow('只有创城办账号可以录入');

    const media = await t.portal.services.staff.list(users.dispatcher, { source: 'media' });
    expect(media.items.map((i) => i.trackingCode)).toEqual([finding.ticket.trackingCode]);
    const ledger = await t.portal.services.ledgersFor(users.leader).problems({ source: 'media' });
    expect(ledger.rows.map((r) => [r.trackingCode, r.sourceLabel])).toEqual([[finding.ticket.trackingCode, '媒体暗访']]);

    t.clock.set(new Date('2026-11-30T03:00:00.000Z'));
    const report = await t.portal.services.ledgersFor(users.dispatcher).monthlyReport('2026-11');
    expect(report.bySource.map((r) => [r.source?.code, r.received, r.open])).toEqual([
      ['resident', 1, 1],
      ['patrol', 1, 1],
      ['media', 1, 1],
      ['leader', 1, 1],
    ]);
  });
});

describe.each(kinds)('migration 021 (ticket source) on %s', (kind) => {
  it('backfills the source of existing tickets from their channel', async () => {
    const database = await makeDatabase(kind);
    const handle = openDatabase(database.url);
    try {
      const dir = path.resolve(import.meta.dirname, '../../server/db/migrations');
      const names = fs
        .readdirSync(dir)
        .filter((f) => /^\d{3}-[\w-]+\.ts$/.test(f))
        .sort()
        .map((f) => f.replace(/\.ts$/, ''));
      const migrations: Record<string, Migration> = {};
      for (const name of names) {
        const mod = (await import(pathToFileURL(path.join(dir, `${name}.ts`)).href)) as { up(db: unknown, dialect: string): Promise<void> };
        migrations[name] = { up: (db) => mod.up(db, handle.dialect) };
      }
      const before = names[names.findIndex((n) => n.startsWith('021-')) - 1]!;
      const { error } = await new Migrator({ db: handle.db, provider: { getMigrations: async () => migrations } }).migrateTo(before);
      expect(error).toBeUndefined();

      const channels = ['web', 'mail', 'hotline', 'inspection', 'patrol'];
      for (const [i, channel] of channels.entries()) {
        await handle.db
          .insertInto('tickets')
          .values({
            tracking_code: `MIG-021-${i}`,
            status: 'received',
            channel,
            description: `迁移前的工单 ${channel}`,
            category_code: null,
            suggested_category_code: null,
            suggested_unit_code: null,
            routing_confidence: null,
            lead_unit_code: null,
            cooperating_unit_codes: '[]',
            point_id: null,
            location_address: null,
            location_lat: null,
            location_lng: null,
            deadline_at: null,
            created_at: '2026-11-29T02:00:00.000Z',
            updated_at: '2026-11-29T02:00:00.000Z',
            closed_at: null,
            merged_into_id: null,
            idempotency_key: null,
            version: 0,
            dispatched_at: null,
            acknowledge_due_at: null,
            acknowledged_at: null,
            reminder_sent_at: null,
            acknowledge_overdue_at: null,
            overdue_at: null,
            dispatch_notified_at: null,
            dispatch_remarks: null,
          } as never)
          .execute();
      }
      await migrateToLatest(handle);
      const rows = await handle.db
        .selectFrom('tickets')
        .select(['channel', 'source', 'supervised_at'])
        .where('tracking_code', 'like', 'MIG-021-%')
        .orderBy('tracking_code')
        .execute();
      expect(rows.map((r) => [r.channel, r.source, r.supervised_at])).toEqual([
        ['web', 'resident', null],
        ['mail', 'resident', null],
        ['hotline', 'resident', null],
        ['inspection', 'inspection', null],
        ['patrol', 'patrol', null],
      ]);
    } finally {
      await handle.close();
      await database.drop();
    }
  });
});
