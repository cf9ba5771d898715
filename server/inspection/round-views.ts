// What a round looks like to its readers, built from its stored rows and the catalog: the summary
// in the office's list and the inspector's, and the sheet the inspector's phone works from. No
// reporter data is ever read here: the sheet shows tickets by code, category, first words, status.
import type { Catalog } from '../catalog/types.ts';
import { STATUS_LABELS } from '../tickets/lifecycle.ts';
import type { OpenTicketAtPoint, RoundRecord } from './inspection-repository.ts';
import type { RecheckRecord, ResultRecord } from './round-result-repository.ts';
import type { RoundSheet, RoundSummary, SheetPoint, SheetRecheck } from './inspection-types.ts';

/** A round's rows, as read for one or more rounds. */
export interface RoundRows {
  points: Array<{ roundId: number; pointId: string; position: number }>;
  inspectors: Array<{ roundId: number; id: number; displayName: string }>;
  results: ResultRecord[];
  rechecks: RecheckRecord[];
}

const SUMMARY_CHARS = 40;

export function summaryOf(text: string): string {
  const chars = [...text.replace(/\s+/g, ' ').trim()];
  return chars.length > SUMMARY_CHARS ? `${chars.slice(0, SUMMARY_CHARS).join('')}…` : chars.join('');
}

/** Whether every checklist item of the point has a result in the round. */
function pointDone(catalog: Catalog, pointId: string, results: readonly ResultRecord[]): boolean {
  const point = catalog.point(pointId);
  if (!point) return false;
  const recorded = new Set(results.filter((r) => r.pointId === pointId).map((r) => r.itemCode));
  return catalog.checklist(point.typeCode).every((item) => recorded.has(item.code));
}

export function roundSummary(catalog: Catalog, round: RoundRecord, rows: RoundRows): RoundSummary {
  const mine = <T extends { roundId: number }>(list: readonly T[]) => list.filter((x) => x.roundId === round.id);
  const points = mine(rows.points);
  const results = mine(rows.results);
  const rechecks = mine(rows.rechecks);
  return {
    id: round.id,
    name: round.name,
    startsOn: round.startsOn,
    endsOn: round.endsOn,
    status: round.status,
    pointCount: points.length,
    pointsDone: points.filter((p) => pointDone(catalog, p.pointId, results)).length,
    failedItems: results.filter((r) => r.verdict === 'fail').length,
    rechecks: rechecks.length,
    rechecksDone: rechecks.filter((c) => c.verdict !== null).length,
    inspectors: mine(rows.inspectors).map(({ id, displayName }) => ({ id, displayName })),
    bulletinPublishedAt: round.bulletinPublishedAt,
  };
}

/** The checklist standard a re-checked ticket failed, when an item's result made it. */
function recheckStandard(catalog: Catalog, c: RecheckRecord): string | null {
  const point = c.resultPointId ? catalog.point(c.resultPointId) : undefined;
  if (!point || !c.itemCode) return null;
  return catalog.checklist(point.typeCode).find((i) => i.code === c.itemCode)?.standard ?? null;
}

function sheetRecheck(catalog: Catalog, c: RecheckRecord): SheetRecheck {
  return {
    ticketId: c.ticketId,
    trackingCode: c.trackingCode,
    summary: summaryOf(c.description),
    standard: recheckStandard(catalog, c),
    statusLabel: STATUS_LABELS[c.status],
    unitName: c.leadUnitCode ? (catalog.unit(c.leadUnitCode)?.shortName ?? c.leadUnitCode) : null,
    recorded: c.verdict ? { verdict: c.verdict, note: c.note } : null,
  };
}

/** The point a re-check belongs to on the sheet: where the earlier round found it. */
export function recheckPointId(c: RecheckRecord): string | null {
  return c.resultPointId ?? c.pointId;
}

export function roundSheet(catalog: Catalog, round: RoundRecord, rows: RoundRows, openTickets: readonly OpenTicketAtPoint[]): RoundSheet {
  const points: SheetPoint[] = rows.points.flatMap(({ pointId, position }) => {
    const point = catalog.point(pointId);
    // A point taken out of content/ since the round was planned has no checklist to work.
    if (!point) return [];
    const results = rows.results.filter((r) => r.pointId === pointId);
    const unit = catalog.unit(point.unitCode);
    return [
      {
        pointId,
        position,
        name: point.name,
        typeName: catalog.pointTypes.find((t) => t.code === point.typeCode)?.name ?? point.typeCode,
        address: point.address,
        unitName: unit?.shortName ?? point.unitCode,
        lat: point.lat,
        lng: point.lng,
        items: catalog.checklist(point.typeCode).map((item) => {
          const r = results.find((x) => x.itemCode === item.code);
          return {
            code: item.code,
            standard: item.standard,
            categoryName: catalog.category(item.category)?.name ?? item.category,
            recorded: r ? { verdict: r.verdict, note: r.note, trackingCode: r.trackingCode } : null,
          };
        }),
        rechecks: rows.rechecks.filter((c) => recheckPointId(c) === pointId).map((c) => sheetRecheck(catalog, c)),
        openProblems: openTickets
          .filter((t) => t.pointId === pointId)
          .map((t) => ({
            trackingCode: t.trackingCode,
            categoryName: t.categoryCode ? (catalog.category(t.categoryCode)?.name ?? null) : null,
            summary: summaryOf(t.description),
            statusLabel: STATUS_LABELS[t.status],
            createdAt: t.createdAt,
          })),
      },
    ];
  });
  return { round: roundSummary(catalog, round, rows), points };
}
