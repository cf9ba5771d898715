// The hash chain's rules (ADR 018). A table's sealed rows form one chain in chain_seq order
// (1, 2, 3 …): each row's row_hash is SHA-256 of the row before's row_hash (GENESIS_HASH for the
// first) followed by the row's canonical text. Editing a row changes its hash; removing one
// leaves a gap and a prev_hash that matches nothing; removing the last ones leaves the chain
// short of the checkpoint (audit_seals).
import { createHash } from 'node:crypto';

/** prev_hash of every chain's first row. */
export const GENESIS_HASH = '0'.repeat(64);

/** Columns set by the sealer; the hash covers every other column, chain_seq included. */
const HASH_COLUMNS = new Set(['prev_hash', 'row_hash']);

/**
 * A row as stable text: its columns but prev_hash and row_hash, sorted by name, each value as a
 * string, NULLs left out. Strings because the drivers differ (pg returns a bigint as text, SQLite
 * a number); NULLs left out so that a column a later migration adds (NULL in old rows) leaves the
 * old rows' hashes as they were.
 */
export function canonicalRow(row: Readonly<Record<string, unknown>>): string {
  const entries = Object.keys(row)
    .filter((column) => !HASH_COLUMNS.has(column) && row[column] !== null && row[column] !== undefined)
    .sort()
    .map((column) => [column, String(row[column])]);
  return JSON.stringify(Object.fromEntries(entries));
}

export function rowHash(prevHash: string, row: Readonly<Record<string, unknown>>): string {
  return createHash('sha256').update(prevHash).update(canonicalRow(row)).digest('hex');
}

/** Where a table's chain ends (audit_seals): position 0 and GENESIS_HASH before anything is sealed. */
export interface ChainEnd {
  seq: number;
  hash: string;
}

export const CHAIN_START: ChainEnd = { seq: 0, hash: GENESIS_HASH };

/** A row's place in the chain, as the sealer writes it. */
export interface Seal {
  id: number;
  seq: number;
  prevHash: string;
  rowHash: string;
}

/** Places for `rows` (every column, oldest first) after the chain's `end`, and where the chain then ends. */
export function chainOn(
  end: ChainEnd,
  rows: ReadonlyArray<Readonly<Record<string, unknown>> & { id: number }>,
): { seals: Seal[]; end: ChainEnd } {
  const seals: Seal[] = [];
  let last = end;
  for (const row of rows) {
    const seq = last.seq + 1;
    const hash = rowHash(last.hash, { ...row, chain_seq: seq });
    seals.push({ id: row.id, seq, prevHash: last.hash, rowHash: hash });
    last = { seq, hash };
  }
  return { seals, end: last };
}

/** A sealed row as the verifier reads it. */
export interface SealedRow {
  id: number;
  chainSeq: number;
  prevHash: string | null;
  rowHash: string | null;
  /** Every column, chain columns included (what the hash was computed over). */
  columns: Readonly<Record<string, unknown>>;
}

/**
 * What is wrong with `row`, coming after `previous` in its chain (in Chinese, for the operator
 * and the assessor); null when it follows on correctly.
 */
export function chainBreak(previous: ChainEnd, row: SealedRow): string | null {
  const expected = previous.seq + 1;
  if (row.chainSeq > expected) {
    const missing = row.chainSeq === expected + 1 ? `第 ${expected} 条` : `第 ${expected}–${row.chainSeq - 1} 条`;
    return `链上${missing}记录缺失（已被删除）`;
  }
  if (row.chainSeq < expected) return `链位置 ${row.chainSeq} 重复出现（应为 ${expected}）`;
  if (row.prevHash !== previous.hash) return `上一条哈希（prev_hash）与前一条记录的哈希不符`;
  if (row.rowHash !== rowHash(previous.hash, row.columns)) return `记录内容与其哈希（row_hash）不符：封存后被直接改动`;
  return null;
}

/** What is wrong with a chain that ended at `end` when its checkpoint says `checkpoint`; null when they agree. */
export function checkpointBreak(end: ChainEnd, checkpoint: ChainEnd): string | null {
  if (checkpoint.seq > end.seq) {
    return `链尾缺失 ${checkpoint.seq - end.seq} 条记录（检查点记到第 ${checkpoint.seq} 条，现存记录只到第 ${end.seq} 条）`;
  }
  if (checkpoint.seq < end.seq) return `已封存记录超出检查点（检查点记到第 ${checkpoint.seq} 条，记录到第 ${end.seq} 条）`;
  if (checkpoint.hash !== end.hash) return `最后一条记录的哈希与检查点不符`;
  return null;
}
