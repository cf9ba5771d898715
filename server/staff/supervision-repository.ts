// What 督办 reads of a ticket beyond its record: the mark as it stands (who, when, the 批示).
// Set and lifted only through applyEvent (server/tickets/ticket-repository.ts) with its event.
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

export interface SupervisionMark {
  at: string;
  by: number | null;
  instruction: string;
}

export async function findSupervision(db: Db, ticketId: number): Promise<SupervisionMark | null> {
  const row = await db
    .selectFrom('tickets')
    .select(['supervised_at', 'supervised_by', 'supervision_instruction'])
    .where('id', '=', ticketId)
    .executeTakeFirst();
  if (!row?.supervised_at) return null;
  return {
    at: row.supervised_at,
    by: row.supervised_by === null ? null : Number(row.supervised_by),
    instruction: row.supervision_instruction ?? '',
  };
}
