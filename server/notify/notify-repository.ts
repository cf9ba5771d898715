// What notification mail reads of a ticket, in the caller's transaction: the facts a unit's mail
// states, the units it goes to, the reporter's address — never more of the reporter than that.
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Database } from '../db/schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

const FACT_COLUMNS = [
  'id',
  'tracking_code',
  'category_code',
  'description',
  'location_address',
  'point_id',
  'deadline_at',
  'dispatch_remarks',
] as const;

export type TicketFactRow = Pick<Selectable<Database['tickets']>, (typeof FACT_COLUMNS)[number]>;

/** The rows of these tickets, in id order. */
export async function ticketFactRows(db: Db, ticketIds: readonly number[]): Promise<TicketFactRow[]> {
  return db
    .selectFrom('tickets')
    .select(FACT_COLUMNS)
    .where('id', 'in', [...ticketIds])
    .orderBy('id')
    .execute();
}

/** The lead and cooperating units of a ticket; null for an unknown ticket. */
export async function ticketUnitCodes(db: Db, ticketId: number): Promise<{ lead: string | null; cooperating: string[] } | null> {
  const row = await db
    .selectFrom('tickets')
    .select(['lead_unit_code', 'cooperating_unit_codes'])
    .where('id', '=', ticketId)
    .executeTakeFirst();
  return row ? { lead: row.lead_unit_code, cooperating: JSON.parse(row.cooperating_unit_codes) as string[] } : null;
}

/** The address the reporter gave, if any. */
export async function reporterEmail(db: Db, ticketId: number): Promise<string | null> {
  const row = await db.selectFrom('ticket_reporters').select('email').where('ticket_id', '=', ticketId).executeTakeFirst();
  return row?.email ?? null;
}

/** The number the reporter gave (kept: not anonymous, or a hotline caller who asked to be called back), or null. */
export async function reporterPhone(db: Db, ticketId: number): Promise<string | null> {
  const row = await db
    .selectFrom('ticket_reporters')
    .select('phone')
    .where('ticket_id', '=', ticketId)
    .where('purged_at', 'is', null)
    .executeTakeFirst();
  return row?.phone ?? null;
}

/** The numbers of the residents who joined the ticket with 我也遇到了 (ticket_supporters), not purged. */
export async function supporterPhones(db: Db, ticketId: number): Promise<string[]> {
  const rows = await db
    .selectFrom('ticket_supporters')
    .select('phone')
    .where('ticket_id', '=', ticketId)
    .where('phone', 'is not', null)
    .orderBy('id')
    .execute();
  return rows.map((r) => r.phone).filter((p): p is string => p !== null);
}

/** The channel a ticket came by (web, mail, hotline, patrol, inspection), or null. */
export async function ticketChannelOf(db: Db, ticketId: number): Promise<string | null> {
  const row = await db.selectFrom('tickets').select('channel').where('id', '=', ticketId).executeTakeFirst();
  return row?.channel ?? null;
}

/** A ticket's id, channel and the reporter's kept contacts, by tracking code (the console's 通知记录). */
export async function ticketContact(
  db: Db,
  trackingCode: string,
): Promise<{ id: number; channel: string; phone: string | null; email: string | null } | null> {
  const row = await db
    .selectFrom('tickets')
    .leftJoin('ticket_reporters', 'ticket_reporters.ticket_id', 'tickets.id')
    .select(['tickets.id', 'tickets.channel', 'ticket_reporters.phone', 'ticket_reporters.email'])
    .where('tickets.tracking_code', '=', trackingCode)
    .executeTakeFirst();
  return row ? { id: Number(row.id), channel: row.channel, phone: row.phone ?? null, email: row.email ?? null } : null;
}
