// The public snapshot's figures by grouped queries (server/publish/public-statistics.ts) are the
// figures of the ledgers' rows, on SQLite and PostgreSQL: the oracle below is the row-walking
// computation the projection made before issue 16 — every problem-ledger row, every
// rectification-ledger row and one monthly report per month — kept here only to compare with.
//
// The scene (times UTC; CST is 8 hours ahead), tickets made through the real intake and staff commands:
//   A  Oct  5  jiaojing    closed on time Oct 7
//   B  Oct  6  fagaiju     closed on time Oct 8; reopened Nov 3, dispatched to zhujianju, reported late, closed Nov 20
//   C  Oct 31 16:30        received Nov 1 00:30 CST (a November ticket); closed late on Nov 30 17:00 (Dec 1 CST)
//   D  Nov  2  jiaojing    dispatched, merged into A
//   E  Nov  4  —           triage, rejected
//   F  Nov  6  jiaojing    reassigned to fagaiju before it reported; closed on time
//   G  Nov  8  —           triage, dispatched to wenmingban with no category (未分类), closed on time
//   H  Nov 10  zhujianju   reported on time, sent back, re-reported late, closed
//   I  Nov 12  wenmingban  extension approved, reported after the first deadline (on time), closed
//   J  Nov 14  jiaojing    closed Nov 16, reopened, closed again Nov 18: once in November
//   K  Nov 18  hotline     rectifying, open
//   L  Dec  1  mail        received, open (the office's queue)
// "Now" is Dec 10. Then B is reopened once more and closed in December, and the snapshot is made
// again; last, K's row is set closed with no strike-off in its log, as data from elsewhere might be.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Catalog } from '../../server/catalog/types.ts';
import { chinaDate, monthPeriod, ms } from '../../server/china-time.ts';
import type { LedgerDeps } from '../../server/ledgers/ledger-context.ts';
import { createLabels, NO_CATEGORY_LABEL } from '../../server/ledgers/ledger-labels.ts';
import { monthlyReport } from '../../server/ledgers/monthly-report.ts';
import { problemLedgerRows } from '../../server/ledgers/problem-ledger.ts';
import { rectificationLedgerRows, type RectificationLedgerRow } from '../../server/ledgers/rectification-ledger.ts';
import { publicSnapshot } from '../../server/publish/public-projection.ts';
import type { PublicSnapshot } from '../../server/publish/public-snapshot.ts';
import { CHANNELS } from '../../server/tickets/channels.ts';
import { TERMINAL_STATUSES } from '../../server/tickets/lifecycle.ts';
import type { TicketRecord } from '../../server/tickets/ticket-repository.ts';
import { databaseKinds } from '../support/databases.ts';
import { startTestPortal, type TestPortal } from '../support/portal.ts';
import { act, makeTicket, reportRectification, submitTicket } from '../support/ticket-factory.ts';

const kinds = await databaseKinds();

const CROSSING = '人民路和府前街交叉口，机动车经过斑马线从来不礼让行人，老人过马路太危险了';
const MARKET = '西关集贸市场里垃圾堆了好几天没人清理，臭气熏天';
const COMPOUND = '锦绣家园小区楼道里堆满杂物，消防通道被堵';
const PSA = '人民广场的公益广告牌破了一大块，风一吹哗哗响';
const FRONTAGE = '建设路商业街的店铺门口乱堆纸箱，垃圾没人扫';
const WAGES = '我单位拖欠我三个月工资一直不发，老板电话也不接，请帮忙讨薪';
const NOISE = '我家楼上邻居天天半夜唱歌，吵得睡不着觉，说了好几次也不听';

const DAY = 24 * 3600_000;
const NOW = '2026-12-10T02:00:00.000Z';
const dayAfter = (iso: string | null, days: number) => new Date(ms(iso!) + days * DAY).toISOString();

type Figures = Pick<PublicSnapshot, 'stats'> & { units: Array<Pick<PublicSnapshot['units'][number], 'code' | 'counts' | 'byCategory'>> };

