// What the supervision cards (督办交办卡) and the bulletin (通报) of an inspection round read
// (supervision-card.ts, bulletin.ts, public-bulletin.ts): the round, its points, its results with
// the tickets its failed items became, the re-checks it made, the same items failed at the same
// points in earlier rounds, and the mark that its bulletin went public. Plain objects out; never a
// reporter, and inspectors only by id.
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

export interface ReportRound {
  id: number;
  name: string;
  /** China dates 'YYYY-MM-DD'. */
  startsOn: string;
  endsOn: string;
  status: 'open' | 'closed';
  closedAt: string | null;
  bulletinPublishedAt: string | null;
}

/** A failed checklist item of the round and the ticket it became (its state now). */
export interface FailedResult {
  pointId: string;
  itemCode: string;
  /** What the inspector wrote: internal, may name people. */
  note: string | null;
  observedAt: string;
  ticketId: number;
  trackingCode: string;
  status: string;
  /** The ticket's lead unit now (null while the office holds it). */
  leadUnitCode: string | null;
  deadlineAt: string | null;
}

/** A re-check (复查) the round made of an earlier round's problem. */
export interface RecheckRow {
  ticketId: number;
  trackingCode: string;
  pointId: string | null;
  leadUnitCode: string | null;
  /** null: not yet re-checked. */
  result: 'fixed' | 'not_fixed' | null;
  rework: boolean;
}

/** The same item failed at the same point in an earlier round. */
export interface EarlierFailure {
  pointId: string;
  itemCode: string;
  roundId: number;
  roundName: string;
  startsOn: string;
}

const roundColumns = ['id', 'name', 'starts_on', 'ends_on', 'status', 'closed_at', 'bulletin_published_at'] as const;

function toRound(r: {
  id: number;
  name: string;
  starts_on: string;
  ends_on: string;
  status: string;
  closed_at: string | null;
  bulletin_published_at: string | null;
}): ReportRound {
  return {
    id: r.id,
    name: r.name,
    startsOn: r.starts_on,
    endsOn: r.ends_on,
    status: r.status === 'closed' ? 'closed' : 'open',
    closedAt: r.closed_at,
    bulletinPublishedAt: r.bulletin_published_at,
  };
}

export async function findReportRound(db: Db, roundId: number): Promise<ReportRound | null> {
  const row = await db.selectFrom('inspection_rounds').select(roundColumns).where('id', '=', roundId).executeTakeFirst();
  return row ? toRound(row) : null;
}

/** Rounds whose public bulletin is published, newest publication first. */
export async function selectPublishedRounds(db: Db): Promise<ReportRound[]> {
  const rows = await db
    .selectFrom('inspection_rounds')
    .select(roundColumns)
    .where('bulletin_published_at', 'is not', null)
    .orderBy('bulletin_published_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  return rows.map(toRound);
}

/** The round's points in walking order. */
export async function selectRoundPointIds(db: Db, roundId: number): Promise<string[]> {
  const rows = await db
    .selectFrom('inspection_round_points')
    .select('point_id')
    .where('round_id', '=', roundId)
    .orderBy('position')
    .execute();
  return rows.map((r) => r.point_id);
}

/** How many checklist items have a result at each point of the round. */
export async function countResultsByPoint(db: Db, roundId: number): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('inspection_results')
    .select(['point_id', (eb) => eb.fn.countAll<number | string>().as('n')])
    .where('round_id', '=', roundId)
    .groupBy('point_id')
    .execute();
  return new Map(rows.map((r) => [r.point_id, Number(r.n)]));
}

