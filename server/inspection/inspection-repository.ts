// Storage of inspection rounds (migration 020): the rounds, their points and inspectors, and the
// tickets and results they read (a point's open problems, the problems to re-check, the points'
// last inspections); the results and re-checks themselves are in round-result-repository.ts.
// Returns plain objects from explicit selects; no row type leaves this file.
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Database, InspectionRoundTable } from '../db/schema.ts';
import type { Status } from '../tickets/lifecycle.ts';

type Db = Kysely<Database> | Transaction<Database>;

export interface RoundRecord {
  id: number;
  name: string;
  startsOn: string;
  endsOn: string;
  status: 'open' | 'closed';
  createdBy: number;
  createdAt: string;
  closedBy: number | null;
  closedAt: string | null;
  bulletinPublishedAt: string | null;
}

export interface NewRound {
  name: string;
  startsOn: string;
  endsOn: string;
  createdBy: number;
  at: string;
  /** In walking order. */
  pointIds: readonly string[];
  inspectorIds: readonly number[];
  recheckTicketIds: readonly number[];
}

const roundColumns = [
  'id',
  'name',
  'starts_on',
  'ends_on',
  'status',
  'created_by',
  'created_at',
  'closed_by',
  'closed_at',
  'bulletin_published_at',
] as const;

function toRound(r: Selectable<InspectionRoundTable>): RoundRecord {
  return {
    id: Number(r.id),
    name: r.name,
    startsOn: r.starts_on,
    endsOn: r.ends_on,
    status: r.status === 'closed' ? 'closed' : 'open',
    createdBy: Number(r.created_by),
    createdAt: r.created_at,
    closedBy: r.closed_by === null ? null : Number(r.closed_by),
    closedAt: r.closed_at,
    bulletinPublishedAt: r.bulletin_published_at,
  };
}

export async function insertRound(db: Db, round: NewRound): Promise<number> {
  const row = await db
    .insertInto('inspection_rounds')
    .values({
      name: round.name,
      starts_on: round.startsOn,
      ends_on: round.endsOn,
      status: 'open',
      created_by: round.createdBy,
      created_at: round.at,
      closed_by: null,
      closed_at: null,
      bulletin_published_at: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const id = Number(row.id);
  await db
    .insertInto('inspection_round_points')
    .values(round.pointIds.map((pointId, i) => ({ round_id: id, point_id: pointId, position: i + 1 })))
    .execute();
  await db
    .insertInto('inspection_round_inspectors')
    .values(round.inspectorIds.map((userId) => ({ round_id: id, user_id: userId })))
    .execute();
  if (round.recheckTicketIds.length > 0) {
    await db
      .insertInto('inspection_rechecks')
      .values(
        round.recheckTicketIds.map((ticketId) => ({
          round_id: id,
          ticket_id: ticketId,
          result: null,
          note: null,
          inspector_id: null,
          observed_at: null,
          recorded_at: null,
          idempotency_key: null,
        })),
      )
      .execute();
  }
  return id;
}

export async function findRound(db: Db, id: number): Promise<RoundRecord | null> {
  const row = await db.selectFrom('inspection_rounds').select(roundColumns).where('id', '=', id).executeTakeFirst();
  return row ? toRound(row) : null;
}

/** Rounds newest first; of one status, or only those an inspector is assigned to. */
export async function listRounds(db: Db, filter: { status?: 'open' | 'closed'; inspectorId?: number }): Promise<RoundRecord[]> {
  let query = db.selectFrom('inspection_rounds').select(roundColumns);
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.inspectorId !== undefined) {
    const inspectorId = filter.inspectorId;
    query = query.where('id', 'in', (qb) =>
      qb.selectFrom('inspection_round_inspectors').select('round_id').where('user_id', '=', inspectorId),
    );
  }
  const rows = await query.orderBy('starts_on', 'desc').orderBy('id', 'desc').execute();
  return rows.map(toRound);
}

export async function closeRound(db: Db, id: number, by: number, at: string): Promise<boolean> {
  const updated = await db
    .updateTable('inspection_rounds')
    .set({ status: 'closed', closed_by: by, closed_at: at })
    .where('id', '=', id)
    .where('status', '=', 'open')
    .executeTakeFirst();
  return Number(updated.numUpdatedRows) === 1;
}

export async function listRoundPoints(
  db: Db,
  roundIds: readonly number[],
): Promise<Array<{ roundId: number; pointId: string; position: number }>> {
  if (roundIds.length === 0) return [];
  const rows = await db
    .selectFrom('inspection_round_points')
    .select(['round_id', 'point_id', 'position'])
    .where('round_id', 'in', roundIds)
    .orderBy('round_id')
    .orderBy('position')
    .execute();
  return rows.map((r) => ({ roundId: Number(r.round_id), pointId: r.point_id, position: Number(r.position) }));
}

export async function listRoundInspectors(
  db: Db,
  roundIds: readonly number[],
): Promise<Array<{ roundId: number; id: number; displayName: string }>> {
  if (roundIds.length === 0) return [];
  const rows = await db
    .selectFrom('inspection_round_inspectors as ri')
    .innerJoin('users as u', 'u.id', 'ri.user_id')
    .select(['ri.round_id', 'u.id', 'u.display_name'])
    .where('ri.round_id', 'in', roundIds)
    .orderBy('u.id')
    .execute();
  return rows.map((r) => ({ roundId: Number(r.round_id), id: Number(r.id), displayName: r.display_name }));
}

/** The accounts among these ids that are active inspectors. */
export async function findActiveInspectors(db: Db, ids: readonly number[]): Promise<Array<{ id: number; displayName: string }>> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('users')
    .select(['id', 'display_name'])
    .where('id', 'in', ids)
    .where('role', '=', 'inspector')
    .where('active', '=', 1)
    .execute();
  return rows.map((r) => ({ id: Number(r.id), displayName: r.display_name }));
}

