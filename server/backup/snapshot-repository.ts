// The SQL of a backup and a restore: the SQLite snapshot (`VACUUM INTO`, one read transaction, so
// a consistent copy while the portal writes), its integrity check, the migration level, and
// whether a PostgreSQL database is empty. PostgreSQL's dump and restore are programs
// (pg-programs.ts).
import { DatabaseSync } from 'node:sqlite';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';

/** Writes a consistent copy of the SQLite database `file` to `target` (which must not exist). */
export function vacuumInto(file: string, target: string): void {
  const source = new DatabaseSync(file, { readOnly: true, timeout: 5000 });
  try {
    source.prepare('VACUUM INTO ?').run(target);
  } finally {
    source.close();
  }
}

/** What `PRAGMA integrity_check` finds wrong in the SQLite file; empty when it is sound. */
export function sqliteIntegrityProblems(file: string): string[] {
  let copy: DatabaseSync | undefined;
  try {
    copy = new DatabaseSync(file, { readOnly: true });
    const rows = copy.prepare('PRAGMA integrity_check').all() as Array<{ integrity_check: string }>;
    return rows.map((r) => r.integrity_check).filter((line) => line !== 'ok');
  } catch (error) {
    return [error instanceof Error ? error.message : String(error)];
  } finally {
    copy?.close();
  }
}

/** The newest migration applied (Kysely's own table), or null on a database never migrated. */
export async function migrationLevel(db: Kysely<Database>): Promise<string | null> {
  try {
    const { rows } = await sql<{ name: string | null }>`SELECT max(name) AS name FROM kysely_migration`.execute(db);
    return rows[0]?.name ?? null;
  } catch {
    return null;
  }
}

/** Tables in the PostgreSQL database's public schema: a restore goes into an empty database. */
export async function postgresTableCount(db: Kysely<Database>): Promise<number> {
  const { rows } = await sql<{ n: string | number }>`
    SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = 'public'`.execute(db);
  return Number(rows[0]?.n ?? 0);
}
