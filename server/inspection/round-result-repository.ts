// Storage of what inspectors record in a round (migration 020): each checklist item's result at a
// point (a failed item's ticket), and the re-checks (复查) of earlier rounds' problems. Returns plain
// objects from explicit selects; no row type leaves this file.
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { Status } from '../tickets/lifecycle.ts';
import type { ItemVerdict, RecheckVerdict } from './inspection-types.ts';

type Db = Kysely<Database> | Transaction<Database>;

export interface ResultRecord {
  id: number;
  roundId: number;
  pointId: string;
  itemCode: string;
  verdict: ItemVerdict;
  note: string | null;
  ticketId: number | null;
  trackingCode: string | null;
  inspectorId: number;
  observedAt: string;
  recordedAt: string;
  idempotencyKey: string;
}

function resultQuery(db: Db) {
  return db
    .selectFrom('inspection_results as r')
    .leftJoin('tickets as t', 't.id', 'r.ticket_id')
    .select([
      'r.id',
      'r.round_id',
      'r.point_id',
      'r.item_code',
      'r.result',
      'r.note',
      'r.ticket_id',
      't.tracking_code',
      'r.inspector_id',
      'r.observed_at',
      'r.recorded_at',
      'r.idempotency_key',
    ]);
}

function toResult(r: Awaited<ReturnType<ReturnType<typeof resultQuery>['executeTakeFirstOrThrow']>>): ResultRecord {
  return {
    id: Number(r.id),
    roundId: Number(r.round_id),
    pointId: r.point_id,
    itemCode: r.item_code,
    verdict: r.result === 'fail' ? 'fail' : 'pass',
    note: r.note,
    ticketId: r.ticket_id === null ? null : Number(r.ticket_id),
    trackingCode: r.tracking_code,
    inspectorId: Number(r.inspector_id),
    observedAt: r.observed_at,
    recordedAt: r.recorded_at,
    idempotencyKey: r.idempotency_key,
  };
}

export async function listResults(db: Db, roundIds: readonly number[]): Promise<ResultRecord[]> {
  if (roundIds.length === 0) return [];
  const rows = await resultQuery(db).where('r.round_id', 'in', roundIds).orderBy('r.id').execute();
  return rows.map(toResult);
}

export async function findResultByKey(db: Db, key: string): Promise<ResultRecord | null> {
  const row = await resultQuery(db).where('r.idempotency_key', '=', key).executeTakeFirst();
  return row ? toResult(row) : null;
}

export async function findResultOfItem(db: Db, roundId: number, pointId: string, itemCode: string): Promise<ResultRecord | null> {
  const row = await resultQuery(db)
    .where('r.round_id', '=', roundId)
    .where('r.point_id', '=', pointId)
    .where('r.item_code', '=', itemCode)
    .executeTakeFirst();
  return row ? toResult(row) : null;
}

export interface NewResult {
  roundId: number;
  pointId: string;
  itemCode: string;
  verdict: ItemVerdict;
  note: string | null;
  ticketId: number | null;
  inspectorId: number;
  observedAt: string;
  recordedAt: string;
  idempotencyKey: string;
}

export async function insertResult(db: Db, r: NewResult): Promise<void> {
  await db
    .insertInto('inspection_results')
    .values({
      round_id: r.roundId,
      point_id: r.pointId,
      item_code: r.itemCode,
      result: r.verdict,
      note: r.note,
      ticket_id: r.ticketId,
      inspector_id: r.inspectorId,
      observed_at: r.observedAt,
      recorded_at: r.recordedAt,
      idempotency_key: r.idempotencyKey,
    })
    .execute();
}