/** The figures as the projection computed them before issue 16, from every ledger row. */
async function figuresFromLedgerRows(deps: LedgerDeps, catalog: Catalog, at: Date): Promise<Figures> {
  const labels = createLabels(catalog);
  const [problems, rectifications] = await Promise.all([problemLedgerRows(deps, {}), rectificationLedgerRows(deps, {})]);
  const lastVerified = new Map<number, RectificationLedgerRow>();
  for (const r of rectifications) {
    if (r.outcome !== 'verified' || r.verifiedAt === null) continue;
    const seen = lastVerified.get(r.ticketId);
    if (!seen || ms(r.verifiedAt) > ms(seen.verifiedAt!)) lastVerified.set(r.ticketId, r);
  }
  const zero = () => ({ received: 0, closed: 0, closedOnTime: 0, onTimeRate: null as number | null });
  const rate = <C extends ReturnType<typeof zero>>(c: C): C => ({ ...c, onTimeRate: c.closed > 0 ? c.closedOnTime / c.closed : null });
  const bump = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
  const totals = { ...zero(), open: 0 };
  const unitCounts = new Map<string, ReturnType<typeof zero>>();
  const unitCategories = new Map<string, Map<string, number>>();
  const byChannel = new Map<string, number>();
  const byCategory = new Map<string, number>();
  const unit = (code: string) => unitCounts.get(code) ?? unitCounts.set(code, zero()).get(code)!;
  for (const p of problems) {
    const category = labels.topCategory(p.category?.code ?? null)?.code ?? 'none';
    totals.received += 1;
    if (!TERMINAL_STATUSES.includes(p.status)) totals.open += 1;
    bump(byChannel, p.channel);
    bump(byCategory, category);
    if (p.leadUnit) {
      unit(p.leadUnit.code).received += 1;
      bump(unitCategories.get(p.leadUnit.code) ?? unitCategories.set(p.leadUnit.code, new Map()).get(p.leadUnit.code)!, category);
    }
    if (p.status !== 'closed') continue;
    const verified = lastVerified.get(p.ticketId);
    totals.closed += 1;
    if (verified?.onTime) totals.closedOnTime += 1;
    const closingUnit = verified?.unit?.code ?? p.leadUnit?.code ?? null;
    if (closingUnit) {
      unit(closingUnit).closed += 1;
      if (verified?.onTime) unit(closingUnit).closedOnTime += 1;
    }
  }
  const categoryOrder = [...catalog.categories.filter((c) => c.parentCode === null).map((c) => c.code), 'none'];
  const categoryLabel = (code: string) => (code === 'none' ? NO_CATEGORY_LABEL : (labels.topCategory(code)?.name ?? code));
  const labelled = (counts: Map<string, number>, order: readonly string[], label: (code: string) => string) =>
    [...order.filter((c) => counts.has(c)), ...[...counts.keys()].filter((c) => !order.includes(c))].map((code) => ({
      code,
      label: label(code),
      count: counts.get(code)!,
    }));
  const byMonth: PublicSnapshot['stats']['byMonth'] = [];
  const first = problems.reduce<string | null>((min, p) => (min === null || ms(p.receivedAt) < ms(min) ? p.receivedAt : min), null);
  for (
    let month = chinaDate(first!).slice(0, 7);
    month <= chinaDate(at).slice(0, 7);
    month = chinaDate(monthPeriod(month).to).slice(0, 7)
  ) {
    const { received, closed, closedOnTime, onTimeRate } = (await monthlyReport(deps, month)).totals;
    byMonth.push({ month, received, closed, closedOnTime, onTimeRate });
  }
  return {
    stats: {
      totals: rate(totals),
      byChannel: labelled(byChannel, CHANNELS, (c) => labels.channel(c)),
      byCategory: labelled(byCategory, categoryOrder, categoryLabel),
      byMonth,
    },
    units: catalog.units.map((u) => ({
      code: u.code,
      counts: rate(unitCounts.get(u.code) ?? zero()),
      byCategory: labelled(unitCategories.get(u.code) ?? new Map(), categoryOrder, categoryLabel),
    })),
  };
}

