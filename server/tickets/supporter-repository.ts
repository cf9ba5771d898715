// Storage of "me too" (issue 15 item 4): residents who joined an open ticket (ticket_supporters,
// private like ticket_reporters), the ticket's count of reports, and the reads the nearby list
// needs. Plain objects out of explicit selects; no row type leaves this file (DESIGN rule 4).
import { lookupHashes } from '../db/personal-data.ts';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.ts';
import { TERMINAL_STATUSES, type Status } from './lifecycle.ts';

type Db = Kysely<Database> | Transaction<Database>;

export interface NewSupporter {
  ticketId: number;
  at: string;
  channel: 'web';
  name: string | null;
  phone: string | null;
  ip: string | null;
  userAgent: string | null;
  idempotencyKey: string | null;
}

export async function insertSupporter(db: Db, s: NewSupporter): Promise<void> {
  await db
    .insertInto('ticket_supporters')
    .values({
      ticket_id: s.ticketId,
      at: s.at,
      channel: s.channel,
      name: s.name,
      phone: s.phone,
      ip: s.ip,
      user_agent: s.userAgent,
      idempotency_key: s.idempotencyKey,
      purged_at: null,
    })
    .execute();
}

/** The ticket an earlier join with this key was added to, if any. */
export async function findSupportedTicketId(db: Db, idempotencyKey: string): Promise<number | null> {
  const row = await db.selectFrom('ticket_supporters').select('ticket_id').where('idempotency_key', '=', idempotencyKey).executeTakeFirst();
  return row ? Number(row.ticket_id) : null;
}

/** Whether this number is on the ticket already: its reporter's, or one that joined it before. */
export async function phoneOnTicket(db: Db, ticketId: number, phone: string): Promise<boolean> {
  const [supporter, reporter] = await Promise.all([
    db
      .selectFrom('ticket_supporters')
      .select('id')
      .where('ticket_id', '=', ticketId)
      .where('phone_hash', 'in', lookupHashes(db, 'phone', phone))
      .executeTakeFirst(),
    db
      .selectFrom('ticket_reporters')
      .select('ticket_id')
      .where('ticket_id', '=', ticketId)
      .where('phone_hash', 'in', lookupHashes(db, 'phone', phone))
      .executeTakeFirst(),
  ]);
  return supporter !== undefined || reporter !== undefined;
}

/** One more report on the ticket: a web join or a hotline "+1". */
export async function raiseReportCount(db: Db, ticketId: number): Promise<void> {
  await db
    .updateTable('tickets')
    .set((eb) => ({ report_count: eb('report_count', '+', 1) }))
    .where('id', '=', ticketId)
    .execute();
}

export interface JoinableTicket {
  id: number;
  trackingCode: string;
  status: Status;
  mergedIntoId: number | null;
  categoryCode: string | null;
  pointId: string | null;
  lat: number | null;
  lng: number | null;
}

/** A ticket a resident may join, by its id. */
export async function findJoinableTicket(db: Db, id: number): Promise<JoinableTicket | null> {
  const row = await db
    .selectFrom('tickets')
    .select(['id', 'tracking_code', 'status', 'merged_into_id', 'category_code', 'point_id', 'location_lat', 'location_lng'])
    .where('id', '=', id)
    .executeTakeFirst();
  return row
    ? {
        id: Number(row.id),
        trackingCode: row.tracking_code,
        status: row.status as Status,
        mergedIntoId: row.merged_into_id === null ? null : Number(row.merged_into_id),
        categoryCode: row.category_code,
        pointId: row.point_id,
        lat: row.location_lat === null ? null : Number(row.location_lat),
        lng: row.location_lng === null ? null : Number(row.location_lng),
      }
    : null;
}

/** What the nearby list may know of an open ticket: never its description, tracking code or reporter. */
export interface OpenProblem {
  id: number;
  status: Status;
  categoryCode: string | null;
  pointId: string | null;
  lat: number | null;
  lng: number | null;
  createdAt: string;
  reportCount: number;
}

/**
 * Open tickets (not closed, rejected or merged) of a category — its sub-categories included —
 * made since an instant, newest first. One indexed query (tickets_category_idx); the caller keeps
 * those near enough.
 */
export async function openProblemsOfCategory(
  db: Db,
  categoryCode: string,
  window: { since: string; limit: number },
): Promise<OpenProblem[]> {
  const rows = await db
    .selectFrom('tickets')
    .select(['id', 'status', 'category_code', 'point_id', 'location_lat', 'location_lng', 'created_at', 'report_count'])
    .where((eb) => eb.or([eb('category_code', '=', categoryCode), eb('category_code', 'like', `${categoryCode}.%`)]))
    .where('status', 'not in', TERMINAL_STATUSES)
    .where('created_at', '>=', window.since)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(window.limit)
    .execute();
  return rows.map((r) => ({
    id: Number(r.id),
    status: r.status as Status,
    categoryCode: r.category_code,
    pointId: r.point_id,
    lat: r.location_lat === null ? null : Number(r.location_lat),
    lng: r.location_lng === null ? null : Number(r.location_lng),
    createdAt: r.created_at,
    reportCount: Number(r.report_count),
  }));
}
