// Adapts node:sqlite (built into Node 24, no native addon to compile) to the
// better-sqlite3-shaped interface Kysely's SqliteDialect expects. Prepared statements are
// cached by SQL text: Kysely prepares every query anew, and preparing dominates small writes.
import { DatabaseSync, type StatementSync, type SQLInputValue } from 'node:sqlite';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

const STATEMENT_CACHE_SIZE = 256;

function toSqlite(value: unknown): SQLInputValue {
  if (value === undefined) return null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value instanceof Date) return value.toISOString();
  return value as SQLInputValue;
}

function wrap(stmt: StatementSync): SqliteStatement {
  const reader = stmt.columns().length > 0;
  const params = (parameters: ReadonlyArray<unknown>) => parameters.map(toSqlite);
  return {
    reader,
    all: (parameters) => stmt.all(...params(parameters)),
    run: (parameters) => stmt.run(...params(parameters)),
    iterate: (parameters) => stmt.iterate(...params(parameters)),
  };
}

export function openNodeSqlite(file: string): SqliteDatabase & { raw: DatabaseSync } {
  const raw = new DatabaseSync(file, { timeout: 5000 });
  // WAL lets readers proceed while one writer commits; NORMAL sync is durable across process
  // crashes (only an OS crash can lose the last commits), the usual choice with WAL.
  raw.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;');
  const cache = new Map<string, SqliteStatement>();
  return {
    raw,
    close: () => {
      cache.clear();
      raw.close();
    },
    prepare(sql) {
      let stmt = cache.get(sql);
      if (stmt) {
        // Refresh recency: Map keeps insertion order, the first key is the least recently used.
        cache.delete(sql);
      } else {
        stmt = wrap(raw.prepare(sql));
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
      }
      cache.set(sql, stmt);
      return stmt;
    },
  };
}
