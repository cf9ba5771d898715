// Real databases for integration tests: a fresh SQLite file always, and a fresh PostgreSQL
// database when a server answers at TEST_PG_URL (default 127.0.0.1:5432, trust auth, as on
// these machines and in CI). Each call makes its own database, so test files run in parallel.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createKeyFile } from '../../server/db/data-key-file.ts';

export interface TestDatabase {
  name: 'sqlite' | 'postgres';
  url: string;
  dataDir: string;
  /**
   * The data key file (DATA_KEY, ADR 019): PostgreSQL needs one named; SQLite uses the embedded
   * default (DATA_DIR/keys/data-key.json, made at the first start), so this is undefined.
   */
  dataKey: string | undefined;
  drop(): Promise<void>;
}

const adminUrl = process.env['TEST_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

let pgAvailable: Promise<boolean> | undefined;
export function postgresAvailable(): Promise<boolean> {
  pgAvailable ??= (async () => {
    const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 2000 });
    try {
      await client.connect();
      await client.query('select 1');
      return true;
    } catch {
      return false;
    } finally {
      await client.end().catch(() => {});
    }
  })();
  return pgAvailable;
}

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'portal-test-'));
}

export function sqliteDatabase(): TestDatabase {
  const dataDir = tempDir();
  return {
    name: 'sqlite',
    url: `sqlite:${path.join(dataDir, 'portal.sqlite')}`,
    dataDir,
    dataKey: undefined,
    drop: async () => fs.rmSync(dataDir, { recursive: true, force: true }),
  };
}

export async function postgresDatabase(): Promise<TestDatabase> {
  const name = `portal_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const dataDir = tempDir();
  const dataKey = path.join(dataDir, 'keys', 'data-key.json');
  createKeyFile(dataKey, 'aes-256-gcm');
  return {
    name: 'postgres',
    url: url.toString(),
    dataDir,
    dataKey,
    async drop() {
      fs.rmSync(dataDir, { recursive: true, force: true });
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      // The portal's pool resolves its end() while its connections are still saying goodbye; a
      // forced drop then kills one mid-goodbye and pg raises that as an uncaught error. Wait for
      // them to go (briefly), and force only what is left after that.
      for (let i = 0; i < 50; i++) {
        const { rows } = await c.query<{ n: string }>('SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1', [name]);
        if (Number(rows[0]?.n ?? 0) === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** The kinds to run against: sqlite always; postgres when it answers (say why not otherwise). */
export async function databaseKinds(): Promise<Array<'sqlite' | 'postgres'>> {
  if (await postgresAvailable()) return ['sqlite', 'postgres'];
  if (process.env['CI']) throw new Error(`PostgreSQL does not answer at ${adminUrl}, and CI must test on it`);
  console.warn(`PostgreSQL does not answer at ${adminUrl}: integration tests run on SQLite only`);
  return ['sqlite'];
}

export function makeDatabase(kind: 'sqlite' | 'postgres'): Promise<TestDatabase> {
  return kind === 'sqlite' ? Promise.resolve(sqliteDatabase()) : postgresDatabase();
}
