// Group commit: writes that arrive together share one transaction; one failing write is rolled
// back alone; callers are answered only after the commit. Rows are read back through a second
// connection to the same database: the writer's own connection would see its uncommitted rows
// (and on SQLite it would queue the read behind the open transaction), so only another
// connection shows what a different process sees.
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest, openDatabase, type DatabaseHandle } from '../../server/db/database.ts';
import type { Database } from '../../server/db/schema.ts';
import { createWriteBatcher } from '../../server/db/write-batcher.ts';
import { databaseKinds, makeDatabase, type TestDatabase } from '../support/databases.ts';

const kinds = await databaseKinds();

describe.each(kinds)('write batcher on %s', (kind) => {
  let database: TestDatabase;
  let handle: DatabaseHandle;
  let reader: DatabaseHandle;
  beforeAll(async () => {
    database = await makeDatabase(kind);
    handle = openDatabase(database.url);
    await migrateToLatest(handle);
    reader = openDatabase(database.url);
  });
  afterAll(async () => {
    await reader?.close();
    await handle?.close();
    await database?.drop();
  });

  function insertPhoto(id: string) {
    return (trx: Kysely<Database>) =>
      trx
        .insertInto('photos')
        .values({
          id,
          ticket_id: null,
          purpose: 'report',
          width: 1,
          height: 1,
          sha256: 'x',
          uploaded_at: '2026-11-29T00:00:00.000Z',
          position: null,
        })
        .execute()
        .then(() => id);
  }

  async function stored(ids: string[]): Promise<string[]> {
    const rows = await reader.db.selectFrom('photos').select('id').where('id', 'in', ids).orderBy('id').execute();
    return rows.map((r) => r.id);
  }

  it('commits concurrent writes, rolling back only the one that fails', async () => {
    const writes = createWriteBatcher(handle);
    const results = await Promise.allSettled([
      writes.run(insertPhoto(`${kind}-a`)),
      writes.run(async (trx) => {
        await insertPhoto(`${kind}-doomed`)(trx);
        throw new Error('this write fails after inserting');
      }),
      writes.run(insertPhoto(`${kind}-b`)),
      writes.run(insertPhoto(`${kind}-a`)), // duplicate key: fails on its own
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected']);
    expect(await stored([`${kind}-a`, `${kind}-b`, `${kind}-doomed`])).toEqual([`${kind}-a`, `${kind}-b`]);
  });

  it('answers a write only once it is committed and visible to others', async () => {
    const writes = createWriteBatcher(handle);
    const ids = Array.from({ length: 40 }, (_, i) => `${kind}-v${i}`);
    await Promise.all(
      ids.map(async (id) => {
        await writes.run(insertPhoto(id));
        expect(await stored([id])).toEqual([id]);
      }),
    );
  });

  it('answers a one-statement write once it is visible to others; a failing one fails alone', async () => {
    const writes = createWriteBatcher(handle);
    const ids = Array.from({ length: 20 }, (_, i) => `${kind}-s${i}`);
    const results = await Promise.allSettled([
      ...ids.map(async (id) => {
        await writes.runStatement(insertPhoto(id));
        expect(await stored([id])).toEqual([id]);
      }),
      writes.runStatement(insertPhoto(ids[0]!)), // duplicate key
    ]);
    expect(results.map((r) => r.status)).toEqual([...ids.map(() => 'fulfilled'), 'rejected']);
    expect(await stored(ids)).toEqual([...ids].sort());
  });

  it.runIf(kind === 'postgres')('runs a one-statement write on PostgreSQL without BEGIN (its own implicit transaction)', async () => {
    const writes = createWriteBatcher(handle);
    // Inside BEGIN … COMMIT, now() is the transaction's start, earlier than the statement's.
    const alone = await writes.runStatement((db) =>
      sql<{ alone: boolean }>`select now() = statement_timestamp() as alone`.execute(db).then((r) => r.rows[0]!.alone),
    );
    const inTransaction = await writes.run((trx) =>
      sql<{ alone: boolean }>`select now() = statement_timestamp() as alone`.execute(trx).then((r) => r.rows[0]!.alone),
    );
    expect([alone, inTransaction]).toEqual([true, false]);
  });
});
