// One idempotency-key space per channel (issue 11 item 7) on SQLite and PostgreSQL. The repro:
// a web submit with `idempotencyKey: "mail:<message-id>"` answered with the mail's ticket, and a
// key submitted before the mail arrived captured the resident's mail as "created" against the
// attacker's ticket, the resident's text in no ticket. Now submitReport keeps every key as
// `<channel>:<key>` and never answers a caller with another channel's ticket; migration 017
// rewrote the keys stored before.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Migrator, type Migration } from 'kysely/migration';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StaffUser } from '../../server/auth/roles.ts';
import { createPortal } from '../../server/app.ts';
import { migrateToLatest, openDatabase, type DatabaseHandle } from '../../server/db/database.ts';
import { insertTicket } from '../../server/tickets/ticket-repository.ts';
import { appRouter } from '../../server/trpc/app-router.ts';
import { rawMail } from '../support/raw-mail.ts';
import { databaseKinds, makeDatabase, type TestDatabase } from '../support/databases.ts';
import { CONTENT_DIR, startTestPortal, type TestPortal } from '../support/portal.ts';
import { createStaff } from '../support/staff-accounts.ts';

const kinds = await databaseKinds();

const RESIDENT = '人民路与解放街交叉口东北角的垃圾桶已经满了三天没人清运，气味很大，请尽快处理。';
const ATTACKER = '这是一条抢先提交的网上留言，企图占用别人邮件的幂等键，内容与来信无关。';

function residentMail(messageId: string, text = RESIDENT): Buffer {
  return rawMail({ from: '张三 <zhangsan@qq.example>', subject: '垃圾桶满溢', text, messageId });
}

