// `npm run audit:verify` (ADR 018): recomputes every audited table's chain from its first row,
// compares its end with the checkpoint, and counts rows the sealer has not reached. A table is in
// order when its chain is unbroken, ends where the checkpoint says, and no row has waited for its
// seal longer than STALE_UNSEALED_MINUTES (the sealer runs every worker pass, a minute by default).
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { AUDITED_TABLES, type AuditedTableName } from './audited-tables.ts';
import { CHAIN_START, chainBreak, checkpointBreak, type ChainEnd } from './audit-chain.ts';
import { readCheckpoint, selectSealed, unsealedSummary, type Checkpoint } from './audit-repository.ts';

export const STALE_UNSEALED_MINUTES = 10;
/** Rows read per query while walking a chain. */
const PAGE = 1000;

/** The first thing wrong with a table's chain: the row where it shows (null: at the chain's end). */
export interface ChainProblem {
  id: number | null;
  chainSeq: number | null;
  problem: string;
}

export interface TableVerification {
  table: AuditedTableName;
  label: string;
  /** Rows checked along the chain (up to the first problem). */
  sealed: number;
  checkpoint: Checkpoint | null;
  firstProblem: ChainProblem | null;
  unsealed: number;
  /** Unsealed rows recorded more than STALE_UNSEALED_MINUTES ago: the sealer is not running, or fails. */
  staleUnsealed: number;
  oldestStale: { id: number; at: string } | null;
}

export interface AuditVerification {
  tables: TableVerification[];
  ok: boolean;
}

/** Walks the chain in order; stops at the first break. */
async function walkChain(db: Kysely<Database>, table: AuditedTableName): Promise<{ end: ChainEnd; problem: ChainProblem | null }> {
  let end = CHAIN_START;
  for (;;) {
    const rows = await selectSealed(db, table, end.seq, PAGE);
    for (const row of rows) {
      const problem = chainBreak(end, row);
      if (problem) return { end, problem: { id: row.id, chainSeq: row.chainSeq, problem } };
      end = { seq: row.chainSeq, hash: row.rowHash! };
    }
    if (rows.length < PAGE) return { end, problem: null };
  }
}

async function verifyTable(db: Kysely<Database>, table: AuditedTableName, label: string, now: Date): Promise<TableVerification> {
  const checkpoint = await readCheckpoint(db, table);
  const { end, problem } = await walkChain(db, table);
  const atEnd = problem ? null : checkpointBreak(end, checkpoint ?? CHAIN_START);
  const before = new Date(now.getTime() - STALE_UNSEALED_MINUTES * 60_000).toISOString();
  const unsealed = await unsealedSummary(db, table, before);
  return {
    table,
    label,
    sealed: end.seq,
    checkpoint,
    firstProblem: problem ?? (atEnd ? { id: null, chainSeq: null, problem: atEnd } : null),
    unsealed: unsealed.count,
    staleUnsealed: unsealed.staleCount,
    oldestStale: unsealed.oldestStale,
  };
}

export async function verifyAuditRecords(db: Kysely<Database>, now: Date): Promise<AuditVerification> {
  const tables: TableVerification[] = [];
  for (const { table, label } of AUDITED_TABLES) tables.push(await verifyTable(db, table, label, now));
  return { tables, ok: tables.every((t) => t.firstProblem === null && t.staleUnsealed === 0) };
}

/** The verification in words (Chinese: the operator and the assessor read it), one block per table. */
export function verificationReport(result: AuditVerification): string {
  const lines = result.tables.flatMap((t) => {
    const cp = t.checkpoint;
    return [
      `${t.label}（${t.table}）：${t.firstProblem ? '发现问题' : '哈希链完整'}`,
      `  已核验：${t.sealed} 条；未封存：${t.unsealed} 条`,
      `  检查点：${cp ? `第 ${cp.seq} 条（记录 id ${cp.lastId}），哈希 ${cp.hash}，封存于 ${cp.sealedAt}` : '尚无（还没有封存过记录）'}`,
      ...(t.firstProblem
        ? [
            `  首个问题：${t.firstProblem.id === null ? '链尾' : `记录 id ${t.firstProblem.id}（链上第 ${t.firstProblem.chainSeq} 条）`}——${t.firstProblem.problem}`,
          ]
        : []),
      ...(t.oldestStale
        ? [
            `  ${t.staleUnsealed} 条记录超过 ${STALE_UNSEALED_MINUTES} 分钟仍未封存（最早：记录 id ${t.oldestStale.id}，${t.oldestStale.at}）：后台任务（worker）没有运行或封存失败`,
          ]
        : []),
    ];
  });
  return [...lines, result.ok ? '结论：审计记录完整。' : '结论：审计记录有问题，见上。'].join('\n');
}
