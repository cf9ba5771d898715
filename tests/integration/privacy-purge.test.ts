// The retention purge (issue 5, item 5; `npm run privacy:purge`) on SQLite and PostgreSQL. Seeded
// the way production makes them — web reports, hotline calls, mail from the dedicated mailbox
// with a reply and an attachment, follow-up calls, a reopened ticket, a merged and a rejected one
// — with names, numbers and addresses that occur nowhere else. After the purge none of the old
// ones remains in any text column of any table, nor their raw mail and attachment files, while
// tickets, events, calls and follow-ups still count the same; open and recent tickets, recent
// calls and mail are untouched; a dry run changes nothing and counts what the purge then does;
// a second purge removes nothing more. The files are deleted through the blob store: the suite
// runs on the disk store (both databases) and on an S3-compatible bucket (s3rver, SQLite). The
// audit records (ticket events, account actions with staff sign-in addresses, ADR 018) are kept
// whole: not one row changes, and their hash chain still verifies.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { sealAuditRecords } from '../../server/audit/audit-sealer.ts';
import { verifyAuditRecords } from '../../server/audit/audit-verify.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StaffUser } from '../../server/auth/roles.ts';
import { EnvError, readEnv } from '../../server/env.ts';
import { createPrivacyPurge, type PurgeResult } from '../../server/privacy/purge.ts';
import type { TicketRecord } from '../../server/tickets/ticket-repository.ts';
import { findTicketByCode } from '../../server/tickets/ticket-repository.ts';
import { databaseKinds } from '../support/databases.ts';
import { CONTENT_DIR, startTestPortal, TEST_THROTTLE_LIMITS, type TestPortal } from '../support/portal.ts';
import { blobStoreOf, stopS3Server, storeCases } from '../support/s3-server.ts';
import { createStaffUser, STAFF_PASSWORD } from '../support/staff-accounts.ts';
import { act, makeTicket, reportRectification } from '../support/ticket-factory.ts';

const kinds = await databaseKinds();
afterAll(stopS3Server);
const run = promisify(execFile);
const HOUR = 3600_000;
const NOW = '2026-11-30T02:00:00.000Z';
/** 730 days before NOW. */
const CUT = '2024-11-30T02:00:00.000Z';
const STAFF_SIGN_IN_IP = '198.51.100.61';

/** People whose data is old enough to go. */
const OLD = {
  web: { name: '欧阳明远', phone: '13900011101', email: 'ouyang.mingyuan@example.com', ip: '203.0.113.177', ua: 'PurgeProbe/1.0 (ouyang)' },
  caller: { name: '司马长风', phone: '13900022202' },
  plusOne: { name: '诸葛青云', phone: '13900033303' },
  consult: { name: '上官飞燕', phone: '13900044404' },
  mail: { name: '慕容秋水', phone: '13900055505', email: 'murong.qiushui@example.com' },
  quarantined: { email: 'nangong.xue@example.com' },
  merged: { name: '东方未明', phone: '13900066606', email: 'dongfang.weiming@example.com' },
};
/** People whose data stays: an old ticket still open, a recent one, recent calls and mail. */
const KEPT = {
  open: { name: '令狐冲', phone: '13900077707', email: 'linghu.chong@example.com' },
  openCall: { name: '任盈盈', phone: '13900088808' },
  recent: { name: '岳灵珊', phone: '13900099909', email: 'yue.lingshan@example.com' },
  recentCall: { name: '林平之', phone: '13900010010' },
  recentMail: { email: 'lin.pingzhi@example.com' },
};
const needles = (people: Record<string, Record<string, string>>) => Object.values(people).flatMap((p) => Object.values(p));

