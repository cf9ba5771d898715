// Gathers what every unit did in a period (UnitFacts, ./unit-score.ts) from the ledgers' own
// definitions, so a score's parts are the same numbers the office reads elsewhere: closures and
// their on-time flag from the rectification ledger (the monthly report's "closed on time"), the
// overdue tickets from the problem ledger as of the period's end, escalations from the ladder,
// follow-up satisfaction from the follow-up calls, and the inspection rounds' results.
import { ms } from '../china-time.ts';
import type { Catalog } from '../catalog/types.ts';
import { followUpStats } from '../follow-ups/follow-ups.ts';
import type { LedgerDeps } from '../ledgers/ledger-context.ts';
import { createLabels } from '../ledgers/ledger-labels.ts';
import { selectEscalations, selectTicketsActedIn, selectTrackingCodes, type TicketWithHistory } from '../ledgers/ledger-repository.ts';
import { problemLedgerAt } from '../ledgers/problem-ledger.ts';
import { firstStrikeOffs, rectificationRows } from '../ledgers/rectification-ledger.ts';
import { holdingUnitCode } from '../ledgers/ticket-history.ts';
import { selectInspectedItems, selectNoticesPublishedIn, selectReworkRechecks } from './scoring-repository.ts';
import type { TicketRef, UnitFacts } from './unit-score.ts';

/** A period of the scores: [from, to) in UTC instants; facts are read as they stood at `asOf`. */
export interface ScorePeriod {
  from: string;
  to: string;
  asOf: string;
}

const DISPATCHES = ['dispatch', 'reassign'];
const DECISIONS = ['verify', 'sendBack'];

function emptyFacts(unitCode: string): UnitFacts {
  return {
    unitCode,
    rectifications: [],
    dispatches: [],
    decided: [],
    overdue: [],
    exposures: [],
    escalations: [],
    followUps: { reached: 0, satisfied: 0 },
    inspected: [],
  };
}

/**
 * Each dispatch (or reassignment) to a unit in the period, and whether the unit itself
 * acknowledged (签收) it by the time due. An acknowledgement the office recorded for it (代为签收)
 * after the time was up is not the unit's: late. A dispatch whose time is not yet up at `asOf`, or
 * that something else ended before it was due, is left out: it is neither on time nor late.
 */
function dispatchesOf(ticket: TicketWithHistory, period: ScorePeriod): Array<{ unitCode: string; onTime: boolean }> {
  const out: Array<{ unitCode: string; onTime: boolean }> = [];
  ticket.events.forEach((e, i) => {
    const unitCode = e.data['leadUnitCode'];
    const due = e.data['acknowledgeDueAt'];
    if (!DISPATCHES.includes(e.action) || typeof unitCode !== 'string' || typeof due !== 'string') return;
    if (ms(e.at) < ms(period.from) || ms(e.at) >= ms(period.asOf)) return;
    const next = ticket.events.slice(i + 1).find((n) => ms(n.at) < ms(period.asOf));
    if (next?.action === 'accept') out.push({ unitCode, onTime: ms(next.at) <= ms(due) });
    // Moved on (reassigned, acknowledged for it, returned) before it was due: nothing to count.
    else if (next && ms(next.at) < ms(due)) return;
    else if (ms(due) <= ms(period.asOf)) out.push({ unitCode, onTime: false });
  });
  return out;
}

export async function gatherUnitFacts(deps: LedgerDeps, period: ScorePeriod): Promise<UnitFacts[]> {
  const { db, catalog } = deps;
  const labels = createLabels(catalog);
  const facts = new Map(catalog.units.filter((u) => u.code !== catalog.officeUnitCode).map((u) => [u.code, emptyFacts(u.code)]));
  const of = (unitCode: string | null | undefined) => (unitCode ? facts.get(unitCode) : undefined);
  const [acted, problems, escalations, notices, followUps, rechecks, inspected] = await Promise.all([
    selectTicketsActedIn(db, [...DISPATCHES, ...DECISIONS], period.from, period.asOf),
    problemLedgerAt(deps, period.asOf, period.from),
    selectEscalations(db, period.from, period.asOf),
    selectNoticesPublishedIn(db, period.from, period.asOf),
    followUpStats(db, { from: period.from, before: period.asOf }),
    selectReworkRechecks(db, period.from, period.asOf),
    selectInspectedItems(db, period.from, period.asOf),
  ]);

  const rows = rectificationRows(labels, acted);
  for (const r of firstStrikeOffs(rows, period.from, period.asOf)) {
    of(r.unit?.code)?.rectifications.push({ ticketId: r.ticketId, trackingCode: r.trackingCode, onTime: r.onTime });
  }
  for (const r of rows) {
    const decidedAt = r.verifiedAt ?? r.sentBackAt;
    if (decidedAt === null || ms(decidedAt) < ms(period.from) || ms(decidedAt) >= ms(period.asOf)) continue;
    of(r.unit?.code)?.decided.push({ ticketId: r.ticketId, trackingCode: r.trackingCode, reworked: r.outcome === 'sentBack' });
  }
  for (const r of rechecks) of(r.unitCode)?.decided.push({ ticketId: r.ticketId, trackingCode: r.trackingCode, reworked: true });
  for (const t of acted) {
    for (const d of dispatchesOf(t, period)) {
      of(d.unitCode)?.dispatches.push({ ticketId: t.facts.id, trackingCode: t.facts.trackingCode, onTime: d.onTime });
    }
  }
  for (const p of problems) {
    if (!p.overdue) continue;
    of(holdingUnitCode({ status: p.status, leadUnitCode: p.leadUnit?.code ?? null }))?.overdue.push({
      ticketId: p.ticketId,
      trackingCode: p.trackingCode,
    });
  }
  const codes = await selectTrackingCodes(db, [...new Set((escalations ?? []).flatMap((e) => e.ticketIds))]);
  for (const e of escalations ?? []) {
    const tickets: TicketRef[] = e.ticketIds.map((id) => ({ ticketId: id, trackingCode: codes.get(id) ?? String(id) }));
    of(e.unitCode)?.escalations.push({ level: e.level, tickets });
  }
  for (const n of notices) of(n.unitCode)?.exposures.push({ noticeId: n.id, title: n.title, tickets: n.tickets });
  for (const f of followUps) {
    const unit = of(f.unitCode);
    if (unit) unit.followUps = { reached: f.reached, satisfied: f.satisfied + f.fair, byPhone: f.byPhone, online: f.online };
  }
  for (const item of inspected) addInspected(catalog, of, item);
  return [...facts.values()];
}

/** An inspected item counts for the point's responsible unit, with its checklist weight. */
function addInspected(
  catalog: Catalog,
  of: (unitCode: string | null | undefined) => UnitFacts | undefined,
  item: Awaited<ReturnType<typeof selectInspectedItems>>[number],
): void {
  const point = catalog.point(item.pointId);
  if (!point) return;
  const weight = catalog.checklist(point.typeCode).find((i) => i.code === item.itemCode)?.weight ?? 1;
  of(point.unitCode)?.inspected.push({ weight, passed: item.passed, ticket: item.ticket });
}