describe.each(kinds)('public statistics on %s', (kind) => {
  let t: TestPortal;
  const tk: Record<string, TicketRecord> = {};

  const figures = async () => {
    const at = new Date(NOW);
    t.clock.set(at);
    const { db } = t.portal.database;
    const catalog = t.portal.services.catalog;
    const snapshot = await publicSnapshot({ db, catalog, mediaDir: '/m' }, at);
    const expected = await figuresFromLedgerRows({ db, catalog, clock: { now: () => at } }, catalog, at);
    const actual: Figures = {
      stats: snapshot.stats,
      units: snapshot.units.map(({ code, counts, byCategory }) => ({ code, counts, byCategory })),
    };
    return { actual, expected };
  };

  /** Reopened by the office, dispatched to `unit`, reported at `reportAt`, struck off a day later. */
  const reopenAndClose = async (ticket: TicketRecord, unit: string, o: { reopenAt: string; reportAt: (deadline: string) => string }) => {
    await act(t, ticket, { action: 'reopen', reason: '回访群众反映问题仍在' }, { at: o.reopenAt });
    await act(t, ticket, { action: 'dispatch', unitCode: unit, categoryCode: ticket.categoryCode }, { at: dayAfter(o.reopenAt, 0.1) });
    await act(t, ticket, { action: 'accept' }, { at: dayAfter(o.reopenAt, 0.2) });
    const reportAt = o.reportAt(ticket.deadlineAt!);
    await reportRectification(t, ticket, { at: reportAt });
    return act(t, ticket, { action: 'verify' }, { at: dayAfter(reportAt, 0.5) });
  };

  beforeAll(async () => {
    t = await startTestPortal(kind);
    const closed = { status: 'closed' as const, stepMinutes: 12 * 60 };
    tk['A'] = await makeTicket(t, {
      text: CROSSING,
      category: 'intersection.not-yielding',
      unit: 'jiaojing',
      at: '2026-10-05T02:00:00.000Z',
      ...closed,
    });
    tk['B'] = await makeTicket(t, { text: MARKET, category: 'market.hygiene', unit: 'fagaiju', at: '2026-10-06T02:00:00.000Z', ...closed });
    await reopenAndClose(tk['B'], 'zhujianju', { reopenAt: '2026-11-03T02:00:00.000Z', reportAt: (deadline) => dayAfter(deadline, 1) });

    const c = await makeTicket(t, {
      text: COMPOUND,
      category: 'compound.environment',
      unit: 'zhujianju',
      status: 'rectifying',
      at: '2026-10-31T16:30:00.000Z',
    });
    await reportRectification(t, c, { at: '2026-11-29T02:00:00.000Z' });
    tk['C'] = await act(t, c, { action: 'verify' }, { at: '2026-11-30T17:00:00.000Z' });

    const d = await makeTicket(t, {
      text: CROSSING,
      category: 'intersection.not-yielding',
      unit: 'jiaojing',
      at: '2026-11-02T02:00:00.000Z',
    });
    tk['D'] = await act(t, d, { action: 'merge', intoTrackingCode: tk['A'].trackingCode }, { at: '2026-11-02T04:00:00.000Z' });
    tk['E'] = await makeTicket(t, { text: NOISE, status: 'rejected', at: '2026-11-04T02:00:00.000Z' });

    const f = await makeTicket(t, {
      text: CROSSING,
      category: 'intersection.not-yielding',
      unit: 'jiaojing',
      status: 'accepted',
      at: '2026-11-06T02:00:00.000Z',
    });
    await act(
      t,
      f,
      { action: 'reassign', unitCode: 'fagaiju', categoryCode: 'market.hygiene', reason: '派错单位，改派' },
      { at: '2026-11-06T06:00:00.000Z' },
    );
    await act(t, f, { action: 'accept' }, { at: '2026-11-06T08:00:00.000Z' });
    await reportRectification(t, f, { at: '2026-11-07T02:00:00.000Z' });
    tk['F'] = await act(t, f, { action: 'verify' }, { at: '2026-11-07T06:00:00.000Z' });

    const g = await submitTicket(t, { text: WAGES, at: '2026-11-08T02:00:00.000Z' });
    await act(t, g, { action: 'dispatch', unitCode: 'wenmingban', categoryCode: null }, { at: '2026-11-08T04:00:00.000Z' });
    await act(t, g, { action: 'accept' }, { at: '2026-11-08T05:00:00.000Z' });
    await reportRectification(t, g, { at: '2026-11-09T02:00:00.000Z' });
    tk['G'] = await act(t, g, { action: 'verify' }, { at: '2026-11-09T04:00:00.000Z' });

    const h = await makeTicket(t, {
      text: FRONTAGE,
      category: 'frontage.cleanliness',
      unit: 'zhujianju',
      status: 'rectifying',
      at: '2026-11-10T02:00:00.000Z',
    });
    await reportRectification(t, h, { at: '2026-11-10T06:00:00.000Z' });
    await act(t, h, { action: 'sendBack', reason: '现场仍有问题，请彻底整改' }, { at: '2026-11-10T08:00:00.000Z' });
    await reportRectification(t, h, { at: dayAfter(h.deadlineAt, 2) });
    tk['H'] = await act(t, h, { action: 'verify' }, { at: dayAfter(h.deadlineAt, 3) });

    const i = await makeTicket(t, {
      text: PSA,
      category: 'psa.damaged',
      unit: 'wenmingban',
      status: 'rectifying',
      at: '2026-11-12T02:00:00.000Z',
    });
    const firstDeadline = i.deadlineAt!;
    await act(
      t,
      i,
      { action: 'requestExtension', reason: '广告牌需重新制作', requestedDeadline: dayAfter(firstDeadline, 10) },
      { at: '2026-11-12T08:00:00.000Z' },
    );
    await act(t, i, { action: 'approveExtension' }, { at: '2026-11-12T10:00:00.000Z' });
    await reportRectification(t, i, { at: dayAfter(firstDeadline, 3) });
    tk['I'] = await act(t, i, { action: 'verify' }, { at: dayAfter(firstDeadline, 4) });

    tk['J'] = await makeTicket(t, {
      text: CROSSING,
      category: 'intersection.not-yielding',
      unit: 'jiaojing',
      at: '2026-11-14T02:00:00.000Z',
      ...closed,
    });
    await reopenAndClose(tk['J'], 'jiaojing', { reopenAt: '2026-11-17T02:00:00.000Z', reportAt: () => '2026-11-17T12:00:00.000Z' });

    tk['K'] = await makeTicket(t, {
      text: MARKET,
      category: 'market.hygiene',
      unit: 'fagaiju',
      status: 'rectifying',
      channel: 'hotline',
      at: '2026-11-18T02:00:00.000Z',
    });
    tk['L'] = await submitTicket(t, { text: NOISE, channel: 'mail', at: '2026-12-01T02:00:00.000Z' });
  });

  afterAll(async () => {
    await t?.close();
  });

  it('equal the ledger rows’ figures: totals, channels, categories, units and every month', async () => {
    const { actual, expected } = await figures();
    expect(actual).toEqual(expected);

    // What the scene is about, read off the figures themselves.
    const month = (m: string) => actual.stats.byMonth.find((x) => x.month === m);
    expect(actual.stats.byMonth.map((m) => m.month)).toEqual(['2026-10', '2026-11', '2026-12']);
    // October: A and B on time. November: B (late, after its reopening), F, G, H (late), I, J once; C is a December closure.
    expect(month('2026-10')).toEqual({ month: '2026-10', received: 2, closed: 2, closedOnTime: 2, onTimeRate: 1 });
    expect(month('2026-11')).toMatchObject({ received: 9, closed: 6, closedOnTime: 4 });
    expect(month('2026-12')).toMatchObject({ received: 1, closed: 1, closedOnTime: 0 });
    expect(actual.stats.totals).toMatchObject({ received: 12, open: 2, closed: 8, closedOnTime: 5 });
    const unit = (code: string) => actual.units.find((u) => u.code === code)!;
    // B's last closure was zhujianju's (late); F's was fagaiju's after the reassignment.
    expect(unit('zhujianju').counts).toMatchObject({ closed: 3, closedOnTime: 0 });
    expect(unit('fagaiju').counts).toMatchObject({ closed: 1, closedOnTime: 1 });
    expect(actual.stats.byCategory.find((c) => c.code === 'none')).toMatchObject({ label: '未分类' });
  });

  it('stay equal after a ticket is reopened and struck off again in another month (its verdicts kept, the new one judged)', async () => {
    await reopenAndClose(tk['B']!, 'fagaiju', { reopenAt: '2026-12-02T02:00:00.000Z', reportAt: () => '2026-12-02T08:00:00.000Z' });
    const { actual, expected } = await figures();
    expect(actual).toEqual(expected);
    expect(actual.stats.byMonth.find((m) => m.month === '2026-12')).toMatchObject({ closed: 2, closedOnTime: 1 });
    // B counts once in the totals, now for fagaiju and on time.
    expect(actual.stats.totals).toMatchObject({ closed: 8, closedOnTime: 6 });
    expect(actual.units.find((u) => u.code === 'fagaiju')!.counts).toMatchObject({ closed: 2, closedOnTime: 2 });
  });

  it('count a ticket closed with no strike-off in its log (data from elsewhere) for its lead unit, not on time', async () => {
    await t.portal.database.db.updateTable('tickets').set({ status: 'closed' }).where('id', '=', tk['K']!.id).execute();
    const { actual, expected } = await figures();
    expect(actual).toEqual(expected);
    expect(actual.stats.totals).toMatchObject({ closed: 9, closedOnTime: 6, open: 1 });
    expect(actual.units.find((u) => u.code === 'fagaiju')!.counts).toMatchObject({ closed: 3, closedOnTime: 2 });
  });
});