let serial = 0;
function mail(o: { from: string; subject: string; text: string; attachment?: { name: string; text: string } }): Buffer {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const head = [
    `From: ${o.from}`,
    'To: chuangcheng@lincheng.example',
    `Subject: =?UTF-8?B?${b64(o.subject)}?=`,
    'Date: Mon, 30 Nov 2023 10:00:00 +0800',
    `Message-ID: <purge-${++serial}@mail.example>`,
    'MIME-Version: 1.0',
  ];
  if (!o.attachment) {
    return Buffer.from(
      [...head, 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: base64', '', b64(o.text), ''].join('\r\n'),
    );
  }
  const name = `=?UTF-8?B?${b64(o.attachment.name)}?=`;
  return Buffer.from(
    [
      ...head,
      'Content-Type: multipart/mixed; boundary="b1"',
      '',
      '--b1',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: base64',
      '',
      b64(o.text),
      '--b1',
      `Content-Type: application/octet-stream; name="${name}"`,
      `Content-Disposition: attachment; filename="${name}"`,
      'Content-Transfer-Encoding: base64',
      '',
      b64(o.attachment.text),
      '--b1--',
      '',
    ].join('\r\n'),
  );
}

const encodedName = (name: string, email: string) => `=?UTF-8?B?${Buffer.from(name).toString('base64')}?= <${email}>`;

describe('PERSONAL_DATA_RETENTION_DAYS', () => {
  it('defaults to 730 days and refuses a period shorter than 30', () => {
    expect(readEnv({}).privacy.retentionDays).toBe(730);
    expect(readEnv({ PERSONAL_DATA_RETENTION_DAYS: '365' }).privacy.retentionDays).toBe(365);
    expect(() => readEnv({ PERSONAL_DATA_RETENTION_DAYS: '7' })).toThrow(EnvError);
    expect(() => readEnv({ PERSONAL_DATA_RETENTION_DAYS: 'two years' })).toThrow(/PERSONAL_DATA_RETENTION_DAYS/);
  });
});

describe.each(storeCases(kinds))('privacy:purge on %s, %s store', (kind, storeKind) => {
  let t: TestPortal;
  let operator: StaffUser;
  const kept: Record<string, TicketRecord> = {};
  const purge = (o: { dryRun?: boolean } = {}) => {
    t.clock.set(NOW);
    return createPrivacyPurge({ db: t.portal.database.db, blobs: t.portal.blobs, clock: t.clock, retentionDays: 730 }).purge(o);
  };

  /** Every row of every table, as JSON text per table. */
  async function snapshot(): Promise<Record<string, string>> {
    const db = t.portal.database.db;
    const tables = await db.introspection.getTables();
    const out: Record<string, string> = {};
    for (const table of tables) {
      const rows = await sql<Record<string, unknown>>`select * from ${sql.table(table.name)}`.execute(db);
      const sorted = rows.rows.map((r) => JSON.stringify(r)).sort();
      out[table.name] = sorted.join('\n');
    }
    return out;
  }
  /** Files kept privately for mail (keys of the blob store). */
  const files = async () => {
    const keys: string[] = [];
    for (const prefix of ['mail-raw/', 'mail-attachments/']) for await (const o of t.portal.blobs.list(prefix)) keys.push(o.key);
    return keys.sort();
  };
  /** Where any needle occurs: "table: value". */
  async function occurrences(list: string[]): Promise<string[]> {
    const found: string[] = [];
    for (const [table, rows] of Object.entries(await snapshot())) {
      for (const needle of list) if (rows.includes(needle)) found.push(`${table}: ${needle}`);
    }
    return found;
  }
  async function statistics() {
    const db = t.portal.database.db;
    const group = async (table: 'tickets' | 'calls' | 'follow_ups' | 'mail_messages' | 'ticket_events', columns: string[]) =>
      (
        await sql<
          Record<string, unknown>
        >`select ${sql.join(columns.map((c) => sql.ref(c)))}, count(*) as n from ${sql.table(table)} group by ${sql.join(columns.map((c) => sql.ref(c)))}`.execute(
          db,
        )
      ).rows
        .map((r) => JSON.stringify({ ...r, n: Number(r['n']) }))
        .sort();
    return {
      tickets: await group('tickets', ['status', 'channel', 'category_code', 'lead_unit_code']),
      events: await group('ticket_events', ['action', 'to_status']),
      calls: await group('calls', ['outcome', 'category_code', 'anonymous', 'wants_callback', 'source']),
      followUps: await group('follow_ups', ['status', 'reached', 'fixed', 'satisfaction', 'reopened', 'unit_code']),
      mail: await group('mail_messages', ['outcome']),
    };
  }

  async function close(ticket: TicketRecord, at: string): Promise<TicketRecord> {
    let h = 0;
    const step = () => ({ at: new Date(Date.parse(at) + ++h * HOUR) });
    if (['received', 'returned', 'reopened'].includes(ticket.status)) {
      await act(t, ticket, { action: 'dispatch', unitCode: 'zhujianju', categoryCode: null }, step());
    }
    await act(t, ticket, { action: 'accept' }, step());
    await reportRectification(t, ticket, { ...step(), text: '井盖已补装，路面已恢复。' });
    return act(t, ticket, { action: 'verify' }, step());
  }
  const byCode = async (code: string) => (await findTicketByCode(t.portal.database.db, code))!;
  async function followUpOf(ticket: TicketRecord) {
    const row = await t.portal.database.db
      .selectFrom('follow_ups')
      .select('id')
      .where('ticket_id', '=', ticket.id)
      .where('status', '=', 'pending')
      .executeTakeFirstOrThrow();
    return Number(row.id);
  }

  beforeAll(async () => {
    t = await startTestPortal(kind, CONTENT_DIR, TEST_THROTTLE_LIMITS, { blobs: await blobStoreOf(storeKind) });
    operator = await createStaffUser(t, { username: 'purge-operator', displayName: '话务员小周', role: 'operator' });
    const hotline = t.portal.services.hotline;

    // ——— 2023: all of this is finished long before the cut-off ———
    t.clock.set('2023-03-01T02:00:00.000Z');
    // A staff sign-in's address is a security log (网络安全法: kept at least six months), not a resident's data.
    await t.portal.services.accounts.login('purge-operator', STAFF_PASSWORD, { ip: STAFF_SIGN_IN_IP, userAgent: 'staff-browser' });
    const web = await t.portal.services.submitReport(
      {
        description: `幸福路12号门前的井盖丢了，很危险。我是${OLD.web.name}，电话 139-0001-1101，邮箱 ${OLD.web.email}`,
        reporter: { name: OLD.web.name, phone: OLD.web.phone, email: OLD.web.email },
      },
      { ip: OLD.web.ip, userAgent: OLD.web.ua },
    );
    let webTicket = await byCode(web.trackingCode);
    t.clock.set('2023-03-01T05:00:00.000Z');
    await hotline.logCall(operator, {
      caller: { phone: OLD.plusOne.phone, name: OLD.plusOne.name },
      outcome: 'attach',
      attachTo: web.trackingCode,
      description: `${OLD.plusOne.name}也反映幸福路的井盖丢了`,
    });
    webTicket = await close(webTicket, '2023-03-02T02:00:00.000Z');
    // The follow-up call: not fixed, the note names the caller — the ticket is reopened with it.
    t.clock.set('2023-03-10T02:00:00.000Z');
    const reopened = await t.portal.services.followUps.record(operator, {
      id: await followUpOf(webTicket),
      reached: true,
      fixed: false,
      satisfaction: 'unsatisfied',
      // The reopening copies this note into the event log, which is append-only: no name here.
      comment: '井盖又被偷了',
    });
    expect(reopened.reopened).toBe(true);
    webTicket = await close(await byCode(web.trackingCode), '2023-03-11T02:00:00.000Z');
    t.clock.set('2023-03-20T02:00:00.000Z');
    await t.portal.services.followUps.record(operator, {
      id: await followUpOf(webTicket),
      reached: true,
      fixed: true,
      satisfaction: 'satisfied',
      comment: `${OLD.web.name}满意，说以后有问题还打 ${OLD.web.phone}`,
    });

    t.clock.set('2023-04-01T02:00:00.000Z');
    const called = await hotline.logCall(operator, {
      caller: { phone: OLD.caller.phone, name: OLD.caller.name, wantsCallback: true },
      outcome: 'ticket',
      description: `${OLD.caller.name}反映：建设路上的共享单车堆在盲道上，电话${OLD.caller.phone}`,
    });
    let callTicket = await byCode(called.trackingCode!);
    if (callTicket.status === 'dispatched')
      callTicket = await act(t, callTicket, { action: 'return', reason: '不属于本单位职责' }, { at: '2023-04-01T04:00:00.000Z' });
    await act(
      t,
      callTicket,
      // A dispatcher's reason naming the caller: the append-only event log keeps it (eventsLeft).
      { action: 'reject', reason: `已电话告知${OLD.caller.name}：共享单车由企业管理` },
      { at: '2023-04-01T05:00:00.000Z' },
    );

    t.clock.set('2023-04-02T02:00:00.000Z');
    await hotline.logCall(operator, {
      caller: { phone: OLD.consult.phone, name: OLD.consult.name },
      outcome: 'answer',
      description: `${OLD.consult.name}咨询门前五包责任书`,
      answer: '到所在社区居委会签订',
    });

    t.clock.set('2023-05-01T02:00:00.000Z');
    const created = await t.portal.services.mail.processMail(
      mail({
        from: encodedName(OLD.mail.name, OLD.mail.email),
        subject: `${OLD.mail.name}反映：人民路井盖缺失`,
        text: `人民路与文化路口的井盖丢了，晚上很危险。我的手机${OLD.mail.phone}，${OLD.mail.name}`,
        attachment: { name: `${OLD.mail.name}的说明.txt`, text: `${OLD.mail.name} ${OLD.mail.phone} 身份证 130522199001011234` },
      }),
      { file: 'inbox/2023-05-01.eml' },
    );
    expect(created.outcome).toBe('created');
    t.clock.set('2023-05-02T02:00:00.000Z');
    const replied = await t.portal.services.mail.processMail(
      mail({
        from: encodedName(OLD.mail.name, OLD.mail.email),
        subject: `回复：【已受理】您反映的问题已收到（查询码 ${created.trackingCode}）`,
        text: `补充：井盖还是没有补上。${OLD.mail.name} ${OLD.mail.phone}`,
      }),
      { file: 'inbox/2023-05-02.eml' },
    );
    expect(replied.outcome).toBe('appended');
    await close(await byCode(created.trackingCode!), '2023-05-03T02:00:00.000Z');
    t.clock.set('2023-05-05T02:00:00.000Z');
    const quarantined = await t.portal.services.mail.processMail(mail({ from: OLD.quarantined.email, subject: '在', text: '在吗' }), {});
    expect(quarantined.outcome).toBe('quarantined');

    const duplicate = await makeTicket(t, {
      text: `幸福路12号门口井盖没了，${OLD.merged.name}`,
      at: '2023-03-01T08:00:00.000Z',
      reporter: { name: OLD.merged.name, phone: OLD.merged.phone, email: OLD.merged.email },
      unit: 'zhujianju',
    });
    await act(t, duplicate, { action: 'merge', intoTrackingCode: web.trackingCode }, { at: '2023-03-01T09:00:00.000Z' });

    // ——— kept: old but still open, recent, or recent calls and mail ———
    kept['open'] = await makeTicket(t, {
      text: '锦绣小区3号楼楼道堆满杂物，消防通道堵了',
      at: '2023-06-01T02:00:00.000Z',
      reporter: KEPT.open,
      unit: 'zhujianju',
    });
    t.clock.set('2023-06-02T02:00:00.000Z');
    await hotline.logCall(operator, {
      caller: { phone: KEPT.openCall.phone, name: KEPT.openCall.name },
      outcome: 'attach',
      attachTo: kept['open'].trackingCode,
      description: `${KEPT.openCall.name}也反映锦绣小区楼道堆物`,
    });
    kept['recent'] = await makeTicket(t, {
      text: '东关街的垃圾桶满了没人清运',
      at: '2026-10-01T02:00:00.000Z',
      reporter: KEPT.recent,
      unit: 'zhujianju',
      status: 'closed',
    });
    t.clock.set('2026-11-29T02:00:00.000Z');
    await hotline.logCall(operator, {
      caller: { phone: KEPT.recentCall.phone, name: KEPT.recentCall.name },
      outcome: 'answer',
      description: '咨询创城测评时间',
      answer: '12月中旬',
    });
    await t.portal.services.mail.processMail(mail({ from: KEPT.recentMail.email, subject: '在', text: '在吗' }), {});
    t.clock.set(NOW);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('starts with every seeded person in the database and the mail files on disk', async () => {
    const found = await occurrences(needles({ ...OLD, ...KEPT }));
    for (const needle of needles({ ...OLD, ...KEPT }))
      expect(
        found.some((f) => f.endsWith(`: ${needle}`)),
        needle,
      ).toBe(true);
    expect((await files()).filter((f) => f.startsWith('mail-raw/'))).toHaveLength(4);
    expect((await files()).filter((f) => f.startsWith('mail-attachments/'))).toHaveLength(1);
  });

  let dry: PurgeResult;
  it('a dry run counts what would go and changes nothing', async () => {
    const [before, filesBefore] = [await snapshot(), await files()];
    dry = await purge({ dryRun: true });
    expect(dry).toMatchObject({ before: CUT, dryRun: true });
    expect(dry.removed).toMatchObject({
      reporters: 4, // the web report, the hotline ticket, the mail ticket, the merged duplicate
      calls: 3, // the "+1", the call that made a ticket, the consultation
      mailMessages: 3, // the mail, its reply, the quarantined mail
      ticketMessages: 1,
      eventsLeft: 1,
      rawMailFiles: 3,
      attachmentFiles: 1,
    });
    // The web report's address counted against the report limit (its window passed long ago).
    expect(dry.removed.throttleCounters).toBeGreaterThan(0);
    expect(dry.removed.outboxMails).toBeGreaterThan(0);
    expect(dry.removed.texts).toBeGreaterThan(0);
    expect(await snapshot()).toEqual(before);
    expect(await files()).toEqual(filesBefore);
  });

  /** The audit records, every column. */
  async function auditRows() {
    const db = t.portal.database.db;
    return {
      ticketEvents: await db.selectFrom('ticket_events').selectAll().orderBy('id').execute(),
      accountEvents: await db.selectFrom('account_events').selectAll().orderBy('id').execute(),
    };
  }

  it('removes every old person from every table and their mail files, and counts the same as the dry run', async () => {
    await sealAuditRecords(t.portal.database.db, new Date(NOW));
    const stats = await statistics();
    const keptBefore = await keptRows();
    const auditBefore = await auditRows();
    expect(auditBefore.accountEvents.some((e) => e.ip === STAFF_SIGN_IN_IP && e.action === 'signed-in')).toBe(true);
    const result = await purge();
    // Not one audit record changed or went, and their chain still verifies.
    expect(await auditRows()).toEqual(auditBefore);
    expect(await sealAuditRecords(t.portal.database.db, new Date(NOW))).toEqual({});
    expect((await verifyAuditRecords(t.portal.database.db, new Date(NOW))).ok).toBe(true);
    expect(result).toEqual({ ...dry, dryRun: false });
    console.info(`privacy purge on ${kind}: ${JSON.stringify(result)}`);

    // Nowhere — but in the one event reason a dispatcher wrote the caller's name into.
    expect(await occurrences(needles(OLD))).toEqual([`ticket_events: ${OLD.caller.name}`]);
    const reasons = await t.portal.database.db
      .selectFrom('ticket_events')
      .select('reason')
      .where('reason', 'like', `%${OLD.caller.name}%`)
      .execute();
    expect(reasons).toEqual([{ reason: `已电话告知${OLD.caller.name}：共享单车由企业管理` }]);
    // What residents wrote: the ID-card number in the attachment is gone with the file; numbers
    // written with dashes in a description are gone too.
    expect(await occurrences(['139-0001-1101', '130522199001011234'])).toEqual([]);
    expect((await files()).filter((f) => f.startsWith('mail-raw/'))).toHaveLength(1);
    expect((await files()).filter((f) => f.startsWith('mail-attachments/'))).toHaveLength(0);

    // Every statistic counts the same; the texts keep their shape.
    expect(await statistics()).toEqual(stats);
    const db = t.portal.database.db;
    const reporters = await db
      .selectFrom('ticket_reporters')
      .select(['name', 'phone', 'email', 'ip', 'user_agent', 'purged_at'])
      .where('purged_at', 'is not', null)
      .execute();
    expect(reporters).toHaveLength(4);
    for (const r of reporters) expect(r).toEqual({ name: null, phone: null, email: null, ip: null, user_agent: null, purged_at: NOW });
    const web = await db.selectFrom('tickets').select('description').where('channel', '=', 'web').orderBy('id').executeTakeFirstOrThrow();
    expect(web.description).toBe('幸福路12号门前的井盖丢了，很危险。我是〔已清除〕，电话 〔已清除〕，邮箱 〔已清除〕');
    const calls = await db
      .selectFrom('calls')
      .select(['caller_phone', 'caller_name', 'purged_at', 'outcome'])
      .where('at', '<', CUT)
      .orderBy('id')
      .execute();
    expect(calls.filter((c) => c.purged_at !== null).map((c) => [c.caller_phone, c.caller_name, c.outcome])).toEqual([
      [null, null, 'attached'],
      [null, null, 'ticket'],
      [null, null, 'answered'],
    ]);
    const mails = await db
      .selectFrom('mail_messages')
      .select(['from_address', 'raw_path', 'outcome'])
      .where('received_at', '<', CUT)
      .execute();
    expect(mails.map((m) => [m.from_address, m.raw_path])).toEqual([
      [null, null],
      [null, null],
      [null, null],
    ]);

    // The open ticket (with its old "+1"), the recent ticket, the recent call and mail are as they were.
    expect(await keptRows()).toEqual(keptBefore);
    const stillThere = await occurrences(needles(KEPT));
    for (const needle of needles(KEPT))
      expect(
        stillThere.some((f) => f.endsWith(`: ${needle}`)),
        needle,
      ).toBe(true);
  });

  it('a second purge removes nothing more', async () => {
    const before = await snapshot();
    const again = await purge();
    expect(
      Object.values(again.removed).every((n) => n === 0),
      JSON.stringify(again.removed),
    ).toBe(true);
    expect(await snapshot()).toEqual(before);
  });

  async function keptRows() {
    const db = t.portal.database.db;
    const ids = [kept['open']!.id, kept['recent']!.id];
    return {
      tickets: await db.selectFrom('tickets').selectAll().where('id', 'in', ids).orderBy('id').execute(),
      reporters: await db.selectFrom('ticket_reporters').selectAll().where('ticket_id', 'in', ids).orderBy('ticket_id').execute(),
      events: await db.selectFrom('ticket_events').selectAll().where('ticket_id', 'in', ids).orderBy('id').execute(),
      outbox: await db.selectFrom('mail_outbox').selectAll().where('ticket_id', 'in', ids).orderBy('id').execute(),
      calls: await db
        .selectFrom('calls')
        .selectAll()
        .where((eb) => eb.or([eb('ticket_id', 'in', ids), eb('at', '>=', CUT)]))
        .orderBy('id')
        .execute(),
      mail: await db.selectFrom('mail_messages').selectAll().where('received_at', '>=', CUT).orderBy('id').execute(),
    };
  }
});

describe.runIf(kinds.includes('sqlite'))('npm run privacy:purge', () => {
  let t: TestPortal;
  beforeAll(async () => {
    t = await startTestPortal('sqlite');
    await makeTicket(t, {
      text: '幸福路12号门前的井盖丢了，很危险',
      at: '2023-03-01T02:00:00.000Z',
      reporter: { name: '西门吹雪', phone: '13900012345' },
      unit: 'zhujianju',
      status: 'closed',
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('prints the counts as JSON; --dry-run changes nothing; a bad option is a usage error', { timeout: 60_000 }, async () => {
    const env = {
      ...process.env,
      DATABASE_URL: t.database.url,
      DATA_DIR: t.database.dataDir,
      ...(t.database.dataKey && { DATA_KEY: t.database.dataKey }),
      CONTENT_DIR,
    };
    const script = path.join(path.resolve(import.meta.dirname, '../..'), 'scripts/privacy-purge.ts');
    const bad = await run(process.execPath, [script, '--', '--befor', '2024-01-01'], { env }).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(bad).toMatchObject({ code: 2, stderr: expect.stringContaining('usage: npm run privacy:purge') });
    const future = await run(process.execPath, [script, '--before', '2999-01-01T00:00:00Z'], { env }).catch((e: { code: number }) => e);
    expect(future).toMatchObject({ code: 2 });

    const dry = await run(process.execPath, [script, '--', '--dry-run', '--before', '2024-11-30T00:00:00Z'], { env });
    expect(JSON.parse(dry.stdout)).toMatchObject({ before: '2024-11-30T00:00:00.000Z', dryRun: true, removed: { reporters: 1 } });
    expect(dry.stderr).toContain('dry run — would remove personal data finished/recorded before 2024-11-30T00:00:00.000Z: 1 reporters');
    const reporter = () =>
      t.portal.database.db.selectFrom('ticket_reporters').select(['name', 'phone', 'purged_at']).executeTakeFirstOrThrow();
    expect(await reporter()).toEqual({ name: '西门吹雪', phone: '13900012345', purged_at: null });

    const real = await run(process.execPath, [script, '--before', '2024-11-30T00:00:00Z'], { env });
    expect(JSON.parse(real.stdout)).toMatchObject({ dryRun: false, removed: { reporters: 1 } });
    expect(await reporter()).toMatchObject({ name: null, phone: null, purged_at: expect.any(String) });
  });
});
