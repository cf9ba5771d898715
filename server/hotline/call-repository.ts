// Storage of the hotline's calls, and the reads about tickets the operator needs with a caller on
// the line: the caller's history, open tickets that may be the same problem, the ticket a "+1" is
// added to. Returns plain objects from explicit selects; no row type leaves this file.
import type { Insertable, Kysely, Selectable, Transaction } from 'kysely';
import type { CallTable, Database, TicketTable } from '../db/schema.ts';
import { lookupHashes } from '../db/personal-data.ts';
import type { Status } from '../tickets/lifecycle.ts';
import type { CallOutcome, RecentCall } from './call-types.ts';

type Db = Kysely<Database> | Transaction<Database>;

export interface NewCall {
  at: string;
  operatorId: number | null;
  /** The operator as the phone system names them (imported calls), or the account's display name. */
  operatorName: string | null;
  source: 'console' | 'import';
  externalId: string | null;
  idempotencyKey: string | null;
  callerPhone: string | null;
  callerName: string | null;
  anonymous: boolean;
  wantsCallback: boolean;
  outcome: CallOutcome;
  ticketId: number | null;
  summary: string;
  answer: string | null;
  referredTo: string | null;
  categoryCode: string | null;
}

function callRow(c: NewCall): Insertable<CallTable> {
  return {
    at: c.at,
    operator_id: c.operatorId,
    operator_name: c.operatorName,
    source: c.source,
    external_id: c.externalId,
    idempotency_key: c.idempotencyKey,
    caller_phone: c.callerPhone,
    caller_name: c.callerName,
    anonymous: c.anonymous ? 1 : 0,
    wants_callback: c.wantsCallback ? 1 : 0,
    outcome: c.outcome,
    ticket_id: c.ticketId,
    summary: c.summary,
    answer: c.answer,
    referred_to: c.referredTo,
    category_code: c.categoryCode,
    purged_at: null,
  };
}

export async function insertCall(db: Db, call: NewCall): Promise<number> {
  const row = await db.insertInto('calls').values(callRow(call)).returning('id').executeTakeFirstOrThrow();
  return Number(row.id);
}

/** The call recorded for a console request key or a phone system's call id, if any. */
export async function findCallId(db: Db, by: { idempotencyKey: string } | { externalId: string }): Promise<number | null> {
  const q = db.selectFrom('calls').select('id');
  const row = await (
    'idempotencyKey' in by ? q.where('idempotency_key', '=', by.idempotencyKey) : q.where('external_id', '=', by.externalId)
  ).executeTakeFirst();
  return row ? Number(row.id) : null;
}

export interface CallWithTicket {
  id: number;
  outcome: CallOutcome;
  trackingCode: string | null;
  leadUnitCode: string | null;
  status: Status | null;
}

export async function findCallWithTicket(db: Db, id: number): Promise<CallWithTicket> {
  const row = await db
    .selectFrom('calls')
    .leftJoin('tickets', 'tickets.id', 'calls.ticket_id')
    .select(['calls.id', 'calls.outcome', 'tickets.tracking_code', 'tickets.lead_unit_code', 'tickets.status'])
    .where('calls.id', '=', id)
    .executeTakeFirstOrThrow();
  return {
    id: Number(row.id),
    outcome: row.outcome as CallOutcome,
    trackingCode: row.tracking_code,
    leadUnitCode: row.lead_unit_code,
    status: row.status as Status | null,
  };
}

export interface AttachTarget {
  id: number;
  trackingCode: string;
  status: Status;
  mergedIntoId: number | null;
}

/** A ticket a "+1" may be added to, by its tracking code or (for the ticket one was merged into) its id. */
export async function findAttachTarget(db: Db, by: { trackingCode: string } | { id: number }): Promise<AttachTarget | null> {
  const q = db.selectFrom('tickets').select(['id', 'tracking_code', 'status', 'merged_into_id']);
  const row = await ('id' in by ? q.where('id', '=', by.id) : q.where('tracking_code', '=', by.trackingCode)).executeTakeFirst();
  return row
    ? {
        id: Number(row.id),
        trackingCode: row.tracking_code,
        status: row.status as Status,
        mergedIntoId: row.merged_into_id === null ? null : Number(row.merged_into_id),
      }
    : null;
}

export interface CallerTicket {
  trackingCode: string;
  status: Status;
  createdAt: string;
  description: string;
  categoryCode: string | null;
  leadUnitCode: string | null;
}

/** Tickets whose reporter left this number, newest first. */
export async function ticketsOfCaller(db: Db, phone: string, limit: number): Promise<CallerTicket[]> {
  const rows = await db
    .selectFrom('ticket_reporters')
    .innerJoin('tickets', 'tickets.id', 'ticket_reporters.ticket_id')
    .select([
      'tickets.tracking_code',
      'tickets.status',
      'tickets.created_at',
      'tickets.description',
      'tickets.category_code',
      'tickets.lead_unit_code',
    ])
    .where('ticket_reporters.phone_hash', 'in', lookupHashes(db, 'phone', phone))
    .orderBy('tickets.created_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map((t) => ({
    trackingCode: t.tracking_code,
    status: t.status as Status,
    createdAt: t.created_at,
    description: t.description,
    categoryCode: t.category_code,
    leadUnitCode: t.lead_unit_code,
  }));
}

