// Tickets in the order the problem ledger lists them, newest first (created_at, id): its export
// reads them a batch at a time from where the last batch ended (ledger-repository.ts,
// selectProblemBatches), which without this index sorts the whole table for every batch — on
// SQLite about 0.1 s each, on the web process's own thread (issue 11). The screen's pages, the
// same order with an offset, use it too.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('tickets_created_idx').on('tickets').columns(['created_at', 'id']).execute();
}
