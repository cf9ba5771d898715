// After an inspection round (issue 14, item 3), on SQLite and PostgreSQL, from rounds worked
// through the real inspection service (plan, recordItem, recordRecheck, close): the supervision
// cards per unit (exact rows; the .docx read back — its table rows and the embedded photo — and
// its download route), the bulletin (counts by unit and category, repeat problems naming the
// earlier round, re-checks with rework, points not fully inspected), the public version (only
// after closing, only by the office, once; in the public snapshot without an inspector, a note, a
// tracking code or a point's responsible person; a rebuild requested), and who may read what.
import { strFromU8, unzipSync } from 'fflate';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StaffUser } from '../../server/auth/roles.ts';
import { ConflictError, ForbiddenError, NotFoundError } from '../../server/errors.ts';
import { publicSnapshot } from '../../server/publish/public-projection.ts';
import { findTicketByCode } from '../../server/tickets/ticket-repository.ts';
import { appRouter } from '../../server/trpc/app-router.ts';
import { databaseKinds } from '../support/databases.ts';
import { serveTestPortal, type TestHost } from '../support/http-host.ts';
import { startTestPortal, type TestPortal } from '../support/portal.ts';
import { createStaff, STAFF_PASSWORD } from '../support/staff-accounts.ts';
import { act, reportRectification } from '../support/ticket-factory.ts';

const kinds = await databaseKinds();

const XIGUAN = '临城县西关集贸市场';
const STALLS = '摊位划行归市、摆放整齐，无店外经营和占道经营';
const GROUND = '地面无积存垃圾、无污水，排水沟通畅';
const STAIRWELLS = '楼道无堆物，无飞线充电';
const STALLS_NOTE = '东侧三家摊位占道经营，摊主老周说下午就收';
const STAIRS_NOTE = '3号楼二单元楼道堆放杂物，有电动车飞线充电';
const EARLIER_NOTE = '东门口垃圾堆积，污水外溢';
const INSPECTOR_NAME = '张明远';
const FAGAIJU = { code: 'fagaiju', name: '临城县发展和改革局', shortName: '县发改局（商务）' };
const ZHUJIANJU = { code: 'zhujianju', name: '临城县住房和城乡建设局', shortName: '县住建局' };

/** The text of each table row of a .docx's body, cell by cell (cells without text left out). */
function docxRows(docx: Uint8Array): { rows: string[][]; media: Uint8Array[]; xml: string } {
  const files = unzipSync(docx);
  const xml = strFromU8(files['word/document.xml']!);
  const rows = [...xml.matchAll(/<w:tr[ >][\s\S]*?<\/w:tr>/g)].map((row) =>
    [...row[0].matchAll(/<w:tc>[\s\S]*?<\/w:tc>/g)]
      .map((cell) => [...cell[0].matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)].map((t) => t[1]).join(''))
      .filter((text) => text !== ''),
  );
  const media = Object.entries(files)
    .filter(([name]) => name.startsWith('word/media/'))
    .map(([, bytes]) => bytes);
  return { rows, media, xml };
}

