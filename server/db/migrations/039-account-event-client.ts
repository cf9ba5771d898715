// Issue 18 item 6 (安全审计, ADR 018): an account action records where it came from — the client
// address as the server sees it (TRUST_PROXY applied) and the browser's user agent — when it was
// done through a request. Both nullable with no default, so the rows sealed before keep their
// hashes (a NULL is left out of a row's canonical text); SQLite's append-only trigger is written
// again so that the new columns cannot be changed either. An index on the actor, for the console's
// list of one account's actions.
import type { Kysely } from 'kysely';
import type { Dialect } from '../database.ts';
import { refreshAuditGuard } from './audit-chain-guard.ts';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await db.schema.alterTable('account_events').addColumn('ip', 'text').execute();
  await db.schema.alterTable('account_events').addColumn('user_agent', 'text').execute();
  await refreshAuditGuard(db, dialect, 'account_events');
  // The console lists what one account did as well as what was done to it (033 indexed the latter).
  await db.schema.createIndex('account_events_actor_idx').on('account_events').columns(['actor_user_id', 'id']).execute();
}
