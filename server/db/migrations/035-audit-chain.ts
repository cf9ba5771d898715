// Issue 18 item 6 (安全审计, ADR 018): ticket_events becomes a hash-chained audit record. Each row
// gets chain_seq, prev_hash and row_hash, NULL when inserted (intake writes as before) and set
// once by the worker's sealer; the triggers that made the table append-only (001) are replaced
// by ones that also allow exactly that one sealing UPDATE. audit_seals holds each table's last
// sealed position and hash, so rows deleted from the end of a chain are found too; it only moves
// forward and is never deleted.
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../database.ts';
import { addAuditChain, createAuditChainFunction } from './audit-chain-guard.ts';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('audit_seals')
    .addColumn('table_name', 'text', (c) => c.primaryKey())
    .addColumn('last_seq', 'integer', (c) => c.notNull())
    .addColumn('last_id', 'integer', (c) => c.notNull())
    .addColumn('last_hash', 'text', (c) => c.notNull())
    .addColumn('sealed_at', 'text', (c) => c.notNull())
    .execute();

  await createAuditChainFunction(db, dialect);
  if (dialect === 'postgres') {
    await sql`DROP TRIGGER ticket_events_no_change ON ticket_events`.execute(db);
    await sql`DROP FUNCTION ticket_events_append_only()`.execute(db);
    await sql`CREATE FUNCTION audit_seals_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE' AND NEW.table_name = OLD.table_name AND NEW.last_seq > OLD.last_seq THEN
          RETURN NEW;
        END IF;
        RAISE EXCEPTION 'audit_seals only moves forward';
      END $$`.execute(db);
    await sql`CREATE TRIGGER audit_seals_forward_only BEFORE UPDATE OR DELETE ON audit_seals
      FOR EACH ROW EXECUTE FUNCTION audit_seals_forward_only()`.execute(db);
  } else {
    await sql`CREATE TRIGGER audit_seals_no_rewind BEFORE UPDATE ON audit_seals
      WHEN NOT (NEW.table_name IS OLD.table_name AND NEW.last_seq > OLD.last_seq)
      BEGIN SELECT RAISE(ABORT, 'audit_seals only moves forward'); END`.execute(db);
    await sql`CREATE TRIGGER audit_seals_no_delete BEFORE DELETE ON audit_seals
      BEGIN SELECT RAISE(ABORT, 'audit_seals only moves forward'); END`.execute(db);
  }
  await addAuditChain(db, dialect, 'ticket_events');
}
