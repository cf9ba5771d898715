// The in-place encryption of a database written before ADR 019, and the key rotation, on SQLite
// and PostgreSQL: 10,000 tickets with clear reporters (and calls) inserted as an older release
// stored them; the pass interrupted by a batch limit and by an AbortSignal, then resumed; every
// value ends encrypted exactly once (one decryption gives the original) with its hashes filled,
// and the caller's history finds the numbers. The raw mails and attachments an older release kept
// in clear in the blob store are sealed in place by the same pass. Then a rotation: everything
// readable, the old key used by nothing (no value, no file) and only then gone from the key file.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import { defaultKeyFile, readKeyFile } from '../../server/db/data-key-file.ts';
import { encryptInPlace, rotateDataKey } from '../../server/db/data-key-commands.ts';
import { createKeyring, envelopeKeyId, isSealed, sealedBytesKeyId, type Keyring } from '../../server/db/data-keys.ts';
import { readBlob, type BlobStore } from '../../server/storage/blob-store.ts';
import { keyringOf } from '../../server/db/personal-data.ts';
import { storedDataKeys } from '../../server/db/data-key-repository.ts';
import { openDatabase } from '../../server/db/database.ts';
import { appRouter } from '../../server/trpc/app-router.ts';
import type { StaffUser } from '../../server/auth/roles.ts';
import { readEnv } from '../../server/env.ts';
import { createPortalWorker } from '../../server/worker/portal-worker.ts';
import { databaseKinds } from '../support/databases.ts';
import { startTestPortal, type TestPortal } from '../support/portal.ts';
import { createStaff } from '../support/staff-accounts.ts';

const kinds = await databaseKinds();
const TICKETS = 10_000;
const CALLS = 1_000;

const phoneOf = (i: number) => `139${String(50_000_000 + i).padStart(8, '0')}`;
const nameOf = (i: number) => `旧居民${i}`;
const emailOf = (i: number) => `old.resident.${i}@qq.example`;
const MAILS = 30;

/** A mail an older release kept: its raw message and a document attachment, in clear. */
function oldMail(i: number): { raw: Buffer; document: Buffer; rawKey: string; documentKey: string } {
  const raw = Buffer.from(`From: ${nameOf(i)} <${emailOf(i)}>\r\nSubject: old ${i}\r\n\r\n路灯不亮\r\n`);
  const document = Buffer.from(`情况说明 ${i}：${nameOf(i)} ${phoneOf(i)}`);
  const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
  return { raw, document, rawKey: `mail-raw/${sha(raw)}.eml`, documentKey: `mail-attachments/${sha(document)}-情况说明.txt` };
}

/** MAILS mail rows as an older release stored them, their files in clear in `blobs`. */
async function insertClearMails(db: Kysely<any>, blobs: BlobStore): Promise<void> {
  const rows = [];
  for (let i = 1; i <= MAILS; i++) {
    const m = oldMail(i);
    await blobs.put(m.rawKey, m.raw, { contentType: 'message/rfc822' });
    await blobs.put(m.documentKey, m.document, { contentType: 'text/plain' });
    rows.push({
      message_id: `<old-${i}@qq.example>`,
      content_hash: `old-${i}`,
      received_at: '2026-10-01T02:00:00.000Z',
      from_address: emailOf(i),
      subject: `old ${i}`,
      outcome: 'quarantined',
      reason: 'flood',
      ticket_id: null,
      raw_path: m.rawKey,
      attachments: JSON.stringify([{ name: '情况说明.txt', type: 'text/plain', size: m.document.length, path: m.documentKey }]),
      source: 'file:old.eml',
    });
  }
  await db.withoutPlugins().insertInto('mail_messages').values(rows).execute();
}

/** Every kept file of insertClearMails: sealed under `keyId`, opening to what was kept. */
async function expectFilesSealed(blobs: BlobStore, keyring: Keyring, keyId: string): Promise<void> {
  for (let i = 1; i <= MAILS; i++) {
    const m = oldMail(i);
    for (const [key, plain] of [
      [m.rawKey, m.raw],
      [m.documentKey, m.document],
    ] as const) {
      const stored = (await readBlob(blobs, key))!;
      expect(sealedBytesKeyId(stored)).toBe(keyId);
      expect(stored.includes(Buffer.from(emailOf(i)))).toBe(false);
      expect(keyring.openBytes(stored).equals(plain)).toBe(true);
    }
  }
}

