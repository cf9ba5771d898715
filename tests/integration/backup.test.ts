// Backup and restore (issue 18 item 2) and its drill (the "Done when"): reports with
// photos are submitted without pause while `npm run backup` runs; the backup is restored into
// an empty data directory (and, on PostgreSQL, a fresh database; with BLOB_STORE=s3 a fresh
// bucket); a portal started on it has every report acknowledged before the backup began, its
// photos byte-identical. `--verify` finds a photo with one changed byte and a cut database file;
// a non-empty DATA_DIR is refused. The worker's nightly job: due from 03:00 China time, once a
// night, rotated to BACKUP_KEEP, its outcome recorded for the console.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultKeyFile } from '../../server/db/data-key-file.ts';
import { createPortal } from '../../server/app.ts';
import { EnvError, readEnv } from '../../server/env.ts';
import { manualClock } from '../../server/clock.ts';
import { createBackupStatus, STALE_HOURS } from '../../server/backup/backup-status.ts';
import { readManifest } from '../../server/backup/backup-manifest.ts';
import { createNightlyBackup } from '../../server/backup/nightly-backup.ts';
import { createLease } from '../../server/worker/lease.ts';
import { createPortalWorker } from '../../server/worker/portal-worker.ts';
import { findTicketByCode } from '../../server/tickets/ticket-repository.ts';
import type { S3Settings } from '../../server/storage/s3-blob-store.ts';
import { createS3BlobStore } from '../../server/storage/s3-blob-store.ts';
import { databaseKinds, makeDatabase, type TestDatabase } from '../support/databases.ts';
import { CONTENT_DIR, startTestPortal, type TestPortal } from '../support/portal.ts';
import { s3TestSettings, stopS3Server, storeCases, type StoreKind } from '../support/s3-server.ts';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
const BACKUP = path.join(ROOT, 'scripts/backup.ts');
const RESTORE = path.join(ROOT, 'scripts/restore.ts');
const kinds = await databaseKinds();
const CLIENT = { ip: '198.51.100.20' };
const NEWEST_MIGRATION = fs
  .readdirSync(path.join(ROOT, 'server/db/migrations'))
  .filter((f) => /^\d{3}-[\w-]+\.ts$/.test(f))
  .sort()
  .at(-1)!
  .replace(/\.ts$/, '');
const DESCRIPTION = '人民路和府前街交叉口，机动车经过斑马线从来不礼让行人，老人过马路太危险了';

afterAll(stopS3Server);

function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

async function photo(seed: number): Promise<Uint8Array> {
  const colour = { r: seed % 256, g: (seed * 7) % 256, b: (seed * 13) % 256 };
  return new Uint8Array(
    await sharp({ create: { width: 64, height: 48, channels: 3, background: colour } })
      .jpeg()
      .toBuffer(),
  );
}

/** The settings a process of the portal gets: the database, the data folder and, for a bucket, its S3_* variables. */
function portalEnv(database: { url: string; dataDir: string; dataKey?: string | undefined }, s3: S3Settings | null): NodeJS.ProcessEnv {
  return {
    ...process.env,
    DATABASE_URL: database.url,
    DATA_DIR: database.dataDir,
    ...(database.dataKey && { DATA_KEY: database.dataKey }),
    CONTENT_DIR,
    ...(s3 && {
      BLOB_STORE: 's3',
      S3_ENDPOINT: s3.endpoint,
      S3_BUCKET: s3.bucket,
      S3_ACCESS_KEY_ID: s3.credentials!.accessKeyId,
      S3_SECRET_ACCESS_KEY: s3.credentials!.secretAccessKey,
    }),
  };
}

type Failed = { code: number; stderr: string };
const failure = (e: unknown) => e as Failed;

interface Acknowledged {
  trackingCode: string;
  photoId: string;
}

/** Submits reports with a photo each, one after the other without pause, until stopped. */
function submitWithoutPause(t: TestPortal) {
  const acknowledged: Acknowledged[] = [];
  let stopped = false;
  const loop = (async () => {
    for (let i = 0; !stopped; i++) {
      const uploaded = await t.portal.services.uploadPhoto(await photo(i), CLIENT);
      const { trackingCode } = await t.caller(CLIENT).report.submit({ description: DESCRIPTION, photoIds: [uploaded.id] });
      acknowledged.push({ trackingCode, photoId: uploaded.id });
    }
  })();
  return {
    acknowledged,
    async until(count: number) {
      while (acknowledged.length < count) await new Promise((resolve) => setImmediate(resolve));
    },
    async stop() {
      stopped = true;
      await loop;
    },
  };
}

