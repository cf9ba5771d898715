// Issue 15 items 2 and 3 on SQLite and PostgreSQL: what was done, shown to the code holder once the
// office verified it (the summary as the office approved or later edited it, the after-photos, the
// closing date, nothing personal), and "fixed?" online (网上回访) — proved by the last four phone
// digits (throttled per ticket and per address) or the closing mail's one-time link, changeable for
// 7 days, "not fixed"/不满意 reopening the ticket as the operators' call does, counted by channel in
// the same rates, and the operators' list waiting FOLLOW_UP_ONLINE_WAIT_DAYS for an online answer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StaffUser } from '../../server/auth/roles.ts';
import { appRouter } from '../../server/trpc/app-router.ts';
import type { TicketRecord } from '../../server/tickets/ticket-repository.ts';
import { databaseKinds } from '../support/databases.ts';
import { startTestPortal, TEST_THROTTLE_LIMITS, type TestPortal } from '../support/portal.ts';
import { createStaffUser } from '../support/staff-accounts.ts';
import { act, makeTicket, reportRectification, staffUser } from '../support/ticket-factory.ts';

const kinds = await databaseKinds();

const CROSSING = '人民路和府前街交叉口，机动车经过斑马线从来不礼让行人，老人过马路太危险了';
const MARKET = '西关集贸市场里垃圾堆了好几天没人清理，臭气熏天';
const NOISE = '我家楼上邻居天天半夜唱歌，吵得睡不着觉，说了好几次也不听';
const DAY = 86_400_000;
const PHONE = '13812345678';
const UNIT_TEXT = '已安排专人值守斑马线，联系人张建国 13900001111，问题已解决。';
const OFFICE_TEXT = '已安排专人在斑马线值守，劝导车辆礼让行人。';

