// Storage of the patrol group's work: persuasion records (劝导, table persuasion_actions) and the
// look-up of a member's own reports (the tickets whose submit event names them). Returns plain
// objects from explicit selects; no row type leaves this file.
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { Status } from '../tickets/lifecycle.ts';

type Db = Kysely<Database> | Transaction<Database>;

export interface PersuasionRecord {
  id: number;
  userId: number;
  memberName: string;
  doneOn: string;
  place: string;
  pointId: string | null;
  kind: string;
  people: number;
  note: string | null;
  recordedAt: string;
}

export interface NewPersuasion {
  userId: number;
  doneOn: string;
  place: string;
  pointId: string | null;
  kind: string;
  people: number;
  note: string | null;
  recordedAt: string;
  idempotencyKey: string;
}

function persuasions(db: Db) {
  return db
    .selectFrom('persuasion_actions as p')
    .innerJoin('users as u', 'u.id', 'p.user_id')
    .select([
      'p.id',
      'p.user_id',
      'u.display_name',
      'p.done_on',
      'p.place',
      'p.point_id',
      'p.kind',
      'p.people',
      'p.note',
      'p.recorded_at',
      'p.idempotency_key',
    ]);
}

type PersuasionRow = Awaited<ReturnType<ReturnType<typeof persuasions>['executeTakeFirstOrThrow']>>;

function toPersuasion(r: PersuasionRow): PersuasionRecord {
  return {
    id: Number(r.id),
    userId: Number(r.user_id),
    memberName: r.display_name,
    doneOn: r.done_on,
    place: r.place,
    pointId: r.point_id,
    kind: r.kind,
    people: Number(r.people),
    note: r.note,
    recordedAt: r.recorded_at,
  };
}

/** Inserts the record unless its key was recorded before; answers the record under the key and whether it is new. */
export async function insertPersuasion(db: Db, p: NewPersuasion): Promise<{ record: PersuasionRecord; created: boolean }> {
  const inserted = await db
    .insertInto('persuasion_actions')
    .values({
      user_id: p.userId,
      done_on: p.doneOn,
      place: p.place,
      point_id: p.pointId,
      kind: p.kind,
      people: p.people,
      note: p.note,
      recorded_at: p.recordedAt,
      idempotency_key: p.idempotencyKey,
    })
    .onConflict((oc) => oc.column('idempotency_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  const row = await persuasions(db).where('p.idempotency_key', '=', p.idempotencyKey).executeTakeFirstOrThrow();
  return { record: toPersuasion(row), created: inserted !== undefined };
}

/** One member's records, the latest first. */
export async function listPersuasionsOf(db: Db, userId: number, limit: number): Promise<PersuasionRecord[]> {
  const rows = await persuasions(db)
    .where('p.user_id', '=', userId)
    .orderBy('p.done_on', 'desc')
    .orderBy('p.id', 'desc')
    .limit(limit)
    .execute();
  return rows.map(toPersuasion);
}

/** Every record done on the China dates [fromDate, toDate], oldest first. */
export async function listPersuasionsBetween(db: Db, fromDate: string, toDate: string): Promise<PersuasionRecord[]> {
  const rows = await persuasions(db)
    .where('p.done_on', '>=', fromDate)
    .where('p.done_on', '<=', toDate)
    .orderBy('p.done_on')
    .orderBy('p.id')
    .execute();
  return rows.map(toPersuasion);
}

export interface SubmittedTicket {
  trackingCode: string;
  status: Status;
  description: string;
  leadUnitCode: string | null;
  createdAt: string;
}

/** The tickets an account submitted (its submit events), newest first. */
export async function listTicketsSubmittedBy(db: Db, actorKind: string, actorId: string, limit: number): Promise<SubmittedTicket[]> {
  const rows = await db
    .selectFrom('ticket_events as e')
    .innerJoin('tickets as t', 't.id', 'e.ticket_id')
    .select(['t.tracking_code', 't.status', 't.description', 't.lead_unit_code', 't.created_at'])
    .where('e.actor_kind', '=', actorKind)
    .where('e.actor_id', '=', actorId)
    .where('e.action', '=', 'submit')
    .orderBy('t.created_at', 'desc')
    .orderBy('t.id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    trackingCode: r.tracking_code,
    status: r.status as Status,
    description: r.description,
    leadUnitCode: r.lead_unit_code,
    createdAt: r.created_at,
  }));
}
