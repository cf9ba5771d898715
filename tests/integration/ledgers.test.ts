// The three ledgers (三本帐), their exports and the monthly report, on SQLite and PostgreSQL,
// over tickets made through the real intake and staff commands (tests/support/ticket-factory.ts).
//
// The scene, November 2026 (times UTC; CST is 8 hours ahead):
//   O  Oct 20  zhujianju  frontage   dispatched, never touched: overdue since October
//   A  Nov  2  jiaojing   crossing   closed on time (reported Nov 5, struck off Nov 6)
//   B  Nov  3  fagaiju    market     reported on time, sent back, re-reported late, closed Nov 15
//   C  Nov 10  zhujianju  compound   rectifying, overdue at month end, reported Dec 1 and closed Dec 2
//   E  Nov 12  wenmingban PSA        extension approved, reported after the first deadline but
//                                    before the extended one (on time), closed Nov 23
//   G  Nov 15  jiaojing   crossing   accepted, overdue from Nov 22, still open
//   D  Nov 20  —          hotline, out of scope: in the office's triage queue
//   R  Nov 21  —          triage, rejected
//   P  Nov 26  zhujianju  frontage   reported, waiting for verification
//   H  Dec  1  zhujianju  frontage   dispatched
//   Q  Dec  2  zhujianju  back street, a description with commas, quotes and line breaks (CSV)
// "Now" is Dec 3 02:00 UTC unless a test says otherwise: the November report is generated
// between the 1st and the 5th, after C was closed.
import readExcelFile, { readSheet } from 'read-excel-file/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createLedgers, type Ledgers } from '../../server/ledgers/ledgers.ts';
import { rectificationLedgerRows } from '../../server/ledgers/rectification-ledger.ts';
import { csvFileText, type CsvFile, type XlsxFile } from '../../server/ledgers/table-export.ts';
import type { TicketRecord } from '../../server/tickets/ticket-repository.ts';
import { databaseKinds } from '../support/databases.ts';
import { startTestPortal, type TestPortal } from '../support/portal.ts';
import { act, makeTicket, reportRectification, submitTicket } from '../support/ticket-factory.ts';

const kinds = await databaseKinds();

const CROSSING = '人民路和府前街交叉口，机动车经过斑马线从来不礼让行人，老人过马路太危险了';
const CROSSING_BIKES = '中兴大街与建设路交叉口电动车逆行闯红灯，很危险';
const MARKET = '西关集贸市场里垃圾堆了好几天没人清理，臭气熏天';
const COMPOUND = '锦绣家园小区楼道里堆满杂物，消防通道被堵';
const PSA = '人民广场的公益广告牌破了一大块，风一吹哗哗响';
const FRONTAGE = '建设路商业街的店铺门口乱堆纸箱，垃圾没人扫';
const WAGES = '我单位拖欠我三个月工资一直不发，老板电话也不接，请帮忙讨薪';
const NOISE = '我家楼上邻居天天半夜唱歌，吵得睡不着觉，说了好几次也不听';
const TRICKY = '西关街口, "早市"摊位占道,\n每天早上七点到九点\n车辆过不去，"请管管"';

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const NOW = '2026-12-03T02:00:00.000Z';

const cst = (iso: string) => new Date(Date.parse(iso) + 8 * HOUR);

