// The dedicated mailbox's intake (issue 4, items 3–4) on SQLite and PostgreSQL: what a mail
// becomes — a ticket with the sender as reporter and its photo attached, a reply on a ticket's
// timeline, nothing for auto-replies, bounces and lists — deduplicated by Message-ID, with one
// acknowledgement per new ticket (Auto-Submitted: auto-replied) and a cap on floods.
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listMail } from '../../server/notify/mail-outbox.ts';
import { createMailDelivery } from '../../server/notify/mail-delivery.ts';
import { createTransport } from '../../server/notify/mail-transport.ts';
import { ACKNOWLEDGEMENT_KIND, createMailIntake } from '../../server/intake/mail/mail-intake.ts';
import { processPhoto } from '../../server/media/photo-pipeline.ts';
import { recordPhoto } from '../../server/media/photo-repository.ts';
import { databaseKinds } from '../support/databases.ts';
import { startTestPortal, type TestPortal } from '../support/portal.ts';
import { staffUser } from '../support/ticket-factory.ts';

const kinds = await databaseKinds();

let serial = 0;
function mail(options: {
  from?: string;
  subject: string;
  text: string;
  messageId?: string | null;
  headers?: Record<string, string>;
  photo?: Buffer;
}): Buffer {
  const id = options.messageId === undefined ? `<test-${++serial}-${Date.now()}@qq.example>` : options.messageId;
  const head = [
    `From: ${options.from ?? '张三 <zhangsan@qq.example>'}`,
    'To: chuangcheng@lincheng.example',
    `Subject: =?UTF-8?B?${Buffer.from(options.subject).toString('base64')}?=`,
    'Date: Mon, 30 Nov 2026 10:00:00 +0800',
    ...(id ? [`Message-ID: ${id}`] : []),
    'MIME-Version: 1.0',
    ...Object.entries(options.headers ?? {}).map(([k, v]) => `${k}: ${v}`),
  ];
  const body = Buffer.from(options.text).toString('base64');
  if (!options.photo) {
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
      '--b1',
      'Content-Type: image/jpeg; name="photo.jpg"',
      'Content-Disposition: attachment; filename="photo.jpg"',
      'Content-Transfer-Encoding: base64',
      '',
      options.photo.toString('base64').replace(/.{76}/g, '$&\r\n'),
      '--b1--',
      '',
    ].join('\r\n'),
  );
}

const REPORT = '人民路与解放街交叉口东北角的垃圾桶已经满了三天没人清运，气味很大，请尽快处理。';

describe.each(kinds)('mail intake on %s', (kind) => {
  let t: TestPortal;
  let photo: Buffer;
  beforeAll(async () => {
    t = await startTestPortal(kind);
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
    const rawFiles = fs.readdirSync(path.join(t.database.dataDir, 'mail-raw'));
    expect(rawFiles.length).toBeGreaterThanOrEqual(2);
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
        text: '补充一下：周末更严重。',
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
    expect(detail.messages[0]!.text).toContain('周末更严重');
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
      writes: { run: (work) => t.portal.database.db.transaction().execute(work) },
      intake: {
        submitReport: () => {
          throw new Error('no report from ourselves');
        },
      },
      photos: { process: processPhoto, store: t.portal.photos, record: recordPhoto },
      clock: t.clock,
      dataDir: t.database.dataDir,
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
});
