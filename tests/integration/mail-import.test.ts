// `npm run mail:import` over the whole mail corpus (tests/fixtures/mail-corpus, 606 real-world
// test mails, many malformed on purpose), in-process through the same importMailFiles the script
// calls: no crash, no hang, every message gets an outcome, and the mails the corpus tags as
// bounces or auto-replies create no ticket. Also: an mbox is split into its messages, an
// unreadable file is reported, not fatal, and several messages at once (the default) still answer
// in input order, one ticket per message however often it comes, the sender's caps counted in order.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACKNOWLEDGEMENT_KIND } from '../../server/intake/mail/acknowledgement.ts';
import { importMailFiles, splitMbox } from '../../server/intake/mail/mail-import.ts';
import { listMail } from '../../server/notify/mail-outbox-repository.ts';
import { databaseKinds } from '../support/databases.ts';
import { startTestPortal, type TestPortal } from '../support/portal.ts';

const CORPUS = path.resolve(import.meta.dirname, '../fixtures/mail-corpus');
const kinds = await databaseKinds();

interface Entry {
  path: string;
  bounce: boolean;
  autoReply: boolean;
}

/** A plain mail, with a JPEG attached when `photo` is given. */
function eml(options: { from: string; subject: string; text: string; messageId: string | null; date?: string; photo?: Buffer }): Buffer {
  const head = [
    `From: ${options.from}`,
    'To: chuangcheng@lincheng.example',
    `Subject: =?UTF-8?B?${Buffer.from(options.subject).toString('base64')}?=`,
    `Date: ${options.date ?? 'Mon, 30 Nov 2026 10:00:00 +0800'}`,
    ...(options.messageId ? [`Message-ID: ${options.messageId}`] : []),
    'MIME-Version: 1.0',
  ];
  const text = [
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: base64',
    '',
    Buffer.from(options.text).toString('base64'),
  ];
  if (!options.photo) return Buffer.from([...head, ...text, ''].join('\r\n'));
  return Buffer.from(
    [
      ...head,
      'Content-Type: multipart/mixed; boundary="b1"',
      '',
      '--b1',
      ...text,
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

function corpus(): Entry[] {
  const [header, ...rows] = fs.readFileSync(path.join(CORPUS, 'index.tsv'), 'utf8').trimEnd().split('\n');
  const columns = header!.split('\t');
  const col = (name: string) => columns.indexOf(name);
  return rows.map((row) => {
    const cells = row.split('\t');
    return { path: cells[col('path')]!, bounce: cells[col('is_bounce')] === '1', autoReply: cells[col('is_auto_reply')] === '1' };
  });
}

describe.each(kinds)('mail:import on %s', (kind) => {
  let t: TestPortal;
  beforeAll(async () => {
    // Files carry no Authentication-Results of a server we trust: acknowledged only with
    // MAIL_ACK_UNAUTHENTICATED=1, as here, so that the acknowledgement cap's order is seen.
    t = await startTestPortal(kind, undefined, undefined, { mailLimits: { acknowledgeUnauthenticated: true } });
  });
  afterAll(() => t.close());

  it('gives every corpus message an outcome; bounces and auto-replies make no ticket', { timeout: 120_000 }, async () => {
    const entries = corpus();
    expect(entries.length).toBeGreaterThanOrEqual(600);
    const files = entries.map((e) => path.join(CORPUS, e.path));
    const lines = await importMailFiles(t.portal.services.mail, files);

    const byFile = new Map<string, typeof lines>();
    for (const line of lines) {
      const file = line.file.replace(/#\d+$/, '');
      byFile.set(file, [...(byFile.get(file) ?? []), line]);
      expect(['created', 'appended', 'ignored', 'quarantined']).toContain(line.outcome);
      expect(typeof line.subject).toBe('string');
      if (line.outcome === 'created') expect(line.trackingCode).toMatch(/^[2-9A-Z]{3}-[2-9A-Z]{3}-[2-9A-Z]{3}$/);
    }
    for (const file of files) expect(byFile.get(file)?.length ?? 0, file).toBeGreaterThan(0);

    const shouldNotTicket = entries.filter((e) => e.bounce || e.autoReply);
    expect(shouldNotTicket.length).toBeGreaterThan(60);
    const made = shouldNotTicket.filter((e) => byFile.get(path.join(CORPUS, e.path))!.some((l) => l.outcome === 'created'));
    expect(made.map((e) => e.path)).toEqual([]);

    const count = (o: string) => lines.filter((l) => l.outcome === o).length;
    const tickets = await t.portal.database.db
      .selectFrom('tickets')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(tickets.n)).toBe(new Set(lines.filter((l) => l.outcome === 'created').map((l) => l.trackingCode)).size);
    console.info(
      `mail corpus on ${kind}: ${lines.length} messages from ${files.length} files — created ${count('created')}, appended ${count('appended')}, ignored ${count('ignored')}, quarantined ${count('quarantined')}`,
    );
  });

  it('splits an mbox on its From_ lines and reports an unreadable file', async () => {
    const mbox = [
      'From alice@example.com Mon Nov 30 10:00:00 2026',
      'From: 小王 <xiaowang@qq.example>',
      'Subject: mbox one',
      'Message-ID: <mbox-1@qq.example>',
      '',
      '文化路东段的人行道地砖松动，老人容易摔倒。',
      '>From the archive: quoted line',
      '',
      'From bob@example.com Mon Nov 30 11:00:00 2026',
      'From: 小李 <xiaoli@qq.example>',
      'Subject: mbox two',
      'Message-ID: <mbox-2@qq.example>',
      '',
      '公园北门的公共厕所没有水，已经好几天了。',
      '',
    ].join('\n');
    const parts = splitMbox(Buffer.from(mbox));
    expect(parts).toHaveLength(2);
    expect(parts[0]!.toString()).toContain('\nFrom the archive');
    expect(parts[0]!.toString().startsWith('From: ')).toBe(true);

    const file = path.join(t.database.dataDir, 'box.mbox');
    fs.writeFileSync(file, mbox);
    const lines = await importMailFiles(t.portal.services.mail, [file, path.join(t.database.dataDir, 'missing.eml')]);
    expect(lines.map((l) => [l.file.replace(t.database.dataDir, ''), l.outcome, l.subject])).toEqual([
      ['/box.mbox#1', 'created', 'mbox one'],
      ['/box.mbox#2', 'created', 'mbox two'],
      ['/missing.eml', 'quarantined', ''],
    ]);
    expect(lines[2]!.reason).toMatch(/unreadable/);
  });
  it('imports several messages at once: input order kept, one ticket per message however often it comes, caps counted in order', async () => {
    const dir = fs.mkdtempSync(path.join(t.database.dataDir, 'at-once-'));
    const photo = await sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 30, g: 120, b: 60 } } })
      .jpeg()
      .toBuffer();
    const resident = `wangwu-${kind}@qq.example`;
    const withPhoto = eml({
      from: `赵六 <zhaoliu-${kind}@163.example>`,
      subject: '人行道被占',
      text: '府前街农贸市场门口的人行道被摊位占满，行人只能走机动车道。',
      messageId: `<at-once-photo-${kind}@163.example>`,
      photo,
    });
    const noId = eml({
      from: `孙七 <sunqi-${kind}@126.example>`,
      subject: '路灯不亮',
      text: '新华街北段的路灯一周没亮了。',
      messageId: null,
    });
    const fromResident = (n: number) =>
      eml({
        from: `王五 <${resident}>`,
        subject: `第${n}件事`,
        text: `文化路第${n}个路口的问题：井盖松动，车辆经过时响声很大。`,
        messageId: `<at-once-${n}-${kind}@qq.example>`,
      });
    const files: string[] = [];
    const put = (name: string, raw: Buffer) => {
      const file = path.join(dir, name);
      fs.writeFileSync(file, raw);
      files.push(file);
    };
    put('photo.eml', withPhoto);
    put('resident-01.eml', fromResident(1));
    put('photo-copy.eml', withPhoto); // the same bytes
    put('no-id.eml', noId);
    put('resident-02.eml', fromResident(2));
    // The same Message-ID sent again with another Date: the same message.
    put(
      'photo-resent.eml',
      Buffer.from(withPhoto.toString('latin1').replace('Mon, 30 Nov 2026 10:00:00', 'Mon, 30 Nov 2026 10:05:00'), 'latin1'),
    );
    put('no-id-copy.eml', noId);
    for (let n = 3; n <= 12; n++) put(`resident-${String(n).padStart(2, '0')}.eml`, fromResident(n));

    const { db } = t.portal.database;
    const unattached = async () =>
      Number(
        (
          await db
            .selectFrom('photos')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('ticket_id', 'is', null)
            .executeTakeFirstOrThrow()
        ).n,
      );
    const unattachedBefore = await unattached();
    const seen: string[] = [];
    const lines = await importMailFiles(t.portal.services.mail, files, (line) => seen.push(line.file), { concurrency: 8 });

    expect(lines.map((l) => l.file)).toEqual(files);
    expect(seen).toEqual(files);
    const by = (name: string) => lines.find((l) => l.file === path.join(dir, name))!;
    const photoTicket = by('photo.eml');
    expect(photoTicket.outcome).toBe('created');
    for (const copy of ['photo-copy.eml', 'photo-resent.eml'])
      expect(by(copy), copy).toEqual({ ...photoTicket, file: path.join(dir, copy) });
    expect(by('no-id.eml').outcome).toBe('created');
    expect(by('no-id-copy.eml')).toEqual({ ...by('no-id.eml'), file: path.join(dir, 'no-id-copy.eml') });
    // Ten new tickets a day per sender, in the order the mails came.
    const residents = lines.filter((l) => l.file.includes('resident-'));
    expect(residents.map((l) => l.outcome)).toEqual([...Array(10).fill('created'), 'quarantined', 'quarantined']);
    expect(residents.slice(10).map((l) => l.reason)).toEqual(['flood', 'flood']);

    const codes = [...new Set(lines.flatMap((l) => (l.trackingCode ? [l.trackingCode] : [])))];
    expect(codes).toHaveLength(12);
    const tickets = await db.selectFrom('tickets').select(['id', 'tracking_code']).where('tracking_code', 'in', codes).execute();
    expect(tickets).toHaveLength(12);
    const ticketOf = (code: string | undefined) => Number(tickets.find((r) => r.tracking_code === code)!.id);
    // One row per message, none for the copies; the photo processed once and attached.
    const rows = await db.selectFrom('mail_messages').select('source').where('source', 'like', `file:${dir}%`).execute();
    expect(rows.map((r) => r.source!.slice(`file:${dir}/`.length)).sort()).toEqual(
      ['photo.eml', 'no-id.eml', ...Array.from({ length: 12 }, (_, i) => `resident-${String(i + 1).padStart(2, '0')}.eml`)].sort(),
    );
    const photos = await db.selectFrom('photos').select('id').where('ticket_id', '=', ticketOf(photoTicket.trackingCode)).execute();
    expect(photos).toHaveLength(1);
    expect(await unattached()).toBe(unattachedBefore);
    // Three acknowledgements a day per sender: for the first three of the resident's tickets.
    const acks = (await listMail(db, { kind: ACKNOWLEDGEMENT_KIND, limit: 1000 })).filter((m) => m.to.includes(resident));
    expect(acks.map((m) => m.ticketId).sort()).toEqual(
      residents
        .slice(0, 3)
        .map((l) => ticketOf(l.trackingCode))
        .sort(),
    );
  });
});