/**
 * Calls newest first: of exactly this number (`phone`), of numbers ending in these four digits
 * (`last4`), since an instant. Numbers are stored encrypted: both look up keyed hashes (ADR 019).
 */
export async function listCalls(db: Db, filter: { phone?: string; last4?: string; since?: string; limit: number }): Promise<RecentCall[]> {
  let q = db
    .selectFrom('calls')
    .leftJoin('tickets', 'tickets.id', 'calls.ticket_id')
    .leftJoin('users', 'users.id', 'calls.operator_id')
    .select([
      'calls.id',
      'calls.at',
      'calls.outcome',
      'calls.caller_phone',
      'calls.caller_name',
      'calls.summary',
      'calls.referred_to',
      'tickets.tracking_code',
      'users.display_name',
      'calls.operator_name',
    ]);
  if (filter.phone !== undefined) q = q.where('calls.caller_phone_hash', 'in', lookupHashes(db, 'phone', filter.phone));
  if (filter.last4) q = q.where('calls.caller_phone_last4_hash', 'in', lookupHashes(db, 'phone-last4', filter.last4));
  if (filter.since) q = q.where('calls.at', '>=', filter.since);
  const rows = await q.orderBy('calls.at', 'desc').orderBy('calls.id', 'desc').limit(filter.limit).execute();
  return rows.map((r) => ({
    id: Number(r.id),
    at: r.at,
    outcome: r.outcome as CallOutcome,
    callerPhone: r.caller_phone,
    callerName: r.caller_name,
    summary: r.summary,
    referredTo: r.referred_to,
    trackingCode: r.tracking_code,
    operator: r.display_name ?? r.operator_name,
  }));
}

type OpenTicketRow = Pick<
  Selectable<TicketTable>,
  | 'id'
  | 'tracking_code'
  | 'status'
  | 'description'
  | 'category_code'
  | 'point_id'
  | 'location_address'
  | 'location_lat'
  | 'location_lng'
  | 'created_at'
>;

export interface OpenTicket {
  id: number;
  trackingCode: string;
  status: Status;
  description: string;
  categoryCode: string | null;
  pointId: string | null;
  address: string | null;
  lat: number | null;
  lng: number | null;
  createdAt: string;
}

function toOpenTicket(r: OpenTicketRow): OpenTicket {
  return {
    id: Number(r.id),
    trackingCode: r.tracking_code,
    status: r.status as Status,
    description: r.description,
    categoryCode: r.category_code,
    pointId: r.point_id,
    address: r.location_address,
    lat: r.location_lat === null ? null : Number(r.location_lat),
    lng: r.location_lng === null ? null : Number(r.location_lng),
    createdAt: r.created_at,
  };
}

/** One clue to a ticket the caller may mean: its point, its category (sub-categories included), words of its address. */
export type TicketClue = { pointId: string } | { categoryCode: string } | { addressContains: string };

/**
 * Tickets in one of `statuses`, made since an instant, matching one clue; newest first. One
 * indexed query per clue (tickets_point_idx, tickets_category_idx): an OR over them would scan
 * every open ticket, and a city's hotline has many.
 */
export async function openTicketsMatching(
  db: Db,
  clue: TicketClue,
  window: { statuses: readonly Status[]; since: string; limit: number },
): Promise<OpenTicket[]> {
  let q = db
    .selectFrom('tickets')
    .select([
      'id',
      'tracking_code',
      'status',
      'description',
      'category_code',
      'point_id',
      'location_address',
      'location_lat',
      'location_lng',
      'created_at',
    ])
    .where('status', 'in', window.statuses)
    .where('created_at', '>=', window.since);
  if ('pointId' in clue) q = q.where('point_id', '=', clue.pointId);
  else if ('categoryCode' in clue) {
    const code = clue.categoryCode;
    q = q.where((eb) => eb.or([eb('category_code', '=', code), eb('category_code', 'like', `${code}.%`)]));
  } else q = q.where('location_address', 'like', `%${clue.addressContains.replace(/[%_\\]/g, '')}%`);
  const rows = await q.orderBy('created_at', 'desc').limit(window.limit).execute();
  return rows.map(toOpenTicket);
}

/** How many calls each of these tickets has had (tickets without calls are absent). */
export async function callCounts(db: Db, trackingCodes: readonly string[]): Promise<Map<string, number>> {
  if (trackingCodes.length === 0) return new Map();
  const rows = await db
    .selectFrom('calls')
    .innerJoin('tickets', 'tickets.id', 'calls.ticket_id')
    .select(['tickets.tracking_code', (eb) => eb.fn.countAll<number>().as('n')])
    .where('tickets.tracking_code', 'in', trackingCodes)
    .groupBy('tickets.tracking_code')
    .execute();
  return new Map(rows.map((c) => [c.tracking_code, Number(c.n)]));
}
