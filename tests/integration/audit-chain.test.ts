// The audit trail (issue 18 item 6, ADR 018) on SQLite and PostgreSQL: the database refuses every
// UPDATE and DELETE of an audit record but the sealer's one; the sealer chains the rows (a row
// committed late is sealed at the chain's end); `audit:verify` passes on an untouched chain and
// names the row where someone with the database's keys edited a record (the triggers bypassed),
// removed one from the middle, or removed the last ones; `audit:export` writes the records of a
// date range.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { auditCsv } from '../../server/audit/audit-export.ts';
import { AUDITED_TABLES } from '../../server/audit/audited-tables.ts';
import { createAuditSealer, sealAuditRecords } from '../../server/audit/audit-sealer.ts';
import { verifyAuditRecords, verificationReport } from '../../server/audit/audit-verify.ts';
import { migrateToLatest, openDatabase, type DatabaseHandle } from '../../server/db/database.ts';
import type { Database } from '../../server/db/schema.ts';
import { readEnv } from '../../server/env.ts';
import { createLease } from '../../server/worker/lease.ts';
import { createPortalWorker } from '../../server/worker/portal-worker.ts';
import { databaseKinds, makeDatabase, type TestDatabase } from '../support/databases.ts';
import { CONTENT_DIR, startTestPortal } from '../support/portal.ts';

const kinds = await databaseKinds();
const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
const NOW = new Date('2026-12-08T02:00:00.000Z');