/** A pass turned into a fail (the inspector looked again): only while it is still a pass. */
export async function failPassedResult(
  db: Db,
  id: number,
  r: Omit<NewResult, 'roundId' | 'pointId' | 'itemCode' | 'verdict'>,
): Promise<boolean> {
  const updated = await db
    .updateTable('inspection_results')
    .set({
      result: 'fail',
      note: r.note,
      ticket_id: r.ticketId,
      inspector_id: r.inspectorId,
      observed_at: r.observedAt,
      recorded_at: r.recordedAt,
      idempotency_key: r.idempotencyKey,
    })
    .where('id', '=', id)
    .where('result', '=', 'pass')
    .executeTakeFirst();
  return Number(updated.numUpdatedRows) === 1;
}

export interface RecheckRecord {
  roundId: number;
  ticketId: number;
  trackingCode: string;
  description: string;
  status: Status;
  leadUnitCode: string | null;
  pointId: string | null;
  /** The point and item of the earlier round's result that made the ticket. */
  resultPointId: string | null;
  itemCode: string | null;
  verdict: RecheckVerdict | null;
  note: string | null;
  rework: boolean;
  idempotencyKey: string | null;
}

function recheckQuery(db: Db) {
  return db
    .selectFrom('inspection_rechecks as c')
    .innerJoin('tickets as t', 't.id', 'c.ticket_id')
    .leftJoin('inspection_results as r', 'r.ticket_id', 'c.ticket_id')
    .select([
      'c.round_id',
      'c.ticket_id',
      't.tracking_code',
      't.description',
      't.status',
      't.lead_unit_code',
      't.point_id',
      'r.point_id as result_point_id',
      'r.item_code',
      'c.result',
      'c.note',
      'c.rework',
      'c.idempotency_key',
    ]);
}

function toRecheck(r: Awaited<ReturnType<ReturnType<typeof recheckQuery>['executeTakeFirstOrThrow']>>): RecheckRecord {
  return {
    roundId: Number(r.round_id),
    ticketId: Number(r.ticket_id),
    trackingCode: r.tracking_code,
    description: r.description,
    status: r.status as Status,
    leadUnitCode: r.lead_unit_code,
    pointId: r.point_id,
    resultPointId: r.result_point_id,
    itemCode: r.item_code,
    verdict: r.result === 'fixed' || r.result === 'not_fixed' ? r.result : null,
    note: r.note,
    rework: Number(r.rework) === 1,
    idempotencyKey: r.idempotency_key,
  };
}

export async function listRechecks(db: Db, roundIds: readonly number[]): Promise<RecheckRecord[]> {
  if (roundIds.length === 0) return [];
  const rows = await recheckQuery(db).where('c.round_id', 'in', roundIds).orderBy('c.ticket_id').execute();
  return rows.map(toRecheck);
}

export async function findRecheck(db: Db, roundId: number, ticketId: number): Promise<RecheckRecord | null> {
  const row = await recheckQuery(db).where('c.round_id', '=', roundId).where('c.ticket_id', '=', ticketId).executeTakeFirst();
  return row ? toRecheck(row) : null;
}

export async function findRecheckByKey(db: Db, key: string): Promise<RecheckRecord | null> {
  const row = await recheckQuery(db).where('c.idempotency_key', '=', key).executeTakeFirst();
  return row ? toRecheck(row) : null;
}

/** Records a re-check's result, only while it has none: false when another send recorded it first. */
export async function recordRecheckResult(
  db: Db,
  r: {
    roundId: number;
    ticketId: number;
    verdict: RecheckVerdict;
    note: string | null;
    rework: boolean;
    inspectorId: number;
    observedAt: string;
    recordedAt: string;
    idempotencyKey: string;
  },
): Promise<boolean> {
  const updated = await db
    .updateTable('inspection_rechecks')
    .set({
      result: r.verdict,
      note: r.note,
      rework: r.rework ? 1 : 0,
      inspector_id: r.inspectorId,
      observed_at: r.observedAt,
      recorded_at: r.recordedAt,
      idempotency_key: r.idempotencyKey,
    })
    .where('round_id', '=', r.roundId)
    .where('ticket_id', '=', r.ticketId)
    .where('result', 'is', null)
    .executeTakeFirst();
  return Number(updated.numUpdatedRows) === 1;
}
