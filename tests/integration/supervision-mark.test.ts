// A leader's 督办 on SQLite and PostgreSQL: the mark with its 批示 recorded on the ticket and in its
// history (an event that keeps the state), the lead unit's mail queued, the ticket first in the
// unit's inbox and the office queue, in the monthly report; refused for anyone but a leader, for a
// missing or too long 批示 and for a closed ticket; lifted with a reason; hidden from the resident.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StaffUser } from '../../server/auth/roles.ts';
import { listMail } from '../../server/notify/mail-outbox-repository.ts';
import { databaseKinds } from '../support/databases.ts';
import { startTestPortal, type TestPortal } from '../support/portal.ts';
import { createStaff } from '../support/staff-accounts.ts';

const kinds = await databaseKinds();

const CROSSING = '人民路和府前街交叉口，机动车经过斑马线从来不礼让行人，老人过马路太危险了';
const INSTRUCTION = '请交警大队三日内在该路口加派警力，整改情况报县领导。';
const HOUR = 3600_000;

describe.each(kinds)('督办 on %s', (kind) => {
  let t: TestPortal;
  let users: Record<'leader01' | 'admin01' | 'dispatcher' | 'jiaojing01', StaffUser>;
  const codes: string[] = [];

  beforeEach(async () => {
    t = await startTestPortal(kind);
    users = await createStaff(
      t,
      [
        ['leader01', 'leader'],
        ['admin01', 'admin'],
        ['dispatcher', 'dispatcher'],
        ['jiaojing01', 'unit', 'jiaojing'],
      ],
      { displayName: (u) => (u === 'leader01' ? '赵县长' : u) },
    );
    codes.length = 0;
    const start = t.clock.now().getTime();
    // Three tickets for the crossing's unit, an hour apart: the newest is listed first until the mark.
    for (let i = 0; i < 3; i++) {
      t.clock.set(new Date(start + i * HOUR));
      codes.push((await t.caller().report.submit({ description: `${CROSSING}（第${i + 1}次反映）` })).trackingCode);
    }
    t.clock.set(new Date(start + 4 * HOUR));
  });
  afterEach(async () => {
    await t?.close();
  });

  const supervision = () => t.portal.services.supervision;
  const inbox = async () => (await t.portal.services.staff.list(users.jiaojing01, {})).items.map((i) => i.trackingCode);
  const queue = async () => (await t.portal.services.staff.list(users.dispatcher, {})).items.map((i) => i.trackingCode);

  it('records the mark and its 批示, keeps the state, mails the unit and lists the ticket first', async () => {
    const [oldest, middle, newest] = codes as [string, string, string];
    expect(await inbox()).toEqual([newest, middle, oldest]);

    await supervision().supervise(users.leader01, { trackingCode: oldest, instruction: INSTRUCTION });

    const detail = await t.portal.services.staff.detail(users.dispatcher, oldest);
    expect(detail.status).toBe('dispatched');
    expect(detail.supervision).toEqual({ at: t.clock.now().toISOString(), instruction: INSTRUCTION });
    expect(detail.timeline.at(-1)).toMatchObject({
      action: 'supervise',
      actionLabel: '领导督办',
      actor: '赵县长',
      fromStatus: 'dispatched',
      toStatus: 'dispatched',
      reason: INSTRUCTION,
    });
    const ticketId = Number(
      (await t.portal.database.db.selectFrom('tickets').select('id').where('tracking_code', '=', oldest).executeTakeFirstOrThrow()).id,
    );
    const mails = (await listMail(t.portal.database.db, { ticketId })).filter((m) => m.kind === 'supervised');
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({ unitCode: 'jiaojing', subject: `【领导督办】查询码 ${oldest} 已列为领导督办件` });
    expect(mails[0]!.text).toContain(INSTRUCTION);

    expect(await inbox()).toEqual([oldest, newest, middle]);
    expect(await queue()).toEqual([oldest, newest, middle]);
    expect((await t.portal.services.staff.list(users.jiaojing01, {})).items[0]).toMatchObject({
      supervision: { instruction: INSTRUCTION },
    });

    // The resident's tracking page does not show the leader's business, and reads as before.
    const tracked = await t.caller().report.track({ trackingCode: oldest });
    expect(tracked.timeline.map((e) => e.status)).toEqual(['received', 'dispatched']);
    expect(tracked.timeline.map((e) => e.text).join()).not.toContain(INSTRUCTION);

    // The unit works the ticket as usual; its version moved with the mark.
    await t.portal.services.staff.act(users.jiaojing01, { trackingCode: oldest, act: { action: 'accept' } });
    expect(await inbox()).toEqual([oldest, newest, middle]);

    t.clock.set(new Date(t.clock.now().getTime() + HOUR));
    const report = await t.portal.services.ledgersFor(users.leader01).monthlyReport('2026-11');
    expect(report.supervised.map((r) => [r.trackingCode, r.instruction, r.unit?.code, r.statusLabel, r.onTime, r.liftedAt])).toEqual([
      [oldest, INSTRUCTION, 'jiaojing', '责任单位已签收', null, null],
    ]);
    const ledger = await t.portal.services.ledgersFor(users.leader01).problems({ supervisedOnly: true });
    expect(ledger.rows.map((r) => [r.trackingCode, r.supervision?.instruction])).toEqual([[oldest, INSTRUCTION]]);
  });

  it('is refused for anyone but a leader, without a 批示, with one too long, and for a closed ticket', async () => {
    const [oldest] = codes as [string];
    for (const who of [users.admin01, users.dispatcher, users.jiaojing01]) {
      await expect(supervision().supervise(who, { trackingCode: oldest, instruction: INSTRUCTION })).rejects.toThrow(
        '只有领导账号可以督办工单或解除督办',
      );
    }
    await expect(supervision().supervise(users.leader01, { trackingCode: oldest, instruction: '  ' })).rejects.toMatchObject({
      fields: { instruction: '请填写督办批示：要求责任单位做什么、何时完成' },
    });
    await expect(supervision().supervise(users.leader01, { trackingCode: oldest, instruction: '督'.repeat(501) })).rejects.toMatchObject({
      fields: { instruction: '批示不能超过500个字，请精简' },
    });
    await t.portal.services.staff.act(users.jiaojing01, { trackingCode: oldest, act: { action: 'return', reason: '不属于本单位' } });
    await t.portal.services.staff.act(users.dispatcher, { trackingCode: oldest, act: { action: 'reject', reason: '重复反映' } });
    await expect(supervision().supervise(users.leader01, { trackingCode: oldest, instruction: INSTRUCTION })).rejects.toThrow(
      '这件工单现在是“不予受理”，不能督办。',
    );
    const detail = await t.portal.services.staff.detail(users.dispatcher, oldest);
    expect(detail.supervision).toBeNull();
    expect(detail.timeline.map((e) => e.action)).toEqual(['submit', 'dispatch', 'return', 'reject']);
  });

  it('pages the queue across the marked tickets and the others in one order', async () => {
    const [oldest, middle, newest] = codes as [string, string, string];
    await supervision().supervise(users.leader01, { trackingCode: middle, instruction: INSTRUCTION });
    const page = async (offset: number, limit: number) =>
      (await t.portal.services.staff.list(users.dispatcher, { offset, limit })).items.map((i) => i.trackingCode);
    expect(await page(0, 3)).toEqual([middle, newest, oldest]);
    expect([...(await page(0, 1)), ...(await page(1, 1)), ...(await page(2, 1))]).toEqual([middle, newest, oldest]);
    expect(await page(0, 2)).toEqual([middle, newest]);
    expect(await page(1, 2)).toEqual([newest, oldest]);
    expect(await page(3, 2)).toEqual([]);
    expect((await t.portal.services.staff.list(users.dispatcher, { offset: 2, limit: 1 })).total).toBe(3);
  });

  it('is lifted by a leader with a reason, recorded, and the ticket takes its place again', async () => {
    const [oldest, middle, newest] = codes as [string, string, string];
    await supervision().supervise(users.leader01, { trackingCode: oldest, instruction: INSTRUCTION });
    await expect(supervision().lift(users.leader01, { trackingCode: middle, reason: '已整改' })).rejects.toThrow(
      '这件工单没有在督办中，无需解除。',
    );
    await expect(supervision().lift(users.admin01, { trackingCode: oldest, reason: '已整改' })).rejects.toThrow('只有领导账号');
    await expect(supervision().lift(users.leader01, { trackingCode: oldest, reason: '' })).rejects.toMatchObject({
      fields: { reason: '请写明解除督办的理由' },
    });
    await supervision().lift(users.leader01, { trackingCode: oldest, reason: '交警大队已加派警力' });

    const detail = await t.portal.services.staff.detail(users.dispatcher, oldest);
    expect(detail.supervision).toBeNull();
    expect(detail.timeline.at(-1)).toMatchObject({ action: 'liftSupervision', actionLabel: '解除督办', reason: '交警大队已加派警力' });
    expect(await queue()).toEqual([newest, middle, oldest]);
    // Still reported for the month it was marked in, with the lifting.
    const liftedAt = t.clock.now().toISOString();
    t.clock.set(new Date(t.clock.now().getTime() + HOUR));
    const report = await t.portal.services.ledgersFor(users.dispatcher).monthlyReport('2026-11');
    expect(report.supervised.map((r) => [r.trackingCode, r.liftedAt])).toEqual([[oldest, liftedAt]]);
  });
});