async function insertClearRows(db: Kysely<any>): Promise<void> {
  const raw = db.withoutPlugins();
  const at = '2026-10-01T02:00:00.000Z';
  for (let start = 1; start <= TICKETS; start += 500) {
    const ids = Array.from({ length: Math.min(500, TICKETS - start + 1) }, (_, k) => start + k);
    await raw.transaction().execute(async (trx) => {
      const rows = await trx
        .insertInto('tickets')
        .values(
          ids.map((i) => ({
            tracking_code: `OLD-${String(i).padStart(6, '0')}`,
            status: 'received',
            channel: 'web',
            description: '旧版本存下的反映',
            cooperating_unit_codes: '[]',
            created_at: at,
            updated_at: at,
            version: 1,
          })),
        )
        .returning(['id', 'tracking_code'])
        .execute();
      await trx
        .insertInto('ticket_reporters')
        .values(
          rows.map((r: { id: number; tracking_code: string }) => {
            const i = Number(r.tracking_code.slice(4));
            return {
              ticket_id: Number(r.id),
              anonymous: 0,
              name: nameOf(i),
              phone: phoneOf(i),
              email: emailOf(i),
              ip: '203.0.113.9',
              user_agent: 'old',
            };
          }),
        )
        .execute();
    });
  }
  await raw
    .insertInto('calls')
    .values(
      Array.from({ length: CALLS }, (_, i) => ({
        at,
        caller_phone: phoneOf(i + 1),
        caller_name: nameOf(i + 1),
        anonymous: 0,
        wants_callback: 1,
        outcome: 'answered',
        summary: '咨询',
        source: 'console',
      })),
    )
    .execute();
}

/** Every reporter and call row: each value an envelope under `keyId` that opens, in one step, to its original; hashes filled. */
async function expectAllEncryptedOnce(db: Kysely<any>, keyring: Keyring, keyId: string): Promise<void> {
  const raw = db.withoutPlugins();
  const reporters = await raw
    .selectFrom('ticket_reporters')
    .innerJoin('tickets', 'tickets.id', 'ticket_reporters.ticket_id')
    .select(['tracking_code', 'name', 'phone', 'email', 'ip', 'phone_hash', 'phone_last4_hash', 'email_hash'])
    .execute();
  expect(reporters).toHaveLength(TICKETS);
  for (const r of reporters) {
    const i = Number(r.tracking_code.slice(4));
    for (const [stored, plain] of [
      [r.name, nameOf(i)],
      [r.phone, phoneOf(i)],
      [r.email, emailOf(i)],
      [r.ip, '203.0.113.9'],
    ] as const) {
      expect(envelopeKeyId(stored)).toBe(keyId);
      const opened = keyring.open(stored);
      expect(isSealed(opened)).toBe(false);
      expect(opened).toBe(plain);
    }
    expect(r.phone_hash).toBe(keyring.hashWith(keyId, 'phone', phoneOf(i)));
    expect(r.phone_last4_hash).toBe(keyring.hashWith(keyId, 'phone-last4', phoneOf(i).slice(-4)));
    expect(r.email_hash).toBe(keyring.hashWith(keyId, 'email', emailOf(i)));
  }
  // The calls of insertClearRows (the worker's test adds imported ones, checked there).
  const calls = await raw
    .selectFrom('calls')
    .select(['caller_phone', 'caller_name', 'caller_phone_hash'])
    .where('source', '=', 'console')
    .execute();
  expect(calls).toHaveLength(CALLS);
  for (const c of calls) {
    expect(envelopeKeyId(c.caller_phone)).toBe(keyId);
    expect(envelopeKeyId(c.caller_name)).toBe(keyId);
    expect(c.caller_phone_hash).toBe(keyring.hashWith(keyId, 'phone', keyring.open(c.caller_phone)));
  }
}

