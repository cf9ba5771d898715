// The audit records' chain columns and checkpoints (migration 035, ADR 018). The audited tables
// differ in their columns; what the chain needs of each is the same few (id, at, the chain
// columns), so they are read through one view of them, with every column selected for the hash.
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { AuditChainColumns, AuditSealTable, Database } from '../db/schema.ts';
import type { AuditedTableName } from './audited-tables.ts';
import type { ChainEnd, Seal, SealedRow } from './audit-chain.ts';

interface ChainedTable extends AuditChainColumns {
  id: number;
  at: string;
}

type AuditDb = { [T in AuditedTableName]: ChainedTable } & { audit_seals: AuditSealTable };
type Db = Kysely<Database> | Transaction<Database>;

/** The audited tables and audit_seals, typed by what the chain needs of them. */
function view(db: Db): Kysely<AuditDb> {
  return db as unknown as Kysely<AuditDb>;
}

export type AuditRow = Readonly<Record<string, unknown>> & { id: number; at: string };

export interface Checkpoint extends ChainEnd {
  lastId: number;
  sealedAt: string;
}

export async function readCheckpoint(db: Db, table: AuditedTableName): Promise<Checkpoint | null> {
  const row = await view(db).selectFrom('audit_seals').selectAll().where('table_name', '=', table).executeTakeFirst();
  return row ? { seq: Number(row.last_seq), hash: row.last_hash, lastId: Number(row.last_id), sealedAt: row.sealed_at } : null;
}

/**
 * Moves the checkpoint from `from` (null: none yet) to `to`; false when it was not at `from` any
 * more (another sealer got there first), so the caller rolls back.
 */
export async function moveCheckpoint(db: Db, table: AuditedTableName, from: ChainEnd | null, to: Checkpoint): Promise<boolean> {
  const values = { last_seq: to.seq, last_id: to.lastId, last_hash: to.hash, sealed_at: to.sealedAt };
  const result = from
    ? await view(db)
        .updateTable('audit_seals')
        .set(values)
        .where('table_name', '=', table)
        .where('last_seq', '=', from.seq)
        .executeTakeFirst()
    : await view(db)
        .insertInto('audit_seals')
        .values({ table_name: table, ...values })
        .onConflict((oc) => oc.column('table_name').doNothing())
        .executeTakeFirst();
  return Number('numUpdatedRows' in result ? result.numUpdatedRows : (result.numInsertedOrUpdatedRows ?? 0)) === 1;
}

/** The oldest unsealed rows (by id), every column, at most `limit`. */
export async function selectUnsealed(db: Db, table: AuditedTableName, limit: number): Promise<AuditRow[]> {
  const rows = await view(db).selectFrom(table).selectAll().where('row_hash', 'is', null).orderBy('id').limit(limit).execute();
  return rows.map(asAuditRow);
}

/**
 * Seals a batch of rows in one statement (one round trip, whatever the batch); answers how many
 * were still unsealed — fewer than given when another sealer got to some first. VALUES' columns
 * are column1… in both SQLite and PostgreSQL; the casts give PostgreSQL their types.
 */
export async function sealRows(db: Db, table: AuditedTableName, seals: readonly Seal[]): Promise<number> {
  if (seals.length === 0) return 0;
  const values = sql.join(
    seals.map((s) => sql`(CAST(${s.id} AS INTEGER), CAST(${s.seq} AS INTEGER), CAST(${s.prevHash} AS TEXT), CAST(${s.rowHash} AS TEXT))`),
  );
  const t = sql.table(table);
  const result = await sql`UPDATE ${t} SET chain_seq = v.column2, prev_hash = v.column3, row_hash = v.column4
    FROM (VALUES ${values}) AS v WHERE ${t}.id = v.column1 AND ${t}.row_hash IS NULL`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

/** Sealed rows after chain position `afterSeq`, in chain order, at most `limit`. */
export async function selectSealed(db: Db, table: AuditedTableName, afterSeq: number, limit: number): Promise<SealedRow[]> {
  const rows = await view(db)
    .selectFrom(table)
    .selectAll()
    .where('chain_seq', 'is not', null)
    .where('chain_seq', '>', afterSeq)
    .orderBy('chain_seq')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    id: Number(r.id),
    chainSeq: Number(r.chain_seq),
    prevHash: r.prev_hash,
    rowHash: r.row_hash,
    columns: r as Readonly<Record<string, unknown>>,
  }));
}

/** How many rows are still unsealed, and the oldest of those recorded before `before`. */
export async function unsealedSummary(
  db: Db,
  table: AuditedTableName,
  before: string,
): Promise<{ count: number; staleCount: number; oldestStale: { id: number; at: string } | null }> {
  const q = view(db).selectFrom(table).where('row_hash', 'is', null);
  const [all, stale, oldest] = await Promise.all([
    q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    q
      .where('at', '<', before)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow(),
    q.where('at', '<', before).select(['id', 'at']).orderBy('id').limit(1).executeTakeFirst(),
  ]);
  return {
    count: Number(all.n),
    staleCount: Number(stale.n),
    oldestStale: oldest ? { id: Number(oldest.id), at: oldest.at } : null,
  };
}

/** Rows recorded in [from, to) after id `afterId`, by id, every column, at most `limit`. */
export async function selectInRange(
  db: Db,
  table: AuditedTableName,
  range: { from: string; to: string },
  afterId: number,
  limit: number,
): Promise<AuditRow[]> {
  const rows = await view(db)
    .selectFrom(table)
    .selectAll()
    .where('at', '>=', range.from)
    .where('at', '<', range.to)
    .where('id', '>', afterId)
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map(asAuditRow);
}

function asAuditRow(row: Selectable<ChainedTable>): AuditRow {
  return { ...row, id: Number(row.id) };
}
