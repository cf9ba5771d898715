// Text messages (issue 15, item 1) end to end below the browser: queued in the transaction of the
// change (submit, dispatch, closure, units' reminders), delivered by the worker to the outbox file
// or to a stand-in Alibaba Cloud provider that checks signatures and fails on command — delayed,
// not lost, not sent twice — and held by the night-time quiet hours and the caps.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSmsDelivery } from '../../server/notify/sms-delivery.ts';
import { createSmsNotifications } from '../../server/notify/sms-notifications.ts';
import { enqueueSms, listSms, type SmsKind } from '../../server/notify/sms-outbox-repository.ts';
import { createAliyunSmsProvider } from '../../server/notify/sms-provider.ts';
import { smsOutboxFile } from '../../server/notify/sms-outbox-file.ts';
import type { SmsSettings } from '../../server/notify/sms-settings.ts';
import { createWorker } from '../../server/worker/worker.ts';
import { appRouter } from '../../server/trpc/app-router.ts';
import { createPrivacyPurge } from '../../server/privacy/purge.ts';
import { databaseKinds } from '../support/databases.ts';
import { startTestPortal, type TestPortal } from '../support/portal.ts';
import { startSmsStandIn, type SmsStandIn } from '../support/sms-provider-stand-in.ts';
import { createStaffUser } from '../support/staff-accounts.ts';
import { act, makeTicket, reportRectification } from '../support/ticket-factory.ts';

const kinds = await databaseKinds();
const CROSSING = '人民路和府前街交叉口，机动车经过斑马线从来不礼让行人，老人过马路太危险了';
const MINUTE = 60_000;
/** 10:00 China time. */
const DAY = '2026-11-30T02:00:00.000Z';
const KEY = { accessKeyId: 'LTAI-stand-in', accessKeySecret: 'stand-in-secret' };

function settings(more: Partial<SmsSettings> = {}): SmsSettings {
  return {
    provider: null,
    signName: '临城创城',
    templates: {},
    kindsOff: [],
    perNumberPerDay: 5,
    dailyBudget: 2000,
    quietHours: { from: 22, to: 8 },
    ...more,
  };
}

