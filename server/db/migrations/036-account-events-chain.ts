// Issue 18 items 5 and 6 together (ADR 018): account_events (033) becomes an audit record like
// ticket_events (035) — the chain columns, NULL until the worker's sealer sets them once, and
// triggers that refuse every other UPDATE and every DELETE.
import type { Kysely } from 'kysely';
import type { Dialect } from '../database.ts';
import { addAuditChain } from './audit-chain-guard.ts';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await addAuditChain(db, dialect, 'account_events');
}
