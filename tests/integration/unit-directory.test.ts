// The office maintains units' notification mailboxes in the console; mail follows at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StaffUser } from '../../server/auth/roles.ts';
import { createDeadlineNotifications } from '../../server/notify/deadline-notifications.ts';
import { listMail } from '../../server/notify/mail-outbox-repository.ts';
import { createWorker } from '../../server/worker/worker.ts';
import { databaseKinds } from '../support/databases.ts';
import { startTestPortal, type TestPortal } from '../support/portal.ts';
import { createStaff } from '../support/staff-accounts.ts';

const kinds = await databaseKinds();

describe.each(kinds)('unit mailboxes on %s', (kind) => {
  let t: TestPortal;
  let users: Record<string, StaffUser> = {};
  beforeAll(async () => {
    t = await startTestPortal(kind);
    users = await createStaff(t, [
      ['unit-admin', 'admin'],
      ['unit-dispatcher', 'dispatcher'],
    ]);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('an administrator replaces a unit’s mailboxes, and dispatch mail goes there', async () => {
    const { units } = t.portal.services;
    await expect(units.setEmails(users['unit-dispatcher']!, 'jiaojing', ['x@example.org'])).rejects.toThrow(/管理员/);
    await expect(units.setEmails(users['unit-admin']!, 'jiaojing', ['not-an-address'])).rejects.toThrow(/邮箱格式/);
    const saved = await units.setEmails(users['unit-admin']!, 'jiaojing', ['duty@jiaojing.example.org', 'chief@jiaojing.example.org']);
    expect(saved).toMatchObject({ emailsEdited: true, emails: ['duty@jiaojing.example.org', 'chief@jiaojing.example.org'] });
    expect((await units.list()).find((u) => u.code === 'jiaojing')?.emails).toEqual(saved.emails);

    await t.caller().report.submit({ description: '人民路和府前街交叉口，机动车经过斑马线从来不礼让行人' });
    const notify = createDeadlineNotifications({
      catalog: t.portal.services.catalog,
      clock: t.clock,
      publicUrl: 'http://x',
      unitEmails: units.emailsOf,
    });
    await createWorker({ db: t.portal.database.db, clock: t.clock, notify }).runOnce();
    const [mail] = await listMail(t.portal.database.db, { unitCode: 'jiaojing', kind: 'dispatch' });
    expect(mail?.to).toEqual(saved.emails);

    const restored = await units.setEmails(users['unit-admin']!, 'jiaojing', null);
    expect(restored.emails).toEqual(t.portal.services.catalog.unit('jiaojing')!.emails);
  });
});