describe.each(storeCases(kinds))('backup drill on %s with the %s store', (kind, store: StoreKind) => {
  it(
    'restores every report acknowledged before the backup began, photos byte-identical; verify finds damage; a non-empty DATA_DIR is refused unless --force',
    { timeout: 120_000 },
    async () => {
      const s3 = store === 's3' ? await s3TestSettings() : null;
      const t = await startTestPortal(kind, CONTENT_DIR, undefined, s3 ? { blobs: createS3BlobStore(s3) } : {});
      const backupDir = path.join(tempDir('backup-'), 'drill');
      let target: TestDatabase | undefined;
      try {
        const reports = submitWithoutPause(t);
        await reports.until(5);
        const before = reports.acknowledged.slice();
        const taken = await run(process.execPath, [BACKUP, '--', '--to', backupDir], { env: portalEnv(t.database, s3) });
        const duringBackup = reports.acknowledged.length - before.length;
        await reports.stop();
        // The portal took reports while the backup ran.
        expect(duringBackup).toBeGreaterThan(0);
        expect(JSON.parse(taken.stdout)).toMatchObject({ status: 'ok', trigger: 'manual' });
        // A copy of every resident's data left the database: recorded as an account action (安全审计).
        const recorded = await t.portal.database.db
          .selectFrom('account_events')
          .select(['actor_user_id', 'detail', 'ip'])
          .where('action', '=', 'exported')
          .execute();
        expect(recorded.map((r) => ({ ...r, detail: JSON.parse(r.detail) as unknown }))).toEqual([
          {
            actor_user_id: null,
            ip: null,
            detail: expect.objectContaining({
              kind: 'backup',
              format: 'snapshot',
              via: 'command-line',
              scope: expect.objectContaining({ dir: backupDir, status: 'ok' }),
            }),
          },
        ]);

        const manifest = await readManifest(backupDir);
        expect(manifest.database.kind).toBe(kind);
        expect(manifest.migration).toBe(NEWEST_MIGRATION);
        const keys = new Set(manifest.files.map((f) => f.key));
        for (const { photoId } of before) expect(keys).toContain(`media/${photoId}.webp`);
        expect([...keys].filter((k) => k.startsWith('site/') || k.endsWith('.sqlite'))).toEqual([]);
        // The data key is never in a backup (ADR 019): restoring needs the operator's copy.
        expect([...keys].filter((k) => k.startsWith('keys/'))).toEqual([]);
        const sourceKey = t.database.dataKey ?? defaultKeyFile(t.database.dataDir);

        // Restore into an empty data directory (a fresh database, a fresh bucket).
        target = await makeDatabase(kind);
        const restoredS3 = s3 ? await s3TestSettings() : null;
        const targetEnv = portalEnv(target, restoredS3);
        // A DATA_DIR with anything in it is refused, and nothing is restored.
        fs.writeFileSync(path.join(target.dataDir, 'left-over.txt'), 'x');
        const refused = failure(
          await run(process.execPath, [RESTORE, '--', '--from', backupDir], { env: targetEnv }).catch((e: unknown) => e),
        );
        expect(refused.code).toBe(1);
        expect(refused.stderr).toContain('DATA_DIR 不是空目录');
        expect(fs.readdirSync(target.dataDir).filter((f) => f !== 'keys')).toEqual(['left-over.txt']);
        fs.rmSync(path.join(target.dataDir, 'left-over.txt'));
        // Without the key of the backup's time, the restore says so (PostgreSQL: the target's own DATA_KEY is another key).
        const keyless = failure(
          await run(process.execPath, [RESTORE, '--', '--from', backupDir], { env: targetEnv }).catch((e: unknown) => e),
        );
        expect(keyless.code).toBe(1);
        expect(keyless.stderr).toContain('restored, but the data key does not fit');
        // SQLite's embedded default: --key puts the key in place; PostgreSQL: the operator puts it at DATA_KEY.
        if (target.dataKey) fs.copyFileSync(sourceKey, target.dataKey);
        await run(process.execPath, [RESTORE, '--', '--from', backupDir, '--force', ...(target.dataKey ? [] : ['--key', sourceKey])], {
          env: targetEnv,
        });

        const restored = await createPortal({
          databaseUrl: target.url,
          dataDir: target.dataDir,
          dataKey: target.dataKey,
          contentDir: CONTENT_DIR,
          clock: manualClock('2026-11-30T03:00:00.000Z'),
          ...(restoredS3 && { blobs: createS3BlobStore(restoredS3) }),
        });
        try {
          for (const { trackingCode, photoId } of before) {
            expect(await findTicketByCode(restored.database.db, trackingCode), trackingCode).toBeTruthy();
            for (const rendition of ['full', 'thumb'] as const) {
              const original = await t.portal.photos.read(photoId, rendition);
              const copy = await restored.photos.read(photoId, rendition);
              expect(copy && original && copy.equals(original), `${photoId} ${rendition}`).toBe(true);
            }
          }
        } finally {
          await restored.close();
        }
        // Over a restored portal only with --force (the database is replaced, the files put again).
        const again = failure(
          await run(process.execPath, [RESTORE, '--', '--from', backupDir], { env: targetEnv }).catch((e: unknown) => e),
        );
        expect(again.code).toBe(1);
        await run(process.execPath, [RESTORE, '--', '--from', backupDir, '--force'], { env: targetEnv });

        // One changed byte of a photo, and a cut database file: --verify names both.
        const photoKey = `media/${before[0]!.photoId}.webp`;
        const photoFile = path.join(backupDir, 'files', ...photoKey.split('/'));
        const bytes = fs.readFileSync(photoFile);
        const middle = bytes.length >> 1;
        bytes[middle] = bytes[middle]! ^ 0x01;
        fs.writeFileSync(photoFile, bytes);
        const databaseFile = path.join(backupDir, manifest.database.file);
        fs.truncateSync(databaseFile, Math.floor(fs.statSync(databaseFile).size / 2));
        const verified = failure(await run(process.execPath, [BACKUP, '--', '--verify', backupDir]).catch((e: unknown) => e));
        expect(verified.code).toBe(1);
        expect(verified.stderr).toContain(`文件 ${photoKey}：内容校验值（SHA-256）不符`);
        expect(verified.stderr).toContain(`数据库 ${manifest.database.file}：大小不符`);
        expect(verified.stderr).toMatch(kind === 'sqlite' ? /完整性检查未通过/ : /pg_restore 无法读取/);
        // A damaged backup is not restored.
        const damaged = await makeDatabase(kind);
        try {
          const notRestored = failure(
            await run(process.execPath, [RESTORE, '--', '--from', backupDir], { env: portalEnv(damaged, null) }).catch((e: unknown) => e),
          );
          expect(notRestored.code).toBe(1);
          expect(notRestored.stderr).toContain('备份检查未通过');
        } finally {
          await damaged.drop();
        }
      } finally {
        await target?.drop();
        await t.close();
        fs.rmSync(path.dirname(backupDir), { recursive: true, force: true });
      }
    },
  );
});

