// SQL of the lookup by mobile number: the one-time codes (migration 025) and the tickets a number
// is tied to. Returns plain objects; no row type leaves this file.
import { lookupHashes } from '../db/personal-data.ts';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

export interface LookupCodeRecord {
  id: number;
  codeHash: string;
  salt: string;
  expiresAt: string;
  tries: number;
  usedAt: string | null;
}

export interface PhoneTicketRecord {
  trackingCode: string;
  status: string;
  categoryCode: string | null;
  createdAt: string;
}

/**
 * A new code for a number. The number's earlier codes go (only the latest counts), and so does
 * every code expired before `staleBefore`, so the table holds minutes of requests, not a history.
 */
export async function replaceCode(
  trx: Db,
  code: { phone: string; codeHash: string; salt: string; createdAt: string; expiresAt: string },
  staleBefore: string,
): Promise<void> {
  await trx
    .deleteFrom('phone_lookup_codes')
    .where((eb) => eb.or([eb('phone_hash', 'in', lookupHashes(trx, 'phone', code.phone)), eb('expires_at', '<', staleBefore)]))
    .execute();
  await trx
    .insertInto('phone_lookup_codes')
    .values({
      phone: code.phone,
      code_hash: code.codeHash,
      salt: code.salt,
      created_at: code.createdAt,
      expires_at: code.expiresAt,
      tries: 0,
      used_at: null,
    })
    .execute();
}

/** Deletes the codes expired before `before`; answers how many. */
export async function deleteCodesExpiredBefore(db: Db, before: string): Promise<number> {
  const result = await db.deleteFrom('phone_lookup_codes').where('expires_at', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** The number's latest code, in whatever state. */
export async function latestCode(db: Db, phone: string): Promise<LookupCodeRecord | null> {
  const row = await db
    .selectFrom('phone_lookup_codes')
    .select(['id', 'code_hash', 'salt', 'expires_at', 'tries', 'used_at'])
    .where('phone_hash', 'in', lookupHashes(db, 'phone', phone))
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row
    ? {
        id: Number(row.id),
        codeHash: row.code_hash,
        salt: row.salt,
        expiresAt: row.expires_at,
        tries: Number(row.tries),
        usedAt: row.used_at,
      }
    : null;
}

/**
 * Counts one try against a code that is still open (unused, unexpired, below `maxTries`) and
 * returns the tries counted now, this one included; null when the code is not open — so of any
 * number of simultaneous tries at most `maxTries` are ever checked.
 */
export async function takeTry(db: Db, id: number, now: string, maxTries: number): Promise<number | null> {
  const row = await db
    .updateTable('phone_lookup_codes')
    .set((eb) => ({ tries: eb('tries', '+', 1) }))
    .where('id', '=', id)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .where('tries', '<', maxTries)
    .returning('tries')
    .executeTakeFirst();
  return row ? Number(row.tries) : null;
}

/** Marks a code used; false when another request used it first. */
export async function useCode(db: Db, id: number, now: string): Promise<boolean> {
  const result = await db
    .updateTable('phone_lookup_codes')
    .set({ used_at: now })
    .where('id', '=', id)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * The ids of the tickets a number is tied to — every way a number is tied to a ticket is one
 * select here, joined by union: the reporters, and the residents who joined with 我也遇到了
 * (ticket_supporters). A purged reporter's or supporter's phone is null.
 */
function ticketIdsOf(db: Db, phone: string) {
  const hashes = lookupHashes(db, 'phone', phone);
  return db
    .selectFrom('ticket_reporters')
    .select('ticket_id')
    .where('phone_hash', 'in', hashes)
    .union(db.selectFrom('ticket_supporters').select('ticket_id').where('phone_hash', 'in', hashes));
}

/** Whether any ticket is tied to the number. */
export async function hasTickets(db: Db, phone: string): Promise<boolean> {
  const row = await ticketIdsOf(db, phone).limit(1).executeTakeFirst();
  return row !== undefined;
}

/** The tickets tied to a number, newest first: code, status, category and date only. */
export async function ticketsOfPhone(db: Db, phone: string, limit: number): Promise<PhoneTicketRecord[]> {
  const rows = await db
    .selectFrom('tickets')
    .select(['tracking_code', 'status', 'category_code', 'created_at'])
    .where('id', 'in', ticketIdsOf(db, phone))
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ trackingCode: r.tracking_code, status: r.status, categoryCode: r.category_code, createdAt: r.created_at }));
}