const NOT_OPEN: readonly Status[] = ['closed', 'rejected', 'merged'];

/**
 * Tickets of channel `inspection` that an earlier round found at one of these points (an item's
 * result made them) and that are still open, or were closed at or after `closedSince`.
 */
export async function findRecheckCandidates(db: Db, pointIds: readonly string[], closedSince: string): Promise<number[]> {
  if (pointIds.length === 0) return [];
  const rows = await db
    .selectFrom('tickets as t')
    .innerJoin('inspection_results as r', 'r.ticket_id', 't.id')
    .select('t.id')
    .where('t.channel', '=', 'inspection')
    .where('r.point_id', 'in', pointIds)
    .where((eb) =>
      eb.or([eb('t.status', 'not in', NOT_OPEN), eb.and([eb('t.status', '=', 'closed'), eb('t.closed_at', '>=', closedSince)])]),
    )
    .orderBy('t.id')
    .execute();
  return [...new Set(rows.map((r) => Number(r.id)))];
}

export interface OpenTicketAtPoint {
  pointId: string;
  trackingCode: string;
  categoryCode: string | null;
  description: string;
  status: Status;
  createdAt: string;
}

/** Tickets at these points that are not closed, rejected or merged, oldest first. */
export async function listOpenTicketsAt(db: Db, pointIds: readonly string[]): Promise<OpenTicketAtPoint[]> {
  if (pointIds.length === 0) return [];
  const rows = await db
    .selectFrom('tickets')
    .select(['point_id', 'tracking_code', 'category_code', 'description', 'status', 'created_at'])
    .where('point_id', 'in', pointIds)
    .where('status', 'not in', NOT_OPEN)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    pointId: r.point_id ?? '',
    trackingCode: r.tracking_code,
    categoryCode: r.category_code,
    description: r.description,
    status: r.status as Status,
    createdAt: r.created_at,
  }));
}

/** Per point and round: when the point was last inspected in the round, and its items passed and failed there. */
export async function inspectionsByPoint(
  db: Db,
): Promise<Array<{ pointId: string; roundId: number; roundName: string; lastAt: string; passed: number; failed: number }>> {
  const rows = await db
    .selectFrom('inspection_results as r')
    .innerJoin('inspection_rounds as o', 'o.id', 'r.round_id')
    .select((eb) => [
      'r.point_id',
      'r.round_id',
      'o.name',
      eb.fn.max('r.observed_at').as('last_at'),
      eb.fn.sum<number>(eb.case().when('r.result', '=', 'pass').then(1).else(0).end()).as('passed'),
      eb.fn.sum<number>(eb.case().when('r.result', '=', 'fail').then(1).else(0).end()).as('failed'),
    ])
    .groupBy(['r.point_id', 'r.round_id', 'o.name'])
    .execute();
  return rows.map((r) => ({
    pointId: r.point_id,
    roundId: Number(r.round_id),
    roundName: r.name,
    lastAt: String(r.last_at),
    passed: Number(r.passed),
    failed: Number(r.failed),
  }));
}
