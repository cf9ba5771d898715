// Issue 16 item 4: the public statistics by aggregate queries. "Closed on time" and "which unit a
// closure counts for" are the rectification ledger's verdict on the report a strike-off (verify)
// accepted, replayed from the ticket's events (server/ledgers/ticket-history.ts). That verdict
// depends only on events before the strike-off, and the log is append-only, so it never changes
// once made: closure_verdicts keeps it, one row per strike-off, written by the ledger's own replay
// (server/ledgers/closure-verdicts.ts) the first time a statistics run finds the strike-off
// without one. The statistics then count these rows with GROUP BY instead of replaying every
// closed ticket's history at every publish.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('closure_verdicts')
    .addColumn('ticket_id', 'integer', (c) => c.notNull().references('tickets.id'))
    // The verify event's time (ticket_events.at).
    .addColumn('verified_at', 'text', (c) => c.notNull())
    // Its CST calendar month, "2026-11": the monthly figures group by it.
    .addColumn('month', 'text', (c) => c.notNull())
    // The unit that reported the accepted rectification (the lead unit then); null when none led.
    .addColumn('unit_code', 'text')
    // 1 when that report was on time by the deadline in force when it was made.
    .addColumn('on_time', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('closure_verdicts_pk', ['ticket_id', 'verified_at'])
    .execute();
}
