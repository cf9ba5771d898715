// The worker's deadline events become mail to the unit: a reminder before the deadline, an
// overdue notice after it, and the escalation (通报) with the tickets behind it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDeadlineNotifications } from '../../server/notify/deadline-notifications.ts';
import { listMail } from '../../server/notify/mail-outbox-repository.ts';
import { createWorker } from '../../server/worker/worker.ts';
import { databaseKinds } from '../support/databases.ts';
import { startTestPortal, type TestPortal } from '../support/portal.ts';

const kinds = await databaseKinds();
const HOUR = 3600_000;

describe.each(kinds)('deadline notifications on %s', (kind) => {
  let t: TestPortal;
  beforeAll(async () => {
    t = await startTestPortal(kind);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('tells the unit of the dispatch, reminds, then reports overdue, then notifies it of its 通报', async () => {
    const { catalog } = t.portal.services;
    const submitted = await t.caller().report.submit({ description: '人民路和府前街交叉口，机动车经过斑马线从来不礼让行人' });
    const deadline = new Date(submitted.deadline!).getTime();
    const notify = createDeadlineNotifications({ catalog, clock: t.clock, publicUrl: 'https://cc.example.cn' });
    const worker = createWorker({ db: t.portal.database.db, clock: t.clock, notify });
    const unitMail = async () => (await listMail(t.portal.database.db, { unitCode: 'jiaojing' })).reverse();

    t.clock.set(new Date(deadline - 12 * HOUR));
    await worker.runOnce();
    t.clock.set(new Date(deadline + HOUR));
    await worker.runOnce();

    const mails = await unitMail();
    expect(mails.map((m) => m.kind)).toEqual(['dispatch', 'reminder', 'acknowledge-overdue', 'overdue', 'escalation']);
    expect(mails.every((m) => m.to.join() === catalog.unit('jiaojing')!.emails.join())).toBe(true);
    expect(mails[1]!.subject).toContain(submitted.trackingCode);
    expect(mails[4]!.subject).toMatch(/【通报】临城县公安局交通警察大队/);
    expect(mails[4]!.text).toContain(submitted.trackingCode);
    expect(mails[4]!.html).toContain(`https://cc.example.cn/console/tickets/${submitted.trackingCode}`);

    await worker.runOnce();
    expect(await unitMail()).toHaveLength(5);
  });
});
