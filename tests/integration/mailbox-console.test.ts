// The mailbox as the office sees it (issue 4, item 6) on SQLite and PostgreSQL: the worker's
// reads recorded (success, failure, IDLE or polling), counts of what mail became, quarantined mail
// with its reasons, and re-processing one after the cause is fixed — once, even when two people
// press the button, with the quarantined row kept as the record. The raw message is re-read
// from the blob store: on disk (both databases) and in an S3-compatible bucket (s3rver, SQLite).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sealedBytesKeyId } from '../../server/db/data-keys.ts';
import { keyringOf } from '../../server/db/personal-data.ts';
import { readBlob } from '../../server/storage/blob-store.ts';
import { createMailboxStatus } from '../../server/intake/mail/mailbox-status.ts';
import { databaseKinds } from '../support/databases.ts';
import { CONTENT_DIR, startTestPortal, TEST_THROTTLE_LIMITS, type TestPortal } from '../support/portal.ts';
import { blobStoreOf, stopS3Server, storeCases } from '../support/s3-server.ts';
import { staffUser } from '../support/ticket-factory.ts';

const kinds = await databaseKinds();
afterAll(stopS3Server);

let serial = 0;
function mail(from: string, subject: string, text: string): Buffer {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  return Buffer.from(
    [
      `From: ${from}`,
      'To: chuangcheng@lincheng.example',
      `Subject: =?UTF-8?B?${b64(subject)}?=`,
      'Date: Mon, 30 Nov 2026 10:00:00 +0800',
      `Message-ID: <console-${++serial}-${Date.now()}@example.com>`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: base64',
      '',
      b64(text),
      '',
    ].join('\r\n'),
  );
}

