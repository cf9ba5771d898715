// A change someone else made meanwhile (optimistic concurrency on a ticket's version) is a 409
// with a Chinese message asking the person to refresh — over the real HTTP API, on SQLite and
// PostgreSQL — whether the console's stale version is seen before the change or the version
// guard of the update itself finds the row already moved on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, statusOf } from '../../server/errors.ts';
import { SESSION_COOKIE } from '../../server/http/session-cookie.ts';
import { applyEvent, findTicketByCode } from '../../server/tickets/ticket-repository.ts';
import { databaseKinds } from '../support/databases.ts';
import { serveTestPortal, type TestHost } from '../support/http-host.ts';
import { startTestPortal, type TestPortal } from '../support/portal.ts';
import { createStaffUser } from '../support/staff-accounts.ts';

const kinds = await databaseKinds();
const PASSWORD = 'version-clash-42';
const REFRESH = '工单已被他人更新，请刷新页面后再办理';

describe.each(kinds)('a version clash on %s', (kind) => {
  let t: TestPortal;
  let host: TestHost;
  let cookie: string;

  beforeAll(async () => {
    t = await startTestPortal(kind);
    host = await serveTestPortal(t);
    await createStaffUser(t, { username: 'clash-office', displayName: '调度员', role: 'dispatcher', unitCode: null, password: PASSWORD });
    const session = await t.portal.services.accounts.login('clash-office', PASSWORD, { ip: '10.0.0.9' });
    cookie = `${SESSION_COOKIE}=${session.token}`;
  });
  afterAll(async () => {
    await host?.close();
    await t?.close();
  });

  // A report no rule routes, so it waits for the office (received) and the office may reject it.
  const submitted = async () =>
    (await t.portal.services.submitReport({ description: '我家楼上邻居天天半夜唱歌，吵得睡不着觉，说了好几次也不听' }, { ip: '10.0.0.8' }))
      .trackingCode;

  const act = (trackingCode: string, expectedVersion: number) =>
    fetch(`${host.base}/api/trpc/staff.tickets.act`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie },
      body: JSON.stringify({ trackingCode, expectedVersion, act: { action: 'reject', reason: '不属于创城范围' } }),
    });

  it('answers 409 and asks to refresh when the console shows an older version', async () => {
    const code = await submitted();
    const seen = (await findTicketByCode(t.portal.database.db, code))!.version;
    expect((await act(code, seen)).status).toBe(200);

    const stale = await act(code, seen);
    expect(stale.status).toBe(409);
    const body = (await stale.json()) as { error: { message: string; data: { code: string; httpStatus: number } } };
    expect(body.error).toMatchObject({ message: REFRESH, data: { code: 'CONFLICT', httpStatus: 409 } });
  });

  it('refuses an update whose version moved on after it was read, as a ConflictError (409), not a 500', async () => {
    const { db } = t.portal.database;
    const code = await submitted();
    const read = (await findTicketByCode(db, code))!;
    const snapshot = { id: read.id, version: read.version };
    expect((await act(code, read.version)).status).toBe(200);

    const clash = await applyEvent(
      db,
      snapshot,
      {
        at: new Date().toISOString(),
        actorKind: 'office',
        actorId: '1',
        action: 'reopen',
        fromStatus: 'rejected',
        toStatus: 'reopened',
        reason: '回访发现问题仍在',
        data: {},
      },
      { status: 'reopened' },
    ).catch((error: unknown) => error);
    expect(clash).toBeInstanceOf(ConflictError);
    expect(clash).toMatchObject({ message: REFRESH });
    expect(statusOf(clash)).toMatchObject({ status: 409, trpcCode: 'CONFLICT' });
    expect((await findTicketByCode(db, code))!.status).toBe('rejected');
  });
});