describe('importMailFiles with a stand-in pipeline', () => {
  it('keeps at most `concurrency` messages and `maxBytesInFlight` bytes in progress, and answers in input order', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mail-import-'));
    try {
      const files = Array.from({ length: 12 }, (_, i) => {
        const file = path.join(dir, `${i}.eml`);
        fs.writeFileSync(file, `Subject: ${i}\r\n\r\n${'x'.repeat(i % 3 === 0 ? 1000 : 10)}`);
        return file;
      });
      let inFlight = 0;
      let bytes = 0;
      let most = 0;
      let mostBytes = 0;
      const standIn = {
        async processMail(raw: Buffer) {
          inFlight++;
          bytes += raw.length;
          most = Math.max(most, inFlight);
          mostBytes = Math.max(mostBytes, bytes);
          const n = Number(/Subject: (\d+)/.exec(raw.toString())![1]);
          // Later messages often finish first.
          await new Promise((resolve) => setTimeout(resolve, (12 - n) % 5));
          inFlight--;
          bytes -= raw.length;
          return { outcome: 'ignored' as const, subject: String(n) };
        },
      };
      const seen: string[] = [];
      const lines = await importMailFiles(standIn, files, (line) => seen.push(line.subject), { concurrency: 4 });
      expect(lines.map((l) => l.file)).toEqual(files);
      expect(seen).toEqual(files.map((_, i) => String(i)));
      expect(most).toBe(4);

      most = 0;
      mostBytes = 0;
      const budgeted = await importMailFiles(standIn, files, () => {}, { concurrency: 4, maxBytesInFlight: 1100 });
      expect(budgeted.map((l) => l.subject)).toEqual(files.map((_, i) => String(i)));
      expect(mostBytes).toBeLessThanOrEqual(1100);
      expect(most).toBeGreaterThan(1);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
