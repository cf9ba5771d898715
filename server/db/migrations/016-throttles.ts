// Throttles in the database (issue 11): login failures, tracking-code guesses, report
// submissions and photo uploads are counted here, so several web processes share one allowance
// and a restart does not reset it. One row per (scope, key, slice of a window); the counter is bumped with
// one conditional upsert, so a check and its count are one step (server/throttle/).
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('throttle_counts')
    // What is limited: 'report', 'upload', 'track', 'login-account', 'login-address'.
    .addColumn('scope', 'text', (c) => c.notNull())
    // Whom: a client address (an IPv6 address by its /64) or a lower-cased username.
    .addColumn('key', 'text', (c) => c.notNull())
    // The slice: floor(epoch milliseconds / a tenth of the scope's window).
    .addColumn('bucket', 'bigint', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    // When the row no longer matters (a window after its slice ended); housekeeping removes it.
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('throttle_counts_pk', ['scope', 'key', 'bucket'])
    .execute();
  await db.schema.createIndex('throttle_counts_expires_idx').on('throttle_counts').column('expires_at').execute();
}
