// Issue 16 item 6: the indexes the staff's and the ledgers' reads need at a million tickets
// (`npm run bench -- scale`, docs/benchmarks.md, each checked with EXPLAIN on both databases).
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // The staff queue's order after the 督办-marked tickets (staff-ticket-repository.ts,
  // listQueueTickets): report_count desc, created_at desc, id desc — read backwards, so the
  // first page reads its 100 rows instead of sorting every ticket.
  await db.schema.createIndex('tickets_queue_order_idx').on('tickets').columns(['report_count', 'created_at', 'id']).execute();
  // The 督办-marked tickets, read first in the same order: a partial index holds only them, so the
  // read stays as small as the marks are few (the whole-table order above would scan every ticket).
  await db.schema
    .createIndex('tickets_marked_queue_order_idx')
    .on('tickets')
    .columns(['report_count', 'created_at', 'id'])
    .where(sql.ref('supervised_at'), 'is not', null)
    .execute();
  // The marked tickets of one unit: without it, a unit's marked read walks all the unit's tickets
  // (tickets_unit_queue_order_idx) to find its few marks (SQLite's choice at 1M: 0.1–0.2 s).
  await db.schema
    .createIndex('tickets_marked_unit_queue_order_idx')
    .on('tickets')
    .columns(['lead_unit_code', 'report_count', 'created_at', 'id'])
    .where(sql.ref('supervised_at'), 'is not', null)
    .execute();
  // The same order within one unit: a unit's inbox, and the office's queue filtered by unit.
  await db.schema
    .createIndex('tickets_unit_queue_order_idx')
    .on('tickets')
    .columns(['lead_unit_code', 'report_count', 'created_at', 'id'])
    .execute();
  // Events by action and time (ledger-repository.ts): the rectification ledger's page of reports
  // newest first and its count; the monthly report's strike-offs (verify) and 督办 (supervise) of a
  // month; the rectification export's tickets. Without it each of these reads every event.
  await db.schema.createIndex('ticket_events_action_at_idx').on('ticket_events').columns(['action', 'at', 'ticket_id', 'seq']).execute();
  // Open tickets at points (the point ledger): by status (the open ones), then point.
  await db.schema.createIndex('tickets_status_point_idx').on('tickets').columns(['status', 'point_id']).execute();
  // Tickets changed since an instant: the monthly report replays only their histories
  // (ledger-repository.ts, selectTicketsForStateAt); the others' rows are their state then.
  await db.schema.createIndex('tickets_updated_idx').on('tickets').column('updated_at').execute();
}
