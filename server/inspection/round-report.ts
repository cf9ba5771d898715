// A round's problems as the supervision cards (supervision-card.ts) and the bulletin (bulletin.ts)
// both read them: each failed item of the round with its point, its checklist standard, the unit
// that holds its ticket now and the ticket's state. Also who may read a round's reports.
import type { Kysely } from 'kysely';
import { isOffice, type StaffUser } from '../auth/roles.ts';
import type { Catalog } from '../catalog/types.ts';
import { chinaDate } from '../china-time.ts';
import type { Database } from '../db/schema.ts';
import { ForbiddenError, NotFoundError } from '../errors.ts';
import { createLabels, type UnitLabel } from '../ledgers/ledger-labels.ts';
import { STATUS_LABELS, type Status } from '../tickets/lifecycle.ts';
import { findReportRound, selectFailedResults, type ReportRound } from './round-report-repository.ts';

export interface RoundReportDeps {
  db: Kysely<Database>;
  catalog: Catalog;
  /** The campaign office's full name as its documents are headed (content/site.json's officeName). */
  officeName?: string;
}

/** Who issues the cards and the bulletin: the office's name from site.json, else the catalog's office unit. */
export function issuerOf(deps: RoundReportDeps): string {
  return deps.officeName ?? deps.catalog.unit(deps.catalog.officeUnitCode)?.name ?? '创城工作指挥部办公室';
}

/** One failed item of the round. */
export interface RoundProblem {
  ticketId: number;
  trackingCode: string;
  statusLabel: string;
  /** The ticket is closed (整改到位，已销号). */
  rectified: boolean;
  point: { id: string; name: string; address: string };
  itemCode: string;
  /** The checklist standard it failed. */
  standard: string;
  /** The item's ticket category. */
  categoryCode: string;
  /** The unit holding the ticket now, else the point's responsible unit. */
  unit: UnitLabel;
  /** The inspector's note: internal. */
  note: string | null;
  deadlineAt: string | null;
  /** The deadline's China date 'YYYY-MM-DD'. */
  deadlineOn: string | null;
}

/** The standard of an item at a point (the point type's checklist); the code itself when the content lost it. */
function itemOf(catalog: Catalog, pointId: string, itemCode: string): { standard: string; category: string } {
  const typeCode = catalog.point(pointId)?.typeCode;
  const item = typeCode ? catalog.checklist(typeCode).find((i) => i.code === itemCode) : undefined;
  return { standard: item?.standard ?? itemCode, category: item?.category ?? '' };
}

export function pointOf(catalog: Catalog, pointId: string): { id: string; name: string; address: string; unitCode: string | null } {
  const p = catalog.point(pointId);
  return { id: pointId, name: p?.name ?? pointId, address: p?.address ?? '', unitCode: p?.unitCode ?? null };
}

/** The office and leaders read every unit's reports; unit staff their own unit's card only. */
export function readsAllRounds(user: StaffUser): boolean {
  return isOffice(user) || user.role === 'leader';
}

export async function loadRound(deps: RoundReportDeps, roundId: number): Promise<ReportRound> {
  const round = await findReportRound(deps.db, roundId);
  if (!round) throw new NotFoundError('没有找到这一轮督导检查');
  return round;
}

export async function roundProblems(deps: RoundReportDeps, roundId: number): Promise<RoundProblem[]> {
  const { catalog } = deps;
  const labels = createLabels(catalog);
  const failed = await selectFailedResults(deps.db, roundId);
  return failed.map((f) => {
    const point = pointOf(catalog, f.pointId);
    const item = itemOf(catalog, f.pointId, f.itemCode);
    const unitCode = f.leadUnitCode ?? point.unitCode ?? catalog.officeUnitCode;
    return {
      ticketId: f.ticketId,
      trackingCode: f.trackingCode,
      statusLabel: STATUS_LABELS[f.status as Status] ?? f.status,
      rectified: f.status === 'closed',
      point: { id: point.id, name: point.name, address: point.address },
      itemCode: f.itemCode,
      standard: item.standard,
      categoryCode: item.category,
      unit: labels.unit(unitCode)!,
      note: f.note,
      deadlineAt: f.deadlineAt,
      deadlineOn: f.deadlineAt ? chinaDate(f.deadlineAt) : null,
    };
  });
}

/** Refuses the roles that read no round report at all. */
export function mayReadReports(user: StaffUser, what: string): void {
  if (readsAllRounds(user) || user.role === 'unit') return;
  throw new ForbiddenError(`您的账号不能查看${what}，请联系创城办`);
}
