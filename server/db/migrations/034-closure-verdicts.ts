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
    // 1 for the ticket's first strike-off in its month (the month's "closed" counts only that one),
    // and for its latest strike-off of all (what "closed now" counts). Both are set again each time
    // the ticket is replayed, which is whenever it has a strike-off without a verdict — the only
    // moment either can change.
    .addColumn('first_of_month', 'integer', (c) => c.notNull())
    .addColumn('latest', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('closure_verdicts_pk', ['ticket_id', 'verified_at'])
    .execute();
  // The statistics' count of tickets by lead unit, category, channel and status
  // (statistics-repository.ts, countTicketsByGroup): read from this index alone, in its order, with
  // no sort. Without it SQLite walked tickets_unit_idx and fetched every row: at a million tickets
  // 4.6 s against 0.7 s with it (on a busy machine; docs/benchmarks.md).
  await db.schema
    .createIndex('tickets_statistics_idx')
    .on('tickets')
    .columns(['lead_unit_code', 'category_code', 'channel', 'status', 'created_at'])
    .execute();
}