describe.each(kinds)('idempotency keys per channel on %s', (kind) => {
  let t: TestPortal;
  let operator: StaffUser;
  beforeAll(async () => {
    t = await startTestPortal(kind);
    ({ operator } = await createStaff(t, [['operator', 'operator']]));
  });
  afterAll(() => t.close());

  const ticket = (trackingCode: string) =>
    t.portal.database.db
      .selectFrom('tickets')
      .select(['id', 'channel', 'description', 'idempotency_key'])
      .where('tracking_code', '=', trackingCode)
      .executeTakeFirstOrThrow();
  const mailRow = (messageId: string) =>
    t.portal.database.db
      .selectFrom('mail_messages')
      .innerJoin('tickets', 'tickets.id', 'mail_messages.ticket_id')
      .select(['mail_messages.outcome', 'tickets.tracking_code'])
      .where('mail_messages.message_id', '=', messageId)
      .executeTakeFirstOrThrow();
  const logCall = (key: string, description: string) =>
    appRouter
      .createCaller({ app: t.portal.services, request: { ip: '10.0.0.2', sameOrigin: true }, user: operator })
      .staff.hotline.logCall({ idempotencyKey: key, caller: { phone: '13803191001' }, outcome: 'ticket', description });

  it('a web submit with a mail’s key gets a ticket of its own, never the mail’s (mail first)', async () => {
    const id = `<resident-first-${kind}@qq.example>`;
    const mailed = await t.portal.services.mail.processMail(residentMail(id), {});
    expect(mailed.outcome).toBe('created');

    const web = await t.caller().report.submit({ description: ATTACKER, idempotencyKey: `mail:${id}` });
    expect(web.trackingCode).not.toBe(mailed.trackingCode);
    // The same key through the service answers with the web ticket (a web retry), not the mail's.
    const again = await t.portal.services.submitReport({ description: ATTACKER, idempotencyKey: `mail:${id}` }, { ip: '198.51.100.9' });
    expect(again.trackingCode).toBe(web.trackingCode);
    expect(await ticket(mailed.trackingCode!)).toMatchObject({
      channel: 'mail',
      description: `垃圾桶满溢\n${RESIDENT}`,
      idempotency_key: `mail:${id}`,
    });
    expect(await ticket(web.trackingCode)).toMatchObject({ channel: 'web', description: ATTACKER, idempotency_key: `web:mail:${id}` });
  });

  it('a key submitted before the mail arrives does not capture it: the mail gets its own ticket with the resident’s text', async () => {
    const id = `<resident-later-${kind}@qq.example>`;
    const web = await t.portal.services.submitReport({ description: ATTACKER, idempotencyKey: `mail:${id}` }, { ip: '198.51.100.9' });

    const mailed = await t.portal.services.mail.processMail(residentMail(id), {});
    expect(mailed.outcome).toBe('created');
    expect(mailed.trackingCode).not.toBe(web.trackingCode);
    expect(await ticket(mailed.trackingCode!)).toMatchObject({ channel: 'mail', description: `垃圾桶满溢\n${RESIDENT}` });
    expect(await mailRow(id)).toEqual({ outcome: 'created', tracking_code: mailed.trackingCode });
    expect(await ticket(web.trackingCode)).toMatchObject({ channel: 'web', description: ATTACKER });
    // The mail read again is still its own ticket.
    expect(await t.portal.services.mail.processMail(residentMail(id), {})).toEqual(mailed);
  });

  it('a web key never takes or gives a hotline call’s ticket, in either order', async () => {
    const called = await logCall(`first-${kind}`, '西关集贸市场门口垃圾堆成山，好几天没人清理，臭气熏天');
    const web = await t.caller().report.submit({ description: ATTACKER, idempotencyKey: `call:first-${kind}` });
    expect(web.trackingCode).not.toBe(called.trackingCode);

    const early = await t.caller().report.submit({ description: ATTACKER, idempotencyKey: `call:later-${kind}` });
    const later = await logCall(`later-${kind}`, '东关菜市场门口每天早上占道经营，车辆无法通行');
    expect(later.trackingCode).not.toBe(early.trackingCode);
    expect(await ticket(later.trackingCode!)).toMatchObject({
      channel: 'hotline',
      description: '东关菜市场门口每天早上占道经营，车辆无法通行',
      idempotency_key: `hotline:call:later-${kind}`,
    });
    expect(await ticket(early.trackingCode)).toMatchObject({ channel: 'web', description: ATTACKER });
  });

  it('a mail whose Message-ID is too long or too short for a key still gets a ticket of its own', async () => {
    const stem = `${'x'.repeat(240)}-${kind}`;
    const [a, b] = [`<${stem}-a@qq.example>`, `<${stem}-b@qq.example>`];
    const first = await t.portal.services.mail.processMail(residentMail(a), {});
    const second = await t.portal.services.mail.processMail(residentMail(b, `${RESIDENT}另外路灯也不亮。`), {});
    expect([first.outcome, second.outcome]).toEqual(['created', 'created']);
    expect(first.trackingCode).not.toBe(second.trackingCode);
    expect((await ticket(second.trackingCode!)).description).toContain('路灯也不亮');

    const short = await t.portal.services.mail.processMail(residentMail(`<1@${kind[0]}>`), {});
    expect(short.outcome).toBe('created');
    expect((await ticket(short.trackingCode!)).idempotency_key).toMatch(/^mail:sha256:[0-9a-f]{64}$/);
  });
});

