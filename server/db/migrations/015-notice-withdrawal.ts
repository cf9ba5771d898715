// Why an exposure notice was withdrawn (issue 6): taking a published 曝光 off the public site is
// an act the office answers for, so it records who withdrew it, when, and why (the last
// withdrawal; the console shows it while the notice is withdrawn and after it is published again).
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('notices').addColumn('withdrawn_at', 'text').execute();
  await db.schema.alterTable('notices').addColumn('withdrawn_by', 'integer').execute();
  await db.schema.alterTable('notices').addColumn('withdrawal_reason', 'text').execute();
}
