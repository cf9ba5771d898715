// The dedicated mailbox's intake (issue 4, items 3–4) on SQLite and PostgreSQL: what a mail
// becomes — a ticket with the sender as reporter and its photo attached, a reply on a ticket's
// timeline, nothing for auto-replies, bounces and lists — deduplicated by Message-ID, with one
// acknowledgement per new ticket (Auto-Submitted: auto-replied) and a cap on floods. Issue 11
// item 6: an acknowledgement only to a sender the trusted mail server authenticated, caps per
// sender (+tags folded) and per domain, and a short, link-free quote of the subject.
// Issue 16: the raw message, its attachments and its photos are kept through the blob store —
// the suite runs on the disk store (both databases) and on an S3-compatible bucket (s3rver).
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBlob } from '../../server/storage/blob-store.ts';
import { sealedBytesKeyId } from '../../server/db/data-keys.ts';
import { keyringOf, lookupHashes } from '../../server/db/personal-data.ts';
import { openStoredFile } from '../../server/db/sealed-files.ts';
import { listMail } from '../../server/notify/mail-outbox-repository.ts';
import { createMailDelivery } from '../../server/notify/mail-delivery.ts';
import { createTransport } from '../../server/notify/mail-transport.ts';
import { ACKNOWLEDGEMENT_KIND } from '../../server/intake/mail/acknowledgement.ts';
import { createMailIntake } from '../../server/intake/mail/mail-intake.ts';
import { processPhoto } from '../../server/media/photo-pipeline.ts';
import { recordPhoto } from '../../server/media/photo-repository.ts';
import { databaseKinds } from '../support/databases.ts';
import { startTestPortal, type TestPortal } from '../support/portal.ts';
import { blobStoreOf, stopS3Server, storeCases } from '../support/s3-server.ts';
import { staffUser } from '../support/ticket-factory.ts';

const kinds = await databaseKinds();
afterAll(stopS3Server);

/** The authserv-id of "our" receiving mail server (MAIL_AUTHSERV_ID) in these tests. */
const OUR_MX = 'mx.lincheng.example';

