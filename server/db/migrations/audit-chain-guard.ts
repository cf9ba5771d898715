// What a migration does to make a table an audit record (issue 18 item 6, ADR 018): the chain
// columns, their indexes, and triggers that refuse every DELETE and every UPDATE but one — the
// sealer's, which sets chain_seq, prev_hash and row_hash from NULL and changes nothing else.
// Migration 035 applies it to ticket_events; a later table (account_events) is one call more.
// Not a migration itself: the loader (database.ts) takes only files named NNN-*.ts.
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../database.ts';

/** Set once by the sealer; NULL until then. */
const CHAIN_COLUMNS = ['chain_seq', 'prev_hash', 'row_hash'] as const;

/**
 * Once per database, before the first table: the PostgreSQL trigger function every audited table
 * shares (SQLite's triggers are written per table, below).
 */
export async function createAuditChainFunction(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  if (dialect !== 'postgres') return;
  // OLD and NEW compared as JSON less the chain columns: every other column, whatever columns
  // later migrations add. TRUNCATE (no row triggers fire) is refused too.
  await sql`CREATE FUNCTION audit_chain_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'UPDATE' THEN
        IF OLD.chain_seq IS NULL AND OLD.prev_hash IS NULL AND OLD.row_hash IS NULL
          AND NEW.chain_seq IS NOT NULL AND NEW.prev_hash IS NOT NULL AND NEW.row_hash IS NOT NULL
          AND (to_jsonb(NEW) - 'chain_seq' - 'prev_hash' - 'row_hash') = (to_jsonb(OLD) - 'chain_seq' - 'prev_hash' - 'row_hash')
        THEN
          RETURN NEW;
        END IF;
      END IF;
      RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
    END $$`.execute(db);
}

/** Adds the chain columns, their indexes and the append-only triggers to `table`. */
export async function addAuditChain(db: Kysely<unknown>, dialect: Dialect, table: string): Promise<void> {
  await db.schema.alterTable(table).addColumn('chain_seq', 'integer').execute();
  await db.schema.alterTable(table).addColumn('prev_hash', 'text').execute();
  await db.schema.alterTable(table).addColumn('row_hash', 'text').execute();
  // A position is held by one row (two rows at one place would be a fork); partial, so an insert
  // (chain_seq NULL) writes no entry here.
  await db.schema
    .createIndex(`${table}_chain_seq_uq`)
    .on(table)
    .column('chain_seq')
    .unique()
    .where(sql.ref('chain_seq'), 'is not', null)
    .execute();
  // The sealer's work list: only unsealed rows are in it, so it stays a few rows long.
  await db.schema.createIndex(`${table}_unsealed_idx`).on(table).column('id').where(sql.ref('row_hash'), 'is', null).execute();
  if (dialect === 'postgres') await postgresTriggers(db, table);
  else await sqliteTriggers(db, table);
}

async function postgresTriggers(db: Kysely<unknown>, table: string): Promise<void> {
  const t = sql.table(table);
  await sql`CREATE TRIGGER ${sql.id(`${table}_append_only`)} BEFORE UPDATE OR DELETE ON ${t}
    FOR EACH ROW EXECUTE FUNCTION audit_chain_guard()`.execute(db);
  await sql`CREATE TRIGGER ${sql.id(`${table}_no_truncate`)} BEFORE TRUNCATE ON ${t}
    FOR EACH STATEMENT EXECUTE FUNCTION audit_chain_guard()`.execute(db);
}

/**
 * After a migration added columns to an audited table: SQLite's update trigger names the columns
 * it keeps unchanged, so it is written again with the new ones (PostgreSQL's compares whole rows).
 */
export async function refreshAuditGuard(db: Kysely<unknown>, dialect: Dialect, table: string): Promise<void> {
  if (dialect !== 'postgres') await sqliteTriggers(db, table);
}

/** SQLite has no row-to-JSON in a trigger: the WHEN clause names the table's columns as they are now. */
async function sqliteTriggers(db: Kysely<unknown>, table: string): Promise<void> {
  const { rows } = await sql<{ name: string }>`SELECT name FROM pragma_table_info(${table})`.execute(db);
  const kept = rows.map((r) => r.name).filter((c) => !(CHAIN_COLUMNS as readonly string[]).includes(c));
  const sealing = [
    ...CHAIN_COLUMNS.map((c) => `OLD.${c} IS NULL AND NEW.${c} IS NOT NULL`),
    ...kept.map((c) => `NEW."${c}" IS OLD."${c}"`),
  ].join(' AND ');
  const refuse = sql.raw(`SELECT RAISE(ABORT, '${table} is append-only');`);
  await sql`DROP TRIGGER IF EXISTS ${sql.id(`${table}_no_update`)}`.execute(db);
  await sql`CREATE TRIGGER ${sql.id(`${table}_no_update`)} BEFORE UPDATE ON ${sql.table(table)}
    WHEN NOT (${sql.raw(sealing)}) BEGIN ${refuse} END`.execute(db);
  await sql`DROP TRIGGER IF EXISTS ${sql.id(`${table}_no_delete`)}`.execute(db);
  await sql`CREATE TRIGGER ${sql.id(`${table}_no_delete`)} BEFORE DELETE ON ${sql.table(table)}
    BEGIN ${refuse} END`.execute(db);
}
