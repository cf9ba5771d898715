// 通报: the bulletin of an inspection round, for the office and leaders — failed items counted by
// unit and by category, the problems listed, the units with repeat problems (the same checklist
// item failed at the same point in an earlier round, which is named), the re-check results per
// unit when the round re-checked (fixed / not fixed / rework), and the points not yet inspected.
// The office may publish its public version (public-bulletin.ts) once the round is closed: the
// round is marked and the public site rebuilt, in one transaction (ADR 006).
import { isOffice, type StaffUser } from '../auth/roles.ts';
import type { Clock } from '../clock.ts';
import { ConflictError, ForbiddenError, NotFoundError } from '../errors.ts';
import { createLabels, type UnitLabel } from '../ledgers/ledger-labels.ts';
import { requestBuild } from '../publish/publishing.ts';
import { issuerOf, loadRound, pointOf, readsAllRounds, roundProblems, type RoundProblem, type RoundReportDeps } from './round-report.ts';
import {
  countResultsByPoint,
  findReportRound,
  markBulletinPublished,
  selectEarlierFailures,
  selectItemsOfTickets,
  selectRechecks,
  selectRoundPointIds,
  type ReportRound,
} from './round-report-repository.ts';

export interface BulletinUnitCount {
  unit: UnitLabel;
  /** Failed items. */
  failed: number;
  /** Points with at least one failed item. */
  points: number;
  /** Of the failed items, those whose ticket is closed now. */
  rectified: number;
}

export interface BulletinRepeat {
  unit: UnitLabel;
  pointName: string;
  standard: string;
  trackingCode: string;
  /** The latest earlier round that failed the same item at the point. */
  earlier: { roundId: number; roundName: string; startsOn: string };
}

export interface BulletinRecheckCount {
  unit: UnitLabel;
  fixed: number;
  notFixed: number;
  /** Not fixed although reported fixed or closed (返工). */
  rework: number;
  /** Planned, not yet re-checked. */
  pending: number;
}

export interface Bulletin {
  issuer: string;
  round: ReportRound;
  /** The public version's path on the public site, once published. */
  publicPath: string | null;
  totals: { points: number; pointsInspected: number; itemsFailed: number; units: number };
  byUnit: BulletinUnitCount[];
  byCategory: Array<{ code: string; name: string; failed: number }>;
  problems: RoundProblem[];
  repeats: BulletinRepeat[];
  /** null when the round re-checked nothing. */
  rechecks: BulletinRecheckCount[] | null;
  /** Points where not every checklist item has a result (done of items). */
  notInspected: Array<{ pointName: string; unit: UnitLabel; done: number; items: number }>;
}

export interface BulletinDeps extends RoundReportDeps {
  clock: Clock;
}

/** The public bulletin's slug: /bulletins/round-12/. */
export function bulletinSlug(roundId: number): string {
  return `round-${roundId}`;
}

function tally<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let value = map.get(key);
  if (value === undefined) map.set(key, (value = make()));
  return value;
}