describe.each(storeCases(kinds))('mailbox console on %s, %s store', (kind, storeKind) => {
  let t: TestPortal;
  beforeAll(async () => {
    t = await startTestPortal(kind, CONTENT_DIR, TEST_THROTTLE_LIMITS, { blobs: await blobStoreOf(storeKind) });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('records the worker’s reads: success with counts, failures counted until the next success, the IDLE state', async () => {
    const office = await staffUser(t, 'office');
    const status = createMailboxStatus(t.portal.database.db);
    const box = t.portal.services.mailbox;
    expect((await box.overview(office)).health).toMatchObject({ configured: false, lastSuccessAt: null, mode: 'poll' });

    await status.succeeded(new Date('2026-11-30T02:00:00Z'), { handled: 3, quarantined: 1, failed: 0, remaining: 0 });
    await status.failed(new Date('2026-11-30T02:01:00Z'), new Error('connect ECONNREFUSED 127.0.0.1:993'));
    await status.failed(new Date('2026-11-30T02:02:00Z'), new Error('connect ECONNREFUSED 127.0.0.1:993'));
    let health = (await box.overview(office)).health;
    expect(health).toMatchObject({
      lastSuccessAt: '2026-11-30T02:00:00.000Z',
      lastAttemptAt: '2026-11-30T02:02:00.000Z',
      lastError: 'connect ECONNREFUSED 127.0.0.1:993',
      consecutiveFailures: 2,
      lastRun: { handled: 3, quarantined: 1 },
    });

    await status.mode(new Date('2026-11-30T02:03:00Z'), 'idle');
    await status.succeeded(new Date('2026-11-30T02:04:00Z'), { handled: 0, quarantined: 0, failed: 0, remaining: 0 });
    health = (await box.overview(office)).health;
    expect(health).toMatchObject({ consecutiveFailures: 0, mode: 'idle', modeSince: '2026-11-30T02:03:00.000Z' });
  });

  it('lists quarantined mail with reasons, and re-processes a flood once the office judges it real', async () => {
    const office = await staffUser(t, 'office');
    const box = t.portal.services.mailbox;
    const from = `busy-${kind}@example.com`;
    const results = [];
    for (let i = 0; i < 11; i++) {
      results.push(
        await t.portal.services.mail.processMail(mail(from, `路灯不亮 第${i + 1}处`, `东环路第${i + 1}根路灯不亮了，晚上很黑。`)),
      );
    }
    expect(results.at(-1)).toMatchObject({ outcome: 'quarantined', reason: 'flood' });

    const before = await box.overview(office);
    expect(before.counts.all).toMatchObject({ created: 10, quarantined: 1 });
    const [held] = before.quarantined;
    expect(held).toMatchObject({ from, subject: '路灯不亮 第11处', reason: 'flood', canReprocess: true });

    // Two people press the button at once: one re-processing, the other is told.
    const both = await Promise.allSettled([box.reprocess(office, held!.id), box.reprocess(office, held!.id)]);
    const done = both.filter((r) => r.status === 'fulfilled');
    expect(done).toHaveLength(1);
    expect((done[0] as PromiseFulfilledResult<{ outcome: string; trackingCode?: string }>).value).toMatchObject({ outcome: 'created' });
    expect(both.find((r) => r.status === 'rejected')).toMatchObject({ reason: { name: 'ConflictError' } });

    const after = await box.overview(office);
    expect(after.quarantined.find((q) => q.id === held!.id)).toBeUndefined();
    expect(after.counts.all).toMatchObject({ created: 11, quarantined: 0 });
    expect(after.reprocessed[0]).toMatchObject({ id: held!.id, outcome: 'created', trackingCode: expect.any(String) });
    const rows = await t.portal.database.db
      .selectFrom('mail_messages')
      .select(['outcome', 'source', 'reprocessed_by'])
      .where('subject', '=', '路灯不亮 第11处')
      .orderBy('id')
      .execute();
    expect(rows).toEqual([
      { outcome: 'quarantined', source: null, reprocessed_by: office.id },
      { outcome: 'created', source: `reprocess:${held!.id}`, reprocessed_by: null },
    ]);

    // The same message again (a second IMAP copy, a re-import) is a duplicate of the new ticket.
    await expect(box.reprocess(office, held!.id)).rejects.toThrow('不在隔离区');
  });

  it('lets only the office re-process; leaders read; units neither', async () => {
    const office = await staffUser(t, 'office');
    const unit = await staffUser(t, 'zhujianju');
    const leader = { ...office, id: office.id, role: 'leader' as const };
    const box = t.portal.services.mailbox;
    await expect(box.overview(unit)).rejects.toMatchObject({ name: 'ForbiddenError' });
    // Too short to be a report: quarantined with the intake's own message.
    const short = await t.portal.services.mail.processMail(mail('brief@example.com', '', '灯'));
    expect(short.outcome).toBe('quarantined');
    const read = await box.overview(leader);
    expect(read.quarantined[0]?.from).toMatch(/^b\*\*\*@example\.com$/);
    await expect(box.reprocess(leader, 1)).rejects.toMatchObject({ name: 'ForbiddenError' });
    await expect(box.reprocess(office, 999_999)).rejects.toMatchObject({ name: 'NotFoundError' });
  });

  it('lists the new tickets whose sender got no acknowledgement, with the reason (address masked for leaders)', async () => {
    const office = await staffUser(t, 'office');
    const leader = { ...office, role: 'leader' as const };
    // No MAIL_AUTHSERV_ID here: nobody is authenticated, so nobody is acknowledged.
    const created = await t.portal.services.mail.processMail(
      mail('forged@example.net', '领奖通知', '恭喜您中奖了，请访问网站领取奖品，名额有限。'),
    );
    expect(created.outcome).toBe('created');
    const { unacknowledged, unacknowledgedTotal } = await t.portal.services.mailbox.overview(office);
    expect(unacknowledgedTotal).toBeGreaterThanOrEqual(1);
    expect(unacknowledged[0]).toMatchObject({
      from: 'forged@example.net',
      subject: '领奖通知',
      trackingCode: created.trackingCode,
      reason: 'no acknowledgement: sender not authenticated (no trusted mail server configured (MAIL_AUTHSERV_ID))',
    });
    expect((await t.portal.services.mailbox.overview(leader)).unacknowledged[0]?.from).toBe('f***@example.net');
  });

  it('re-processes a raw message an older release kept in clear, and refuses a sealed one that was altered', async () => {
    const office = await staffUser(t, 'office');
    const box = t.portal.services.mailbox;
    // The sender of the flood above is over the day's cap: these two are quarantined.
    const from = `busy-${kind}@example.com`;
    const held = [];
    for (const n of [12, 13]) {
      const raw = mail(from, `路灯不亮 第${n}处`, `东环路第${n}根路灯不亮了，晚上很黑。`);
      expect(await t.portal.services.mail.processMail(raw)).toMatchObject({ outcome: 'quarantined', reason: 'flood' });
      const row = await t.portal.database.db
        .selectFrom('mail_messages')
        .select(['id', 'raw_path'])
        .orderBy('id', 'desc')
        .executeTakeFirstOrThrow();
      const stored = (await readBlob(t.portal.blobs, row.raw_path!))!;
      expect(sealedBytesKeyId(stored)).toBe(keyringOf(t.portal.database.db).activeId);
      held.push({ id: Number(row.id), key: row.raw_path!, raw, stored });
    }
    const [clear, altered] = held as [(typeof held)[0], (typeof held)[0]];
    // As an older release kept it: the message itself, no envelope.
    await t.portal.blobs.put(clear.key, clear.raw, { contentType: 'message/rfc822' });
    expect(await box.reprocess(office, clear.id)).toMatchObject({ outcome: 'created' });

    const damaged = Buffer.from(altered.stored);
    damaged[damaged.length - 1]! ^= 0x01;
    await t.portal.blobs.put(altered.key, damaged, { contentType: 'message/rfc822' });
    await expect(box.reprocess(office, altered.id)).rejects.toThrow('原文文件无法解密');
  });

  it('says so when the kept raw message is gone', async () => {
    const office = await staffUser(t, 'office');
    const result = await t.portal.services.mail.processMail(Buffer.from('just some text, no headers at all\r\n'));
    expect(result.outcome).toBe('quarantined');
    const row = await t.portal.database.db
      .selectFrom('mail_messages')
      .select(['id', 'raw_path'])
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    await t.portal.blobs.delete(row.raw_path!);
    await expect(t.portal.services.mailbox.reprocess(office, Number(row.id))).rejects.toThrow('原文文件已不在服务器上');
  });
});