describe.each(kinds)('nightly backup on %s', (kind) => {
  it(
    'backs up from 03:00 China time once a night, keeps BACKUP_KEEP, records each outcome; admins are warned after 36 hours without one',
    { timeout: 60_000 },
    async () => {
      const t = await startTestPortal(kind);
      const root = tempDir('nightly-');
      try {
        await t.portal.services.uploadPhoto(await photo(1), CLIENT);
        const source = { database: t.portal.database, databaseUrl: t.database.url, blobs: t.portal.blobs, dataDir: t.database.dataDir };
        const lease = createLease({ db: t.portal.database.db, clock: t.clock, name: 'backup' });
        const nightly = createNightlyBackup({ source, settings: { dir: root, keep: 2 }, clock: t.clock, lease });
        const status = createBackupStatus({ db: t.portal.database.db, clock: t.clock });
        const at = (iso: string) => {
          t.clock.set(new Date(iso));
          return nightly(new Date(iso));
        };
        expect(await status.stale()).toBe(true);

        // 02:30 CST on 1 December: the first pass ever finds no backup since the night before — it takes one.
        expect(await at('2026-11-30T18:30:00.000Z')).toMatchObject({ backup: { status: 'ok' } });
        expect(await at('2026-11-30T18:45:00.000Z')).toEqual({ skipped: "tonight's backup is done" });
        // 03:05 CST: tonight's.
        expect(await at('2026-11-30T19:05:00.000Z')).toMatchObject({ backup: { status: 'ok' }, removed: [] });
        expect(await at('2026-12-01T19:00:00.000Z')).toMatchObject({ backup: { status: 'ok' }, removed: ['2026-11-30T18-30-00Z'] });
        expect(await at('2026-12-02T19:00:00.000Z')).toMatchObject({ removed: ['2026-11-30T19-05-00Z'] });
        expect(fs.readdirSync(root).sort()).toEqual(['2026-12-01T19-00-00Z', '2026-12-02T19-00-00Z']);
        const kept = await readManifest(path.join(root, '2026-12-02T19-00-00Z'));
        expect(kept.files.map((f) => f.key).filter((k) => k.startsWith('media/'))).toHaveLength(2);

        const shown = await status.status();
        expect(shown.recent.map((r) => r.status)).toEqual(['ok', 'ok', 'ok', 'ok']);
        expect(shown.last).toMatchObject({ trigger: 'nightly', dir: path.join(root, '2026-12-02T19-00-00Z'), files: kept.files.length });
        expect(shown.last!.sizeBytes).toBe(kept.files.reduce((sum, f) => sum + f.size, kept.database.size));
        expect(shown.stale).toBe(false);

        // The next night's backup fails (its folder cannot be made): recorded, not retried within the hour.
        fs.writeFileSync(path.join(root, '2026-12-03T19-00-00Z'), 'in the way');
        await expect(at('2026-12-03T19:00:00.000Z')).rejects.toThrow(/nightly backup failed/);
        expect(await at('2026-12-03T19:30:00.000Z')).toEqual({ skipped: 'a backup failed within the hour' });
        expect((await status.status()).last).toMatchObject({ status: 'failed', sizeBytes: null, error: expect.stringMatching(/\S/) });
        // 36 hours after the last good one, admins are warned.
        t.clock.set(new Date(new Date('2026-12-02T19:00:00.000Z').getTime() + (STALE_HOURS - 1) * 3_600_000));
        expect(await status.stale()).toBe(false);
        t.clock.set(new Date(new Date('2026-12-02T19:00:00.000Z').getTime() + (STALE_HOURS + 1) * 3_600_000));
        expect(await status.stale()).toBe(true);
      } finally {
        await t.close();
        fs.rmSync(root, { recursive: true, force: true });
      }
    },
  );
});

