// What the staff side tracks on a ticket besides its state (issue 3): when it was dispatched,
// when the unit must acknowledge it (签收) and did, and the worker's reminder and overdue marks.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const column of ['dispatched_at', 'acknowledge_due_at', 'acknowledged_at', 'reminder_sent_at', 'overdue_at']) {
    await db.schema.alterTable('tickets').addColumn(column, 'text').execute();
  }
  await db.schema.createIndex('tickets_deadline_idx').on('tickets').columns(['status', 'deadline_at']).execute();
}