describe.each(kinds)('online follow-up on %s', (kind) => {
  let t: TestPortal;
  let office: StaffUser;
  let operator: StaffUser;
  let serial = 0;
  const public_ = (ip = '203.0.113.7') =>
    appRouter.createCaller({ app: t.portal.services, request: { ip, userAgent: 'vitest', sameOrigin: true }, user: null });
  const track = (code: string) => t.portal.services.trackReport(code, { ip: '198.51.100.200' });
  const later = (ms: number) => t.clock.set(new Date(t.clock.now().getTime() + ms));

  /** A ticket closed by the office, its reporter with a phone (and an e-mail when given). */
  async function closedTicket(o: { phone?: string | null; email?: string; text?: string; unit?: string } = {}): Promise<TicketRecord> {
    const reporter = {
      name: '王先生',
      ...(o.phone !== null && { phone: o.phone ?? PHONE }),
      ...(o.email && { email: o.email }),
    };
    const ticket = await makeTicket(t, {
      text: `${o.text ?? CROSSING}（${++serial}）`,
      unit: o.unit ?? 'jiaojing',
      status: 'reported',
      at: t.clock.now(),
      reporter,
    });
    return act(t, ticket, { action: 'verify' }, { at: new Date(t.clock.now().getTime() + 3_600_000) });
  }

  beforeAll(async () => {
    t = await startTestPortal(kind, undefined, {
      ...TEST_THROTTLE_LIMITS,
      'answer-ticket': { count: 3, windowMs: DAY },
      'answer-address': { count: 6, windowMs: 3_600_000 },
    });
    office = await staffUser(t, 'office');
    operator = await createStaffUser(t, { username: `operator-${kind}`, displayName: '话务员小李', role: 'operator' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('shows the summary the office approved, with after-photos and the closing date, only after verification', async () => {
    const ticket = await makeTicket(t, {
      text: `${CROSSING}（${++serial}）`,
      unit: 'jiaojing',
      status: 'rectifying',
      at: t.clock.now(),
      reporter: { name: '王先生', phone: PHONE },
    });
    await reportRectification(t, ticket, { at: new Date(t.clock.now().getTime() + 3_600_000), text: UNIT_TEXT, photos: 2 });

    const before = await track(ticket.trackingCode);
    expect(before.outcome).toBeNull();
    expect(before.followUp).toBeNull();
    expect(JSON.stringify(before)).not.toContain('13900001111');
    expect(JSON.stringify(before)).not.toContain('值守');

    await act(t, ticket, { action: 'verify', publicSummary: OFFICE_TEXT }, { at: new Date(t.clock.now().getTime() + 3_600_000) });
    const after = await track(ticket.trackingCode);
    expect(after.status).toBe('closed');
    expect(after.outcome).toMatchObject({ summary: OFFICE_TEXT, closedAt: t.clock.now().toISOString() });
    expect(after.outcome?.afterPhotos).toHaveLength(2);
    expect(after.outcome?.afterPhotos[0]?.url).toMatch(/^\/media\//);
    expect(after.followUp).toEqual({ kind: 'open', byPhoneDigits: true });
    const json = JSON.stringify(after);
    for (const personal of ['13900001111', '张建国', PHONE, '王先生', '5678', '测试']) expect(json).not.toContain(personal);

    // The office edits it later: its own value changes, the edit is an event, not on the public timeline.
    later(DAY);
    await expect(
      t.portal.services.closures.editSummary(await staffUser(t, 'jiaojing'), { trackingCode: ticket.trackingCode, publicSummary: 'x' }),
    ).rejects.toMatchObject({ kind: 'forbidden' });
    await t.portal.services.closures.editSummary(office, { trackingCode: ticket.trackingCode, publicSummary: '斑马线已有专人值守。' });
    expect((await track(ticket.trackingCode)).outcome?.summary).toBe('斑马线已有专人值守。');
    expect((await track(ticket.trackingCode)).timeline.map((e) => e.text).join()).not.toContain('斑马线已有专人值守');
    const detail = await t.portal.services.staff.detail(office, ticket.trackingCode);
    expect(detail.timeline.at(-1)).toMatchObject({ action: 'editPublicSummary', data: expect.objectContaining({ previous: OFFICE_TEXT }) });
    expect(detail.status).toBe('closed');
  });

  it('keeps the unit text when the office leaves the field blank, and shows nothing for a rejected ticket', async () => {
    const ticket = await closedTicket();
    expect((await track(ticket.trackingCode)).outcome?.summary).toBe('已按要求整改完毕，现场已清理。');

    const rejected = await makeTicket(t, { text: NOISE, status: 'rejected', reporter: { phone: PHONE } });
    const view = await track(rejected.trackingCode);
    expect(view.status).toBe('rejected');
    expect(view.outcome).toBeNull();
    expect(view.followUp).toBeNull();
    await expect(
      public_().report.answerFollowUp({ trackingCode: rejected.trackingCode, phoneLast4: '5678', fixed: true, satisfaction: 'satisfied' }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('never shows a phone number the unit left in its text, even when the office approved it unchanged', async () => {
    const ticket = await makeTicket(t, {
      text: `${CROSSING}（${++serial}）`,
      unit: 'jiaojing',
      status: 'rectifying',
      reporter: { phone: PHONE },
    });
    await reportRectification(t, ticket, { at: new Date(t.clock.now().getTime() + 3_600_000), text: UNIT_TEXT });
    await act(t, ticket, { action: 'verify' }, { at: new Date(t.clock.now().getTime() + 3_600_000) });
    const summary = (await track(ticket.trackingCode)).outcome?.summary;
    expect(summary).toBe('已安排专人值守斑马线，联系人张建国 （电话已隐去），问题已解决。');
    // The office sees what the unit wrote, to rewrite it (the name too).
    expect(await t.portal.services.closures.current(office, ticket.trackingCode)).toMatchObject({ publicSummary: UNIT_TEXT });
  });

  it('takes the answer with the right last four digits only, throttled per ticket and per address', async () => {
    const ticket = await closedTicket();
    const code = ticket.trackingCode;
    const answer = (ip: string, digits: string) =>
      public_(ip).report.answerFollowUp({ trackingCode: code, phoneLast4: digits, fixed: true, satisfaction: 'fair' });

    await expect(answer('192.0.2.1', '1234')).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringContaining('后四位不对'),
    });
    await expect(answer('192.0.2.2', '0000')).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(answer('192.0.2.3', '1111')).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    // Three misses on this ticket: even the right digits from a fresh address wait now.
    await expect(answer('192.0.2.4', '5678')).rejects.toMatchObject({
      code: 'TOO_MANY_REQUESTS',
      message: expect.stringContaining('输错的次数太多'),
    });
    expect((await track(code)).followUp).toEqual({ kind: 'open', byPhoneDigits: true });

    // The window (a day, counted in tenths) passes: the right digits are taken (and give their count back).
    later(DAY + DAY / 5);
    expect(await answer('192.0.2.4', '5678')).toEqual({ trackingCode: code, changed: false, reopened: false });
    expect((await track(code)).followUp).toMatchObject({ kind: 'answered', fixed: true, satisfaction: 'fair' });

    // Per address: six misses over several tickets, then this address waits even on another ticket.
    // (Tickets made first: making one moves the clock on by hours.)
    const others = [await closedTicket(), await closedTicket(), await closedTicket()];
    const fresh = await closedTicket();
    for (const other of others) {
      for (const digits of ['0001', '0002']) {
        await expect(
          public_('192.0.2.99').report.answerFollowUp({
            trackingCode: other.trackingCode,
            phoneLast4: digits,
            fixed: true,
            satisfaction: 'satisfied',
          }),
        ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
      }
    }
    await expect(
      public_('192.0.2.99').report.answerFollowUp({
        trackingCode: fresh.trackingCode,
        phoneLast4: '5678',
        fixed: true,
        satisfaction: 'satisfied',
      }),
    ).rejects.toMatchObject({ code: 'TOO_MANY_REQUESTS' });
    // Another address with the right digits is not held up by that one.
    await expect(
      public_('192.0.2.100').report.answerFollowUp({
        trackingCode: fresh.trackingCode,
        phoneLast4: '5678',
        fixed: true,
        satisfaction: 'satisfied',
      }),
    ).resolves.toMatchObject({ reopened: false });
  });

  it('takes the one-time link of the closing mail for an e-mail-only reporter, and only for that closure', async () => {
    const ticket = await closedTicket({ phone: null, email: 'resident@example.com' });
    const mail = await t.portal.database.db
      .selectFrom('mail_outbox')
      .select(['text'])
      .where('ticket_id', '=', ticket.id)
      .where('kind', '=', 'reporter-closed')
      .executeTakeFirstOrThrow();
    const key = /[?&]key=([A-Za-z0-9_-]+)#fixed/.exec(mail.text)?.[1];
    expect(key).toBeTruthy();
    expect((await track(ticket.trackingCode)).followUp).toEqual({ kind: 'open', byPhoneDigits: false });
    const stored = await t.portal.database.db
      .selectFrom('follow_up_links')
      .select(['token_hash'])
      .where('ticket_id', '=', ticket.id)
      .execute();
    expect(stored.map((r) => r.token_hash)).not.toContain(key);

    await expect(
      public_().report.answerFollowUp({ trackingCode: ticket.trackingCode, phoneLast4: '5678', fixed: true, satisfaction: 'satisfied' }),
    ).rejects.toMatchObject({ message: expect.stringContaining('办结邮件中的链接') });
    await expect(
      public_().report.answerFollowUp({ trackingCode: ticket.trackingCode, key: `${key}x`, fixed: true, satisfaction: 'satisfied' }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining('链接已经失效') });
    // A key of another ticket does not open this one.
    const other = await closedTicket({ phone: null, email: 'other@example.com' });
    await expect(
      public_().report.answerFollowUp({ trackingCode: other.trackingCode, key, fixed: true, satisfaction: 'satisfied' }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });

    expect(
      await public_().report.answerFollowUp({ trackingCode: ticket.trackingCode, key, fixed: true, satisfaction: 'satisfied' }),
    ).toEqual({
      trackingCode: ticket.trackingCode,
      changed: false,
      reopened: false,
    });
    const followUps = (await t.portal.services.staff.detail(office, ticket.trackingCode)).followUps;
    expect(followUps).toEqual([
      expect.objectContaining({ channel: 'online', status: 'done', reached: true, fixed: true, satisfaction: 'satisfied' }),
    ]);
  });

  it('tells a reporter who left neither phone nor e-mail to call the hotline', async () => {
    const ticket = await closedTicket({ phone: null });
    expect((await track(ticket.trackingCode)).followUp).toEqual({ kind: 'no-contact' });
    await expect(
      public_().report.answerFollowUp({ trackingCode: ticket.trackingCode, phoneLast4: '5678', fixed: true, satisfaction: 'satisfied' }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining('请拨打创城热线') });
  });

  it('lets the answer change for 7 days, then shows it read-only', async () => {
    const ticket = await closedTicket();
    const answer = (satisfaction: 'satisfied' | 'fair') =>
      public_().report.answerFollowUp({ trackingCode: ticket.trackingCode, phoneLast4: '5678', fixed: true, satisfaction });
    await answer('fair');
    later(6 * DAY);
    expect(await answer('satisfied')).toMatchObject({ changed: true, reopened: false });
    const view = await track(ticket.trackingCode);
    expect(view.followUp).toMatchObject({ kind: 'answered', satisfaction: 'satisfied', changeableUntil: expect.any(String) });
    later(DAY + 60_000);
    await expect(answer('fair')).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('不能再修改') });
    expect((await track(ticket.trackingCode)).followUp).toMatchObject({
      kind: 'answered',
      satisfaction: 'satisfied',
      changeableUntil: null,
    });
  });

  it('"没有解决, 不满意" reopens the ticket for the office as the operators\' call does; the words stay in the follow-up', async () => {
    const ticket = await closedTicket();
    const result = await public_().report.answerFollowUp({
      trackingCode: ticket.trackingCode,
      phoneLast4: '5678',
      fixed: false,
      satisfaction: 'unsatisfied',
      comment: '第二天车又不让人了',
    });
    expect(result).toEqual({ trackingCode: ticket.trackingCode, changed: false, reopened: true });
    const detail = await t.portal.services.staff.detail(office, ticket.trackingCode);
    expect(detail.status).toBe('reopened');
    expect(detail.timeline.at(-1)).toMatchObject({
      action: 'reopen',
      reason: '网上回访：问题未解决，反映人不满意（反映人意见见本工单的回访记录）',
    });
    expect(JSON.stringify(detail.timeline)).not.toContain('第二天车又不让人了');
    expect(detail.followUps).toEqual([
      expect.objectContaining({
        channel: 'online',
        fixed: false,
        satisfaction: 'unsatisfied',
        comment: '第二天车又不让人了',
        reopened: true,
      }),
    ]);
    // Back in the office's queue; the public page no longer asks or shows the closure.
    const queue = await t.portal.services.staff.list(office, { statuses: ['reopened'] });
    expect(queue.items.map((i) => i.trackingCode)).toContain(ticket.trackingCode);
    const view = await track(ticket.trackingCode);
    expect(view).toMatchObject({ status: 'reopened', outcome: null, followUp: null });
    await expect(
      public_().report.answerFollowUp({ trackingCode: ticket.trackingCode, phoneLast4: '5678', fixed: true, satisfaction: 'satisfied' }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('waits the set days before the operators call, and an online answer completes the call task', async () => {
    const waiting = await closedTicket({ text: MARKET, unit: 'fagaiju' });
    const answered = await closedTicket({ text: MARKET, unit: 'fagaiju' });
    const listed = async () => (await t.portal.services.followUps.pending(operator, { limit: 200 })).items.map((i) => i.trackingCode);
    expect(await listed()).not.toContain(waiting.trackingCode);
    expect(await listed()).not.toContain(answered.trackingCode);

    later(DAY);
    await public_().report.answerFollowUp({
      trackingCode: answered.trackingCode,
      phoneLast4: '5678',
      fixed: true,
      satisfaction: 'satisfied',
    });
    later(2 * DAY);
    const now = await listed();
    expect(now).toContain(waiting.trackingCode);
    expect(now).not.toContain(answered.trackingCode);

    // The operator's call on the other one; both count, by channel, in the unit's rates.
    const task = (await t.portal.services.followUps.pending(operator, { limit: 200 })).items.find(
      (i) => i.trackingCode === waiting.trackingCode,
    )!;
    await t.portal.services.followUps.record(operator, { id: task.id, reached: true, fixed: true, satisfaction: 'fair' });
    expect((await track(waiting.trackingCode)).followUp).toEqual({ kind: 'by-phone' });
    await expect(
      public_().report.answerFollowUp({
        trackingCode: waiting.trackingCode,
        phoneLast4: '5678',
        fixed: false,
        satisfaction: 'unsatisfied',
      }),
    ).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('电话回访过') });

    const stats = (await t.portal.services.followUps.stats()).find((s) => s.unitCode === 'fagaiju');
    expect(stats).toMatchObject({ due: 2, reached: 2, byPhone: 1, online: 1, satisfied: 1, fair: 1, satisfactionRate: 1 });
    // The month of the closures, in China time (the report's months are China months).
    const month = new Date(new Date(waiting.closedAt!).getTime() + 8 * 3_600_000).toISOString().slice(0, 7);
    const report = await t.portal.services.ledgersFor(office).monthlyReport(month);
    expect(report.followUps.find((f) => f.unit?.code === 'fagaiju')).toMatchObject({ due: 2, reached: 2, byPhone: 1, online: 1 });
    expect(report.followUpTotals.online).toBeGreaterThanOrEqual(1);
  });
});
