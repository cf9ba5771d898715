// 点位台帐: every evaluation point of the catalog (content/points.json) with its grid — type,
// responsible unit and person, area, address — when the office's inspection group last inspected
// it (the round, the items passed and failed then), and the problems open there now (tickets
// naming the point that are not closed, rejected or merged). Points come from the catalog,
// problems and inspections from one query each; the responsible person is internal (staff only,
// never public).
import type { Area } from '../catalog/types.ts';
import { STATUS_LABELS, type Status } from '../tickets/lifecycle.ts';
import type { LedgerDeps } from './ledger-context.ts';
import type { PointLedgerFilter } from './ledger-filters.ts';
import { AREA_LABELS, createLabels, type UnitLabel } from './ledger-labels.ts';
import { selectOpenTicketsAtPoints } from './ledger-repository.ts';
import { inspectionsByPoint } from '../inspection/inspection-repository.ts';
import { daysOverdue } from './ticket-history.ts';

export interface OpenProblem {
  ticketId: number;
  trackingCode: string;
  status: Status;
  statusLabel: string;
  overdue: boolean;
  /** The ticket's lead unit now (its staff may open it). */
  leadUnitCode: string | null;
}

/** The point's latest inspection (督导): the round it was in, and the checklist's result there. */
export interface LastInspection {
  /** When the last item was inspected (ISO instant; the ledger shows its China date). */
  at: string;
  roundId: number;
  roundName: string;
  passed: number;
  failed: number;
}

export interface PointLedgerRow {
  id: string;
  name: string;
  type: { code: string; name: string };
  /** The point's responsible unit (网格责任单位). */
  unit: UnitLabel;
  /** The grid's named responsible person (网格责任人). */
  responsiblePerson: string;
  area: Area;
  areaLabel: string;
  address: string;
  /** Null while no round has inspected the point. */
  lastInspection: LastInspection | null;
  openCount: number;
  overdueCount: number;
  /** Oldest first. */
  openProblems: OpenProblem[];
}

/** Every point matching the filter, in catalog order. */
export async function pointLedgerRows(deps: LedgerDeps, filter: PointLedgerFilter = {}): Promise<PointLedgerRow[]> {
  const labels = createLabels(deps.catalog);
  const now = deps.clock.now();
  const open = new Map<string, OpenProblem[]>();
  for (const t of await selectOpenTicketsAtPoints(deps.db)) {
    let list = open.get(t.pointId);
    if (!list) open.set(t.pointId, (list = []));
    list.push({
      ticketId: t.id,
      trackingCode: t.trackingCode,
      status: t.status,
      statusLabel: STATUS_LABELS[t.status] ?? t.status,
      overdue: daysOverdue(t.status, t.deadlineAt, now) > 0,
      leadUnitCode: t.leadUnitCode,
    });
  }
  const lastInspection = new Map<string, LastInspection>();
  for (const i of await inspectionsByPoint(deps.db)) {
    const seen = lastInspection.get(i.pointId);
    if (seen && seen.at >= i.lastAt) continue;
    lastInspection.set(i.pointId, { at: i.lastAt, roundId: i.roundId, roundName: i.roundName, passed: i.passed, failed: i.failed });
  }
  const rows: PointLedgerRow[] = [];
  for (const p of deps.catalog.points) {
    const problems = open.get(p.id) ?? [];
    if (filter.unitCode && p.unitCode !== filter.unitCode) continue;
    if (filter.typeCode && p.typeCode !== filter.typeCode) continue;
    if (filter.area && p.area !== filter.area) continue;
    if (filter.hasOpenProblems !== undefined && filter.hasOpenProblems !== problems.length > 0) continue;
    rows.push({
      id: p.id,
      name: p.name,
      type: { code: p.typeCode, name: deps.catalog.pointTypes.find((t) => t.code === p.typeCode)?.name ?? p.typeCode },
      unit: labels.unit(p.unitCode)!,
      responsiblePerson: p.responsiblePerson,
      area: p.area,
      areaLabel: AREA_LABELS[p.area],
      address: p.address,
      lastInspection: lastInspection.get(p.id) ?? null,
      openCount: problems.length,
      overdueCount: problems.filter((o) => o.overdue).length,
      openProblems: problems,
    });
  }
  return rows;
}