describe.each(kinds)('encrypting a database in place on %s', (kind) => {
  let t: TestPortal;
  let users: Record<string, StaffUser> = {};
  let keyFile: string;
  const history = (phone: string) =>
    appRouter
      .createCaller({ app: t.portal.services, request: { ip: '10.0.0.2', sameOrigin: true }, user: users['operator'] ?? null })
      .staff.hotline.history({ phone });

  beforeAll(async () => {
    t = await startTestPortal(kind);
    users = await createStaff(t, [['operator', 'operator']]);
    keyFile = t.database.dataKey ?? defaultKeyFile(t.database.dataDir);
    await insertClearRows(t.portal.database.db);
    await insertClearMails(t.portal.database.db, t.portal.blobs);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it('stops at a batch limit and at an abort, goes on when run again, and ends with every value encrypted once', async () => {
    const keyring = keyringOf(t.portal.database.db);
    // Before: the clear rows have no hashes, so the look-up finds nothing.
    expect((await history(phoneOf(7))).tickets).toEqual([]);

    const first = await encryptInPlace(t.portal.database, t.portal.blobs, keyFile, { batchSize: 1000, maxBatches: 3 });
    expect(first).toMatchObject({ complete: false, rowsChanged: 3000 });
    expect(first.valuesLeft).toBeGreaterThan(0);

    const stop = new AbortController();
    const second = await encryptInPlace(t.portal.database, t.portal.blobs, keyFile, {
      batchSize: 1000,
      signal: stop.signal,
      onBatch: () => stop.abort(),
    });
    // The first 3,000 rows are left as they are; one more batch is encrypted, then the abort stops it.
    expect(second).toMatchObject({ complete: false, rowsChanged: 1000 });

    const last = await encryptInPlace(t.portal.database, t.portal.blobs, keyFile, { batchSize: 1000 });
    // The clear files are still read as they are before they are sealed.
    expect(first.filesLeft).toBe(2 * MAILS);
    expect(last).toMatchObject({
      complete: true,
      valuesLeft: 0,
      filesLeft: 0,
      rowsChanged: TICKETS - 4000 + CALLS + MAILS,
      filesChanged: 2 * MAILS,
    });
    // Run again: nothing more to do.
    expect(await encryptInPlace(t.portal.database, t.portal.blobs, keyFile, { batchSize: 1000 })).toMatchObject({
      complete: true,
      rowsChanged: 0,
      filesChanged: 0,
    });

    await expectAllEncryptedOnce(t.portal.database.db, keyring, keyring.activeId);
    await expectFilesSealed(t.portal.blobs, keyring, keyring.activeId);
    const found = await history(phoneOf(7));
    expect(found.tickets.map((x) => x.trackingCode)).toEqual(['OLD-000007']);
    expect(found.calls).toHaveLength(1);
  }, 180_000);

  it('the worker encrypts what an older release left in clear, a few batches a pass, going on where it stopped', async () => {
    const keyring = keyringOf(t.portal.database.db);
    const raw = t.portal.database.db.withoutPlugins();
    await raw
      .insertInto('calls')
      .values(
        Array.from({ length: 1500 }, (_, i) => ({
          at: '2026-10-02T02:00:00.000Z',
          caller_phone: phoneOf(20_000 + i),
          caller_name: null,
          anonymous: 0,
          wants_callback: 0,
          outcome: 'answered',
          summary: '咨询',
          source: 'import',
        })),
      )
      .execute();
    // A kept file an older release wrote in clear (as restored from an old backup, say).
    const clearMail = oldMail(2);
    await t.portal.blobs.put(clearMail.rawKey, clearMail.raw, { contentType: 'message/rfc822' });
    const worker = createPortalWorker(t.portal, readEnv({ DATA_DIR: t.database.dataDir, DATABASE_URL: t.database.url }), t.clock);
    let passes = 0;
    let encrypted = 0;
    let sealed = 0;
    for (;;) {
      const tick = await worker.scheduler.runOnce();
      const job = tick.jobs.find((j) => j.job === 'data-encrypt');
      expect(job?.ok).toBe(true);
      const result = job!.result as { rowsChanged: number; filesChanged: number; done: boolean };
      encrypted += result.rowsChanged;
      sealed += result.filesChanged;
      passes++;
      if (result.done) break;
      expect(passes).toBeLessThan(20);
    }
    // Ten batches of 500 a pass: the 10,000 reporters (already encrypted) take two passes to walk.
    expect(passes).toBeGreaterThan(1);
    expect(encrypted).toBe(1500);
    expect(sealed).toBe(1);
    await expectFilesSealed(t.portal.blobs, keyring, keyring.activeId);
    const calls = await raw.selectFrom('calls').select(['caller_phone', 'caller_phone_hash']).where('source', '=', 'import').execute();
    for (const c of calls) {
      expect(envelopeKeyId(c.caller_phone!)).toBe(keyring.activeId);
      expect(c.caller_phone_hash).toBe(keyring.hash('phone', keyring.open(c.caller_phone!)));
    }
    // Once done, a pass does nothing.
    const after = await worker.scheduler.runOnce();
    expect(after.jobs.find((j) => j.job === 'data-encrypt')?.result).toEqual({ rowsChanged: 0, filesChanged: 0, done: true });
    worker.transport.close();
  }, 120_000);

  it('rotates the key: a new active key, every value re-encrypted and re-hashed, the old key dropped', async () => {
    const oldId = keyringOf(t.portal.database.db).activeId;
    // Interrupted once, then run again: the same new key is kept (not a third one).
    const first = await rotateDataKey(t.portal.database, t.portal.blobs, keyFile, 'sm4', { batchSize: 2000, maxBatches: 2 });
    expect(first).toMatchObject({ complete: false, dropped: [] });
    expect(first.added).not.toBeNull();
    expect(readKeyFile(keyFile).map((k) => k.id)).toEqual([first.added, oldId]);
    // A process still holding the old key file keeps a mail after the walk re-sealed the files:
    // that file is under the old key, so the old key is not dropped.
    const oldRing = createKeyring(readKeyFile(keyFile).filter((k) => k.id === oldId));
    const late = oldMail(1);
    const walked = await rotateDataKey(t.portal.database, t.portal.blobs, keyFile, 'sm4', {
      batchSize: 2000,
      onBatch: async ({ table }) => {
        if (table === 'files:mail_messages')
          await t.portal.blobs.put(late.rawKey, oldRing.sealBytes(late.raw), { contentType: 'message/rfc822' });
      },
    });
    expect(walked).toMatchObject({ complete: false, valuesLeft: 0, filesLeft: 1, dropped: [], filesChanged: 2 * MAILS });
    expect(readKeyFile(keyFile).map((k) => k.id)).toEqual([first.added, oldId]);
    const done = await rotateDataKey(t.portal.database, t.portal.blobs, keyFile, 'sm4', { batchSize: 2000 });
    expect(done).toMatchObject({
      complete: true,
      valuesLeft: 0,
      filesLeft: 0,
      filesChanged: 1,
      added: null,
      dropped: [oldId],
      activeKey: first.added,
    });

    const keys = readKeyFile(keyFile);
    expect(keys.map((k) => [k.id, k.cipher])).toEqual([[first.added, 'sm4']]);
    const ring = createKeyring(keys);
    await expectAllEncryptedOnce(t.portal.database.db, ring, ring.activeId);
    await expectFilesSealed(t.portal.blobs, ring, ring.activeId);
    expect((await storedDataKeys(t.portal.database.db)).find((k) => k.id === oldId)?.retired).toBe(true);

    // A process started with the rotated key file reads everything; one with the old key refuses to start.
    const portal2 = await startWith(keyFile);
    const reporter = await portal2.db
      .selectFrom('ticket_reporters')
      .select(['name', 'phone'])
      .where('phone_hash', 'in', [ring.hash('phone', phoneOf(42))])
      .executeTakeFirstOrThrow();
    expect(reporter).toEqual({ name: nameOf(42), phone: phoneOf(42) });
    await portal2.close();
  }, 180_000);

  async function startWith(file: string) {
    const { protectDatabase } = await import('../../server/db/data-key-setup.ts');
    const opened = openDatabase(t.database.url);
    const handle = await protectDatabase(opened, { file, dataDir: t.database.dataDir });
    return { db: handle.db, close: () => opened.close() };
  }

  it('refuses to start with the wrong key, or without the key file, instead of writing what nobody can read', async () => {
    const { protectDatabase } = await import('../../server/db/data-key-setup.ts');
    const { createKeyFile } = await import('../../server/db/data-key-file.ts');
    const wrong = `${t.database.dataDir}/wrong-key.json`;
    createKeyFile(wrong, 'aes-256-gcm');
    const opened = openDatabase(t.database.url);
    try {
      await expect(protectDatabase(opened, { file: wrong, dataDir: t.database.dataDir })).rejects.toThrow(/does not hold/);
      if (kind === 'sqlite') {
        // The embedded default without its key file: no new key is made.
        fs.renameSync(keyFile, `${keyFile}.away`);
        await expect(protectDatabase(opened, { dataDir: t.database.dataDir })).rejects.toThrow(/does not exist/);
        expect(fs.existsSync(keyFile)).toBe(false);
        fs.renameSync(`${keyFile}.away`, keyFile);
      } else {
        await expect(protectDatabase(opened, { dataDir: t.database.dataDir })).rejects.toThrow(/DATA_KEY must name/);
      }
    } finally {
      await opened.close();
    }
  });
});
