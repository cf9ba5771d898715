// Which mail a ticket's life queues, to whom — on SQLite and PostgreSQL: dispatch notices from
// the worker's pass, the rest with the staff action. Delivery itself (SMTP, retries, outage) is
// covered in notify-delivery.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StaffUser } from '../../server/auth/roles.ts';
import { createDeadlineNotifications } from '../../server/notify/deadline-notifications.ts';
import { listMail } from '../../server/notify/mail-outbox-repository.ts';
import { createWorker } from '../../server/worker/worker.ts';
import type { TicketActionInput } from '../../server/staff/action-schema.ts';
import { databaseKinds } from '../support/databases.ts';
import { startTestPortal, type TestPortal } from '../support/portal.ts';
import { createStaff } from '../support/staff-accounts.ts';

const kinds = await databaseKinds();

describe.each(kinds)('ticket notifications on %s', (kind) => {
  let t: TestPortal;
  let office: StaffUser;
  let unit: StaffUser;
  beforeAll(async () => {
    t = await startTestPortal(kind);
    ({ office, market01: unit } = await createStaff(t, [
      ['office', 'dispatcher'],
      ['market01', 'unit', 'fagaiju'],
    ]));
  });
  afterAll(async () => {
    await t?.close();
  });

  const act = (user: StaffUser, trackingCode: string, a: TicketActionInput) => t.portal.services.staff.act(user, { trackingCode, act: a });
  const workerPass = () =>
    createWorker({
      db: t.portal.database.db,
      clock: t.clock,
      notify: createDeadlineNotifications({ catalog: t.portal.services.catalog, clock: t.clock, publicUrl: 'http://127.0.0.1:4321' }),
    }).runOnce();

  it('tells the lead and cooperating units of a dispatch, and the reporter of acceptance, rectification and closure', async () => {
    const { db } = t.portal.database;
    const submitted = await t.caller().report.submit({
      description: '西关集贸市场里垃圾堆成山，臭气熏天，摊位乱摆占了过道',
      reporter: { name: '钱七', phone: '13900002222', email: 'qianqi@example.com' },
    });
    expect(submitted.unit?.code).toBe('fagaiju');
    const ticket = await db
      .selectFrom('tickets')
      .select('id')
      .where('tracking_code', '=', submitted.trackingCode)
      .executeTakeFirstOrThrow();
    const mails = async () => (await listMail(db, { ticketId: Number(ticket.id) })).reverse();

    expect(await mails()).toEqual([]); // the report's commit carries no mail; the worker tells the units
    await workerPass();
    await workerPass();
    const dispatch = await mails();
    const fagaiju = t.portal.services.catalog.unit('fagaiju')!;
    expect(dispatch.map((m) => m.kind)).toEqual(['dispatch', ...Array(dispatch.length - 1).fill('dispatch')]);
    expect(dispatch[0]!.to).toEqual(fagaiju.emails);
    expect(dispatch[0]!.subject).toContain(submitted.trackingCode);
    expect(dispatch.length).toBeGreaterThan(1); // the cooperating units of a market problem
    for (const mail of dispatch) {
      expect(mail.text + mail.html).not.toMatch(/钱七|13900002222|qianqi/);
    }

    await act(unit, submitted.trackingCode, { action: 'accept' });
    await act(unit, submitted.trackingCode, {
      action: 'reportRectification',
      text: '已清运垃圾，规范摊位摆放',
      photoIds: [],
      noPhotoReason: '现场为夜间占道，白天无法拍到',
    });
    await act(office, submitted.trackingCode, { action: 'sendBack', reason: '过道仍有摊位' });
    await act(unit, submitted.trackingCode, {
      action: 'reportRectification',
      text: '已全部清理过道摊位',
      photoIds: [],
      noPhotoReason: '现场为夜间占道，白天无法拍到',
    });
    await act(office, submitted.trackingCode, { action: 'verify' });

    await workerPass();
    const later = (await mails()).slice(dispatch.length);
    expect(later.map((m) => [m.kind, m.to])).toEqual([
      ['reporter-accepted', ['qianqi@example.com']],
      ['reporter-rectified', ['qianqi@example.com']],
      ['send-back', fagaiju.emails],
      ['reporter-rectified', ['qianqi@example.com']],
      ['reporter-closed', ['qianqi@example.com']],
    ]);
    expect(later[2]!.text).toContain('过道仍有摊位');
    expect(later.every((m) => m.status === 'pending')).toBe(true);
  });

  it('tells the unit of a 代为签收 in its name, with the office’s reason, and the reporter as after a 签收', async () => {
    const { db } = t.portal.database;
    const submitted = await t.caller().report.submit({
      description: '西关集贸市场里垃圾堆成山，臭气熏天，摊位乱摆占了过道',
      reporter: { name: '孙八', email: 'sunba@example.com' },
    });
    const ticket = await db
      .selectFrom('tickets')
      .select('id')
      .where('tracking_code', '=', submitted.trackingCode)
      .executeTakeFirstOrThrow();
    const before = (await listMail(db, { ticketId: Number(ticket.id) })).length;
    await act(office, submitted.trackingCode, { action: 'acceptOnBehalf', reason: '12月3日视频点评会上当场认领' });
    const mails = (await listMail(db, { ticketId: Number(ticket.id) })).reverse().slice(before);
    const fagaiju = t.portal.services.catalog.unit('fagaiju')!;
    expect(mails.map((m) => [m.kind, m.to])).toEqual([
      ['accepted-on-behalf', fagaiju.emails],
      ['reporter-accepted', ['sunba@example.com']],
    ]);
    expect(mails[0]!.subject).toBe(`【代为签收】查询码 ${submitted.trackingCode} 已由创城办代你单位签收`);
    expect(mails[0]!.text).toContain('12月3日视频点评会上当场认领');
    expect(mails[0]!.text).not.toContain('孙八');
  });

  it('puts the office’s 交办意见 in the dispatch mail to the lead and cooperating units', async () => {
    const { db } = t.portal.database;
    const submitted = await t.caller().report.submit({ description: '我家楼上邻居天天半夜唱歌，吵得睡不着觉，说了好几次也不听' });
    expect(submitted.unit).toBeNull();
    await act(office, submitted.trackingCode, {
      action: 'dispatch',
      unitCode: 'fagaiju',
      cooperatingUnitCodes: ['zhujianju'],
      remarks: '请会同社区上门劝导，三日内反馈',
    });
    await workerPass();
    const ticket = await db
      .selectFrom('tickets')
      .select('id')
      .where('tracking_code', '=', submitted.trackingCode)
      .executeTakeFirstOrThrow();
    const dispatch = (await listMail(db, { ticketId: Number(ticket.id) })).filter((m) => m.kind === 'dispatch');
    expect(dispatch).toHaveLength(2);
    for (const mail of dispatch) {
      expect(mail.text).toContain('交办意见');
      expect(mail.text).toContain('请会同社区上门劝导，三日内反馈');
      expect(mail.html).toContain('请会同社区上门劝导，三日内反馈');
    }
  });

  it('queues nothing for a reporter without an address, and nothing when the change is refused', async () => {
    const { db } = t.portal.database;
    const submitted = await t.caller().report.submit({ description: '西关集贸市场里垃圾堆成山，臭气熏天' });
    const ticket = await db
      .selectFrom('tickets')
      .select('id')
      .where('tracking_code', '=', submitted.trackingCode)
      .executeTakeFirstOrThrow();
    const before = (await listMail(db, { ticketId: Number(ticket.id) })).length;
    await act(unit, submitted.trackingCode, { action: 'accept' });
    await expect(act(unit, submitted.trackingCode, { action: 'accept' })).rejects.toThrow();
    expect((await listMail(db, { ticketId: Number(ticket.id) })).length).toBe(before);
  });
});
