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
