// The worker's housekeeping on SQLite and PostgreSQL, through the real services and the injected
// clock: photos uploaded and never used go (record and both files) after ORPHAN_PHOTO_HOURS,
// while photos on a ticket, on a notice, on a unit's response (a draft too) and recent uploads
// stay; a photo attached in the same moment is never lost; expired staff sessions and throttle
// counters whose window has passed go; files of the photo store that no record explains (a crash
// between writing and recording, a `kill -9` mid-upload) go once a day old, and only those.
// Photos are deleted through the blob store: the suites run on the disk store (both databases)
// and on an S3-compatible bucket (s3rver, SQLite).
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHousekeeping, ORPHAN_PHOTO_HOURS, STRAY_FILE_HOURS, STRAY_SWEEP_HOURS } from '../../server/worker/housekeeping.ts';
import { databaseKinds } from '../support/databases.ts';
import { CONTENT_DIR, startTestPortal, TEST_THROTTLE_LIMITS, type TestPortal } from '../support/portal.ts';
import { blobStoreOf, stopS3Server, storeCases } from '../support/s3-server.ts';
import { makeTicket, staffUser, uploadAfterPhoto } from '../support/ticket-factory.ts';

const kinds = await databaseKinds();
afterAll(stopS3Server);
const HOUR = 3_600_000;
const MARKET = '西关集贸市场东门口垃圾堆放好几天了，没人清运，气味很大';
const CLIENT = { ip: '203.0.113.9', userAgent: 'vitest' };

let colour = 0;
async function residentPhoto(t: TestPortal): Promise<string> {
  colour = (colour + 41) % 256;
  const jpeg = await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: colour, g: 80, b: 120 } } })
    .jpeg()
    .toBuffer();
  return (await t.portal.services.uploadPhoto(new Uint8Array(jpeg), CLIENT)).id;
}

