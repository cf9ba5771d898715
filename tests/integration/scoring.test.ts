// Scoring the units (考核, issue 14 item 6) on SQLite and PostgreSQL, over tickets made through
// the real intake and staff commands. Every part of every score below is worked out by hand from
// the scene and content/scoring.json's weights (25 on time, 10 acknowledged, 15 rework, 10 overdue
// at 10 a ticket, 10 exposures at 25 each, 10 escalations at 20/40/100, 10 satisfaction, 10
// inspection). The scene, November 2026 (UTC):
//   A  Nov  2  jiaojing   acknowledged in an hour, closed on time; the caller, phoned back, is satisfied
//   G  Nov 15  jiaojing   acknowledged in an hour, rectifying, overdue from Nov 22
//   B  Nov  3  fagaiju    acknowledged in an hour, reported, sent back, reported again, closed on time
//   C  Nov 10  zhujianju  acknowledged two days late, rectifying, overdue from Nov 17; exposed Nov 25,
//                         通报 (level 1) Nov 26
//   T  Nov 16  jiaojing   an inspection round at the 迎宾路-临职路 crossing passes four items (weights 2, 1,
//                         1, 1) and fails one (weight 1): ticket T, acknowledged in an hour, closed on time
//                         Nov 17; a re-check round on Nov 24 finds it not fixed (rework): reopened and sent
//                         back to jiaojing, acknowledged in an hour
// "Now" is Dec 3: November is over.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StaffUser } from '../../server/auth/roles.ts';
import type { ScoreBoard } from '../../server/scoring/scoring.ts';
import { CatalogError } from '../../server/catalog/load-catalog.ts';
import { loadScoringRules } from '../../server/scoring/scoring-rules.ts';
import type { TicketRecord } from '../../server/tickets/ticket-repository.ts';
import { databaseKinds } from '../support/databases.ts';
import { CONTENT_DIR, startTestPortal, type TestPortal } from '../support/portal.ts';
import { createStaffUser } from '../support/staff-accounts.ts';
import { findTicketByCode } from '../../server/tickets/ticket-repository.ts';
import { act, makeTicket, reportRectification, staffUser } from '../support/ticket-factory.ts';

const kinds = await databaseKinds();

const CROSSING = '人民路和府前街交叉口，机动车经过斑马线从来不礼让行人，老人过马路太危险了';
const CROSSING_BIKES = '中兴大街与建设路交叉口电动车逆行闯红灯，很危险';
const MARKET = '西关集贸市场里垃圾堆了好几天没人清理，臭气熏天';
const FRONTAGE = '建设路商业街的店铺门口乱堆纸箱，垃圾没人扫';
const NOW = '2026-12-03T02:00:00.000Z';

/** content/ with scoring.json replaced: the county's own weights. */
function contentWith(scoring: unknown): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scoring-content-'));
  fs.cpSync(CONTENT_DIR, dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'scoring.json'), JSON.stringify(scoring));
  return dir;
}

const defaultRules = JSON.parse(fs.readFileSync(path.join(CONTENT_DIR, 'scoring.json'), 'utf8')) as {
  parts: Record<string, Record<string, unknown>>;
};

const part = (board: ScoreBoard, unit: string, code: string) =>
  board.rows.find((r) => r.unitCode === unit)!.parts.find((p) => p.code === code)!;

