// Exposure notices (曝光) and units' public responses (公开回应), issue 6, on SQLite and PostgreSQL,
// through the tRPC API: the office composes, publishes and withdraws notices (each publication
// queues a site build), units respond only to their own, the office reviews; overdue responses
// and units exposed three times in a row are flagged; and the public projection carries none of
// the reporters' personal data (web form, hotline call, mail).
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import sharp from 'sharp';
import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StaffUser } from '../../server/auth/roles.ts';
import { createLedgers } from '../../server/ledgers/ledgers.ts';
import { photoIdsOfTicket } from '../../server/media/photo-repository.ts';
import { publicSnapshot } from '../../server/publish/public-projection.ts';
import { buildSite } from '../../server/publish/site-builder.ts';
import { findTicketByCode, type TicketRecord } from '../../server/tickets/ticket-repository.ts';
import { appRouter } from '../../server/trpc/app-router.ts';
import { rawMail } from '../support/raw-mail.ts';
import { databaseKinds } from '../support/databases.ts';
import { startTestPortal, type TestPortal } from '../support/portal.ts';
import { createStaff } from '../support/staff-accounts.ts';
import { act, makeTicket, reportRectification, uploadAfterPhoto } from '../support/ticket-factory.ts';

const kinds = await databaseKinds();

const MARKET = '西关集贸市场里垃圾堆了好几天没人清理，臭气熏天，我的电话是13912340001';
const MARKET_CALL = '西关集贸市场东门口菜叶子烂了一地没人扫，市场里污水横流';
const MAIL_TEXT = '西关集贸市场的垃圾桶满了三天没人清运，苍蝇乱飞。我叫诸葛亮亮，电话13712340003。';
const FRONTAGE = '建设路商业街的店铺门口乱堆纸箱，垃圾没人扫';
const CROSSING = '人民路和府前街交叉口，机动车经过斑马线从来不礼让行人，老人过马路太危险了';

const PERSONAL = [
  '欧阳娜娜',
  '13912340001',
  'ouyang.nana@example.com',
  '司马光明',
  '13812340002',
  '诸葛亮亮',
  '13712340003',
  'zhuge.liang@example.org',
  '203.0.113.7',
];

const DAY = 24 * 3600_000;
const isoPlus = (iso: string, days: number) => new Date(Date.parse(iso) + days * DAY).toISOString();

async function failure(p: Promise<unknown>): Promise<TRPCError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof TRPCError) return err;
    throw err;
  }
  throw new Error('expected the call to fail');
}

function mail(from: string, subject: string, text: string): Buffer {
  return rawMail({ from, subject, text });
}

