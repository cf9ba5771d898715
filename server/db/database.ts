// Opens the database named by DATABASE_URL (SQLite through node:sqlite by default, PostgreSQL
// for larger deployments) and brings its schema up to date. See docs/decisions/002-storage.md.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import { Migrator, type Migration } from 'kysely/migration';
import pg from 'pg';
import { openNodeSqlite } from './node-sqlite-adapter.ts';
import type { Database } from './schema.ts';
import { log } from '../observability/log.ts';

export type Dialect = 'sqlite' | 'postgres';

export interface DatabaseHandle {
  db: Kysely<Database>;
  dialect: Dialect;
  close(): Promise<void>;
}

type MigrationModule = { up(db: Kysely<unknown>, dialect: Dialect): Promise<void> };

const MIGRATIONS_DIR = path.join(import.meta.dirname, 'migrations');

/**
 * Every `NNN-name.ts` in migrations/, applied in name order. A migration, once shipped, is never
 * edited — add a new one. Each exports `up(db, dialect)`.
 */
async function loadMigrations(): Promise<Record<string, MigrationModule>> {
  const files = fs
    .readdirSync(MIGRATIONS_DIR)
    .filter((f) => /^\d{3}-[\w-]+\.ts$/.test(f))
    .sort();
  const entries = await Promise.all(
    files.map(
      async (f) => [f.replace(/\.ts$/, ''), (await import(pathToFileURL(path.join(MIGRATIONS_DIR, f)).href)) as MigrationModule] as const,
    ),
  );
  return Object.fromEntries(entries);
}

export function openDatabase(url: string): DatabaseHandle {
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    const pool = new pg.Pool({ connectionString: url, max: 10 });
    // A connection lost (PostgreSQL restarted, a network cut) fails the query it was running, and
    // the pool replaces it; its 'error' event, unhandled, would end the process — whether the
    // connection was idle in the pool (the pool's event) or taken by a query (the client's).
    const lost = (error: Error) => log.warn(`[db] a PostgreSQL connection was lost (${error.message}); it is replaced when needed`);
    pool.on('error', lost);
    pool.on('connect', (client) => client.on('error', lost));
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { db, dialect: 'postgres', close: () => db.destroy() };
  }
  if (!url.startsWith('sqlite:')) throw new Error(`Unsupported database URL: ${url.split(':')[0]}:…`);
  const file = url.slice('sqlite:'.length);
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const sqlite = openNodeSqlite(file);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  return { db, dialect: 'sqlite', close: () => db.destroy() };
}

function migratorOf(handle: DatabaseHandle): Migrator {
  const provider = {
    async getMigrations(): Promise<Record<string, Migration>> {
      return Object.fromEntries(
        Object.entries(await loadMigrations()).map(([name, mod]) => [name, { up: (db: Kysely<any>) => mod.up(db, handle.dialect) }]),
      );
    },
  };
  return new Migrator({ db: handle.db, provider });
}

/** The migrations of this release not applied to the database (none once the portal has started). */
export async function pendingMigrations(handle: DatabaseHandle): Promise<string[]> {
  const migrations = await migratorOf(handle).getMigrations();
  return migrations.filter((m) => m.executedAt === undefined).map((m) => m.name);
}

export async function migrateToLatest(handle: DatabaseHandle): Promise<void> {
  const migrator = migratorOf(handle);
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(`Database migration ${failed?.migrationName ?? ''} failed: ${String((error as Error)?.message ?? error)}`);
  }
}

/** True when `error` is a unique-constraint violation (on a column whose name contains `column`). */
export function isUniqueViolation(error: unknown, column: string): boolean {
  if (!(error instanceof Error)) return false;
  const e = error as Error & { code?: string; constraint?: string; detail?: string };
  if (e.code === '23505') return `${e.constraint ?? ''} ${e.detail ?? ''}`.includes(column);
  return /UNIQUE constraint failed/.test(e.message) && e.message.includes(column);
}