/** RFC 4180 reader for the round trip: quoted fields, doubled quotes, line breaks inside quotes, CRLF records. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') ((field += '"'), i++);
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') (row.push(field), (field = ''));
    else if (c === '\r' && text[i + 1] === '\n') (row.push(field), rows.push(row), (row = []), (field = ''), i++);
    else if (c === '\n') throw new Error(`bare LF outside quotes at ${i}`);
    else field += c;
  }
  if (field !== '' || row.length > 0) throw new Error('last record not terminated by CRLF');
  return rows;
}

describe.each(kinds)('ledgers on %s', (kind) => {
  let t: TestPortal;
  let ledgers: Ledgers;
  const tk: Record<string, TicketRecord> = {};
  const ledgerDeps = () => ({ db: t.portal.database.db, catalog: t.portal.services.catalog, clock: t.clock });

  beforeAll(async () => {
    t = await startTestPortal(kind);
    ledgers = createLedgers(ledgerDeps());

    tk['O'] = await makeTicket(t, { text: FRONTAGE, category: 'frontage.cleanliness', unit: 'zhujianju', at: '2026-10-20T02:00:00.000Z' });
    tk['A'] = await makeTicket(t, {
      text: CROSSING,
      category: 'intersection.not-yielding',
      unit: 'jiaojing',
      status: 'closed',
      at: '2026-11-02T02:00:00.000Z',
      stepMinutes: 24 * 60,
      location: { address: '人民路与府前街交叉口' },
      reporter: { name: '王秀兰', phone: '13912345678', email: 'wangxl@example.com' },
    });
    tk['B'] = await makeTicket(t, {
      text: MARKET,
      category: 'market.hygiene',
      pointId: 'market-xiguan',
      unit: 'fagaiju',
      status: 'closed',
      sentBack: true,
      at: '2026-11-03T02:00:00.000Z',
      stepMinutes: 48 * 60,
    });
    tk['C'] = await makeTicket(t, {
      text: COMPOUND,
      category: 'compound.environment',
      pointId: 'compound-jinxiu',
      unit: 'zhujianju',
      status: 'rectifying',
      at: '2026-11-10T02:00:00.000Z',
    });
    const e = await makeTicket(t, {
      text: PSA,
      category: 'psa.damaged',
      pointId: 'psa-renmin-square',
      unit: 'wenmingban',
      status: 'rectifying',
      at: '2026-11-12T02:00:00.000Z',
    });
    await act(
      t,
      e,
      { action: 'requestExtension', reason: '广告牌需重新制作', requestedDeadline: '2026-11-26T02:00:00.000Z' },
      { at: '2026-11-13T02:00:00.000Z' },
    );
    await act(t, e, { action: 'approveExtension' }, { at: '2026-11-14T02:00:00.000Z' });
    await reportRectification(t, e, { at: '2026-11-22T02:00:00.000Z', text: '已更换新的公益广告牌', photos: 2 });
    tk['E'] = await act(t, e, { action: 'verify' }, { at: '2026-11-23T02:00:00.000Z' });
    tk['G'] = await makeTicket(t, {
      text: CROSSING_BIKES,
      category: 'intersection.non-motor-violation',
      pointId: 'intersection-zhongxing-jianshe',
      unit: 'jiaojing',
      status: 'accepted',
      at: '2026-11-15T02:00:00.000Z',
      stepMinutes: 1,
    });
    tk['D'] = await makeTicket(t, { text: WAGES, channel: 'hotline', status: 'received', at: '2026-11-20T02:00:00.000Z' });
    tk['R'] = await makeTicket(t, { text: NOISE, status: 'rejected', at: '2026-11-21T02:00:00.000Z' });
    tk['P'] = await makeTicket(t, {
      text: FRONTAGE,
      category: 'frontage.cleanliness',
      pointId: 'frontage-jianshe',
      unit: 'zhujianju',
      status: 'reported',
      at: '2026-11-26T02:00:00.000Z',
    });
    await reportRectification(t, tk['C'], { at: '2026-12-01T04:00:00.000Z', text: '楼道杂物已清理' });
    await act(t, tk['C'], { action: 'verify' }, { at: '2026-12-02T01:00:00.000Z' });
    tk['H'] = await makeTicket(t, { text: FRONTAGE, category: 'frontage.cleanliness', unit: 'zhujianju', at: '2026-12-01T02:00:00.000Z' });
    tk['Q'] = await submitTicket(t, { text: TRICKY, category: 'backstreet.occupation', at: '2026-12-02T02:00:00.000Z' });
    t.clock.set(NOW);
  });
  afterAll(async () => {
    await t?.close();
  });

  const code = (name: string) => tk[name]!.trackingCode;
  const codes = (...names: string[]) => names.map(code).sort();
  const sorted = (rows: Array<{ trackingCode: string }>) => rows.map((r) => r.trackingCode).sort();

  describe('problem ledger', () => {
    it('has one row per ticket, newest first, with names, labels, deadline, closure and overdue', async () => {
      const page = await ledgers.problems({ pageSize: 500 });
      expect(page.total).toBe(11);
      expect(page.rows.map((r) => r.trackingCode)).toEqual(['Q', 'H', 'P', 'R', 'D', 'G', 'E', 'C', 'B', 'A', 'O'].map(code));

      const a = page.rows.find((r) => r.trackingCode === code('A'))!;
      expect(a).toMatchObject({
        receivedAt: '2026-11-02T02:00:00.000Z',
        channel: 'web',
        channelLabel: '网站',
        category: { code: 'intersection.not-yielding', name: '机动车不礼让行人' },
        point: null,
        locationAddress: '人民路与府前街交叉口',
        description: CROSSING,
        status: 'closed',
        statusLabel: '已办结',
        leadUnit: { code: 'jiaojing', shortName: '县交警大队', name: '临城县公安局交通警察大队' },
        cooperatingUnits: [],
        deadlineAt: '2026-11-09T02:00:00.000Z',
        closedAt: '2026-11-06T02:00:00.000Z',
        overdue: false,
        daysOverdue: 0,
      });
      const b = page.rows.find((r) => r.trackingCode === code('B'))!;
      expect(b.point).toEqual({ id: 'market-xiguan', name: '临城县西关集贸市场' });
      expect(b.cooperatingUnits.map((u) => u.code)).toEqual(['shichangjianguanju', 'zhujianju', 'xiaofang']);
      const g = page.rows.find((r) => r.trackingCode === code('G'))!;
      expect(g).toMatchObject({
        status: 'accepted',
        statusLabel: '责任单位已签收',
        deadlineAt: '2026-11-22T02:00:00.000Z',
        overdue: true,
        daysOverdue: 11,
      });
      const d = page.rows.find((r) => r.trackingCode === code('D'))!;
      expect(d).toMatchObject({
        channel: 'hotline',
        channelLabel: '热线电话',
        status: 'received',
        leadUnit: null,
        category: null,
        deadlineAt: null,
      });
    });

    it('carries no personal data of reporters', async () => {
      const wire = JSON.stringify(await ledgers.problems({ pageSize: 500 }));
      for (const secret of ['王秀兰', '13912345678', 'wangxl', '198.51.100.50', 'ticket-factory']) expect(wire).not.toContain(secret);
      const csv = await csvFileText((await ledgers.exportProblems({}, 'csv')) as CsvFile);
      for (const secret of ['王秀兰', '13912345678', 'wangxl']) expect(csv).not.toContain(secret);
    });

    it('filters by status, unit (with cooperation), category with its sub-categories, point, channel, dates and overdue', async () => {
      const rows = async (filter: Parameters<Ledgers['problems']>[0]) =>
        sorted((await ledgers.problems({ ...filter, pageSize: 500 })).rows);
      const november = { dateFrom: '2026-11-01', dateTo: '2026-11-30' };
      expect(await rows({ statuses: ['closed'] })).toEqual(codes('A', 'B', 'C', 'E'));
      expect(await rows({ statuses: ['received', 'rejected'] })).toEqual(codes('D', 'R'));
      expect(await rows({ unitCode: 'jiaojing' })).toEqual(codes('A', 'G'));
      expect(await rows({ unitCode: 'zhujianju', ...november })).toEqual(codes('C', 'P'));
      expect(await rows({ unitCode: 'zhujianju', includeCooperating: true, ...november })).toEqual(codes('B', 'C', 'P'));
      expect(await rows({ categoryCode: 'intersection' })).toEqual(codes('A', 'G'));
      expect(await rows({ categoryCode: 'intersection.not-yielding' })).toEqual(codes('A'));
      expect(await rows({ categoryCode: 'market' })).toEqual(codes('B'));
      expect(await rows({ pointId: 'market-xiguan' })).toEqual(codes('B'));
      expect(await rows({ channel: 'hotline' })).toEqual(codes('D'));
      expect(await rows(november)).toEqual(codes('A', 'B', 'C', 'D', 'E', 'G', 'R', 'P'));
      // CST dates: Dec 1 02:00 UTC is Dec 1 in Lincheng; Oct 31 16:00 UTC would be Nov 1.
      expect(await rows({ dateFrom: '2026-12-01', dateTo: '2026-12-01' })).toEqual(codes('H'));
      expect(await rows({ overdueOnly: true })).toEqual(codes('G', 'O'));
      expect(await rows({ overdueOnly: true, unitCode: 'jiaojing' })).toEqual(codes('G'));
    });

    it('pages for the screen and counts every match', async () => {
      const page = await ledgers.problems({ dateFrom: '2026-11-01', dateTo: '2026-11-30', page: 2, pageSize: 3 });
      expect(page).toMatchObject({ total: 8, page: 2, pageSize: 3 });
      expect(page.rows.map((r) => r.trackingCode)).toEqual(['G', 'E', 'C'].map(code));
      const beyond = await ledgers.problems({ page: 9, pageSize: 50 });
      expect(beyond).toMatchObject({ rows: [], total: 11 });
      expect((await ledgers.problems()).pageSize).toBe(50);
    });

    it('marks a ticket overdue once the clock passes its deadline, counting started days', async () => {
      const g = async () => (await ledgers.problems({ pointId: 'intersection-zhongxing-jianshe' })).rows[0]!;
      try {
        t.clock.set('2026-11-20T02:00:00.000Z');
        expect(await g()).toMatchObject({ overdue: false, daysOverdue: 0 });
        expect(sorted((await ledgers.problems({ overdueOnly: true })).rows)).toEqual(codes('O'));
        t.clock.advance(2 * DAY); // exactly the deadline: not yet overdue
        expect(await g()).toMatchObject({ overdue: false });
        t.clock.advance(HOUR);
        expect(await g()).toMatchObject({ overdue: true, daysOverdue: 1 });
        t.clock.advance(3 * DAY - HOUR);
        expect(await g()).toMatchObject({ overdue: true, daysOverdue: 3 });
      } finally {
        t.clock.set(NOW);
      }
    });
  });

  describe('rectification ledger', () => {
    it('has one row per report, with evidence, the deadline in force, on-time and the verdict', async () => {
      const page = await ledgers.rectifications({});
      expect(page.total).toBe(6);
      const rows = page.rows;
      expect(rows.map((r) => [r.trackingCode, r.round])).toEqual([
        [code('C'), 1],
        [code('P'), 1],
        [code('E'), 1],
        [code('B'), 2],
        [code('B'), 1],
        [code('A'), 1],
      ]);
      const [c, p, e, b2, b1, a] = rows;
      expect(a).toMatchObject({
        unit: { code: 'jiaojing' },
        leadUnitCode: 'jiaojing',
        category: { code: 'intersection.not-yielding', name: '机动车不礼让行人' },
        reportedAt: '2026-11-05T02:00:00.000Z',
        text: '已按要求整改完毕，现场已清理。',
        photoCount: 1,
        deadlineAt: '2026-11-09T02:00:00.000Z',
        onTime: true,
        outcome: 'verified',
        outcomeLabel: '核验通过，已销号',
        verifiedAt: '2026-11-06T02:00:00.000Z',
        sentBackAt: null,
        sendBackReason: null,
      });
      expect(a!.photoIds).toHaveLength(1);
      expect(b1).toMatchObject({
        reportedAt: '2026-11-09T02:00:00.000Z',
        text: '已初步清理。',
        onTime: true,
        outcome: 'sentBack',
        outcomeLabel: '退回重新整改',
        sentBackAt: '2026-11-11T02:00:00.000Z',
        sendBackReason: '现场仍有问题，请彻底整改',
        verifiedAt: null,
      });
      expect(b2).toMatchObject({
        reportedAt: '2026-11-13T02:00:00.000Z',
        deadlineAt: '2026-11-10T02:00:00.000Z',
        onTime: false,
        outcome: 'verified',
        verifiedAt: '2026-11-15T02:00:00.000Z',
      });
      // Reported after the first deadline (Nov 19) but before the approved one (Nov 26): on time.
      expect(e).toMatchObject({
        unit: { code: 'wenmingban' },
        deadlineAt: '2026-11-26T02:00:00.000Z',
        onTime: true,
        photoCount: 2,
        text: '已更换新的公益广告牌',
      });
      expect(c).toMatchObject({
        unit: { code: 'zhujianju' },
        reportedAt: '2026-12-01T04:00:00.000Z',
        onTime: false,
        outcome: 'verified',
        ticketStatus: 'closed',
      });
      expect(p).toMatchObject({ outcome: 'pending', outcomeLabel: '待核验', verifiedAt: null, sentBackAt: null, ticketStatus: 'reported' });

      // The after-photos are the ones attached to the ticket.
      const attached = await t.portal.database.db
        .selectFrom('photos')
        .select('id')
        .where('ticket_id', '=', tk['E']!.id)
        .where('purpose', '=', 'rectification')
        .execute();
      expect(attached.map((x) => x.id).sort()).toEqual([...e!.photoIds].sort());
    });

    it('filters by unit, outcome and report date, and pages', async () => {
      const rows = async (filter: Parameters<Ledgers['rectifications']>[0]) =>
        (await ledgers.rectifications(filter)).rows.map((r) => `${r.trackingCode}#${r.round}`);
      expect(await rows({ unitCode: 'fagaiju' })).toEqual([`${code('B')}#2`, `${code('B')}#1`]);
      expect(await rows({ outcome: 'sentBack' })).toEqual([`${code('B')}#1`]);
      expect(await rows({ outcome: 'pending' })).toEqual([`${code('P')}#1`]);
      expect(await rows({ dateFrom: '2026-11-01', dateTo: '2026-11-30' })).toHaveLength(5);
      expect(await rows({ dateFrom: '2026-12-01' })).toEqual([`${code('C')}#1`]);
      expect(await rows({ dateFrom: '2026-11-09', dateTo: '2026-11-09', unitCode: 'fagaiju' })).toEqual([`${code('B')}#1`]);
      expect(await ledgers.rectifications({ page: 2, pageSize: 4 })).toMatchObject({ total: 6, page: 2 });
      expect((await ledgers.rectifications({ page: 2, pageSize: 4 })).rows).toHaveLength(2);
    });

    it('pages from the database the rows the whole ledger lists, in its order', async () => {
      const key = (r: { trackingCode: string; round: number }) => `${r.trackingCode}#${r.round}`;
      // The export reads every ticket's history and sorts; a page without a unit or outcome reads only its own reports.
      const all = (await rectificationLedgerRows(ledgerDeps(), {})).map(key);
      expect(all).toHaveLength(6);
      for (const pageSize of [1, 2, 4]) {
        const pages: string[] = [];
        for (let page = 1; page <= Math.ceil(all.length / pageSize) + 1; page++) {
          const p = await ledgers.rectifications({ page, pageSize });
          expect(p.total).toBe(all.length);
          pages.push(...p.rows.map(key));
        }
        expect(pages).toEqual(all);
      }
      const november = (await rectificationLedgerRows(ledgerDeps(), { dateFrom: '2026-11-01', dateTo: '2026-11-30' })).map(key);
      const page = await ledgers.rectifications({ dateFrom: '2026-11-01', dateTo: '2026-11-30', pageSize: 3, page: 2 });
      expect(page.total).toBe(november.length);
      expect(page.rows.map(key)).toEqual(november.slice(3, 6));
    });
  });

  describe('point ledger', () => {
    it('lists every point with its grid and open problems', async () => {
      const rows = await ledgers.points();
      expect(rows.map((r) => r.id)).toEqual(t.portal.services.catalog.points.map((p) => p.id));
      const crossing = rows.find((r) => r.id === 'intersection-zhongxing-jianshe')!;
      expect(crossing).toMatchObject({
        name: '中兴大街与建设路交叉口',
        type: { code: 'intersection', name: '交通路口' },
        unit: { code: 'jiaojing', shortName: '县交警大队' },
        responsiblePerson: t.portal.services.catalog.point('intersection-zhongxing-jianshe')!.responsiblePerson,
        area: 'urban',
        areaLabel: '建成区',
        openCount: 1,
        overdueCount: 1,
        openProblems: [
          {
            ticketId: tk['G']!.id,
            trackingCode: code('G'),
            status: 'accepted',
            statusLabel: '责任单位已签收',
            overdue: true,
            leadUnitCode: 'jiaojing',
          },
        ],
      });
      expect(rows.find((r) => r.id === 'frontage-jianshe')).toMatchObject({ openCount: 1, overdueCount: 0 });
      for (const closedHere of ['market-xiguan', 'compound-jinxiu', 'psa-renmin-square']) {
        expect(rows.find((r) => r.id === closedHere)).toMatchObject({ openCount: 0, openProblems: [] });
      }
    });

    it('filters by unit, point type, area and open problems', async () => {
      const ids = async (filter: Parameters<Ledgers['points']>[0]) => (await ledgers.points(filter)).map((r) => r.id);
      expect(await ids({ hasOpenProblems: true })).toEqual(['frontage-jianshe', 'intersection-zhongxing-jianshe']);
      expect(await ids({ hasOpenProblems: false })).not.toContain('frontage-jianshe');
      expect(await ids({ unitCode: 'jiaojing' })).toEqual(['intersection-zhongxing-jianshe', 'intersection-yingbin-linzhi']);
      expect(await ids({ typeCode: 'market' })).toEqual(['market-xiguan', 'market-dongguan', 'market-haozhuang']);
      const village = await ledgers.points({ area: 'village' });
      expect(village.length).toBeGreaterThan(0);
      expect(village.every((p) => p.areaLabel === '行政村')).toBe(true);
      expect(await ids({ unitCode: 'jiaojing', hasOpenProblems: true })).toEqual(['intersection-zhongxing-jianshe']);
    });
  });

  describe('monthly report', () => {
    it('counts November as it stood at month end, although C was closed since', async () => {
      const report = await ledgers.monthlyReport('2026-11', { escalations: [] });
      expect(report).toMatchObject({
        month: '2026-11',
        from: '2026-10-31T16:00:00.000Z',
        to: '2026-11-30T16:00:00.000Z',
        asOf: '2026-11-30T16:00:00.000Z',
        dueDate: '2026-12-05',
        generatedAt: NOW,
      });
      expect(report.totals).toEqual({ received: 8, closed: 3, closedOnTime: 2, onTimeRate: 2 / 3, open: 5, overdue: 3 });

      const byUnit = Object.fromEntries(report.byUnit.map((u) => [u.unit?.code ?? 'office-queue', u]));
      expect(report.byUnit.map((u) => u.unit?.code ?? null)).toEqual(['zhujianju', 'fagaiju', 'jiaojing', 'wenmingban', null]);
      expect(byUnit['jiaojing']).toMatchObject({ received: 2, closed: 1, closedOnTime: 1, onTimeRate: 1, open: 1, overdue: 1 });
      expect(byUnit['fagaiju']).toMatchObject({ received: 1, closed: 1, closedOnTime: 0, onTimeRate: 0, open: 0, overdue: 0 });
      expect(byUnit['zhujianju']).toMatchObject({ received: 2, closed: 0, closedOnTime: 0, onTimeRate: null, open: 3, overdue: 2 });
      expect(byUnit['wenmingban']).toMatchObject({ received: 1, closed: 1, closedOnTime: 1, onTimeRate: 1, open: 0, overdue: 0 });
      expect(byUnit['office-queue']).toMatchObject({ unit: null, received: 2, closed: 0, open: 1, overdue: 0 });

      const byCategory = Object.fromEntries(report.byCategory.map((c) => [c.category?.code ?? 'none', c]));
      expect(report.byCategory.map((c) => c.category?.code ?? null)).toEqual([
        'compound',
        'market',
        'frontage',
        'intersection',
        'psa',
        null,
      ]);
      expect(byCategory['intersection']).toMatchObject({
        category: { name: '交通路口秩序' },
        received: 2,
        closed: 1,
        closedOnTime: 1,
        open: 1,
        overdue: 1,
      });
      expect(byCategory['frontage']).toMatchObject({ received: 1, closed: 0, open: 2, overdue: 1 });
      expect(byCategory['market']).toMatchObject({ received: 1, closed: 1, closedOnTime: 0, onTimeRate: 0 });
      expect(byCategory['none']).toMatchObject({ category: null, received: 2, open: 1 });

      // Overdue at month end, most days first: O (Oct 27), C (Nov 17, closed only on Dec 2), G (Nov 22).
      expect(report.overdue.map((r) => [r.trackingCode, r.daysOverdue])).toEqual([
        [code('O'), 35],
        [code('C'), 14],
        [code('G'), 9],
      ]);
      expect(report.overdue[1]).toMatchObject({ status: 'rectifying', closedAt: null, leadUnit: { code: 'zhujianju' } });
      expect(report.closures.map((r) => [r.trackingCode, r.round, r.onTime])).toEqual([
        [code('A'), 1, true],
        [code('B'), 2, false],
        [code('E'), 1, true],
      ]);
      expect(report.escalationsSource).toBe('input');
    });

    it('reads the same whether made on the 1st or the 5th', async () => {
      try {
        t.clock.set('2026-12-01T00:00:00.000Z');
        const early = await ledgers.monthlyReport('2026-11', { escalations: [] });
        t.clock.set('2026-12-05T09:00:00.000Z');
        const late = await ledgers.monthlyReport('2026-11', { escalations: [] });
        expect({ ...late, generatedAt: null }).toEqual({ ...early, generatedAt: null });
      } finally {
        t.clock.set(NOW);
      }
    });

    it('describes the month in progress as it stands now', async () => {
      const report = await ledgers.monthlyReport('2026-12', { escalations: [] });
      expect(report.asOf).toBe(NOW);
      expect(report.totals).toMatchObject({ received: 2, closed: 1, closedOnTime: 0, onTimeRate: 0 });
      expect(report.closures.map((r) => r.trackingCode)).toEqual([code('C')]);
      await expect(ledgers.monthlyReport('2027-01')).rejects.toThrow('该月份尚未开始');
    });

    it('reports the escalations of the month, given or from the escalations table', async () => {
      const given = await ledgers.monthlyReport('2026-11', {
        escalations: [
          {
            id: 7,
            unitCode: 'zhujianju',
            level: 1,
            at: '2026-11-25T01:00:00.000Z',
            ticketIds: [tk['C']!.id, tk['O']!.id],
            reason: '2件问题逾期未整改',
          },
          { id: 8, unitCode: 'zhujianju', level: 2, at: '2026-12-02T01:00:00.000Z', ticketIds: [tk['O']!.id], reason: '再次逾期' },
        ],
      });
      expect(given.escalationsSource).toBe('input');
      expect(given.escalations).toEqual([
        {
          id: 7,
          at: '2026-11-25T01:00:00.000Z',
          unit: { code: 'zhujianju', name: '临城县住房和城乡建设局', shortName: '县住建局' },
          level: 1,
          levelLabel: '通报',
          tickets: [
            { ticketId: tk['C']!.id, trackingCode: code('C') },
            { ticketId: tk['O']!.id, trackingCode: code('O') },
          ],
          reason: '2件问题逾期未整改',
        },
      ]);

      const { db } = t.portal.database;
      const table = (await db.introspection.getTables()).find((x) => x.name === 'escalations');
      if (!table) {
        expect((await ledgers.monthlyReport('2026-11')).escalationsSource).toBe('none');
        return;
      }
      // The escalation module's table (migration 005): fill the columns this module reads, and
      // any other required one with a plausible value.
      const row: Record<string, unknown> = {
        unit_code: 'jiaojing',
        level: 3,
        at: '2026-11-28T03:00:00.000Z',
        ticket_ids: JSON.stringify([tk['G']!.id]),
        reason: '多次逾期',
      };
      for (const c of table.columns) {
        if (c.name in row || c.isNullable || c.hasDefaultValue || c.isAutoIncrementing || c.name === 'id') continue;
        row[c.name] = /int|serial/i.test(c.dataType) ? 1 : '2026-11-28';
      }
      const columns = Object.keys(row);
      await sql`insert into escalations (${sql.join(columns.map((c) => sql.ref(c)))}) values (${sql.join(columns.map((c) => row[c]))})`.execute(
        db,
      );
      const stored = await ledgers.monthlyReport('2026-11');
      expect(stored.escalationsSource).toBe('table');
      expect(stored.escalations).toMatchObject([
        { unit: { code: 'jiaojing' }, level: 3, levelLabel: '问责', tickets: [{ trackingCode: code('G') }], reason: '多次逾期' },
      ]);
      expect((await ledgers.monthlyReport('2026-10')).escalations).toEqual([]);
    });
  });

  describe('exports', () => {
    it('writes the problem ledger as .xlsx with Chinese headers, real dates in CST and every row', async () => {
      const file = (await ledgers.exportProblems({}, 'xlsx')) as XlsxFile;
      expect(file.filename).toBe('问题台帐-2026-12-03.xlsx');
      expect(file.contentType).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      const sheets = await readExcelFile(file.body);
      expect(sheets.map((s) => s.sheet)).toEqual(['问题台帐']);
      const [header, ...rows] = sheets[0]!.data;
      expect(header).toEqual([
        '序号',
        '查询码',
        '受理时间',
        '来源渠道',
        '问题类别',
        '测评点位',
        '问题地址',
        '问题描述',
        '办理状态',
        '牵头单位',
        '配合单位',
        '整改期限',
        '办结时间',
        '是否逾期',
        '逾期天数',
        '问题来源',
        '领导督办批示',
      ]);
      expect(rows).toHaveLength(11);
      expect(rows.map((r) => r[0])).toEqual(Array.from({ length: 11 }, (_, i) => i + 1));
      const a = rows.find((r) => r[1] === code('A'))!;
      expect(a[2]).toBeInstanceOf(Date);
      // 10:00 in Lincheng, as the sheet shows it.
      expect(a[2]).toEqual(cst('2026-11-02T02:00:00.000Z'));
      expect(a.slice(3, 15)).toEqual([
        '网站',
        '机动车不礼让行人',
        null,
        '人民路与府前街交叉口',
        CROSSING,
        '已办结',
        '县交警大队',
        null,
        cst('2026-11-09T02:00:00.000Z'),
        cst('2026-11-06T02:00:00.000Z'),
        '否',
        null,
      ]);
      const b = rows.find((r) => r[1] === code('B'))!;
      expect(b[5]).toBe('临城县西关集贸市场');
      expect(b[10]).toBe('县市场监管局、县住建局、县消防大队');
      const g = rows.find((r) => r[1] === code('G'))!;
      expect(g.slice(13)).toEqual(['是', 11, '群众反映', null]);
      const q = rows.find((r) => r[1] === code('Q'))!;
      expect(q[7]).toBe(TRICKY);
    });

    it('writes only the filtered rows', async () => {
      const file = (await ledgers.exportProblems({ overdueOnly: true, page: 1, pageSize: 1 }, 'xlsx')) as XlsxFile;
      const data = await readSheet(file.body);
      expect(
        data
          .slice(1)
          .map((r) => r[1])
          .sort(),
      ).toEqual(codes('G', 'O'));
    });

    it('writes the rectification and point ledgers as .xlsx', async () => {
      const rect = (await ledgers.exportRectifications({ unitCode: 'fagaiju' }, 'xlsx')) as XlsxFile;
      expect(rect.filename).toBe('整改台帐-2026-12-03.xlsx');
      const [rectSheet] = await readExcelFile(rect.body);
      expect(rectSheet!.sheet).toBe('整改台帐');
      expect(rectSheet!.data[0]).toEqual([
        '序号',
        '查询码',
        '责任单位',
        '问题类别',
        '整改轮次',
        '反馈时间',
        '整改期限',
        '是否按期',
        '整改情况',
        '整改后照片数',
        '照片编号',
        '核验结果',
        '销号时间',
        '退回时间',
        '退回理由',
      ]);
      const [, second, first] = rectSheet!.data;
      expect(first!.slice(1, 8)).toEqual([
        code('B'),
        '县发改局（商务）',
        '市场环境卫生',
        1,
        cst('2026-11-09T02:00:00.000Z'),
        cst('2026-11-10T02:00:00.000Z'),
        '是',
      ]);
      expect(first!.slice(11)).toEqual(['退回重新整改', null, cst('2026-11-11T02:00:00.000Z'), '现场仍有问题，请彻底整改']);
      expect(second!.slice(4, 8)).toEqual([2, cst('2026-11-13T02:00:00.000Z'), cst('2026-11-10T02:00:00.000Z'), '否']);
      expect(second!.slice(9, 13)).toEqual([
        1,
        expect.stringMatching(/^[0-9a-f]{32}$/),
        '核验通过，已销号',
        cst('2026-11-15T02:00:00.000Z'),
      ]);

      const points = (await ledgers.exportPoints({ hasOpenProblems: true }, 'xlsx')) as XlsxFile;
      expect(points.filename).toBe('点位台帐-2026-12-03.xlsx');
      const data = await readSheet(points.body, '点位台帐');
      expect(data[0]).toEqual([
        '序号',
        '点位名称',
        '点位类型',
        '责任单位',
        '网格责任人',
        '区域',
        '地址',
        '最近督导日期',
        '最近督导轮次',
        '合格项',
        '不合格项',
        '未办结问题数',
        '其中逾期',
        '未办结问题（查询码 状态）',
      ]);
      expect(data[2]!.slice(1, 4)).toEqual(['中兴大街与建设路交叉口', '交通路口', '县交警大队']);
      // Never inspected: the four inspection columns are empty.
      expect(data[2]!.slice(7)).toEqual([null, null, null, null, 1, 1, `${code('G')} 责任单位已签收（逾期）`]);
    });

    it('writes CSV as UTF-8 with a BOM, RFC 4180 quoting and CRLF, and reads back the same text', async () => {
      const file = (await ledgers.exportProblems({}, 'csv')) as CsvFile;
      expect(file.filename).toBe('问题台帐-2026-12-03.csv');
      expect(file.contentType).toBe('text/csv; charset=utf-8');
      const body = await csvFileText(file);
      expect(body.startsWith('\uFEFF')).toBe(true);
      expect(Buffer.from(body, 'utf8').subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
      const [header, ...rows] = parseCsv(body.slice(1));
      expect(header![0]).toBe('序号');
      expect(header![7]).toBe('问题描述');
      expect(rows).toHaveLength(11);
      expect(rows.every((r) => r.length === header!.length)).toBe(true);
      const q = rows.find((r) => r[1] === code('Q'))!;
      expect(q[7]).toBe(TRICKY);
      expect(q[2]).toBe('2026-12-02 10:00');
      const a = rows.find((r) => r[1] === code('A'))!;
      expect(a.slice(2, 4)).toEqual(['2026-11-02 10:00', '网站']);
      expect(a.slice(11)).toEqual(['2026-11-09 10:00', '2026-11-06 10:00', '否', '', '群众反映', '']);
      expect(body).toContain(`"${TRICKY.replaceAll('"', '""')}"`);

      const rect = (await ledgers.exportRectifications({ outcome: 'sentBack' }, 'csv')) as CsvFile;
      const [, only] = parseCsv((await csvFileText(rect)).slice(1));
      expect(only!.slice(1, 8)).toEqual([code('B'), '县发改局（商务）', '市场环境卫生', '1', '2026-11-09 10:00', '2026-11-10 10:00', '是']);
    });

    it('writes the monthly report as a workbook, one sheet per section', async () => {
      const file = await ledgers.exportMonthlyReport('2026-11', {
        escalations: [{ unitCode: 'zhujianju', level: 1, at: '2026-11-25T01:00:00.000Z', ticketIds: [tk['C']!.id], reason: '逾期未整改' }],
      });
      expect(file.filename).toBe('工作月报-2026-11.xlsx');
      const sheets = Object.fromEntries((await readExcelFile(file.body)).map((s) => [s.sheet, s.data]));
      expect(Object.keys(sheets)).toEqual([
        '概况',
        '按单位',
        '按问题类别',
        '月末逾期问题',
        '办结问题',
        '通报约谈问责',
        '回访满意度',
        '按问题来源',
        '领导督办件',
        '劝导统计',
      ]);
      expect(sheets['概况']).toEqual([
        ['项目', '数值'],
        ['月份', '2026-11'],
        ['统计截至', '2026-12-01 00:00'],
        ['报送期限', '2026-12-05'],
        ['受理问题', 8],
        ['办结问题', 3],
        ['其中按期整改', 2],
        ['按期整改率', '66.7%'],
        ['月末未办结', 5],
        ['月末逾期', 3],
        ['通报', 1],
        ['约谈', 0],
        ['问责', 0],
        ['生成时间', '2026-12-03 10:00'],
      ]);
      expect(sheets['按单位']![0]).toEqual(['单位', '受理', '办结', '按期办结', '按期整改率', '月末未办结', '月末逾期']);
      expect(sheets['按单位']!.slice(1)).toEqual([
        ['县住建局', 2, 0, 0, null, 3, 2],
        ['县发改局（商务）', 1, 1, 0, 0, 0, 0],
        ['县交警大队', 2, 1, 1, 1, 1, 1],
        ['县文明办', 1, 1, 1, 1, 0, 0],
        ['待分派（创城办）', 2, 0, 0, null, 1, 0],
        ['合计', 8, 3, 2, 2 / 3, 5, 3],
      ]);
      expect(sheets['按问题类别']!.at(-1)).toEqual(['合计', 8, 3, 2, 2 / 3, 5, 3]);
      expect(sheets['月末逾期问题']!.slice(1).map((r) => [r[1], r.at(-1)])).toEqual([
        [code('O'), 35],
        [code('C'), 14],
        [code('G'), 9],
      ]);
      expect(sheets['办结问题']!.slice(1).map((r) => r[1])).toEqual([code('A'), code('B'), code('E')]);
      expect(sheets['通报约谈问责']!.slice(1)).toEqual([[1, cst('2026-11-25T01:00:00.000Z'), '县住建局', '通报', code('C'), '逾期未整改']]); // One closure had a reporter with a phone number: a follow-up due, not yet made.
      expect(sheets['回访满意度']!.slice(1)).toEqual([
        // 责任单位, 应回访, 已联系上, 其中电话回访, 其中网上回访, 回访率, 问题已解决, 满意, 基本满意, 不满意, 满意率
        ['县交警大队', 1, 0, 0, 0, 0, 0, 0, 0, 0, null],
        ['合计', 1, 0, 0, 0, 0, 0, 0, 0, 0, null],
      ]);
    });
  });
});