let serial = 0;
function mail(options: {
  from?: string;
  subject: string;
  text: string;
  messageId?: string | null;
  headers?: Record<string, string>;
  photo?: Buffer;
  /** Another attachment (a document). */
  file?: { filename: string; contentType: string; content: Buffer };
  /** Authentication-Results values, top first; default: our server's dmarc=pass for the From domain. */
  auth?: string[];
}): Buffer {
  const id = options.messageId === undefined ? `<test-${++serial}-${Date.now()}@qq.example>` : options.messageId;
  const from = options.from ?? '张三 <zhangsan@qq.example>';
  const domain = /@([^>\s]+)>?\s*$/.exec(from)?.[1] ?? '';
  const auth = options.auth ?? [`${OUR_MX}; dmarc=pass (p=none) header.from=${domain}`];
  const head = [
    ...auth.map((value) => `Authentication-Results: ${value}`),
    `From: ${from}`,
    'To: chuangcheng@lincheng.example',
    `Subject: =?UTF-8?B?${Buffer.from(options.subject).toString('base64')}?=`,
    'Date: Mon, 30 Nov 2026 10:00:00 +0800',
    ...(id ? [`Message-ID: ${id}`] : []),
    'MIME-Version: 1.0',
    ...Object.entries(options.headers ?? {}).map(([k, v]) => `${k}: ${v}`),
  ];
  const body = Buffer.from(options.text).toString('base64');
  if (!options.photo && !options.file) {
    return Buffer.from(
      [...head, 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: base64', '', body, ''].join('\r\n'),
    );
  }
  return Buffer.from(
    [
      ...head,
      'Content-Type: multipart/mixed; boundary="b1"',
      '',
      '--b1',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: base64',
      '',
      body,
      ...(options.photo
        ? [
            '--b1',
            'Content-Type: image/jpeg; name="photo.jpg"',
            'Content-Disposition: attachment; filename="photo.jpg"',
            'Content-Transfer-Encoding: base64',
            '',
            options.photo.toString('base64').replace(/.{76}/g, '$&\r\n'),
          ]
        : []),
      ...(options.file
        ? [
            '--b1',
            `Content-Type: ${options.file.contentType}`,
            `Content-Disposition: attachment; filename*=UTF-8''${encodeURIComponent(options.file.filename)}`,
            'Content-Transfer-Encoding: base64',
            '',
            options.file.content.toString('base64').replace(/.{76}/g, '$&\r\n'),
          ]
        : []),
      '--b1--',
      '',
    ].join('\r\n'),
  );
}

const REPORT = '人民路与解放街交叉口东北角的垃圾桶已经满了三天没人清运，气味很大，请尽快处理。';

describe.each(storeCases(kinds))('mail intake on %s, %s store', (kind, storeKind) => {
  let t: TestPortal;
  let photo: Buffer;
  beforeAll(async () => {
    // Our server's results are believed; the domain cap is lowered from 100 to test it.
    t = await startTestPortal(kind, undefined, undefined, {
      mailLimits: { trustedAuthservIds: [OUR_MX], acknowledgementsPerDomainPerDay: 5 },
      blobs: await blobStoreOf(storeKind),
    });
    photo = await sharp({ create: { width: 800, height: 600, channels: 3, background: { r: 200, g: 80, b: 40 } } })
      .jpeg()
      .toBuffer();
  });
  afterAll(() => t.close());

  const tickets = async () =>
    Number(
      (
        await t.portal.database.db
          .selectFrom('tickets')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const acks = async () => (await listMail(t.portal.database.db, { kind: ACKNOWLEDGEMENT_KIND, limit: 1000 })).length;

  it('makes a new mail a ticket with the sender as reporter and the photo attached; the same mail again answers the same', async () => {
    const raw = mail({ subject: '垃圾桶满溢', text: REPORT, photo });
    const first = await t.portal.services.mail.processMail(raw, { file: 'a.eml' });
    expect(first.outcome).toBe('created');
    expect(first.trackingCode).toMatch(/^[2-9A-Z]{3}-[2-9A-Z]{3}-[2-9A-Z]{3}$/);
    expect(first.subject).toBe('垃圾桶满溢');

    const office = await staffUser(t, 'office');
    const detail = await t.portal.services.staff.detail(office, first.trackingCode!);
    expect(detail.channel ?? 'mail').toBe('mail');
    expect(detail.reporter?.email).toBe('zhangsan@qq.example');
    expect(detail.reporter?.name).toBe('张三');
    expect(detail.photos.before).toHaveLength(1);
    expect(detail.description).toContain('垃圾桶');

    const before = await tickets();
    const again = await t.portal.services.mail.processMail(raw, { file: 'a-again.eml' });
    expect(again).toEqual(first);
    expect(await tickets()).toBe(before);
    // Concurrent copies: still one ticket, one acknowledgement.
    const raw2 = mail({ subject: '路灯不亮', text: '新华街北段的路灯已经一个星期不亮了，晚上行人很不安全。' });
    const [a, b] = await Promise.all([t.portal.services.mail.processMail(raw2, {}), t.portal.services.mail.processMail(raw2, {})]);
    expect(a.trackingCode).toBe(b.trackingCode);
    expect(await tickets()).toBe(before + 1);
    const rawFiles = [];
    for await (const o of t.portal.blobs.list('mail-raw/')) rawFiles.push(o.key);
    expect(rawFiles.length).toBeGreaterThanOrEqual(2);
  });

  it('keeps the raw message, a document attachment and the photo through the store', async () => {
    const pdf = Buffer.from(`%PDF-1.7 整改前情况说明 ${storeKind}`);
    const raw = mail({
      from: '王五 <wangwu@qq.example>',
      subject: '小区门口路面塌陷',
      text: '幸福小区南门口的路面塌陷了一个大坑，电动车经过很危险，附上照片和说明。',
      photo,
      file: { filename: '情况说明.pdf', contentType: 'application/pdf', content: pdf },
    });
    const result = await t.portal.services.mail.processMail(raw, {});
    expect(result.outcome).toBe('created');
    const row = await t.portal.database.db
      .selectFrom('mail_messages')
      .select(['raw_path', 'attachments'])
      .where('raw_path', '=', `mail-raw/${createHash('sha256').update(raw).digest('hex')}.eml`)
      .executeTakeFirstOrThrow();
    // The row names the object's key (the plain bytes' sha256); the store holds the message
    // sealed under the data key (ADR 019), which opens to it byte for byte.
    const keyring = keyringOf(t.portal.database.db);
    const storedRaw = (await readBlob(t.portal.blobs, row.raw_path!))!;
    expect(sealedBytesKeyId(storedRaw)).toBe(keyring.activeId);
    expect(storedRaw.includes(Buffer.from('wangwu@qq.example'))).toBe(false);
    expect(openStoredFile(keyring, storedRaw).equals(raw)).toBe(true);
    const attachments = JSON.parse(row.attachments) as Array<{ name: string; path?: string; photoId?: string }>;
    const document = attachments.find((a) => a.name === '情况说明.pdf');
    expect(document?.path).toMatch(/^mail-attachments\/[0-9a-f]{64}-情况说明\.pdf$/);
    expect(document!.path).toContain(createHash('sha256').update(pdf).digest('hex'));
    const storedPdf = (await readBlob(t.portal.blobs, document!.path!))!;
    expect(storedPdf.includes(Buffer.from('整改前情况说明'))).toBe(false);
    expect(keyring.openBytes(storedPdf).equals(pdf)).toBe(true);
    expect((await t.portal.blobs.head(document!.path!))?.size).toBe(storedPdf.length);
    // The photo went through the pipeline: both renditions are in the store.
    const photoId = attachments.find((a) => a.photoId)?.photoId;
    expect(photoId).toBeDefined();
    expect((await t.portal.photos.read(photoId!, 'full'))?.subarray(8, 12).toString()).toBe('WEBP');
    expect(await t.portal.photos.read(photoId!, 'thumb')).not.toBeNull();
  });

  it('queues one acknowledgement, sent with Auto-Submitted: auto-replied', async () => {
    const result = await t.portal.services.mail.processMail(
      mail({ from: 'lisi@163.example', subject: '井盖缺失', text: '建设路小学门口的井盖缺失，非常危险。' }),
      {},
    );
    expect(result.outcome).toBe('created');
    const sent = (await listMail(t.portal.database.db, { kind: ACKNOWLEDGEMENT_KIND })).filter((m) => m.to.includes('lisi@163.example'));
    expect(sent).toHaveLength(1);
    expect(sent[0]!.subject).toContain(result.trackingCode);
    expect(sent[0]!.text).toContain(`/track?code=${result.trackingCode}`);
    expect(sent[0]!.text).toContain('隐私');

    const dir = path.join(t.database.dataDir, 'ack-out');
    const delivery = createMailDelivery({
      db: t.portal.database.db,
      transport: createTransport({ dataDir: dir }),
      clock: t.clock,
      from: '"创城办" <noreply@lincheng.example>',
    });
    await delivery.runOnce();
    const files = fs.readdirSync(path.join(dir, 'mail-out')).map((f) => fs.readFileSync(path.join(dir, 'mail-out', f), 'utf8'));
    const ack = files.find((f) => f.includes(sent[0]!.messageId));
    expect(ack).toMatch(/^Auto-Submitted: auto-replied/m);
  });

  it('appends a reply with the tracking code in the subject, or answering our Message-ID, to the ticket', async () => {
    const created = await t.portal.services.mail.processMail(
      mail({ from: 'wangwu@foxmail.example', subject: '占道经营', text: '东关菜市场门口每天早上占道经营，车辆无法通行。' }),
      {},
    );
    const before = await tickets();
    const bySubject = await t.portal.services.mail.processMail(
      mail({
        from: 'wangwu@foxmail.example',
        subject: `回复：【已受理】您反映的问题已收到（查询码 ${created.trackingCode!.toLowerCase().replace(/-/g, ' ')}）`,
        // A bidi override and a NUL, which would reorder or cut what the office reads.
        text: '补充一下：周末\u202E更严重\u202C。\u0000',
      }),
      {},
    );
    expect(bySubject).toMatchObject({ outcome: 'appended', trackingCode: created.trackingCode });

    const [ack] = (await listMail(t.portal.database.db, { kind: ACKNOWLEDGEMENT_KIND })).filter((m) =>
      m.to.includes('wangwu@foxmail.example'),
    );
    const byHeader = await t.portal.services.mail.processMail(
      mail({
        from: 'wangwu@foxmail.example',
        subject: 'Re: 那个问题',
        text: '今天还是一样。',
        headers: { 'In-Reply-To': ack!.messageId, References: ack!.messageId },
      }),
      {},
    );
    expect(byHeader).toMatchObject({ outcome: 'appended', trackingCode: created.trackingCode });
    expect(await tickets()).toBe(before);
    expect(
      (await listMail(t.portal.database.db, { kind: ACKNOWLEDGEMENT_KIND })).filter((m) => m.to.includes('wangwu@foxmail.example')),
    ).toHaveLength(1);

    const detail = await t.portal.services.staff.detail(await staffUser(t, 'office'), created.trackingCode!);
    expect(detail.messages.map((m) => m.kind)).toEqual(['reply', 'reply']);
    expect(detail.messages[0]!.text).toContain('周末更严重。');
    expect(detail.messages[0]!.text).not.toMatch(/[\u0000\u202C\u202E]/);
    expect(detail.messages[0]!.from).toContain('wangwu@foxmail.example');
  });

  it('ignores auto-replies, bounces and list mail: no ticket, no acknowledgement', async () => {
    const before = await tickets();
    const acksBefore = await acks();
    const auto = await t.portal.services.mail.processMail(
      mail({
        from: 'away@qq.example',
        subject: '自动回复：您的来信已收到',
        text: '我正在休假，稍后回复您。',
        headers: { 'Auto-Submitted': 'auto-replied' },
      }),
      {},
    );
    expect(auto.outcome).toBe('ignored');
    const list = await t.portal.services.mail.processMail(
      mail({
        from: 'news@list.example',
        subject: '本周新闻摘要：文明城市创建进展',
        text: '本周新闻摘要，内容很长很长。',
        headers: { 'List-Id': '<news.list.example>', Precedence: 'list' },
      }),
      {},
    );
    expect(list.outcome).toBe('ignored');
    const [ack] = await listMail(t.portal.database.db, { kind: ACKNOWLEDGEMENT_KIND });
    const bounce = Buffer.from(
      [
        'From: MAILER-DAEMON@mx.qq.example',
        'To: chuangcheng@lincheng.example',
        'Subject: Undelivered Mail Returned to Sender',
        `Message-ID: <bounce-${Date.now()}@mx.qq.example>`,
        'MIME-Version: 1.0',
        'Content-Type: multipart/report; report-type=delivery-status; boundary="r"',
        '',
        '--r',
        'Content-Type: text/plain',
        '',
        'This is the mail system. Your message could not be delivered.',
        '--r',
        'Content-Type: message/delivery-status',
        '',
        'Reporting-MTA: dns; mx.qq.example',
        '',
        `Final-Recipient: rfc822; ${ack!.to[0]}`,
        'Action: failed',
        'Status: 5.1.1',
        '',
        '--r',
        'Content-Type: text/rfc822-headers',
        '',
        `Message-ID: ${ack!.messageId}`,
        `Subject: ${ack!.subject}`,
        '',
        '--r--',
        '',
      ].join('\r\n'),
    );
    const bounced = await t.portal.services.mail.processMail(bounce, {});
    expect(bounced.outcome).toBe('ignored');
    expect(await tickets()).toBe(before);
    expect(await acks()).toBe(acksBefore);
    const [row] = await listMail(t.portal.database.db, { kind: ACKNOWLEDGEMENT_KIND, ticketId: ack!.ticketId! });
    expect(row!.lastError ?? '').toContain('退信');
  });

  it('caps tickets per sender per day, and acknowledgements at three', async () => {
    const from = 'flood@spam.example';
    const outcomes: string[] = [];
    for (let i = 0; i < 12; i++) {
      const r = await t.portal.services.mail.processMail(
        mail({ from, subject: `问题 ${i} 号`, text: `第 ${i} 个问题：小区门口路面坑洼不平，雨天积水。` }),
        {},
      );
      outcomes.push(r.reason === 'flood' ? 'flood' : r.outcome);
    }
    expect(outcomes.filter((o) => o === 'created')).toHaveLength(10);
    expect(outcomes.slice(10)).toEqual(['flood', 'flood']);
    expect((await listMail(t.portal.database.db, { kind: ACKNOWLEDGEMENT_KIND })).filter((m) => m.to.includes(from))).toHaveLength(3);
  });

  it('ignores mail from our own addresses', async () => {
    const intake = createMailIntake({
      db: t.portal.database.db,
      writes: { run: (work) => t.portal.database.db.transaction().execute(work), runStatement: (work) => work(t.portal.database.db) },
      intake: {
        submitReport: () => {
          throw new Error('no report from ourselves');
        },
      },
      photos: { process: processPhoto, store: t.portal.photos, record: recordPhoto },
      clock: t.clock,
      blobs: t.portal.blobs,
      keyring: keyringOf(t.portal.database.db),
      ourAddresses: ['NoReply@Lincheng.example'],
      publicUrl: 'https://cc.lincheng.example',
    });
    const before = await acks();
    const r = await intake.processMail(
      mail({ from: '创城办 <noreply@lincheng.example>', subject: '测试邮件来自本平台', text: '这是平台自己发出的邮件，不应成为问题。' }),
      {},
    );
    expect(r).toMatchObject({ outcome: 'ignored', reason: 'from ourselves' });
    expect(await acks()).toBe(before);
  });

  it('quarantines a mail that is not a valid report, with the reason, and keeps it', async () => {
    const r = await t.portal.services.mail.processMail(mail({ subject: '', text: '好', messageId: null }), {});
    expect(r.outcome).toBe('quarantined');
    expect(r.reason).toMatch(/[\u4e00-\u9fff]/);
    const again = await t.portal.services.mail.processMail(mail({ subject: '', text: '好', messageId: null }), {});
    expect(again).toEqual(r);
  });

  it('quarantines a file that is not a mail at all, however much text it has', async () => {
    const licence = Buffer.from(
      'MIT License\n\nPermission is hereby granted, free of charge, to any person obtaining a copy of this software.\n',
    );
    const r = await t.portal.services.mail.processMail(licence, { file: 'LICENSE' });
    expect(r).toMatchObject({ outcome: 'quarantined', reason: expect.stringMatching(/not an e-mail message/) });
  });

  const acksTo = async (pattern: RegExp) =>
    (await listMail(t.portal.database.db, { kind: ACKNOWLEDGEMENT_KIND, limit: 1000 })).filter((m) => m.to.some((a) => pattern.test(a)));
  const rowOf = (trackingCode: string) =>
    t.portal.database.db
      .selectFrom('mail_messages')
      .innerJoin('tickets', 'tickets.id', 'mail_messages.ticket_id')
      .select(['mail_messages.outcome', 'mail_messages.reason', 'tickets.description'])
      .where('tickets.tracking_code', '=', trackingCode)
      .executeTakeFirstOrThrow();

  it('backscatter repro: five forged mails to one mailbox make five tickets and no acknowledgement', async () => {
    const before = await tickets();
    const results = [];
    for (const from of [
      'victim@example.net',
      'victim+1@example.net',
      'victim+2@example.net',
      'victim+3@example.net',
      'victim+4@example.net',
    ]) {
      results.push(
        await t.portal.services.mail.processMail(
          mail({
            from,
            subject: '广告：访问 http://spam.example 领奖',
            text: '恭喜您中奖了，请访问网站领取奖品，名额有限先到先得。',
            auth: [],
          }),
          {},
        ),
      );
    }
    expect(results.map((r) => r.outcome)).toEqual(Array(5).fill('created'));
    expect(await tickets()).toBe(before + 5);
    expect(await acksTo(/victim/)).toEqual([]);
    // The mailbox record says why, for the office.
    expect(results[0]!.reason).toBe(`no acknowledgement: sender not authenticated (no Authentication-Results from ${OUR_MX})`);
    expect((await rowOf(results[4]!.trackingCode!)).reason).toBe(results[0]!.reason);
  });

  it('acknowledges once a real sender our server authenticated (dmarc=pass), quoting 20 link-free characters of the subject', async () => {
    const r = await t.portal.services.mail.processMail(
      mail({
        from: '赵六 <zhaoliu@163.example>',
        subject: '广告：访问 http://spam.example 领奖',
        text: '新华街与建设路口的红绿灯坏了两天了，早晚高峰很乱。',
        auth: [`${OUR_MX}; spf=pass smtp.mailfrom=zhaoliu@163.example; dkim=pass header.d=163.example; dmarc=pass header.from=163.example`],
      }),
      {},
    );
    expect(r).toMatchObject({ outcome: 'created' });
    expect(r.reason).toBeUndefined();
    const sent = await acksTo(/^zhaoliu@163\.example$/);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.text).toContain('来信“广告：访问 领奖”已登记');
    for (const part of [sent[0]!.subject, sent[0]!.text, sent[0]!.html]) expect(part).not.toMatch(/spam/);

    const long = '建设路与人民路交叉口东北角的垃圾桶已经满了三天没有人清运，详见 www.spam.example 或 boss@spam.example';
    await t.portal.services.mail.processMail(mail({ from: 'sunqi@163.example', subject: long, text: REPORT }), {});
    const [ack] = await acksTo(/^sunqi@163\.example$/);
    expect(ack!.text).toContain(`来信“${Array.from(long).slice(0, 20).join('')}…”已登记`);
    expect(ack!.text).not.toMatch(/spam/);
  });

  it('ignores an Authentication-Results header with another authserv-id, and a pass beside our dmarc=fail', async () => {
    const forged = await t.portal.services.mail.processMail(
      mail({
        from: 'victim@forged.example',
        subject: '领奖通知',
        text: '恭喜您中奖了，请访问网站领取奖品，名额有限先到先得。',
        auth: ['mx.spammer.example; dmarc=pass header.from=forged.example; dkim=pass header.d=forged.example'],
      }),
      {},
    );
    expect(forged).toMatchObject({
      outcome: 'created',
      reason: `no acknowledgement: sender not authenticated (no Authentication-Results from ${OUR_MX})`,
    });
    const beside = await t.portal.services.mail.processMail(
      mail({
        from: 'victim@forged.example',
        subject: '领奖通知二',
        text: '恭喜您再次中奖了，请访问网站领取奖品，名额有限先到先得。',
        auth: [
          `${OUR_MX}; spf=fail smtp.mailfrom=forged.example; dmarc=fail header.from=forged.example`,
          `${OUR_MX}; dmarc=pass header.from=forged.example`,
        ],
      }),
      {},
    );
    expect(beside.reason).toBe('no acknowledgement: sender not authenticated (dmarc=fail for forged.example)');
    expect(await acksTo(/forged\.example/)).toEqual([]);
  });

  it('counts a sender’s +tagged addresses as one, for acknowledgements and the flood cap', async () => {
    const outcomes: string[] = [];
    for (let i = 0; i < 12; i++) {
      const from = i === 0 ? 'tagger@tags.example' : `Tagger+${i}@tags.example`;
      const r = await t.portal.services.mail.processMail(
        mail({ from, subject: `第 ${i} 个问题`, text: `第 ${i} 个问题：小区门口路面坑洼不平，雨天积水。` }),
        {},
      );
      outcomes.push(r.reason === 'flood' ? 'flood' : r.outcome);
    }
    expect(outcomes).toEqual([...Array(10).fill('created'), 'flood', 'flood']);
    expect((await acksTo(/^tagger/)).map((m) => m.to[0])).toEqual([
      'tagger+2@tags.example',
      'tagger+1@tags.example',
      'tagger@tags.example',
    ]);
    // Addresses are stored encrypted (ADR 019): the sender's rows are found by their keyed hash.
    const [last] = (
      await t.portal.database.db
        .selectFrom('mail_messages')
        .select(['reason', 'from_address'])
        .where('from_hash', 'in', lookupHashes(t.portal.database.db, 'email', 'tagger@tags.example'))
        .execute()
    ).filter((m) => m.from_address === 'tagger+9@tags.example');
    expect(last!.reason).toBe('no acknowledgement: 3 already sent to this sender in 24 hours (MAIL_ACKS_PER_SENDER_PER_DAY)');
  });

  it('acknowledges one domain at most MAIL_ACKS_PER_DOMAIN_PER_DAY times a day (5 here), then again the next day', async () => {
    const send = (i: number) =>
      t.portal.services.mail.processMail(mail({ from: `resident${i}@busy.example`, subject: `问题 ${i}`, text: REPORT }), {});
    const results = [];
    for (let i = 0; i < 7; i++) results.push(await send(i));
    expect(results.map((r) => r.outcome)).toEqual(Array(7).fill('created'));
    expect(await acksTo(/@busy\.example$/)).toHaveLength(5);
    expect(results[6]!.reason).toBe('no acknowledgement: 5 already sent to busy.example in 24 hours (MAIL_ACKS_PER_DOMAIN_PER_DAY)');
    // Another domain is not held back; nor is this one a day later.
    await t.portal.services.mail.processMail(mail({ from: 'resident@quiet.example', subject: '问题', text: REPORT }), {});
    expect(await acksTo(/@quiet\.example$/)).toHaveLength(1);
    t.clock.advance(24 * 60 * 60 * 1000 + 1000);
    await send(7);
    expect(await acksTo(/@busy\.example$/)).toHaveLength(6);
  });
});

describe.each(kinds)('mail intake with the default settings on %s', (kind) => {
  let t: TestPortal;
  beforeAll(async () => {
    t = await startTestPortal(kind);
  });
  afterAll(() => t.close());

  it('acknowledges nobody without MAIL_AUTHSERV_ID, whatever the mail claims, and keeps every report', async () => {
    const sources = [{}, { file: 'forged.eml' }];
    const results = [];
    for (const [i, from] of [
      'victim@example.net',
      'victim+1@example.net',
      'victim+2@example.net',
      'victim+3@example.net',
      'victim+4@example.net',
    ].entries()) {
      results.push(
        await t.portal.services.mail.processMail(
          mail({
            from,
            subject: '广告：访问 http://spam.example 领奖',
            text: '恭喜您中奖了，请访问网站领取奖品，名额有限先到先得。',
            auth: i % 2 === 0 ? [] : [`${OUR_MX}; dmarc=pass header.from=example.net`],
          }),
          sources[i % 2]!,
        ),
      );
    }
    expect(results.map((r) => r.outcome)).toEqual(Array(5).fill('created'));
    expect(new Set(results.map((r) => r.reason))).toEqual(
      new Set(['no acknowledgement: sender not authenticated (no trusted mail server configured (MAIL_AUTHSERV_ID))']),
    );
    expect(await listMail(t.portal.database.db, { kind: ACKNOWLEDGEMENT_KIND })).toEqual([]);
  });
});
