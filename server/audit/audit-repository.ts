// The audit records' chain columns and checkpoints (migration 034, ADR 018). The audited tables
// differ in their columns; what the chain needs of each is the same few (id, at, the chain
// columns), so they are read through one view of them, with every column selected for the hash.
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { AuditChainColumns, AuditSealTable, Database } from '../db/schema.ts';
import type { AuditedTableName } from './audited-tables.ts';
import type { ChainEnd, SealedRow } from './audit-chain.ts';

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

/** Seals one row; false when it was sealed already (by another sealer). */
export async function sealRow(db: Db, table: AuditedTableName, id: number, seal: { seq: number; prevHash: string; rowHash: string }) {
  const result = await view(db)
    .updateTable(table)
    .set({ chain_seq: seal.seq, prev_hash: seal.prevHash, row_hash: seal.rowHash })
    .where('id', '=', id)
    .where('row_hash', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
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