describe.each(kinds)('inspection reports on %s', (kind) => {
  let t: TestPortal;
  let host: TestHost;
  let users: Record<'office' | 'leader' | 'insp' | 'fagai01' | 'zhujian01' | 'operator' | 'patrol', StaffUser>;
  let earlierId = 0;
  let roundId = 0;
  let earlierCode = '';
  const codes: Record<'stalls' | 'ground' | 'stairwells', string> = { stalls: '', ground: '', stairwells: '' };
  let photoId = '';
  const cookies: Record<string, string> = {};

  const at = (iso: string) => t.clock.set(iso);
  const inspection = () => t.portal.services.inspection;
  const reports = () => t.portal.services.inspectionReports;

  async function record(
    round: number,
    pointId: string,
    itemCode: string,
    verdict: 'pass' | 'fail',
    more: { note?: string; photoIds?: string[] } = {},
  ) {
    const answer = await inspection().recordItem(users.insp, {
      roundId: round,
      pointId,
      itemCode,
      verdict,
      ...more,
      observedAt: t.clock.now().toISOString(),
      idempotencyKey: `key-${round}-${pointId}-${itemCode}`,
    });
    return answer.trackingCode ?? '';
  }

  beforeAll(async () => {
    t = await startTestPortal(kind);
    const { catalog } = t.portal.services;
    users = await createStaff(
      t,
      [
        ['office', 'dispatcher'],
        ['leader', 'leader'],
        ['insp', 'inspector'],
        ['fagai01', 'unit', 'fagaiju'],
        ['zhujian01', 'unit', 'zhujianju'],
        ['operator', 'operator'],
        ['patrol', 'patrol'],
      ] as const,
      { displayName: (u) => (u === 'insp' ? INSPECTOR_NAME : u) },
    );

    // The earlier round: the ground at Xiguan market failed; the unit reports it fixed.
    at('2026-11-23T01:00:00.000Z');
    earlierId = (
      await inspection().plan(users.office, {
        name: '第47周督导检查',
        startsOn: '2026-11-23',
        endsOn: '2026-11-27',
        pointIds: ['market-xiguan'],
        inspectorIds: [users.insp.id],
      })
    ).id;
    at('2026-11-24T02:00:00.000Z');
    earlierCode = await record(earlierId, 'market-xiguan', 'ground', 'fail', { note: EARLIER_NOTE });
    const earlier = (await findTicketByCode(t.portal.database.db, earlierCode))!;
    await act(t, earlier, { action: 'accept' }, { at: '2026-11-25T02:00:00.000Z' });
    await reportRectification(t, earlier, { at: '2026-11-26T02:00:00.000Z', text: '已组织清运，疏通排水沟。' });
    at('2026-11-27T08:00:00.000Z');
    await inspection().close(users.office, earlierId);

    // This week's round over four points, re-checking the earlier problem.
    at('2026-11-30T01:00:00.000Z');
    roundId = (
      await inspection().plan(users.office, {
        name: '第48周督导检查',
        startsOn: '2026-11-30',
        endsOn: '2026-12-04',
        pointIds: ['market-xiguan', 'market-dongguan', 'compound-jinxiu', 'market-haozhuang'],
        inspectorIds: [users.insp.id],
        recheck: true,
      })
    ).id;
    at('2026-11-30T02:00:00.000Z');
    const jpeg = await sharp({ create: { width: 120, height: 90, channels: 3, background: { r: 200, g: 120, b: 40 } } })
      .jpeg()
      .toBuffer();
    photoId = (await t.portal.services.uploadPhoto(new Uint8Array(jpeg), { ip: '203.0.113.9' })).id;
    for (const item of catalog.checklist('market')) {
      if (item.code === 'stalls')
        codes.stalls = await record(roundId, 'market-xiguan', 'stalls', 'fail', { note: STALLS_NOTE, photoIds: [photoId] });
      else if (item.code === 'ground') codes.ground = await record(roundId, 'market-xiguan', 'ground', 'fail');
      else await record(roundId, 'market-xiguan', item.code, 'pass');
    }
    for (const item of catalog.checklist('market')) await record(roundId, 'market-dongguan', item.code, 'pass');
    codes.stairwells = await record(roundId, 'compound-jinxiu', 'stairwells', 'fail', { note: STAIRS_NOTE });
    const recheck = await inspection().recordRecheck(users.insp, {
      roundId,
      ticketId: earlier.id,
      verdict: 'not_fixed',
      note: '东门口仍有垃圾',
      observedAt: t.clock.now().toISOString(),
      idempotencyKey: `recheck-${roundId}-${earlier.id}`,
    });
    expect(recheck.verdict).toBe('not_fixed');

    host = await serveTestPortal(t);
    for (const who of ['office', 'zhujian01'] as const) {
      const { token } = await t.portal.services.accounts.login(users[who].username, STAFF_PASSWORD, { ip: '127.0.0.1' });
      cookies[who] = `cc_session=${token}`;
    }
  }, 60_000);

  afterAll(async () => {
    await host?.close();
    await t?.close();
  });

  it('gives each unit with problems its card, in the catalog order of units, with exact rows', async () => {
    const cards = await reports().cards(users.office, roundId);
    expect(cards.map((c) => [c.number, c.unit.code])).toEqual([
      [`督办〔2026〕第${roundId}-1号`, 'zhujianju'],
      [`督办〔2026〕第${roundId}-2号`, 'fagaiju'],
    ]);
    const fagaiju = cards[1]!;
    expect(fagaiju.issuer).toBe('临城县创建文明城市工作指挥部办公室');
    expect(fagaiju.round).toEqual({ id: roundId, name: '第48周督导检查', startsOn: '2026-11-30', endsOn: '2026-12-04', closed: false });
    expect(fagaiju.unit).toEqual(FAGAIJU);
    expect(fagaiju.problems).toEqual([
      {
        trackingCode: codes.stalls,
        pointName: XIGUAN,
        pointAddress: '临城镇西关街中段路北',
        standard: STALLS,
        found: STALLS_NOTE,
        photo: { id: photoId, thumbUrl: `/media/${photoId}.thumb.webp` },
        deadlineOn: '2026-12-07',
      },
      {
        trackingCode: codes.ground,
        pointName: XIGUAN,
        pointAddress: '临城镇西关街中段路北',
        standard: GROUND,
        found: null,
        photo: null,
        deadlineOn: '2026-12-07',
      },
    ]);
    expect(cards[0]!.problems.map((p) => [p.trackingCode, p.pointName, p.standard, p.found, p.photo])).toEqual([
      [codes.stairwells, '锦绣家园小区', STAIRWELLS, STAIRS_NOTE, null],
    ]);
    expect(fagaiju.requirement).toContain('整改时限前整改到位');
    expect(fagaiju.requirement).toContain('创城工作台');
  });

  it('writes the cards as a .docx: one table per unit with its rows, the photo embedded as JPEG', async () => {
    const file = await reports().cardsFile(users.office, roundId);
    expect(file.filename).toBe('督办交办卡-第48周督导检查-全部单位.docx');
    const { rows, media, xml } = docxRows(file.body);
    const header = ['序号', '点位', '检查标准', '发现问题', '照片', '跟踪码', '整改时限'];
    expect(rows).toEqual([
      header,
      ['1', '锦绣家园小区', STAIRWELLS, STAIRS_NOTE, '无照片', codes.stairwells, '2026年12月7日'],
      header,
      ['1', XIGUAN, STALLS, STALLS_NOTE, codes.stalls, '2026年12月7日'],
      ['2', XIGUAN, GROUND, '不符合检查标准', '无照片', codes.ground, '2026年12月7日'],
    ]);
    for (const text of [
      `督办〔2026〕第${roundId}-1号`,
      `督办〔2026〕第${roundId}-2号`,
      FAGAIJU.name,
      ZHUJIANJU.name,
      '签收人',
      '督办交办卡',
    ])
      expect(xml).toContain(text);
    expect(media).toHaveLength(1);
    expect([...media[0]!.subarray(0, 2)]).toEqual([0xff, 0xd8]);

    const own = docxRows((await reports().cardsFile(users.fagai01, roundId)).body);
    expect(own.rows).toHaveLength(3);
    expect(own.xml).toContain(FAGAIJU.name);
    expect(own.xml).not.toContain(ZHUJIANJU.name);
  });

  it('serves the .docx at /api/inspection/rounds/<id>/cards.docx to signed-in staff, as the domain allows', async () => {
    const url = `${host.base}/api/inspection/rounds/${roundId}/cards.docx`;
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(`${url}?unit=fagaiju`, { headers: { cookie: cookies['zhujian01']! } })).status).toBe(403);
    const own = await fetch(url, { headers: { cookie: cookies['zhujian01']! } });
    expect(own.status).toBe(200);
    expect(own.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.wordprocessingml.document');
    expect(own.headers.get('content-disposition')).toContain(encodeURIComponent('督办交办卡-第48周督导检查-县住建局.docx'));
    const { xml } = docxRows(new Uint8Array(await own.arrayBuffer()));
    expect(xml).toContain(ZHUJIANJU.name);
    expect(xml).not.toContain(FAGAIJU.name);
    expect((await fetch(`${host.base}/api/inspection/rounds/99999/cards.docx`, { headers: { cookie: cookies['office']! } })).status).toBe(
      404,
    );
    // The download served is recorded as an account action (安全审计); the refused ones are not.
    const exported = await t.portal.database.db
      .selectFrom('account_events')
      .select(['actor_user_id', 'detail'])
      .where('action', '=', 'exported')
      .execute();
    expect(exported.map((e) => ({ actor: e.actor_user_id, detail: JSON.parse(e.detail) as unknown }))).toEqual([
      { actor: users.zhujian01.id, detail: { kind: 'supervision-cards', format: 'docx', scope: { roundId }, via: 'console' } },
    ]);
  });

  it('counts the bulletin by unit and category, names repeat problems and the re-checks, lists points not inspected', async () => {
    const b = await reports().bulletin(users.leader, roundId);
    expect(b.totals).toEqual({ points: 4, pointsInspected: 3, itemsFailed: 3, units: 2 });
    expect(b.byUnit).toEqual([
      { unit: FAGAIJU, failed: 2, points: 1, rectified: 0 },
      { unit: ZHUJIANJU, failed: 1, points: 1, rectified: 0 },
    ]);
    expect(b.byCategory).toEqual([
      { code: 'market', name: '集贸市场', failed: 2 },
      { code: 'compound', name: '小区和社区', failed: 1 },
    ]);
    expect(b.problems.map((p) => [p.point.name, p.standard, p.unit.code, p.trackingCode])).toEqual([
      [XIGUAN, STALLS, 'fagaiju', codes.stalls],
      [XIGUAN, GROUND, 'fagaiju', codes.ground],
      ['锦绣家园小区', STAIRWELLS, 'zhujianju', codes.stairwells],
    ]);
    expect(b.repeats).toEqual([
      {
        unit: FAGAIJU,
        pointName: XIGUAN,
        standard: GROUND,
        trackingCode: codes.ground,
        earlier: { roundId: earlierId, roundName: '第47周督导检查', startsOn: '2026-11-23' },
      },
    ]);
    expect(b.rechecks).toEqual([{ unit: FAGAIJU, fixed: 0, notFixed: 1, rework: 1, pending: 0 }]);
    expect(b.notInspected).toEqual([
      { pointName: '锦绣家园小区', unit: ZHUJIANJU, done: 1, items: 7 },
      {
        pointName: '郝庄镇集贸市场',
        unit: { code: 'haozhuangzhen', name: expect.any(String), shortName: expect.any(String) },
        done: 0,
        items: 10,
      },
    ]);
    // The earlier round re-checked nothing and repeats nothing.
    const earlier = await reports().bulletin(users.office, earlierId);
    expect(earlier.rechecks).toBeNull();
    expect(earlier.repeats).toEqual([]);
    expect(earlier.totals).toEqual({ points: 1, pointsInspected: 1, itemsFailed: 1, units: 1 });
  });

  it('lets unit staff read only their own card, and refuses the bulletin and cards to other roles', async () => {
    expect((await reports().cards(users.fagai01, roundId)).map((c) => c.unit.code)).toEqual(['fagaiju']);
    expect((await reports().cards(users.zhujian01, earlierId)).map((c) => c.unit.code)).toEqual([]);
    await expect(reports().cardsFile(users.zhujian01, earlierId)).rejects.toThrow('本轮督导没有发现本单位的问题，本单位没有督办交办卡');
    await expect(reports().cards(users.fagai01, roundId, 'zhujianju')).rejects.toThrow(ForbiddenError);
    await expect(reports().cardsFile(users.fagai01, roundId, 'zhujianju')).rejects.toThrow(ForbiddenError);
    for (const who of ['insp', 'patrol', 'operator'] as const) {
      await expect(reports().cards(users[who], roundId)).rejects.toThrow(ForbiddenError);
      await expect(reports().bulletin(users[who], roundId)).rejects.toThrow(ForbiddenError);
    }
    await expect(reports().bulletin(users.fagai01, roundId)).rejects.toThrow(ForbiddenError);
    expect(await reports().cards(users.leader, roundId)).toHaveLength(2);
    await expect(reports().cards(users.office, roundId, 'jiaojing')).rejects.toThrow(NotFoundError);
    await expect(reports().cards(users.office, 99999)).rejects.toThrow(NotFoundError);
  });

  it('answers through the API (inspectionReports.cards, .bulletin, .publishBulletin) with the same rules', async () => {
    const as = (user: StaffUser) =>
      appRouter.createCaller({ app: t.portal.services, request: { ip: '127.0.0.1', sameOrigin: true }, user }).inspectionReports;
    expect((await as(users.leader).bulletin({ roundId })).totals.itemsFailed).toBe(3);
    expect((await as(users.fagai01).cards({ roundId })).map((c) => c.number)).toEqual([`督办〔2026〕第${roundId}-2号`]);
    await expect(as(users.fagai01).cards({ roundId, unitCode: 'zhujianju' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(as(users.leader).publishBulletin({ roundId })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(as(users.office).cards({ roundId: 0 })).rejects.toMatchObject({ code: 'BAD_REQUEST', message: '请指明是哪一轮督导' });
  });

  it('publishes the public bulletin only for a closed round, by the office, once — without personal data', async () => {
    const { db, catalog } = { db: t.portal.database.db, catalog: t.portal.services.catalog };
    expect((await publicSnapshot({ db, catalog, mediaDir: '/m' }, t.clock.now())).bulletins).toEqual([]);
    await expect(reports().publishPublicBulletin(users.office, roundId)).rejects.toThrow(ConflictError);
    at('2026-12-04T09:00:00.000Z');
    await inspection().close(users.office, roundId);
    await expect(reports().publishPublicBulletin(users.leader, roundId)).rejects.toThrow(ForbiddenError);
    await expect(reports().publishPublicBulletin(users.fagai01, roundId)).rejects.toThrow(ForbiddenError);
    at('2026-12-04T10:00:00.000Z');
    expect(await reports().publishPublicBulletin(users.office, roundId)).toEqual({ publishedAt: '2026-12-04T10:00:00.000Z' });
    await expect(reports().publishPublicBulletin(users.office, roundId)).rejects.toThrow(ConflictError);
    expect((await reports().bulletin(users.office, roundId)).publicPath).toBe(`/bulletins/round-${roundId}/`);

    const builds = await db
      .selectFrom('site_builds')
      .select(['reason', 'status'])
      .where('reason', '=', `bulletin:${roundId} published`)
      .execute();
    expect(builds).toEqual([{ reason: `bulletin:${roundId} published`, status: 'queued' }]);

    const snapshot = await publicSnapshot({ db, catalog, mediaDir: '/m' }, t.clock.now());
    const unit = (u: typeof FAGAIJU) => ({ code: u.code, name: u.name, shortName: u.shortName });
    expect(snapshot.bulletins).toEqual([
      {
        slug: `round-${roundId}`,
        title: '关于第48周督导检查情况的通报',
        roundName: '第48周督导检查',
        startsOn: '2026-11-30',
        endsOn: '2026-12-04',
        publishedAt: '2026-12-04T10:00:00.000Z',
        totals: { points: 4, itemsFailed: 3, units: 2 },
        byUnit: [
          { ...unit(FAGAIJU), failed: 2, rectified: 0 },
          { ...unit(ZHUJIANJU), failed: 1, rectified: 0 },
        ],
        byCategory: [
          { label: '集贸市场', count: 2 },
          { label: '小区和社区', count: 1 },
        ],
        problems: [
          { pointName: XIGUAN, standard: STALLS, unit: unit(FAGAIJU), rectified: false },
          { pointName: XIGUAN, standard: GROUND, unit: unit(FAGAIJU), rectified: false },
          { pointName: '锦绣家园小区', standard: STAIRWELLS, unit: unit(ZHUJIANJU), rectified: false },
        ],
        repeats: [{ pointName: XIGUAN, standard: GROUND, unit: unit(FAGAIJU), earlierRound: '第47周督导检查' }],
      },
    ]);
    const json = JSON.stringify(snapshot.bulletins);
    for (const secret of [
      STALLS_NOTE,
      '老周',
      STAIRS_NOTE,
      EARLIER_NOTE,
      INSPECTOR_NAME,
      'insp',
      '王某某',
      '刘某某',
      codes.stalls,
      codes.stairwells,
      photoId,
    ])
      expect(json).not.toContain(secret);
  });
});