/** The bulletin of a round, read for anyone (access is checked by the callers). */
export async function buildBulletin(deps: RoundReportDeps, round: ReportRound): Promise<Bulletin> {
  const { db, catalog } = deps;
  const labels = createLabels(catalog);
  const unitOrder = (u: UnitLabel) => {
    const i = catalog.units.findIndex((x) => x.code === u.code);
    return i < 0 ? catalog.units.length : i;
  };
  const [problems, pointIds, resultCounts, rechecks] = await Promise.all([
    roundProblems(deps, round.id),
    selectRoundPointIds(db, round.id),
    countResultsByPoint(db, round.id),
    selectRechecks(db, round.id),
  ]);

  const byUnit = new Map<string, BulletinUnitCount & { pointIds: Set<string> }>();
  const byCategory = new Map<string, { code: string; name: string; failed: number }>();
  for (const p of problems) {
    const u = tally(byUnit, p.unit.code, () => ({ unit: p.unit, failed: 0, points: 0, rectified: 0, pointIds: new Set<string>() }));
    u.failed += 1;
    u.pointIds.add(p.point.id);
    if (p.rectified) u.rectified += 1;
    const top = labels.topCategory(p.categoryCode || null) ?? { code: 'none', name: '未分类' };
    tally(byCategory, top.code, () => ({ ...top, failed: 0 })).failed += 1;
  }
  const categoryOrder = catalog.categories.map((c) => c.code);

  const earlier = await selectEarlierFailures(db, round, [...new Set(problems.map((p) => p.point.id))]);
  const repeats: BulletinRepeat[] = [];
  for (const p of problems) {
    const before = earlier.find((e) => e.pointId === p.point.id && e.itemCode === p.itemCode);
    if (!before) continue;
    repeats.push({
      unit: p.unit,
      pointName: p.point.name,
      standard: p.standard,
      trackingCode: p.trackingCode,
      earlier: { roundId: before.roundId, roundName: before.roundName, startsOn: before.startsOn },
    });
  }

  return {
    issuer: issuerOf(deps),
    round,
    publicPath: round.bulletinPublishedAt ? `/bulletins/${bulletinSlug(round.id)}/` : null,
    totals: {
      points: pointIds.length,
      pointsInspected: pointIds.filter((id) => (resultCounts.get(id) ?? 0) > 0).length,
      itemsFailed: problems.length,
      units: byUnit.size,
    },
    byUnit: [...byUnit.values()]
      .map(({ pointIds: ids, ...u }) => ({ ...u, points: ids.size }))
      .sort((a, b) => b.failed - a.failed || unitOrder(a.unit) - unitOrder(b.unit)),
    byCategory: [...byCategory.values()].sort(
      (a, b) => b.failed - a.failed || categoryOrder.indexOf(a.code) - categoryOrder.indexOf(b.code),
    ),
    problems,
    repeats,
    rechecks: rechecks.length === 0 ? null : await recheckCounts(deps, rechecks, unitOrder),
    notInspected: pointIds.flatMap((id) => {
      const point = pointOf(catalog, id);
      const items = catalog.checklist(catalog.point(id)?.typeCode ?? '').length;
      const done = resultCounts.get(id) ?? 0;
      if (done >= items) return [];
      return [{ pointName: point.name, unit: labels.unit(point.unitCode ?? catalog.officeUnitCode)!, done, items }];
    }),
  };
}

async function recheckCounts(
  deps: RoundReportDeps,
  rechecks: Awaited<ReturnType<typeof selectRechecks>>,
  unitOrder: (u: UnitLabel) => number,
): Promise<BulletinRecheckCount[]> {
  const { catalog } = deps;
  const labels = createLabels(catalog);
  const items = await selectItemsOfTickets(
    deps.db,
    rechecks.map((r) => r.ticketId),
  );
  const counts = new Map<string, BulletinRecheckCount>();
  for (const r of rechecks) {
    const pointId = items.get(r.ticketId)?.pointId ?? r.pointId;
    const unitCode = r.leadUnitCode ?? (pointId ? pointOf(catalog, pointId).unitCode : null) ?? catalog.officeUnitCode;
    const c = tally(counts, unitCode, () => ({ unit: labels.unit(unitCode)!, fixed: 0, notFixed: 0, rework: 0, pending: 0 }));
    if (r.result === 'fixed') c.fixed += 1;
    else if (r.result === 'not_fixed') c.notFixed += 1;
    else c.pending += 1;
    if (r.rework) c.rework += 1;
  }
  return [...counts.values()].sort((a, b) => unitOrder(a.unit) - unitOrder(b.unit));
}

export function createBulletins(deps: BulletinDeps) {
  const { db, clock } = deps;

  /** The office and leaders read a round's bulletin. */
  async function bulletin(user: StaffUser, roundId: number): Promise<Bulletin> {
    if (!readsAllRounds(user)) throw new ForbiddenError('督导通报仅供创城办和领导查看');
    return buildBulletin(deps, await loadRound(deps, roundId));
  }

  /**
   * 发布公开版通报: marks the closed round's bulletin public and asks for a rebuild of the public
   * site in the same transaction. Once only.
   */
  async function publishPublic(user: StaffUser, roundId: number): Promise<{ publishedAt: string }> {
    if (!isOffice(user))
      throw new ForbiddenError(user.role === 'leader' ? '您的账号为只读账号，不能发布通报' : '只有创城办可以发布公开版通报');
    const at = clock.now();
    await db.transaction().execute(async (trx) => {
      const round = await findReportRound(trx, roundId);
      if (!round) throw new NotFoundError('没有找到这一轮督导检查');
      if (round.status !== 'closed') throw new ConflictError('本轮督导尚未结束。请先结束本轮督导，再发布公开版通报');
      if (!(await markBulletinPublished(trx, roundId, at.toISOString())))
        throw new ConflictError('本轮的公开版通报已经发布过了，不需要再发布');
      await requestBuild(trx, `bulletin:${roundId} published`, at);
    });
    return { publishedAt: at.toISOString() };
  }

  return { bulletin, publishPublic };
}