describe.each(kinds)('exposure notices on %s', (kind) => {
  let t: TestPortal;
  let users: Record<string, StaffUser> = {};
  const as = (name: string) =>
    appRouter.createCaller({ app: t.portal.services, request: { ip: '10.0.0.2', sameOrigin: true }, user: users[name] ?? null });
  const builds = async () =>
    Number(
      (
        await t.portal.database.db
          .selectFrom('site_builds')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const lastBuild = async () =>
    t.portal.database.db.selectFrom('site_builds').select(['reason', 'status']).orderBy('id', 'desc').executeTakeFirstOrThrow();

  let web: TicketRecord;
  let hotlineCode: string;
  let mailCode: string;
  let beforePhoto: string;
  let afterPhoto: string;
  let n1: number;

  beforeAll(async () => {
    t = await startTestPortal(kind);
    users = await createStaff(
      t,
      [
        ['office', 'dispatcher'],
        ['leader', 'leader'],
        ['operator', 'operator'],
        ['fagai', 'unit', 'fagaiju'],
        ['zhujian', 'unit', 'zhujianju'],
      ],
      { displayName: (username) => `测试${username}` },
    );

    // A web report with a photo and the reporter's name, phone and e-mail, rectified by the unit.
    const jpeg = await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 200, g: 90, b: 40 } } })
      .jpeg()
      .toBuffer();
    beforePhoto = (await t.portal.services.uploadPhoto(new Uint8Array(jpeg), { ip: '203.0.113.7' })).id;
    const submitted = await t.caller().report.submit({
      description: MARKET,
      category: 'market.hygiene',
      pointId: 'market-xiguan',
      photoIds: [beforePhoto],
      reporter: { name: '欧阳娜娜', phone: '13912340001', email: 'ouyang.nana@example.com' },
    });
    web = (await findTicketByCode(t.portal.database.db, submitted.trackingCode))!;
    expect(web.leadUnitCode).toBe('fagaiju');
    await act(t, web, { action: 'accept' }, { at: '2026-11-30T03:00:00.000Z' });
    await act(t, web, { action: 'startRectification' }, { at: '2026-11-30T04:00:00.000Z' });
    await reportRectification(t, web, { at: '2026-11-30T05:00:00.000Z' });
    afterPhoto = (await photoIdsOfTicket(t.portal.database.db, web.id, 'rectification'))[0]!;

    // A hotline call and a mail about the same market, with the callers' and senders' details.
    const call = await as('operator').staff.hotline.logCall({
      idempotencyKey: `notices-${kind}`,
      caller: { phone: '138 1234 0002', name: '司马光明', anonymous: false, wantsCallback: true },
      outcome: 'ticket',
      description: MARKET_CALL,
      pointId: 'market-xiguan',
      categoryCode: 'market.hygiene',
    });
    hotlineCode = call.trackingCode!;
    const mailed = await t.portal.services.mail.processMail(mail('诸葛亮亮 <zhuge.liang@example.org>', '市场垃圾', MAIL_TEXT), {});
    expect(mailed.outcome).toBe('created');
    mailCode = mailed.trackingCode!;
  });

  afterAll(async () => {
    await t?.close();
  });

  it('the office composes a draft from tickets: the lead unit by default, photos chosen from the tickets', async () => {
    t.clock.set('2026-11-30T08:00:00.000Z');
    const draft = await as('office').staff.notices.saveDraft({
      trackingCodes: [web.trackingCode, hotlineCode],
      title: '西关集贸市场垃圾多日无人清理',
      body: '群众多次反映西关集贸市场垃圾堆积、污水横流。\n\n请责任单位立即整改并公开回应。',
      responseDueAt: '2026-12-08T10:00:00.000Z',
      photos: [
        { id: beforePhoto, kind: 'before', alt: '整改前：西关市场垃圾堆积' },
        { id: afterPhoto, kind: 'after', alt: '整改后：西关市场已清理' },
      ],
    });
    n1 = draft.id;
    expect(draft).toMatchObject({ status: 'draft', slug: null, unit: { code: 'fagaiju' }, ticketCount: 2 });
    expect(draft.photos.map((p) => [p.kind, p.alt])).toEqual([
      ['before', '整改前：西关市场垃圾堆积'],
      ['after', '整改后：西关市场已清理'],
    ]);
    expect(draft.candidatePhotos.map((p) => p.id).sort()).toEqual([beforePhoto, afterPhoto].sort());
    expect(draft.can).toMatchObject({ edit: true, publish: true, withdraw: false });

    // Photos must be the tickets' own and of the right kind; codes must exist; alt text is required.
    const wrongKind = await failure(
      as('office').staff.notices.saveDraft({
        id: n1,
        trackingCodes: [web.trackingCode],
        title: '西关集贸市场垃圾多日无人清理',
        body: '群众多次反映西关集贸市场垃圾堆积。',
        responseDueAt: '2026-12-08T10:00:00.000Z',
        photos: [{ id: afterPhoto, kind: 'before', alt: '整改前' }],
      }),
    );
    expect(wrongKind).toMatchObject({ code: 'BAD_REQUEST', message: '整改前照片只能选群众反映时上传的照片' });
    const unknown = await failure(
      as('office').staff.notices.saveDraft({
        trackingCodes: ['AAA-AAA-AAA'],
        title: '西关集贸市场垃圾多日无人清理',
        body: '群众多次反映西关集贸市场垃圾堆积。',
        responseDueAt: '2026-12-08T10:00:00.000Z',
      }),
    );
    expect(unknown.code).toBe('BAD_REQUEST');
    const noAlt = await failure(
      as('office').staff.notices.saveDraft({
        trackingCodes: [web.trackingCode],
        title: '西关集贸市场垃圾多日无人清理',
        body: '群众多次反映西关集贸市场垃圾堆积。',
        responseDueAt: '2026-12-08T10:00:00.000Z',
        photos: [{ id: beforePhoto, kind: 'before', alt: '' }],
      }),
    );
    expect(noAlt.message).toContain('说明文字');

    // Leaders read, never write; units never see drafts; operators have no notices.
    expect((await as('leader').staff.notices.get({ id: n1 })).title).toBe('西关集贸市场垃圾多日无人清理');
    expect((await failure(as('leader').staff.notices.publish({ id: n1 }))).code).toBe('FORBIDDEN');
    expect(
      (
        await failure(
          as('fagai').staff.notices.saveDraft({
            trackingCodes: [web.trackingCode],
            title: '单位自己写的',
            body: '单位不能编辑曝光内容哦',
            responseDueAt: '2026-12-08T10:00:00.000Z',
          }),
        )
      ).code,
    ).toBe('FORBIDDEN');
    expect(await as('fagai').staff.notices.list()).toEqual([]);
    expect((await failure(as('fagai').staff.notices.get({ id: n1 }))).code).toBe('NOT_FOUND');
    expect((await failure(as('operator').staff.notices.list())).code).toBe('FORBIDDEN');
  });

  it('publishing gives a unique slug of the month and queues a site build in the same transaction', async () => {
    t.clock.set('2026-12-01T02:00:00.000Z');
    const before = await builds();
    const published = await as('office').staff.notices.publish({ id: n1 });
    expect(published).toMatchObject({ status: 'published', slug: '2026-12-001', publishedAt: '2026-12-01T02:00:00.000Z' });
    expect(await builds()).toBe(before + 1);
    expect(await lastBuild()).toEqual({ reason: `notice:${n1} published`, status: 'queued' });
    expect((await failure(as('office').staff.notices.publish({ id: n1 }))).code).toBe('CONFLICT');
    expect(
      (
        await failure(
          as('office').staff.notices.saveDraft({
            id: n1,
            trackingCodes: [web.trackingCode],
            title: '改一下标题吧',
            body: '已发布的曝光不能直接修改。',
            responseDueAt: '2026-12-08T10:00:00.000Z',
          }),
        )
      ).code,
    ).toBe('CONFLICT');

    // Two publications at once still get distinct numbers.
    const draft = () =>
      as('office').staff.notices.saveDraft({
        trackingCodes: [mailCode],
        title: '西关集贸市场垃圾桶满溢',
        body: '专用邮箱收到群众来信，反映西关集贸市场垃圾桶满溢。',
        responseDueAt: '2026-12-20T10:00:00.000Z',
      });
    const [a, b] = await Promise.all([draft(), draft()]);
    const [pa, pb] = await Promise.all([
      as('office').staff.notices.publish({ id: a.id }),
      as('office').staff.notices.publish({ id: b.id }),
    ]);
    expect([pa.slug, pb.slug].sort()).toEqual(['2026-12-002', '2026-12-003']);
    expect(await builds()).toBe(before + 3);

    // Units see the notices about themselves, and only those.
    expect((await as('fagai').staff.notices.list()).map((n) => n.id).sort()).toEqual([n1, a.id, b.id].sort());
    expect(await as('zhujian').staff.notices.list()).toEqual([]);
    expect((await failure(as('zhujian').staff.notices.get({ id: n1 }))).code).toBe('NOT_FOUND');

    // Withdrawing needs a reason, kept with who and when; it queues a build too; publishing again keeps the slug.
    const noReason = await failure(as('office').staff.notices.withdraw({ id: b.id, reason: ' 错 ' }));
    expect(noReason.code).toBe('BAD_REQUEST');
    expect(noReason.message).toContain('请填写撤回原因（至少4个字）');
    expect((await failure(as('fagai').staff.notices.withdraw({ id: b.id, reason: '我们已经整改完了' }))).code).toBe('FORBIDDEN');
    const withdrawn = await as('office').staff.notices.withdraw({ id: b.id, reason: '经核实，该问题属于另一单位职责' });
    expect(withdrawn.status).toBe('withdrawn');
    expect(withdrawn.withdrawal).toEqual({
      at: t.clock.now().toISOString(),
      byName: users['office']!.displayName,
      reason: '经核实，该问题属于另一单位职责',
    });
    expect(await lastBuild()).toEqual({ reason: `notice:${b.id} withdrawn`, status: 'queued' });
    const again = await as('office').staff.notices.publish({ id: b.id });
    expect(again.slug).toBe(pb.slug);
    expect(again.withdrawal?.reason).toBe('经核实，该问题属于另一单位职责');
    expect((await failure(as('office').staff.notices.withdraw({ id: a.id + 1000, reason: '没有这条曝光' }))).code).toBe('NOT_FOUND');
    await as('office').staff.notices.withdraw({ id: b.id, reason: '重复曝光，撤回' });
  });

  it('the exposed unit writes its response; the office returns it with a note, then publishes it (a build)', async () => {
    t.clock.set('2026-12-02T02:00:00.000Z');
    const photo = await uploadAfterPhoto(t, 'fagaiju');
    const body = {
      noticeId: n1,
      body: '我局已组织人员对西关集贸市场进行全面清理，并安排专人每日保洁。',
      photos: [{ id: photo, alt: '整改后：市场地面已清扫干净' }],
    };
    expect((await failure(as('zhujian').staff.notices.response.save(body))).code).toBe('NOT_FOUND');
    expect((await failure(as('leader').staff.notices.response.save(body))).code).toBe('FORBIDDEN');
    expect((await failure(as('office').staff.notices.response.save(body))).code).toBe('FORBIDDEN');

    const saved = await as('fagai').staff.notices.response.save(body);
    expect(saved.responseDetail).toMatchObject({
      status: 'draft',
      photos: [{ id: photo, kind: 'after', alt: '整改后：市场地面已清扫干净' }],
    });
    expect(saved.can.respond).toBe(true);
    expect((await failure(as('office').staff.notices.response.review({ noticeId: n1, decision: 'publish' }))).code).toBe('CONFLICT');

    const submitted = await as('fagai').staff.notices.response.submit(body);
    expect(submitted.responseDetail?.status).toBe('submitted');
    expect((await failure(as('fagai').staff.notices.response.save(body))).code).toBe('CONFLICT');
    const before = await builds();
    const returned = await as('office').staff.notices.response.review({ noticeId: n1, decision: 'return', note: '请补充长效管理措施' });
    expect(returned.responseDetail).toMatchObject({ status: 'returned', reviewNote: '请补充长效管理措施' });
    expect(await builds()).toBe(before);
    expect((await as('fagai').staff.notices.get({ id: n1 })).responseDetail?.reviewNote).toBe('请补充长效管理措施');

    await as('fagai').staff.notices.response.submit({ ...body, body: `${body.body}今后每周巡查两次，建立长效管理台帐。` });
    expect((await failure(as('leader').staff.notices.response.review({ noticeId: n1, decision: 'publish' }))).code).toBe('FORBIDDEN');
    const published = await as('office').staff.notices.response.review({ noticeId: n1, decision: 'publish' });
    expect(published.responseDetail).toMatchObject({ status: 'published', publishedAt: '2026-12-02T02:00:00.000Z' });
    expect(await builds()).toBe(before + 1);
    expect((await lastBuild()).reason).toMatch(/^response:\d+ published$/);
    expect((await failure(as('fagai').staff.notices.response.save(body))).code).toBe('CONFLICT');
  });

  it('a notice whose response deadline passed without a published response is flagged overdue', async () => {
    t.clock.set('2026-12-25T02:00:00.000Z');
    const list = await as('office').staff.notices.list({ status: 'published' });
    const byId = new Map(list.map((n) => [n.id, n]));
    expect(byId.get(n1)?.responseOverdue).toBe(false);
    const other = list.find((n) => n.id !== n1)!;
    expect(other.responseOverdue).toBe(true);
    const snapshot = await publicSnapshot({ db: t.portal.database.db, catalog: t.portal.services.catalog, mediaDir: '/m' }, t.clock.now());
    expect(snapshot.notices.find((n) => n.slug === '2026-12-001')).toMatchObject({
      responseOverdue: false,
      response: { photos: [{ kind: 'after' }] },
    });
    expect(snapshot.notices.find((n) => n.slug === other.slug)?.responseOverdue).toBe(true);
  });

  it('flags a unit exposed three times in a row (gaps of at most ESCALATION_RESET_DAYS), for the office and leaders', async () => {
    const frontage = await makeTicket(t, {
      text: FRONTAGE,
      category: 'frontage.cleanliness',
      unit: 'zhujianju',
      at: '2027-01-02T02:00:00.000Z',
    });
    const crossing = await makeTicket(t, {
      text: CROSSING,
      category: 'intersection.not-yielding',
      unit: 'jiaojing',
      at: '2027-01-02T06:00:00.000Z',
    });
    const expose = async (ticket: TicketRecord, at: string) => {
      t.clock.set(at);
      const d = await as('office').staff.notices.saveDraft({
        trackingCodes: [ticket.trackingCode],
        title: `曝光：${ticket.leadUnitCode} ${at.slice(0, 10)}`,
        body: '督导检查发现问题仍未整改，予以曝光。',
        responseDueAt: isoPlus(at, 7),
      });
      return as('office').staff.notices.publish({ id: d.id });
    };
    // zhujianju: 30 days apart, three in a row. jiaojing: a gap of 110 days breaks its run.
    await expose(frontage, '2027-01-10T02:00:00.000Z');
    await expose(crossing, '2027-01-10T03:00:00.000Z');
    await expose(frontage, '2027-02-10T02:00:00.000Z');
    await expose(frontage, '2027-03-12T02:00:00.000Z');
    await expose(crossing, '2027-04-30T02:00:00.000Z');
    await expose(crossing, '2027-05-10T02:00:00.000Z');

    const flagged = await as('office').staff.notices.flaggedUnits();
    expect(flagged.map((f) => [f.unit.code, f.inARow])).toEqual([['zhujianju', 3]]);
    expect(flagged[0]!.notices.map((n) => n.slug)).toEqual(['2027-01-001', '2027-02-001', '2027-03-001']);
    expect((await as('leader').staff.notices.flaggedUnits()).length).toBe(1);
    expect((await failure(as('zhujian').staff.notices.flaggedUnits())).code).toBe('FORBIDDEN');

    // More than 90 days after its last notice the run has ended.
    t.clock.set(isoPlus('2027-03-12T02:00:00.000Z', 91));
    expect(await as('office').staff.notices.flaggedUnits()).toEqual([]);
  });

  it('the public projection: published notices only, figures that match the ledgers, and no personal data', async () => {
    const { db, catalog } = { db: t.portal.database.db, catalog: t.portal.services.catalog };
    const at = t.clock.now();
    const snapshot = await publicSnapshot({ db, catalog, mediaDir: '/srv/media' }, at);

    const slugs = snapshot.notices.map((n) => n.slug);
    expect(slugs).toContain('2026-12-001');
    expect(slugs).toHaveLength(8); // n1, one of the pair (the other withdrawn), six in 2027
    const n = snapshot.notices.find((x) => x.slug === '2026-12-001')!;
    expect(n).toMatchObject({
      title: '西关集贸市场垃圾多日无人清理',
      unit: { code: 'fagaiju' },
      categories: [catalog.category('market.hygiene')!.name],
      photos: [
        { id: beforePhoto, kind: 'before', alt: '整改前：西关市场垃圾堆积', width: expect.any(Number) },
        { id: afterPhoto, kind: 'after', alt: '整改后：西关市场已清理' },
      ],
    });
    expect(n.response?.body).toContain('长效管理台帐');
    expect(snapshot.units.find((u) => u.code === 'zhujianju')?.notices).toHaveLength(3);

    // The figures are the ledgers': every ticket received, the monthly report's totals per month.
    const ledgers = createLedgers({ db, catalog, clock: { now: () => at } });
    const problems = await ledgers.problems({ pageSize: 200 });
    expect(snapshot.stats.totals.received).toBe(problems.total);
    expect(snapshot.stats.byChannel.map((c) => [c.code, c.count]).sort()).toEqual(
      [
        ['hotline', 1],
        ['mail', 1],
        ['web', 3],
      ].sort(),
    );
    const november = await ledgers.monthlyReport('2026-11');
    expect(snapshot.stats.byMonth.find((m) => m.month === '2026-11')).toEqual({
      month: '2026-11',
      received: november.totals.received,
      closed: november.totals.closed,
      closedOnTime: november.totals.closedOnTime,
      onTimeRate: november.totals.onTimeRate,
    });
    expect(snapshot.stats.byMonth.map((m) => m.month)[0]).toBe('2026-11');

    // None of the reporters', callers' or senders' details, and none of the residents' words.
    const json = JSON.stringify(snapshot);
    for (const secret of [...PERSONAL, MARKET, MARKET_CALL, MAIL_TEXT, web.trackingCode, hotlineCode, mailCode]) {
      expect(json, secret).not.toContain(secret);
    }
    for (const phone of json.match(/(?<!\d)1[3-9]\d{9}(?!\d)/g) ?? []) throw new Error(`a phone number in the snapshot: ${phone}`);
    expect(json).not.toMatch(/@example\.(com|org)/);
  });

  // The other half of the personal-data proof (issue 6): the site built from that snapshot — every
  // page, the feed, the sitemap, the search index, the compressed copies — carries none of it.
  // One database is enough: the build reads only the snapshot.
  it.skipIf(kind !== 'sqlite')(
    'the built public site, its feed and its search index carry no personal data',
    async () => {
      const snapshot = await publicSnapshot(
        { db: t.portal.database.db, catalog: t.portal.services.catalog, mediaDir: t.portal.photos.dir },
        t.clock.now(),
      );
      const root = path.resolve(import.meta.dirname, '../..');
      const built = await buildSite({ snapshot, dataDir: t.database.dataDir, root });
      const secrets = [...PERSONAL, MARKET, MARKET_CALL, MAIL_TEXT, web.trackingCode, hotlineCode, mailCode];
      let scanned = 0;
      for (const entry of fs.readdirSync(built.dir, { recursive: true, withFileTypes: true })) {
        if (!entry.isFile()) continue;
        let bytes = fs.readFileSync(path.join(entry.parentPath, entry.name));
        if (entry.name.endsWith('.br')) bytes = zlib.brotliDecompressSync(bytes);
        else if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = zlib.gunzipSync(bytes); // .gz, Pagefind's fragments and index
        const text = bytes.toString('utf8');
        for (const secret of secrets) expect(text, `${entry.name}: ${secret}`).not.toContain(secret);
        // A mobile number standing alone (not inside a longer number such as a timestamp).
        expect(text, entry.name).not.toMatch(/(?<!\d)1[3-9]\d{9}(?!\d)/);
        scanned++;
      }
      expect(fs.existsSync(path.join(built.dir, 'feed.xml'))).toBe(true);
      expect(fs.readFileSync(path.join(built.dir, 'notices', '2026-12-001', 'index.html'), 'utf8')).toContain(
        '西关集贸市场垃圾多日无人清理',
      );
      expect(scanned).toBeGreaterThan(20);
    },
    300_000,
  );
});