describe.each(storeCases(kinds))('housekeeping on %s, %s store', (kind, storeKind) => {
  let t: TestPortal;
  beforeEach(async () => {
    t = await startTestPortal(kind, CONTENT_DIR, TEST_THROTTLE_LIMITS, { blobs: await blobStoreOf(storeKind) });
  });
  afterEach(async () => {
    await t?.close();
  });

  const housekeeping = () => createHousekeeping({ db: t.portal.database.db, photos: t.portal.photos, throttles: t.portal.throttles });
  const filesOf = async (id: string) =>
    Promise.all(Object.values(t.portal.photos.keys(id)).map(async (key) => (await t.portal.blobs.head(key)) !== null));
  const recorded = async (id: string) =>
    (await t.portal.database.db.selectFrom('photos').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;

  it('removes photos nobody used once they are old enough, and keeps every photo in use', async () => {
    t.clock.set('2026-11-30T02:00:00.000Z');
    const abandoned = await residentPhoto(t);
    const abandonedAfter = await uploadAfterPhoto(t, 'fagaiju');
    const onTicket = await residentPhoto(t);
    const submitted = await t.caller().report.submit({ description: MARKET, photoIds: [onTicket] });
    const ticket = await makeTicket(t, { text: MARKET, unit: 'fagaiju', status: 'closed', at: '2026-11-30T02:10:00.000Z' });

    // A notice with the ticket's photo, and the unit's response draft with an after-photo of its own.
    const office = await staffUser(t, 'office');
    const unit = await staffUser(t, 'fagaiju');
    const [reportPhoto] = await t.portal.database.db.selectFrom('photos').select('id').where('ticket_id', '=', ticket.id).execute();
    const notice = await t.portal.services.notices.saveDraft(office, {
      trackingCodes: [submitted.trackingCode, ticket.trackingCode],
      title: '西关集贸市场垃圾长期无人清运',
      body: '经查，西关集贸市场东门口垃圾堆放多日无人清运，现予曝光。',
      unitCode: 'fagaiju',
      responseDueAt: '2026-12-07T02:00:00.000Z',
      photos: [{ id: onTicket, kind: 'before', alt: '整改前：市场东门口的垃圾' }],
    });
    await t.portal.services.notices.publish(office, { id: notice.id });
    const responsePhoto = await uploadAfterPhoto(t, 'fagaiju');
    await t.portal.services.notices.saveResponse(unit, {
      noticeId: notice.id,
      body: '我局已组织清运，并增设垃圾桶两处，安排专人每日保洁。',
      photos: [{ id: responsePhoto, alt: '整改后：已清理干净' }],
    });

    // Just before the limit nothing goes; a fresh upload stays after it too.
    t.clock.set(new Date(Date.parse('2026-11-30T02:00:00.000Z') + ORPHAN_PHOTO_HOURS * HOUR - 60_000));
    const fresh = await residentPhoto(t);
    expect((await housekeeping().runOnce(t.clock.now())).orphanPhotos).toBe(0);

    t.clock.set(new Date(Date.parse('2026-11-30T02:00:00.000Z') + ORPHAN_PHOTO_HOURS * HOUR + 60_000));
    const run = await housekeeping().runOnce(t.clock.now());
    expect(run.orphanPhotos).toBe(2);
    for (const gone of [abandoned, abandonedAfter]) {
      expect(await recorded(gone)).toBe(false);
      expect(await filesOf(gone)).toEqual([false, false]);
    }
    for (const kept of [onTicket, reportPhoto!.id, responsePhoto, fresh]) {
      expect(await recorded(kept), kept).toBe(true);
      expect(await filesOf(kept)).toEqual([true, true]);
    }
    // Again: nothing more to do.
    expect((await housekeeping().runOnce(t.clock.now())).orphanPhotos).toBe(0);
  });

  it('a photo attached while housekeeping runs is kept, and the late form is told the other one expired', async () => {
    t.clock.set('2026-11-30T02:00:00.000Z');
    const late = await residentPhoto(t);
    const expired = await residentPhoto(t);
    t.clock.set(new Date(Date.parse('2026-11-30T02:00:00.000Z') + ORPHAN_PHOTO_HOURS * HOUR + 60_000));
    // Attaching `late` first: the delete re-checks ticket_id and leaves it alone.
    const submitted = await t.caller().report.submit({ description: MARKET, photoIds: [late] });
    expect((await housekeeping().runOnce(t.clock.now())).orphanPhotos).toBe(1);
    expect(await recorded(late)).toBe(true);
    expect(submitted.trackingCode).toMatch(/^[2-9A-Z]{3}-[2-9A-Z]{3}-[2-9A-Z]{3}$/);
    await expect(t.caller().report.submit({ description: MARKET, photoIds: [expired] })).rejects.toThrow(
      '有照片已失效或已被使用，请删除这些照片后重新上传',
    );
  });

  it('removes expired staff sessions only', async () => {
    const user = await staffUser(t, 'office');
    await t.portal.services.accounts.login(user.username, 'ticket-factory-42', CLIENT);
    t.clock.set('2026-12-30T02:00:00.000Z');
    const { token } = await t.portal.services.accounts.login(user.username, 'ticket-factory-42', CLIENT);
    const run = await housekeeping().runOnce(t.clock.now());
    expect(run.expiredSessions).toBe(1);
    expect(await t.portal.services.accounts.userForSession(token)).toMatchObject({ username: user.username });
    const left = await t.portal.database.db.selectFrom('sessions').select('id').execute();
    expect(left).toHaveLength(1);
  });

  it('removes throttle counters whose window has passed, and keeps those still counting', async () => {
    await t
      .caller({ ip: '198.51.100.33', sameOrigin: true })
      .auth.login({ username: 'nobody', password: 'wrong-pass-1' })
      .catch(() => {});
    const counters = () => t.portal.database.db.selectFrom('throttle_counts').select(['scope', 'key']).execute();
    expect(await counters()).toHaveLength(2);
    expect((await housekeeping().runOnce(t.clock.now())).expiredThrottleCounts).toBe(0);
    t.clock.advance(17 * 60_000);
    expect((await housekeeping().runOnce(t.clock.now())).expiredThrottleCounts).toBe(2);
    expect(await counters()).toHaveLength(0);
  });

  it('removes objects no record explains once a day old, and nothing else (through the store)', async () => {
    // The store sets an object's time itself (a bucket cannot be told another), so the sweep runs
    // first as of now, then a day later: on the real clock, which object times follow.
    const blobs = t.portal.blobs;
    const id = () => randomBytes(16).toString('hex');
    t.clock.set(new Date());
    const kept = await residentPhoto(t);
    const unrecorded = id();
    const strays = [`media/${unrecorded}.webp`, `media/${unrecorded}.thumb.webp`];
    const others = ['media/notes.txt', `mail-raw/${id()}.eml`];
    for (const key of [...strays, ...others]) await blobs.put(key, Buffer.from('x'), { contentType: 'application/octet-stream' });
    const exists = async (keys: string[]) => Promise.all(keys.map(async (k) => (await blobs.head(k)) !== null));

    expect((await housekeeping().runOnce(t.clock.now())).strayFiles).toBe(0);
    expect(await exists(strays)).toEqual([true, true]);

    t.clock.advance((STRAY_FILE_HOURS + 1) * HOUR);
    expect((await housekeeping().runOnce(t.clock.now())).strayFiles).toBe(strays.length);
    expect(await exists(strays)).toEqual([false, false]);
    expect(await exists(others)).toEqual([true, true]);
    expect(await filesOf(kept)).toEqual([true, true]);
    expect(await recorded(kept)).toBe(true);
  });

  it.skipIf(storeKind !== 'disk')('removes files of the photo store no record explains once a day old, and nothing else', async () => {
    const store = t.portal.photos;
    const now = t.clock.now().getTime();
    // Written as of `hoursAgo` on the portal's clock (file times are the real clock's otherwise).
    const file = (name: string, hoursAgo: number, dir = store.dir) => {
      fs.mkdirSync(dir, { recursive: true });
      const at = path.join(dir, name);
      fs.writeFileSync(at, 'x');
      const time = new Date(now - hoursAgo * HOUR);
      fs.utimesSync(at, time, time);
      return at;
    };
    const id = () => randomBytes(16).toString('hex');
    const old = STRAY_FILE_HOURS + 1;

    // A photo with its record, its files as old as the strays: kept.
    const kept = await residentPhoto(t);
    for (const rendition of Object.values(store.keys(kept)))
      fs.utimesSync(t.portal.blobs.localPath(rendition)!, new Date(now - old * HOUR), new Date(now - old * HOUR));
    // Left by crashes: renditions without a record, a rendition's temp file, an upload never finished.
    const unrecorded = id();
    const strays = [
      file(`${unrecorded}.webp`, old),
      file(`${unrecorded}.thumb.webp`, old),
      file(`.${id()}.webp.0a1b2c3d4e5f.tmp`, old),
      file(`${id()}.upload`, old, store.incomingDir),
    ];
    // The same, written in the last day: perhaps a photo whose record is being committed, an
    // upload in progress. And a file the store never writes.
    const recent = id();
    const fresh = [
      file(`${recent}.webp`, 1),
      file(`${recent}.thumb.webp`, 1),
      file(`.${id()}.webp.0a1b2c3d4e5f.tmp`, 1),
      file(`${id()}.upload`, 1, store.incomingDir),
      file('notes.txt', old),
    ];

    const sweeper = housekeeping();
    expect((await sweeper.runOnce(t.clock.now())).strayFiles).toBe(strays.length);
    expect(strays.filter((f) => fs.existsSync(f))).toEqual([]);
    expect(fresh.filter((f) => !fs.existsSync(f))).toEqual([]);
    expect(await filesOf(kept)).toEqual([true, true]);
    expect(await recorded(kept)).toBe(true);

    // The folder is read every STRAY_SWEEP_HOURS, not every pass.
    const later = file(`${id()}.upload`, old, store.incomingDir);
    t.clock.advance(60_000);
    expect((await sweeper.runOnce(t.clock.now())).strayFiles).toBe(0);
    t.clock.advance(STRAY_SWEEP_HOURS * HOUR);
    expect((await sweeper.runOnce(t.clock.now())).strayFiles).toBe(1);
    expect(fs.existsSync(later)).toBe(false);
  });
});
