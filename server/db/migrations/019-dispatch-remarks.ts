// 交办意见: the office's remarks to the unit with a dispatch or reassignment (issue 12) — what to
// look at, by when, whom to work with. Kept on the ticket for the unit's inbox and the dispatch
// mail (which read many tickets at once); the event of each dispatch records its own.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('tickets').addColumn('dispatch_remarks', 'text').execute();
}