describe.each(kinds)('migration 017 (channel idempotency keys) on %s', (kind) => {
  let database: TestDatabase;
  let handle: DatabaseHandle;
  beforeAll(async () => {
    database = await makeDatabase(kind);
    handle = openDatabase(database.url);
  });
  afterAll(async () => {
    await handle.close();
    await database.drop();
  });

  it('rewrites the keys stored before it into each channel’s space, consistently with what submitReport looks up', async () => {
    // The schema as it was before 017, through the same migration files.
    const dir = path.resolve(import.meta.dirname, '../../server/db/migrations');
    const names = fs
      .readdirSync(dir)
      .filter((f) => /^\d{3}-[\w-]+\.ts$/.test(f))
      .sort()
      .map((f) => f.replace(/\.ts$/, ''));
    const migrations: Record<string, Migration> = {};
    for (const name of names) {
      const mod = (await import(pathToFileURL(path.join(dir, `${name}.ts`)).href)) as {
        up(db: unknown, dialect: string): Promise<void>;
      };
      migrations[name] = { up: (db) => mod.up(db, handle.dialect) };
    }
    const before = names[names.indexOf('017-channel-idempotency-keys') - 1]!;
    const { error } = await new Migrator({ db: handle.db, provider: { getMigrations: async () => migrations } }).migrateTo(before);
    expect(error).toBeUndefined();

    const old: Array<[channel: string, key: string]> = [
      ['web', 'form-key-0001'],
      ['web', 'web:form-key-0001'],
      ['web', 'mail:<attacked@qq.example>'],
      ['mail', 'mail:<resident@qq.example>'],
      ['mail', 'mail:<1@x>'],
      ['mail', `mail:${'ab'.repeat(32)}`],
      ['hotline', 'call:0b6f7c1e-request'],
      ['hotline', 'hotline-import:PBX-20261130-0001'],
    ];
    const ids: number[] = [];
    for (const [i, [channel, key]] of old.entries()) {
      ids.push(
        await insertTicket(
          handle.db,
          {
            trackingCode: `MIG-017-${i}${kind[0]}`,
            status: 'received',
            channel,
            description: `迁移前的工单 ${i}`,
            categoryCode: null,
            suggestedCategoryCode: null,
            suggestedUnitCode: null,
            routingConfidence: null,
            leadUnitCode: null,
            cooperatingUnitCodes: [],
            deadlineAt: null,
            dispatchedAt: null,
            acknowledgeDueAt: null,
            pointId: null,
            location: { address: null, lat: null, lng: null },
            idempotencyKey: key,
            at: '2026-11-29T02:00:00.000Z',
          },
          [
            {
              at: '2026-11-29T02:00:00.000Z',
              actorKind: 'resident',
              actorId: null,
              action: 'submit',
              fromStatus: null,
              toStatus: 'received',
              reason: null,
              data: { channel },
            },
          ],
        ),
      );
    }

    await migrateToLatest(handle);
    const rows = await handle.db.selectFrom('tickets').select(['id', 'idempotency_key']).where('id', 'in', ids).execute();
    const keyOf = new Map(rows.map((r) => [Number(r.id), r.idempotency_key]));
    expect(ids.map((id) => keyOf.get(id))).toEqual([
      'web:form-key-0001',
      'web:web:form-key-0001',
      'web:mail:<attacked@qq.example>',
      'mail:<resident@qq.example>',
      // mailKey hashes a Message-ID shorter than a key may be: sha256('<1@x>').
      'mail:sha256:3c13d06da6c4cddd145d1e5b3cecac9594e864ceb97dbcb5f30aeeda98122406',
      `mail:${'ab'.repeat(32)}`,
      'hotline:call:0b6f7c1e-request',
      'hotline:hotline-import:PBX-20261130-0001',
    ]);

    // What submitReport finds with them now: a web retry its web ticket, the mail its own ticket.
    const portal = await createPortal({
      databaseUrl: database.url,
      dataDir: database.dataDir,
      dataKey: database.dataKey,
      contentDir: CONTENT_DIR,
    });
    try {
      const retry = await portal.services.submitReport({ description: ATTACKER, idempotencyKey: 'form-key-0001' }, { ip: '198.51.100.9' });
      expect(retry.trackingCode).toBe(`MIG-017-0${kind[0]}`);
      const mailed = await portal.services.mail.processMail(residentMail('<resident@qq.example>'), {});
      expect(mailed).toMatchObject({ outcome: 'created', trackingCode: `MIG-017-3${kind[0]}` });
    } finally {
      await portal.close();
    }
  });
});