async function scene(t: TestPortal): Promise<Record<string, TicketRecord>> {
  const tk: Record<string, TicketRecord> = {};
  tk['A'] = await makeTicket(t, {
    text: CROSSING,
    unit: 'jiaojing',
    status: 'closed',
    at: '2026-11-02T02:00:00.000Z',
    reporter: { name: '王先生', phone: '13812345678' },
  });
  tk['B'] = await makeTicket(t, { text: MARKET, unit: 'fagaiju', status: 'closed', sentBack: true, at: '2026-11-03T02:00:00.000Z' });
  tk['C'] = await makeTicket(t, { text: FRONTAGE, unit: 'zhujianju', status: 'dispatched', at: '2026-11-10T02:00:00.000Z' });
  await act(t, tk['C'], { action: 'accept' }, { at: '2026-11-13T02:00:00.000Z' });
  await act(t, tk['C'], { action: 'startRectification' }, { at: '2026-11-13T03:00:00.000Z' });
  tk['G'] = await makeTicket(t, { text: CROSSING_BIKES, unit: 'jiaojing', status: 'rectifying', at: '2026-11-15T02:00:00.000Z' });

  tk['T'] = await inspectionScene(t);

  const office = await staffUser(t, 'office');
  t.clock.set('2026-11-20T02:00:00.000Z');
  const task = (await t.portal.services.followUps.pending(office, {})).items.find((i) => i.trackingCode === tk['A']!.trackingCode)!;
  await t.portal.services.followUps.record(office, { id: task.id, reached: true, fixed: true, satisfaction: 'satisfied' });

  t.clock.set('2026-11-25T02:00:00.000Z');
  const draft = await t.portal.services.notices.saveDraft(office, {
    trackingCodes: [tk['C']!.trackingCode],
    title: '建设路商业街门前乱堆放问题曝光',
    body: '建设路商业街店铺门前乱堆纸箱，责任单位逾期未整改，予以曝光。',
    responseDueAt: '2026-12-02T10:00:00.000Z',
    photos: [],
  });
  await t.portal.services.notices.publish(office, { id: draft.id });

  await t.portal.database.db
    .insertInto('escalations')
    .values({
      unit_code: 'zhujianju',
      seq: 1,
      level: 1,
      at: '2026-11-26T02:00:00.000Z',
      ticket_ids: JSON.stringify([tk['C']!.id]),
      reason: '逾期未整改',
      period: '2026-11-26',
    })
    .execute();
  t.clock.set(NOW);
  return tk;
}

const CROSSING_POINT = 'intersection-yingbin-linzhi';

/** Ticket T: found failing by one round, closed, then found not fixed by a re-check round. */
async function inspectionScene(t: TestPortal): Promise<TicketRecord> {
  const { inspection } = t.portal.services;
  const office = await staffUser(t, 'office');
  const inspector = await createStaffUser(t, { username: 'score-inspector', role: 'inspector' });
  let keys = 0;
  const key = () => `score-device-key-${++keys}`;
  t.clock.set('2026-11-16T02:00:00.000Z');
  const first = await inspection.plan(office, {
    name: '第47周督导检查',
    startsOn: '2026-11-16',
    endsOn: '2026-11-20',
    pointIds: [CROSSING_POINT],
    inspectorIds: [inspector.id],
  });
  let failed = '';
  for (const [itemCode, verdict] of [
    ['yielding', 'pass'],
    ['pedestrians', 'fail'],
    ['non-motor', 'pass'],
    ['signals', 'pass'],
    ['volunteers', 'pass'],
  ] as const) {
    const recorded = await inspection.recordItem(inspector, {
      roundId: first.id,
      pointId: CROSSING_POINT,
      itemCode,
      verdict,
      observedAt: t.clock.now().toISOString(),
      idempotencyKey: key(),
    });
    if (recorded.trackingCode) failed = recorded.trackingCode;
  }
  const ticket = (await findTicketByCode(t.portal.database.db, failed))!;
  await act(t, ticket, { action: 'accept' }, { at: '2026-11-16T03:00:00.000Z' });
  await reportRectification(t, ticket, { at: '2026-11-17T02:00:00.000Z' });
  await act(t, ticket, { action: 'verify' }, { at: '2026-11-17T03:00:00.000Z' });

  t.clock.set('2026-11-24T02:00:00.000Z');
  const recheck = await inspection.plan(office, {
    name: '第48周督导复查',
    startsOn: '2026-11-24',
    endsOn: '2026-11-27',
    pointIds: [CROSSING_POINT],
    inspectorIds: [inspector.id],
    recheck: true,
  });
  await inspection.recordRecheck(inspector, {
    roundId: recheck.id,
    ticketId: ticket.id,
    verdict: 'not_fixed',
    note: '路口仍有行人闯红灯，无人劝导',
    observedAt: t.clock.now().toISOString(),
    idempotencyKey: key(),
  });
  return act(t, ticket, { action: 'accept' }, { at: '2026-11-24T03:00:00.000Z' });
}