/** A ticket with `count` events, one a minute from `at`; answers the events' ids. */
async function ticketWithEvents(db: Kysely<Database>, count: number, at = '2026-12-08T01:00:00.000Z'): Promise<number[]> {
  const code = `T${Math.random().toString(36).slice(2, 10)}`;
  const ticket = await db
    .insertInto('tickets')
    .values({
      tracking_code: code,
      status: 'submitted',
      channel: 'web',
      description: '测试',
      cooperating_unit_codes: '[]',
      version: 0,
      created_at: at,
      updated_at: at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const rows = Array.from({ length: count }, (_, i) => ({
    ticket_id: ticket.id,
    seq: i + 1,
    at: new Date(new Date(at).getTime() + i * 60_000).toISOString(),
    actor_kind: i === 0 ? 'resident' : 'staff',
    actor_id: i === 0 ? null : '7',
    action: i === 0 ? 'submit' : 'addNote',
    from_status: null,
    to_status: 'submitted',
    reason: i === 0 ? null : `第 ${i} 条备注`,
    data: '{}',
  }));
  const inserted = await db.insertInto('ticket_events').values(rows).returning('id').execute();
  return inserted.map((r) => Number(r.id));
}

describe.each(kinds)('the audit trail on %s', (kind) => {
  let test: TestDatabase;
  let database: DatabaseHandle;
  let db: Kysely<Database>;

  // One database per kind (migrating one takes seconds on PostgreSQL); each test starts from no
  // records, removed behind the triggers.
  beforeAll(async () => {
    test = await makeDatabase(kind);
    database = openDatabase(test.url);
    await migrateToLatest(database);
    db = database.db;
  });
  beforeEach(async () => {
    for (const { table } of [...AUDITED_TABLES, { table: 'audit_seals' }]) {
      await behindTheTriggers(table, () => sql`DELETE FROM ${sql.table(table)}`.execute(db));
    }
    await db.deleteFrom('tickets').execute();
  });
  afterAll(async () => {
    await database?.close();
    await test?.drop();
  });

  const reason = async (id: number) =>
    (await db.selectFrom('ticket_events').select('reason').where('id', '=', id).executeTakeFirstOrThrow()).reason;
  const verify = () => verifyAuditRecords(db, NOW);
  const firstProblem = async () => (await verify()).tables[0]!.firstProblem;

  /** Runs `change` with `table`'s triggers out of the way, as someone with the database's keys could. */
  async function behindTheTriggers(table: string, change: () => Promise<unknown>): Promise<void> {
    if (kind === 'postgres') {
      await sql`ALTER TABLE ${sql.table(table)} DISABLE TRIGGER ALL`.execute(db);
      await change();
      await sql`ALTER TABLE ${sql.table(table)} ENABLE TRIGGER ALL`.execute(db);
      return;
    }
    const { rows } = await sql<{ name: string; sql: string }>`
      SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ${table}`.execute(db);
    expect(rows).toHaveLength(2);
    for (const r of rows) await sql`DROP TRIGGER ${sql.id(r.name)}`.execute(db);
    await change();
    for (const r of rows) await sql.raw(r.sql).execute(db);
  }

  it('refuses every UPDATE and DELETE but the one sealing UPDATE of each row', async () => {
    const [first, second] = await ticketWithEvents(db, 3);
    // Unsealed: its content cannot change either, and it cannot be removed.
    await expect(db.updateTable('ticket_events').set({ reason: '改过' }).where('id', '=', first!).execute()).rejects.toThrow(/append-only/);
    await expect(db.deleteFrom('ticket_events').where('id', '=', first!).execute()).rejects.toThrow(/append-only/);
    // The sealing UPDATE — chain columns from NULL, nothing else — once; not twice, and not with another change.
    const seal = { chain_seq: 1, prev_hash: 'a'.repeat(64), row_hash: 'b'.repeat(64) };
    await expect(
      db
        .updateTable('ticket_events')
        .set({ ...seal, reason: '顺便改' })
        .where('id', '=', first!)
        .execute(),
    ).rejects.toThrow(/append-only/);
    await db.updateTable('ticket_events').set(seal).where('id', '=', first!).execute();
    await expect(
      db
        .updateTable('ticket_events')
        .set({ ...seal, row_hash: 'c'.repeat(64) })
        .where('id', '=', first!)
        .execute(),
    ).rejects.toThrow(/append-only/);
    // Sealed: neither changed nor removed.
    await expect(db.updateTable('ticket_events').set({ reason: '改过' }).where('id', '=', first!).execute()).rejects.toThrow(/append-only/);
    await expect(db.deleteFrom('ticket_events').where('id', '=', first!).execute()).rejects.toThrow(/append-only/);
    await expect(db.deleteFrom('ticket_events').execute()).rejects.toThrow(/append-only/);
    if (kind === 'postgres') await expect(sql`TRUNCATE ticket_events`.execute(db)).rejects.toThrow(/append-only/);
    expect(await reason(second!)).toBe('第 1 条备注');
  });

  it('chains account actions too, and refuses to change or remove them', async () => {
    const at = '2026-12-08T01:30:00.000Z';
    const events = ['password-changed', 'second-factor-enrolled'].map((action) => ({
      at,
      actor_user_id: 1,
      subject_user_id: 1,
      action,
      detail: '{}',
    }));
    const [first] = await db.insertInto('account_events').values(events).returning('id').execute();
    expect(await sealAuditRecords(db, NOW)).toEqual({ account_events: 2 });
    await expect(db.updateTable('account_events').set({ action: 'x' }).where('id', '=', first!.id).execute()).rejects.toThrow(
      /append-only/,
    );
    await expect(db.deleteFrom('account_events').execute()).rejects.toThrow(/append-only/);
    expect((await verify()).tables.find((t) => t.table === 'account_events')).toMatchObject({
      label: '账号操作',
      sealed: 2,
      firstProblem: null,
    });
    let csv = '';
    for await (const chunk of auditCsv(db, '2026-12-08', '2026-12-08')) csv += chunk;
    expect(csv).toContain(`账号操作,${first!.id},2026-12-08 09:30:00,${at},1,password-changed,1,"{""detail"":""{}""}",1,`);
  });

  it('seals every row in order, and verify finds the chain whole', async () => {
    const before = await verify();
    expect(before.ok).toBe(true);
    expect(before.tables[0]).toMatchObject({ sealed: 0, checkpoint: null, unsealed: 0 });

    const ids = [...(await ticketWithEvents(db, 4)), ...(await ticketWithEvents(db, 3))];
    expect(await sealAuditRecords(db, NOW)).toEqual({ ticket_events: 7 });
    expect(await sealAuditRecords(db, NOW)).toEqual({});
    const sealed = await db.selectFrom('ticket_events').select(['id', 'chain_seq', 'prev_hash', 'row_hash']).orderBy('id').execute();
    expect(sealed.map((r) => Number(r.chain_seq))).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(sealed[0]!.prev_hash).toBe('0'.repeat(64));
    expect(sealed[3]!.prev_hash).toBe(sealed[2]!.row_hash);

    const result = await verify();
    expect(result.ok).toBe(true);
    expect(result.tables[0]).toMatchObject({
      sealed: 7,
      unsealed: 0,
      firstProblem: null,
      checkpoint: { seq: 7, lastId: ids.at(-1), hash: sealed[6]!.row_hash },
    });
    expect(verificationReport(result)).toContain('结论：审计记录完整。');
    // The checkpoint only moves forward, and stays.
    await expect(db.updateTable('audit_seals').set({ last_seq: 5 }).execute()).rejects.toThrow(/only moves forward/);
    await expect(db.deleteFrom('audit_seals').execute()).rejects.toThrow(/only moves forward/);
  });

  it('seals a row that commits after a later id was sealed at the chain’s end', async () => {
    await ticketWithEvents(db, 2);
    await sealAuditRecords(db, NOW);
    // PostgreSQL hands out ids before commit: a slow transaction's row (a lower id) shows up after.
    const [late] = await ticketWithEvents(db, 1);
    const lowId = 0;
    await behindTheTriggers('ticket_events', () => sql`UPDATE ticket_events SET id = ${lowId} WHERE id = ${late!}`.execute(db));
    await sealAuditRecords(db, NOW);
    const row = await db.selectFrom('ticket_events').select('chain_seq').where('id', '=', lowId).executeTakeFirstOrThrow();
    expect(Number(row.chain_seq)).toBe(3);
    expect((await verify()).ok).toBe(true);
  });

  it('two sealers at once (a lease run out under a stalled one) never fork the chain', async () => {
    await ticketWithEvents(db, 250);
    const both = await Promise.allSettled([sealAuditRecords(db, NOW), sealAuditRecords(db, NOW)]);
    // On PostgreSQL the second finds the rows sealed or the checkpoint moved and rolls back its batch.
    for (const outcome of both)
      if (outcome.status === 'rejected') expect(String(outcome.reason)).toMatch(/another sealer|unique|duplicate/i);
    await sealAuditRecords(db, NOW);
    expect((await verify()).tables[0]).toMatchObject({ sealed: 250, unsealed: 0, firstProblem: null });
  });

  it('finds a record edited behind the triggers, naming the row', async () => {
    const ids = await ticketWithEvents(db, 5);
    await sealAuditRecords(db, NOW);
    await behindTheTriggers('ticket_events', () =>
      db.updateTable('ticket_events').set({ reason: '被改写的理由' }).where('id', '=', ids[2]!).execute(),
    );
    const result = await verify();
    expect(result.ok).toBe(false);
    expect(result.tables[0]!.firstProblem).toEqual({ id: ids[2], chainSeq: 3, problem: expect.stringContaining('封存后被直接改动') });
    expect(verificationReport(result)).toContain(`记录 id ${ids[2]}（链上第 3 条）`);
  });

  it('finds a record removed from the middle, and records removed from the end', async () => {
    const ids = await ticketWithEvents(db, 6);
    await sealAuditRecords(db, NOW);
    await behindTheTriggers('ticket_events', () => db.deleteFrom('ticket_events').where('id', 'in', [ids[4]!, ids[5]!]).execute());
    expect(await firstProblem()).toEqual({ id: null, chainSeq: null, problem: expect.stringContaining('链尾缺失 2 条记录') });

    await behindTheTriggers('ticket_events', () => db.deleteFrom('ticket_events').where('id', '=', ids[1]!).execute());
    expect(await firstProblem()).toEqual({ id: ids[2], chainSeq: 3, problem: expect.stringContaining('第 2 条记录缺失') });
  });

  it('reports rows left unsealed for more than ten minutes', async () => {
    const [id] = await ticketWithEvents(db, 1, '2026-12-08T01:40:00.000Z');
    const result = await verify();
    expect(result.ok).toBe(false);
    expect(result.tables[0]).toMatchObject({ unsealed: 1, staleUnsealed: 1, oldestStale: { id } });
    await ticketWithEvents(db, 1, '2026-12-08T01:55:00.000Z');
    await sealAuditRecords(db, NOW);
    expect((await verify()).ok).toBe(true);
  });

  it('seals through the lease: a second worker leaves it to the holder', async () => {
    await ticketWithEvents(db, 2);
    const clock = { now: () => NOW };
    const holder = createLease({ db, clock, name: 'audit-seal', ttlMs: 60_000 });
    expect(await holder.acquire()).toBe(true);
    const other = createAuditSealer(db, createLease({ db, clock, name: 'audit-seal', ttlMs: 60_000 }));
    expect(await other.runOnce(NOW)).toEqual({ skipped: expect.any(String) });
    expect(await createAuditSealer(db, holder).runOnce(NOW)).toEqual({ ticket_events: 2 });
  });

  it('exports the records of a range of China dates as CSV for Excel', async () => {
    // 2026-12-06 23:30 and 2026-12-07 23:30 China time; then 2026-12-08 00:30.
    await ticketWithEvents(db, 1, '2026-12-06T15:30:00.000Z');
    const [inside] = await ticketWithEvents(db, 1, '2026-12-07T15:30:00.000Z');
    await ticketWithEvents(db, 1, '2026-12-07T16:30:00.000Z');
    await sealAuditRecords(db, NOW);
    let csv = '';
    for await (const chunk of auditCsv(db, '2026-12-07', '2026-12-07')) csv += chunk;
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0]).toBe('\uFEFF记录类别,记录编号,时间（北京时间）,时间（UTC，原始值）,操作人,动作,对象,内容,链序号,上一条哈希,本条哈希');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(new RegExp(`^工单事件,${inside},2026-12-07 23:30:00,2026-12-07T15:30:00.000Z,resident:,submit,\\d+,`));
    expect(lines[1]).toMatch(/,2,[0-9a-f]{64},[0-9a-f]{64}$/);
  });

  it.runIf(kind === 'sqlite')('runs as npm scripts: verify exits 1 on a problem, export writes the file', async () => {
    const ids = await ticketWithEvents(db, 2);
    await sealAuditRecords(db, NOW);
    const env = {
      ...process.env,
      DATABASE_URL: test.url,
      DATA_DIR: test.dataDir,
      ...(test.dataKey && { DATA_KEY: test.dataKey }),
      CONTENT_DIR,
    };
    const verifyScript = path.join(ROOT, 'scripts/audit-verify.ts');
    const exportScript = path.join(ROOT, 'scripts/audit-export.ts');
    const out = path.join(test.dataDir, 'audit.csv');
    const [good, exported, bad] = await Promise.all([
      run(process.execPath, [verifyScript], { env }),
      run(process.execPath, [exportScript, '--', '--from', '2026-12-08', '--to', '2026-12-08', '--out', out], { env }),
      run(process.execPath, [exportScript, '--from', '2026-12-09', '--to', '2026-12-08'], { env }).catch((e: { code: number }) => e),
    ]);
    expect(good.stdout).toContain('哈希链完整');
    expect(exported.stderr).toContain(out);
    // The two ticket events (the export records itself as an account action, at today's date).
    expect(
      fs
        .readFileSync(out, 'utf8')
        .split('\r\n')
        .filter((line) => line.startsWith('工单事件')),
    ).toHaveLength(2);
    expect(bad).toMatchObject({ code: 2 });
    await behindTheTriggers('ticket_events', () =>
      db.updateTable('ticket_events').set({ action: 'close' }).where('id', '=', ids[1]!).execute(),
    );
    const broken = await run(process.execPath, [verifyScript], { env }).catch((e: { code: number; stdout: string }) => e);
    expect(broken).toMatchObject({ code: 1, stdout: expect.stringContaining(`记录 id ${ids[1]}`) });
  });
});

describe('the deployed worker', () => {
  it('seals the events of a report in its next pass', async () => {
    const t = await startTestPortal('sqlite');
    try {
      await t.caller().report.submit({ description: '北街从东头数第三根路灯不亮，晚上看不见路，请尽快修理。' });
      const worker = createPortalWorker(t.portal, readEnv({ DATA_DIR: t.database.dataDir, DATABASE_URL: t.database.url }), t.clock);
      const pass = await worker.scheduler.runOnce();
      worker.transport.close();
      expect(pass.jobs.find((j) => j.job === 'audit-seal')).toMatchObject({ ok: true, result: { ticket_events: expect.any(Number) } });
      const verified = await verifyAuditRecords(t.portal.database.db, t.clock.now());
      expect(verified.ok).toBe(true);
      expect(verified.tables.filter((table) => table.unsealed > 0)).toEqual([]);
    } finally {
      await t.close();
    }
  });
});
