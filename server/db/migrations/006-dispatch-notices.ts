// Dispatch notices become a worker job (docs/decisions/005-dispatch-notices.md): a ticket records
// which dispatch its unit was told of. Tickets dispatched before this migration were told at
// the time, so they start as notified.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('tickets').addColumn('dispatch_notified_at', 'text').execute();
  await sql`UPDATE tickets SET dispatch_notified_at = dispatched_at WHERE dispatched_at IS NOT NULL`.execute(db);
}