describe.runIf(kinds.includes('postgres'))('backup on PostgreSQL without pg_dump', () => {
  it('fails with an error naming the missing program, in Chinese and English, and leaves no folder', async () => {
    const t = await startTestPortal('postgres');
    const dir = path.join(tempDir('no-pg-dump-'), 'backup');
    try {
      const env = { ...portalEnv(t.database, null), PATH: path.join(dir, 'no-programs-here') };
      const failed = failure(await run(process.execPath, [BACKUP, '--', '--to', dir], { env }).catch((e: unknown) => e));
      expect(failed.code).toBe(1);
      expect(failed.stderr).toContain('找不到 pg_dump 程序');
      expect(failed.stderr).toContain('pg_dump is not installed');
      expect(fs.existsSync(dir)).toBe(false);
      expect((await createBackupStatus({ db: t.portal.database.db, clock: t.clock }).status()).last).toMatchObject({ status: 'failed' });
    } finally {
      await t.close();
      fs.rmSync(path.dirname(dir), { recursive: true, force: true });
    }
  });
});

describe.runIf(kinds.includes('sqlite'))('the worker with BACKUP_DIR', () => {
  it("backs up in its pass, after the day's other work, and records it", { timeout: 120_000 }, async () => {
    const t = await startTestPortal('sqlite');
    const root = tempDir('worker-backup-');
    const env = readEnv({ DATA_DIR: t.database.dataDir, DATABASE_URL: t.database.url, CONTENT_DIR, BACKUP_DIR: root, BACKUP_KEEP: '3' });
    const worker = createPortalWorker(t.portal, env, t.clock);
    try {
      const tick = await worker.scheduler.runOnce();
      expect(tick.jobs.at(-1)).toMatchObject({ job: 'backup', ok: true, result: { backup: { status: 'ok' } } });
      expect(fs.readdirSync(root)).toHaveLength(1);
      expect((await worker.scheduler.runOnce()).jobs.at(-1)).toMatchObject({
        job: 'backup',
        result: { skipped: "tonight's backup is done" },
      });
      expect((await t.portal.services.backups.status()).last).toMatchObject({ trigger: 'nightly', status: 'ok' });
      // The metrics' backup age (the scrape's clock is the pass's: the backup has just finished).
      expect(await t.portal.metrics.render()).toMatch(/^portal_backup_age_seconds 0$/m);
    } finally {
      worker.transport.close();
      await worker.scheduler.stop();
      await t.close();
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('backup settings', () => {
  it('BACKUP_DIR turns the nightly backup on (an absolute folder), BACKUP_KEEP defaults to 14; a wrong value names the variable', () => {
    expect(readEnv({}).backup).toEqual({ dir: null, keep: 14 });
    expect(readEnv({ BACKUP_DIR: 'backups', BACKUP_KEEP: '30' }).backup).toEqual({ dir: path.resolve('backups'), keep: 30 });
    expect(() => readEnv({ BACKUP_KEEP: '0' })).toThrow(EnvError);
    expect(() => readEnv({ BACKUP_KEEP: 'many' })).toThrow(/BACKUP_KEEP/);
  });
});