describe('the scoring rules in content/', () => {
  it('are read and checked at start, naming the file and the field of a mistake', async () => {
    const rules = await loadScoringRules(CONTENT_DIR);
    expect(rules.parts.onTimeRectification.weight).toBe(25);
    const broken = contentWith({ ...defaultRules, parts: { ...defaultRules.parts, overdue: { weight: 10 } } });
    await expect(loadScoringRules(broken)).rejects.toThrow(CatalogError);
    await expect(loadScoringRules(broken)).rejects.toThrow(/scoring\.json: field "parts\.overdue\.penalty"/);
    const unordered = contentWith({
      ...defaultRules,
      bands: [
        { min: 60, label: '合格' },
        { min: 90, label: '优秀' },
        { min: 0, label: '不合格' },
      ],
    });
    await expect(loadScoringRules(unordered)).rejects.toThrow(/field "bands\.1\.min": bands go from the highest min to the lowest/);
  });
});

describe.each(kinds)('scoring the units on %s', (kind) => {
  let t: TestPortal;
  let tk: Record<string, TicketRecord>;
  let leader: StaffUser;

  beforeAll(async () => {
    t = await startTestPortal(kind);
    tk = await scene(t);
    leader = await createStaffUser(t, { username: 'score-leader', role: 'leader' });
  });
  afterAll(() => t?.close());

  it('scores each part of each unit as worked out by hand', async () => {
    const board = await t.portal.services.scores.board(leader, '2026-11');
    expect(board.periodLabel).toBe('2026年11月');
    expect(board.asOf).toBe('2026-11-30T16:00:00.000Z');

    expect(part(board, 'jiaojing', 'onTimeRectification')).toMatchObject({ score: 100, measure: '2/2 件按期（100%）' });
    // A, G, T, and T again after the re-check: each acknowledged within the hour.
    expect(part(board, 'jiaojing', 'acknowledgedOnTime')).toMatchObject({ score: 100, measure: '4/4 次按时（100%）' });
    // A and T struck off, T found not fixed by the re-check.
    expect(part(board, 'jiaojing', 'rework')).toMatchObject({ score: 66.7, measure: '1/3 件返工（33.3%）' });
    expect(part(board, 'jiaojing', 'rework').tickets[0]).toEqual({
      ticketId: tk['T']!.id,
      trackingCode: tk['T']!.trackingCode,
      counted: true,
    });
    expect(part(board, 'jiaojing', 'overdue')).toMatchObject({ score: 90, measure: '1 件' });
    expect(part(board, 'jiaojing', 'overdue').tickets).toEqual([
      { ticketId: tk['G']!.id, trackingCode: tk['G']!.trackingCode, counted: true },
    ]);
    expect(part(board, 'jiaojing', 'satisfaction')).toMatchObject({ score: 100, measure: '1/1 人满意（100%）；电话回访 1 / 网上回访 0' });
    // Passed weights 2 + 1 + 1 + 1 of 6.
    expect(part(board, 'jiaojing', 'inspectionPassRate')).toMatchObject({ score: 83.3, measure: '4/5 项合格（按权重 83.3%）' });
    expect(part(board, 'jiaojing', 'inspectionPassRate').tickets).toEqual([
      { ticketId: tk['T']!.id, trackingCode: tk['T']!.trackingCode, counted: true },
    ]);
    expect(part(board, 'fagaiju', 'inspectionPassRate').score).toBeNull();

    expect(part(board, 'fagaiju', 'onTimeRectification').score).toBe(100);
    expect(part(board, 'fagaiju', 'rework')).toMatchObject({ score: 50, measure: '1/2 件返工（50%）' });
    expect(part(board, 'fagaiju', 'satisfaction').score).toBeNull();

    expect(part(board, 'zhujianju', 'onTimeRectification').score).toBeNull();
    expect(part(board, 'zhujianju', 'acknowledgedOnTime')).toMatchObject({ score: 0, measure: '0/1 次按时（0%）' });
    expect(part(board, 'zhujianju', 'overdue').score).toBe(90);
    expect(part(board, 'zhujianju', 'exposures')).toMatchObject({ score: 75, measure: '1 次' });
    expect(part(board, 'zhujianju', 'escalations')).toMatchObject({ score: 80, measure: '1 次' });

    const totals = Object.fromEntries(
      board.rows.filter((r) => r.total !== null).map((r) => [r.unitCode, [r.total, r.rank, r.band, r.list]]),
    );
    // jiaojing (25·100 + 10·100 + 15·66.7 + 10·90 + 10·100 + 10·100 + 10·100 + 10·83.3) ÷ 100 = 92.3
    // fagaiju  (25·100 + 10·100 + 15·50 + 10·100 + 10·100 + 10·100) ÷ 80 = 90.6
    // zhujianju (10·0 + 10·90 + 10·75 + 10·80) ÷ 40 = 61.25 → 61.3
    expect(totals).toEqual({
      jiaojing: [92.3, 1, '一档（优秀）', 'red'],
      fagaiju: [90.6, 2, '一档（优秀）', 'red'],
      zhujianju: [61.3, 3, '三档（合格）', 'red'],
    });
    // Units with nothing to score are listed, unranked.
    expect(board.rows.find((r) => r.unitCode === 'wenmingban')).toMatchObject({ total: null, rank: null, list: null });
  });

  it("shows a unit's staff the ranking but only its own unit's tickets", async () => {
    const board = await t.portal.services.scores.board(await staffUser(t, 'fagaiju'), '2026-11');
    expect(part(board, 'fagaiju', 'rework').tickets.map((x) => x.ticketId)).toEqual([tk['B']!.id, tk['B']!.id]);
    expect(part(board, 'jiaojing', 'overdue').tickets).toEqual([]);
    expect(board.rows.find((r) => r.unitCode === 'jiaojing')!.total).toBe(92.3);
    await expect(t.portal.services.scores.trend(await staffUser(t, 'fagaiju'), 'jiaojing')).rejects.toThrow('只能查看本单位的考核走势');
    const operator = await createStaffUser(t, { username: 'score-operator', role: 'operator' });
    await expect(t.portal.services.scores.board(operator, '2026-11')).rejects.toThrow('您的账号不能查看单位考核');
  });

  it('scores a year as its months together, and a unit over twelve months', async () => {
    const year = await t.portal.services.scores.board(leader, '2026');
    expect(year.periodLabel).toBe('2026年度');
    // The year runs to now (Dec 3): T, sent back on Nov 24 with a week, is overdue too by now —
    // overdue 2 × 10 → 80, so 92.3 − 10·10 ÷ 100.
    expect(year.asOf).toBe(NOW);
    expect(part(year, 'jiaojing', 'overdue')).toMatchObject({ score: 80, measure: '2 件' });
    expect(year.rows.find((r) => r.unitCode === 'jiaojing')!.total).toBe(91.3);
    const trend = await t.portal.services.scores.trend(leader, 'zhujianju', '2026-12');
    expect(trend.months).toHaveLength(12);
    expect(trend.months.at(-2)).toEqual({ month: '2026-11', total: 61.3, band: '三档（合格）' });
    expect(trend.months[0]).toEqual({ month: '2026-01', total: null, band: null });
    await expect(t.portal.services.scores.board(leader, '2027-01')).rejects.toThrow('该期间尚未开始');
    await expect(t.portal.services.scores.board(leader, '11/2026')).rejects.toThrow('考核期间格式不正确');
  });

  it('ranks by the weights in content/: other weights, another order', async () => {
    const weights = {
      onTimeRectification: 0,
      acknowledgedOnTime: 10,
      rework: 0,
      overdue: 50,
      exposures: 0,
      escalations: 0,
      satisfaction: 0,
      inspectionPassRate: 0,
    };
    const parts = Object.fromEntries(
      Object.entries(defaultRules.parts).map(([code, p]) => [code, { ...p, weight: weights[code as keyof typeof weights] }]),
    );
    const other = await startTestPortal(kind, contentWith({ ...defaultRules, parts, honourRoll: 1, blackList: 1 }));
    try {
      await scene(other);
      const board = await other.portal.services.scores.board(
        await createStaffUser(other, { username: 'score-leader-2', role: 'leader' }),
        '2026-11',
      );
      // fagaiju (10·100 + 50·100) ÷ 60 = 100; jiaojing (10·100 + 50·90) ÷ 60 = 91.7; zhujianju (10·0 + 50·90) ÷ 60 = 75
      expect(board.rows.filter((r) => r.rank !== null).map((r) => [r.unitCode, r.total, r.list])).toEqual([
        ['fagaiju', 100, 'red'],
        ['jiaojing', 91.7, null],
        ['zhujianju', 75, 'black'],
      ]);
    } finally {
      await other.close();
    }
  });
});