/** The round's failed items with their tickets, in the order they were recorded. */
export async function selectFailedResults(db: Db, roundId: number): Promise<FailedResult[]> {
  const rows = await db
    .selectFrom('inspection_results as r')
    .innerJoin('tickets as t', 't.id', 'r.ticket_id')
    .select([
      'r.point_id',
      'r.item_code',
      'r.note',
      'r.observed_at',
      't.id as ticket_id',
      't.tracking_code',
      't.status',
      't.lead_unit_code',
      't.deadline_at',
    ])
    .where('r.round_id', '=', roundId)
    .where('r.result', '=', 'fail')
    .orderBy('r.id')
    .execute();
  return rows.map((r) => ({
    pointId: r.point_id,
    itemCode: r.item_code,
    note: r.note,
    observedAt: r.observed_at,
    ticketId: r.ticket_id,
    trackingCode: r.tracking_code,
    status: r.status,
    leadUnitCode: r.lead_unit_code,
    deadlineAt: r.deadline_at,
  }));
}

export async function selectRechecks(db: Db, roundId: number): Promise<RecheckRow[]> {
  const rows = await db
    .selectFrom('inspection_rechecks as c')
    .innerJoin('tickets as t', 't.id', 'c.ticket_id')
    .select(['c.ticket_id', 'c.result', 'c.rework', 't.tracking_code', 't.point_id', 't.lead_unit_code'])
    .where('c.round_id', '=', roundId)
    .orderBy('t.id')
    .execute();
  return rows.map((r) => ({
    ticketId: r.ticket_id,
    trackingCode: r.tracking_code,
    pointId: r.point_id,
    leadUnitCode: r.lead_unit_code,
    result: r.result === 'fixed' || r.result === 'not_fixed' ? r.result : null,
    rework: Number(r.rework) === 1,
  }));
}

/**
 * Failed items of rounds that started before this one (or the same day and were planned
 * earlier) at the given points, newest round first.
 */
export async function selectEarlierFailures(
  db: Db,
  round: { id: number; startsOn: string },
  pointIds: string[],
): Promise<EarlierFailure[]> {
  if (pointIds.length === 0) return [];
  const rows = await db
    .selectFrom('inspection_results as r')
    .innerJoin('inspection_rounds as o', 'o.id', 'r.round_id')
    .select(['r.point_id', 'r.item_code', 'o.id', 'o.name', 'o.starts_on'])
    .where('r.result', '=', 'fail')
    .where('r.point_id', 'in', pointIds)
    .where('o.id', '!=', round.id)
    .where((eb) =>
      eb.or([eb('o.starts_on', '<', round.startsOn), eb.and([eb('o.starts_on', '=', round.startsOn), eb('o.id', '<', round.id)])]),
    )
    .orderBy('o.starts_on', 'desc')
    .orderBy('o.id', 'desc')
    .execute();
  return rows.map((r) => ({ pointId: r.point_id, itemCode: r.item_code, roundId: r.id, roundName: r.name, startsOn: r.starts_on }));
}

/** The checklist item an inspection ticket came from (for re-checks of earlier rounds' problems). */
export async function selectItemsOfTickets(db: Db, ticketIds: number[]): Promise<Map<number, { pointId: string; itemCode: string }>> {
  if (ticketIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('inspection_results')
    .select(['ticket_id', 'point_id', 'item_code'])
    .where('ticket_id', 'in', ticketIds)
    .execute();
  return new Map(rows.map((r) => [r.ticket_id!, { pointId: r.point_id, itemCode: r.item_code }]));
}

/** The first photo the inspector took of each ticket's problem (its report photos, in order). */
export async function selectFirstPhotos(db: Db, ticketIds: number[]): Promise<Map<number, string>> {
  if (ticketIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('photos')
    .select(['ticket_id', 'id', 'position'])
    .where('ticket_id', 'in', ticketIds)
    .where('purpose', '=', 'report')
    .orderBy('ticket_id')
    .orderBy('position')
    .execute();
  const first = new Map<number, string>();
  for (const r of rows) if (r.ticket_id !== null && !first.has(r.ticket_id)) first.set(r.ticket_id, r.id);
  return first;
}

/** Marks the round's bulletin published; false when it already was (nothing changed). */
export async function markBulletinPublished(db: Db, roundId: number, at: string): Promise<boolean> {
  const result = await db
    .updateTable('inspection_rounds')
    .set({ bulletin_published_at: at })
    .where('id', '=', roundId)
    .where('bulletin_published_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
