import type { Kysely } from 'kysely';

// Issue 16 item 5: several workers on one PostgreSQL database. The jobs that must have one reader
// (the dedicated mailbox and its IMAP IDLE connection, the public site's build) are done by the
// worker holding the job's lease: one row per job, taken and renewed with a conditional update
// (server/worker/lease-repository.ts). A holder that dies stops renewing; once `expires_at` has
// passed another worker takes the row over.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('worker_leases')
    // 'mailbox', 'site-build'.
    .addColumn('name', 'text', (c) => c.primaryKey())
    // Who holds it: host, process id and a random part (server/worker/lease.ts).
    .addColumn('holder', 'text', (c) => c.notNull())
    .addColumn('acquired_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
}
