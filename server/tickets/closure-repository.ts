// Storage of verified closures (销号) and the rectification summary residents read on the tracking
// page (migration 023). Plain objects from explicit selects; no row type leaves this file.
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

export interface ClosureRecord {
  closedAt: string;
  publicSummary: string;
  summaryEditedAt: string | null;
}

/** The closure's row, once: a second write for the same closure keeps the first. */
export async function insertClosure(db: Db, c: { ticketId: number; closedAt: string; publicSummary: string }): Promise<void> {
  await db
    .insertInto('ticket_closures')
    .values({
      ticket_id: c.ticketId,
      closed_at: c.closedAt,
      public_summary: c.publicSummary,
      summary_edited_at: null,
      summary_edited_by: null,
    })
    .onConflict((oc) => oc.columns(['ticket_id', 'closed_at']).doNothing())
    .execute();
}

export async function findClosure(db: Db, ticketId: number, closedAt: string): Promise<ClosureRecord | null> {
  const row = await db
    .selectFrom('ticket_closures')
    .select(['closed_at', 'public_summary', 'summary_edited_at'])
    .where('ticket_id', '=', ticketId)
    .where('closed_at', '=', closedAt)
    .executeTakeFirst();
  return row ? { closedAt: row.closed_at, publicSummary: row.public_summary, summaryEditedAt: row.summary_edited_at } : null;
}

export async function updateClosureSummary(
  db: Db,
  c: { ticketId: number; closedAt: string; publicSummary: string; editedAt: string; editedBy: number },
): Promise<boolean> {
  const result = await db
    .updateTable('ticket_closures')
    .set({ public_summary: c.publicSummary, summary_edited_at: c.editedAt, summary_edited_by: c.editedBy })
    .where('ticket_id', '=', c.ticketId)
    .where('closed_at', '=', c.closedAt)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** The text of the ticket's last rectification report (报结), or null. */
export async function lastRectificationText(db: Db, ticketId: number): Promise<string | null> {
  const row = await db
    .selectFrom('ticket_events')
    .select(['data'])
    .where('ticket_id', '=', ticketId)
    .where('action', '=', 'reportRectification')
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  const text = row ? (JSON.parse(row.data) as { text?: unknown }).text : undefined;
  return typeof text === 'string' ? text : null;
}