describe.each(kinds)('text messages on %s', (kind) => {
  let t: TestPortal;
  let standIn: SmsStandIn;
  beforeAll(async () => {
    t = await startTestPortal(kind, undefined, undefined, { publicUrl: 'https://cc.example.cn' });
    standIn = await startSmsStandIn(KEY);
  });
  afterAll(async () => {
    await standIn?.close();
    await t?.close();
  });

  const db = () => t.portal.database.db;
  const ofTicket = async (code: string) => (await listSms(db(), { trackingCode: code })).reverse();
  /** Queues one message now, outside any ticket. */
  const queue = async (
    to: string,
    kind: SmsKind = 'reporter-accepted',
    more: { urgent?: boolean; audience?: 'reporter' | 'unit' | 'lookup' } = {},
  ) =>
    (await enqueueSms(
      db(),
      { kind, audience: more.audience ?? 'reporter', to, params: { code: 'X' }, text: `【临城创城】${kind}`, urgent: more.urgent ?? false },
      t.clock.now(),
    ))!.id;
  const byId = async (id: number) => (await listSms(db(), { limit: 1000 })).find((s) => s.id === id)!;
  const aliyun = (timeoutMs = 5000) => createAliyunSmsProvider({ endpoint: standIn.endpoint, ...KEY, timeoutMs });
  /** Clears the outbox of earlier tests' messages so each test sees its own. */
  const settle = async () => {
    await db().updateTable('sms_outbox').set({ status: 'skipped' }).where('status', '=', 'pending').execute();
  };

  it('queues the acceptance with the tracking code on submit, and writes it as one JSON line without a provider', async () => {
    t.clock.set(DAY);
    await settle();
    const submitted = await t.caller().report.submit({ description: CROSSING, reporter: { name: '王先生', phone: '138-1234-5678' } });
    const [accepted] = await ofTicket(submitted.trackingCode);
    expect(accepted).toMatchObject({ kind: 'reporter-accepted', audience: 'reporter', to: '13812345678', status: 'pending' });
    expect(accepted!.text).toBe(
      `【临城创城】您反映的问题已受理，查询码${submitted.trackingCode}，可在https://cc.example.cn/track?code=${submitted.trackingCode}查询办理进度。`,
    );

    // Nobody to text: a landline, an anonymous report (it keeps no number).
    const landline = await t.caller().report.submit({ description: CROSSING, reporter: { phone: '0319-5551234' } });
    const anonymous = await t.caller().report.submit({ description: CROSSING, anonymous: true, reporter: { phone: '13912345678' } });
    expect(await ofTicket(landline.trackingCode)).toEqual([]);
    expect(await ofTicket(anonymous.trackingCode)).toEqual([]);

    const file = smsOutboxFile(t.database.dataDir);
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
    const run = await createSmsDelivery({ db: db(), clock: t.clock, settings: settings(), dataDir: t.database.dataDir }).runOnce();
    expect(run.sent).toBe(1);
    const lines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(Object.keys(line)).toEqual(['to', 'template', 'params', 'text', 'kind', 'trackingCode']);
    expect(line).toEqual({
      to: '13812345678',
      template: 'reporter-accepted',
      params: { code: submitted.trackingCode, link: `https://cc.example.cn/track?code=${submitted.trackingCode}` },
      text: accepted!.text,
      kind: 'reporter-accepted',
      trackingCode: submitted.trackingCode,
    });
    const notices = await t.portal.services.sms.ticketNotices(submitted.trackingCode);
    expect(notices.lines.map((l) => l.text)).toEqual(['已短信告知 138****5678，11月30日 10:00']);
    expect(notices.reporterNotTold).toBeNull();
    expect((await t.portal.services.sms.ticketNotices(anonymous.trackingCode)).reporterNotTold).toBe(
      '没有告知群众：反映人没有留手机号或邮箱',
    );
  });

  it('a hotline caller with a mobile number is texted the code too; an anonymous caller only when the number is kept', async () => {
    t.clock.set(DAY);
    const operator = await createStaffUser(t, { username: `sms-operator-${kind}`, role: 'operator' });
    const hotline = appRouter.createCaller({ app: t.portal.services, request: { ip: '10.0.0.2', sameOrigin: true }, user: operator }).staff
      .hotline;
    const named = await hotline.logCall({
      idempotencyKey: `sms-${kind}-1`,
      caller: { phone: '138 0319 7001', anonymous: false, wantsCallback: false },
      outcome: 'ticket',
      description: CROSSING,
    });
    const kept = await hotline.logCall({
      idempotencyKey: `sms-${kind}-2`,
      caller: { phone: '13803197002', anonymous: true, wantsCallback: true },
      outcome: 'ticket',
      description: CROSSING,
    });
    const dropped = await hotline.logCall({
      idempotencyKey: `sms-${kind}-3`,
      caller: { phone: '13803197003', anonymous: true, wantsCallback: false },
      outcome: 'ticket',
      description: CROSSING,
    });
    expect((await ofTicket(named.trackingCode!)).map((m) => [m.kind, m.to])).toEqual([['reporter-accepted', '13803197001']]);
    expect((await ofTicket(kept.trackingCode!)).map((m) => m.to)).toEqual(['13803197002']);
    expect(await ofTicket(dropped.trackingCode!)).toEqual([]);
  });

  it('texts the reporter on dispatch and closure, and the units’ duty phones on dispatch, reminder and overdue', async () => {
    t.clock.set(DAY);
    await settle();
    const admin = await createStaffUser(t, { username: `sms-admin-${kind}`, role: 'admin' });
    await expect(t.portal.services.units.setDutyPhones(admin, 'jiaojing', ['12345'])).rejects.toThrow(/11位手机号码/);
    expect(await t.portal.services.units.setDutyPhones(admin, 'jiaojing', ['139 0000 1111', '13900001111'])).toEqual(['13900001111']);
    const { catalog } = t.portal.services;
    const sms = createSmsNotifications({
      catalog,
      publicUrl: 'https://cc.example.cn',
      signName: '临城创城',
      dutyPhones: t.portal.services.units.dutyPhonesOf,
    });
    const worker = createWorker({ db: db(), clock: t.clock, notify: sms.deadlineObserver(() => t.clock.now()) });

    const ticket = await makeTicket(t, {
      text: CROSSING,
      unit: 'jiaojing',
      status: 'dispatched',
      at: DAY,
      reporter: { phone: '13700002222' },
    });
    await worker.runOnce();
    const deadline = new Date(ticket.deadlineAt!).getTime();
    t.clock.set(new Date(deadline - 12 * 60 * MINUTE));
    await worker.runOnce();
    t.clock.set(new Date(deadline + 60 * MINUTE));
    await worker.runOnce();
    await act(t, ticket, { action: 'accept' }, { at: new Date(deadline + 2 * 60 * MINUTE) });
    await act(t, ticket, { action: 'startRectification' }, { at: new Date(deadline + 3 * 60 * MINUTE) });
    await reportRectification(t, ticket, { at: new Date(deadline + 4 * 60 * MINUTE) });
    await act(t, ticket, { action: 'verify' }, { at: new Date(deadline + 5 * 60 * MINUTE) });

    const messages = await ofTicket(ticket.trackingCode);
    expect(messages.map((m) => [m.kind, m.to])).toEqual([
      ['reporter-accepted', '13700002222'],
      ['unit-dispatch', '13900001111'],
      ['reporter-dispatched', '13700002222'],
      ['unit-reminder', '13900001111'],
      ['unit-overdue', '13900001111'],
      ['reporter-closed', '13700002222'],
    ]);
    const unitName = catalog.unit('jiaojing')!.name;
    expect(messages[1]!.text).toMatch(
      new RegExp(`^【临城创城】${unitName}：新交办问题${ticket.trackingCode}（.+），请于\\d+月\\d+日 \\d\\d:\\d\\d前办结`),
    );
    expect(messages[2]!.text).toContain(`已转交${unitName}办理`);
    expect(messages[5]!.text).toBe(
      `【临城创城】您反映的问题（查询码${ticket.trackingCode}）已办结。问题解决了吗？请在https://cc.example.cn/track?code=${ticket.trackingCode}告诉我们。`,
    );
    expect(messages.find((m) => m.kind === 'unit-dispatch')!.unitCode).toBe('jiaojing');
    // Told once: another pass queues nothing more.
    await worker.runOnce();
    expect(await ofTicket(ticket.trackingCode)).toHaveLength(6);
    await t.portal.services.units.setDutyPhones(admin, 'jiaojing', []);
  });

  it('texts the closure to the residents who joined the ticket with 我也遇到了 too', async () => {
    const clues = { category: 'compound.environment', pointId: 'compound-jinxiu' };
    const ticket = await makeTicket(t, {
      text: '锦绣家园小区3号楼下垃圾成堆没人清理',
      ...clues,
      status: 'dispatched',
      at: DAY,
      reporter: { phone: '13700003333' },
    });
    await t.caller().meToo.join({ ...clues, problem: ticket.id, phone: '13700004444', idempotencyKey: 'sms-join-1' });
    await t.caller().meToo.join({ ...clues, problem: ticket.id, idempotencyKey: 'sms-join-2' });
    const at = (minutes: number) => ({ at: new Date(Date.parse(DAY) + minutes * MINUTE) });
    await act(t, ticket, { action: 'accept' }, at(10));
    await act(t, ticket, { action: 'startRectification' }, at(20));
    await reportRectification(t, ticket, at(30));
    await act(t, ticket, { action: 'verify' }, at(40));
    const closed = (await ofTicket(ticket.trackingCode)).filter((m) => m.kind === 'reporter-closed').map((m) => m.to);
    expect(closed).toEqual(['13700003333', '13700004444']);
  });

  it('queues nothing of a switched-off kind, and skips one queued before the switch', async () => {
    const off = await startTestPortal(kind, undefined, undefined, { sms: { signName: '临城创城', kindsOff: ['reporter-accepted'] } });
    try {
      off.clock.set(DAY);
      const submitted = await off.caller().report.submit({ description: CROSSING, reporter: { phone: '13812345678' } });
      expect(await listSms(off.portal.database.db, { trackingCode: submitted.trackingCode })).toEqual([]);
    } finally {
      await off.close();
    }
    t.clock.set(DAY);
    await settle();
    const id = await queue('13600000001', 'reporter-dispatched');
    const run = await createSmsDelivery({
      db: db(),
      clock: t.clock,
      settings: settings({ kindsOff: ['reporter-dispatched'] }),
      dataDir: t.database.dataDir,
    }).runOnce();
    expect(run).toMatchObject({ sent: 0, skipped: 1 });
    expect(await byId(id)).toMatchObject({ status: 'skipped', lastError: expect.stringContaining('已关闭') });
  });

  it('a provider failing then recovering: the message is delayed, not lost, not sent twice', async () => {
    t.clock.set(DAY);
    await settle();
    const id = await queue('13812340001');
    const delivery = () =>
      createSmsDelivery({
        db: db(),
        clock: t.clock,
        settings: settings({ provider: { kind: 'aliyun', endpoint: standIn.endpoint, ...KEY } }),
        dataDir: t.database.dataDir,
        provider: aliyun(300),
      });
    const before = standIn.accepted.length;

    for (const mode of ['http-500', 'throttled', 'hang'] as const) {
      standIn.setMode(mode);
      expect(await delivery().runOnce()).toMatchObject({ sent: 0, retried: 1 });
      // Not due again until the back-off has passed.
      expect(await delivery().runOnce()).toMatchObject({ sent: 0, retried: 0 });
      t.clock.advance(60 * MINUTE);
    }
    const waiting = await byId(id);
    expect(waiting).toMatchObject({ status: 'pending', attempts: 3 });
    expect(waiting.lastError).toMatch(/no answer within/);
    expect((await t.portal.services.sms.ticketNotices('none')).lines).toEqual([]);

    standIn.setMode('ok');
    // Two workers at once: exactly one sends it.
    const runs = await Promise.all([delivery().runOnce(), delivery().runOnce()]);
    expect(runs.reduce((n, r) => n + r.sent, 0)).toBe(1);
    expect(await delivery().runOnce()).toMatchObject({ sent: 0 });
    expect(standIn.accepted.slice(before)).toEqual([
      { phone: '13812340001', signName: '临城创城', templateCode: 'reporter-accepted', params: { code: 'X' }, bizId: expect.any(String) },
    ]);
    expect(standIn.badSignatures).toBe(0);
    const sent = await byId(id);
    expect(sent).toMatchObject({ status: 'sent', attempts: 4 });
    expect(JSON.parse(sent.response!)).toEqual({
      BizId: standIn.accepted.at(-1)!.bizId,
      RequestId: expect.stringMatching(/^[0-9A-F]{16}$/),
    });
  });

  it('gives up on a refusal no retry changes, and the office can requeue it', async () => {
    t.clock.set(DAY);
    await settle();
    const id = await queue('13812340002');
    const delivery = createSmsDelivery({ db: db(), clock: t.clock, settings: settings(), dataDir: t.database.dataDir, provider: aliyun() });
    standIn.setMode('invalid-number');
    expect(await delivery.runOnce()).toMatchObject({ failed: 1 });
    expect(await byId(id)).toMatchObject({ status: 'failed', lastError: expect.stringContaining('isv.MOBILE_NUMBER_ILLEGAL') });
    const office = await createStaffUser(t, { username: `sms-office-${kind}`, role: 'dispatcher' });
    expect((await t.portal.services.sms.failed(office)).find((f) => f.id === id)).toMatchObject({ to: '138****0002', status: 'failed' });
    expect(await t.portal.services.sms.requeue(office, id)).toBe(true);
    standIn.setMode('ok');
    expect(await delivery.runOnce()).toMatchObject({ sent: 1 });
  });

  it('a wrong secret is refused by the stand-in and retried, never sent', async () => {
    t.clock.set(DAY);
    await settle();
    const id = await queue('13812340003');
    const wrong = createAliyunSmsProvider({ endpoint: standIn.endpoint, accessKeyId: KEY.accessKeyId, accessKeySecret: 'not-the-secret' });
    const bad = standIn.badSignatures;
    expect(
      await createSmsDelivery({ db: db(), clock: t.clock, settings: settings(), dataDir: t.database.dataDir, provider: wrong }).runOnce(),
    ).toMatchObject({ retried: 1 });
    expect(standIn.badSignatures).toBe(bad + 1);
    expect((await byId(id)).lastError).toMatch(/^SignatureDoesNotMatch/);
  });

  it('holds residents’ messages in the quiet hours (no attempt counted); units and one-time codes go', async () => {
    t.clock.set('2026-11-30T15:30:00.000Z'); // 23:30 China time
    await settle();
    const resident = await queue('13812340004');
    const code = await queue('13812340005', 'lookup-code', { urgent: true, audience: 'lookup' });
    const unit = await queue('13812340006', 'unit-overdue', { audience: 'unit' });
    const delivery = createSmsDelivery({ db: db(), clock: t.clock, settings: settings(), dataDir: t.database.dataDir });
    expect(await delivery.runOnce()).toMatchObject({ sent: 2, held: 1 });
    const held = await byId(resident);
    expect(held).toMatchObject({ status: 'pending', attempts: 0, holdReason: 'quiet-hours', nextAttemptAt: '2026-12-01T00:00:00.000Z' });
    expect((await byId(code)).status).toBe('sent');
    expect((await byId(unit)).status).toBe('sent');
    const { smsLine } = await import('../../server/notify/sms-console.ts');
    expect(smsLine(held)).toBe('短信待发送（夜间22点至8点不发，08:00后发送）');

    t.clock.set('2026-11-30T23:59:00.000Z'); // 07:59
    expect(await delivery.runOnce()).toMatchObject({ sent: 0, held: 0 });
    t.clock.set('2026-12-01T00:00:00.000Z'); // 08:00
    expect(await delivery.runOnce()).toMatchObject({ sent: 1 });
    expect(await byId(resident)).toMatchObject({ status: 'sent', attempts: 1, holdReason: null });
  });

  it('holds what passes a number’s daily cap or the daily budget until the next day; skips a late one-time code', async () => {
    t.clock.set('2026-12-02T02:00:00.000Z'); // 10:00 China, a fresh day
    await settle();
    const capped = settings({ perNumberPerDay: 2, dailyBudget: 4 });
    const delivery = createSmsDelivery({ db: db(), clock: t.clock, settings: capped, dataDir: t.database.dataDir, batchSize: 1 });
    const same = [await queue('13812340007'), await queue('13812340007'), await queue('13812340007')];
    for (let i = 0; i < 3; i++) await delivery.runOnce();
    expect((await Promise.all(same.map(byId))).map((s) => s.status)).toEqual(['sent', 'sent', 'pending']);
    expect(await byId(same[2]!)).toMatchObject({ holdReason: 'number-cap', attempts: 0, nextAttemptAt: '2026-12-03T00:00:00.000Z' });
    const lateCode = await queue('13812340007', 'lookup-code', { urgent: true, audience: 'lookup' });
    await delivery.runOnce();
    expect(await byId(lateCode)).toMatchObject({ status: 'skipped', lastError: '该号码今日短信已达上限' });

    const others = [
      await queue('13812340008'),
      await queue('13812340009'),
      await queue('13812340010', 'unit-dispatch', { audience: 'unit' }),
    ];
    for (let i = 0; i < 3; i++) await delivery.runOnce();
    expect((await Promise.all(others.map(byId))).map((s) => [s.status, s.holdReason])).toEqual([
      ['sent', null],
      ['sent', null],
      ['pending', 'daily-budget'],
    ]);
    // A unit's message resumes at midnight China time, a resident's at 08:00.
    expect((await byId(others[2]!)).nextAttemptAt).toBe('2026-12-02T16:00:00.000Z');

    t.clock.set('2026-12-03T00:00:00.000Z');
    for (let i = 0; i < 3; i++) await delivery.runOnce();
    expect((await byId(same[2]!)).status).toBe('sent');
    expect((await byId(others[2]!)).status).toBe('sent');
  });

  it('the retention purge clears the reporter’s number from the messages of a purged ticket, not the duty phones’', async () => {
    const closed = await makeTicket(t, {
      text: CROSSING,
      unit: 'jiaojing',
      status: 'closed',
      at: '2026-01-05T02:00:00.000Z',
      reporter: { phone: '13700003333' },
    });
    const unitId = (await enqueueSms(
      db(),
      { kind: 'unit-dispatch', audience: 'unit', to: '13900004444', ticketId: closed.id, unitCode: 'jiaojing', params: {}, text: 'x' },
      t.clock.now(),
    ))!.id;
    t.clock.set('2026-01-05T03:00:00.000Z');
    const loose = (await enqueueSms(
      db(),
      { kind: 'lookup-code', audience: 'lookup', to: '13700005555', params: { code: '123456' }, text: 'x', urgent: true },
      t.clock.now(),
    ))!.id;
    await db().updateTable('sms_outbox').set({ status: 'sent' }).where('id', '=', loose).execute();
    const purge = createPrivacyPurge({ db: db(), blobs: t.portal.blobs, clock: t.clock, retentionDays: 30 });
    const dry = await purge.purge({ before: new Date('2026-06-01T00:00:00.000Z'), dryRun: true });
    expect(dry.removed.smsRecipients).toBeGreaterThanOrEqual(1);
    const real = await purge.purge({ before: new Date('2026-06-01T00:00:00.000Z') });
    expect(real.removed.smsRecipients).toBe(dry.removed.smsRecipients);
    const messages = await ofTicket(closed.trackingCode);
    expect(messages.filter((m) => m.audience === 'reporter').map((m) => m.to)).toEqual([null, null]);
    expect((await byId(unitId)).to).toBe('13900004444');
    expect((await byId(loose)).to).toBeNull();
    const notices = await t.portal.services.sms.ticketNotices(closed.trackingCode);
    expect(notices.lines.some((l) => l.text.includes('号码已按规定删除'))).toBe(true);
  });
});
