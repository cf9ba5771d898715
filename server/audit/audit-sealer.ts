// The sealer (ADR 018): a worker job that gives each audit record its place in its table's hash
// chain. Intake and staff actions insert rows as before — no lock, no extra round trip on the
// report's path; each pass the worker holding the 'audit-seal' lease seals the unsealed rows in
// id order, a batch per transaction (one UPDATE for the batch), and moves the table's checkpoint (audit_seals) with them.
// The chain follows the order of sealing: on PostgreSQL a row can commit after a row with a
// higher id was sealed, and it is then simply sealed next, at the chain's end.
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { Lease } from '../worker/lease.ts';
import { AUDITED_TABLES, type AuditedTableName } from './audited-tables.ts';
import { CHAIN_START, chainOn } from './audit-chain.ts';
import { moveCheckpoint, readCheckpoint, selectUnsealed, sealRows } from './audit-repository.ts';

/** Rows sealed per transaction: short, so the SQLite connection is not held from other work for long. */
const BATCH = 200;
/** At most this many rows per table per pass (a database migrated with years of events catches up over a few passes). */
const MAX_PER_PASS = 20_000;

/** Rows sealed in a pass, per table. */
export type SealRun = Partial<Record<AuditedTableName, number>>;

/** Another sealer moved the chain meanwhile (the lease ran out under a stalled one): this batch is rolled back. */
function raced(table: AuditedTableName): Error {
  return new Error(`another sealer moved the chain of ${table}; its rows are sealed by whichever seals next`);
}

/** Seals one batch of `table`; answers how many rows. */
async function sealBatch(db: Kysely<Database>, table: AuditedTableName, now: Date): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const checkpoint = await readCheckpoint(trx, table);
    const rows = await selectUnsealed(trx, table, BATCH);
    if (rows.length === 0) return 0;
    const { seals, end } = chainOn(checkpoint ?? CHAIN_START, rows);
    if ((await sealRows(trx, table, seals)) !== rows.length) throw raced(table);
    const to = { ...end, lastId: rows.at(-1)!.id, sealedAt: now.toISOString() };
    if (!(await moveCheckpoint(trx, table, checkpoint, to))) throw raced(table);
    return rows.length;
  });
}

/** Seals every unsealed row of every audited table (up to MAX_PER_PASS each). */
export async function sealAuditRecords(db: Kysely<Database>, now: Date): Promise<SealRun> {
  const run: SealRun = {};
  for (const { table } of AUDITED_TABLES) {
    let sealed = 0;
    let batch: number;
    do {
      batch = await sealBatch(db, table, now);
      sealed += batch;
    } while (batch === BATCH && sealed < MAX_PER_PASS);
    if (sealed > 0) run[table] = sealed;
  }
  return run;
}

/** The worker's job: sealing by the holder of the 'audit-seal' lease, who gives it up after. */
export function createAuditSealer(db: Kysely<Database>, lease: Lease) {
  return {
    async runOnce(now: Date): Promise<SealRun | { skipped: string }> {
      const outcome = await lease.run(() => sealAuditRecords(db, now), { release: true });
      return outcome.ran ? outcome.value : { skipped: 'another worker seals the audit records' };
    },
  };
}
