// The dedicated mailbox end to end: a real Dovecot, the real pipeline on SQLite. Mail appended to
// INBOX becomes a ticket and is moved; a reply threads onto its ticket; an auto-reply and a
// bounce create nothing; a crash between commit and move makes no second ticket.
import { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEnv } from '../../server/env.ts';
import { createImapIntake, imapSettingsFromUrl } from '../../server/intake/mail/imap-intake.ts';
import { createPortalWorker } from '../../server/worker/portal-worker.ts';
import { expectConsoleError } from '../setup/fail-on-console-error.ts';
import { staffUser } from '../support/ticket-factory.ts';
import { dovecotAvailable, startDovecot, type TestImapServer } from '../support/dovecot.ts';
import { startTestPortal, type TestPortal } from '../support/portal.ts';

const b64 = (s: string) => `=?UTF-8?B?${Buffer.from(s).toString('base64')}?=`;

function mail(headers: Record<string, string>, body: string): Buffer {
  const head = Object.entries({ From: 'resident@example.com', To: 'box@example.org', Date: 'Mon, 30 Nov 2026 10:00:00 +0800', ...headers })
    .map(([k, v]) => `${k}: ${v}`)
    .join('\r\n');
  return Buffer.from(
    `${head}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n${Buffer.from(body).toString('base64')}\r\n`,
  );
}

describe.skipIf(!dovecotAvailable() && !process.env['CI'])('dedicated mailbox over IMAP', () => {
  let server: TestImapServer;
  let t: TestPortal;
  let imap: ReturnType<typeof createImapIntake>;
  let url: string;
  beforeAll(async () => {
    server = await startDovecot();
    t = await startTestPortal('sqlite');
    url = `imap://${server.user}:${encodeURIComponent(server.password)}@${server.host}:${server.port}`;
    imap = createImapIntake(imapSettingsFromUrl(url), (raw, source) => t.portal.services.mail.processMail(raw, source));
  });
  afterAll(async () => {
    await t?.close();
    await server?.stop();
  });

  async function append(...messages: Buffer[]) {
    const client = new ImapFlow({
      host: server.host,
      port: server.port,
      secure: false,
      auth: { user: server.user, pass: server.password },
      logger: false,
    });
    await client.connect();
    for (const m of messages) await client.append('INBOX', m);
    const counts = async (folder: string) => ((await client.status(folder, { messages: true })) || { messages: -1 }).messages;
    return {
      counts: async () => ({ inbox: await counts('INBOX'), processed: await counts('Processed') }),
      close: () => client.logout(),
    };
  }

  const tickets = async () =>
    Number(
      (
        await t.portal.database.db
          .selectFrom('tickets')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('makes tickets of new mail, threads a reply, ignores an auto-reply and a bounce, and survives a crash before the move', async () => {
    const report = mail(
      { Subject: b64('西关集贸市场垃圾成堆'), 'Message-ID': '<report-1@example.com>' },
      '西关集贸市场里垃圾堆成山，臭气熏天，好几天没人清理了，请尽快处理。',
    );
    const box = await append(report);
    await imap.runOnce();
    expect(await tickets()).toBe(1);
    const [ticket] = await t.portal.database.db.selectFrom('tickets').select(['tracking_code', 'channel']).execute();
    expect(ticket?.channel).toBe('mail');

    const reply = mail(
      { Subject: b64(`回复：您反映的问题已受理（查询码 ${ticket!.tracking_code}）`), 'Message-ID': '<reply-1@example.com>' },
      '补充一下：市场东门口最严重。',
    );
    const autoReply = mail(
      { Subject: b64('自动回复：我现在不在办公室'), 'Auto-Submitted': 'auto-replied', 'Message-ID': '<auto-1@example.com>' },
      '我正在休假。',
    );
    const bounce = mail(
      { From: 'MAILER-DAEMON@example.org', Subject: 'Undelivered Mail Returned to Sender', 'Message-ID': '<bounce-1@example.org>' },
      'This is the mail system. I am sorry to have to inform you that your message could not be delivered.',
    );
    // A message handled (committed) by a worker that died before moving it: it is still in INBOX.
    const crashed = mail(
      { Subject: b64('人民路口车辆不礼让行人'), 'Message-ID': '<crash-1@example.com>' },
      '人民路和府前街交叉口，机动车经过斑马线从来不礼让行人。',
    );
    await t.portal.services.mail.processMail(crashed, {});
    expect(await tickets()).toBe(2);
    const more = await append(reply, autoReply, bounce, crashed);

    const run = await imap.runOnce();
    expect(run).toMatchObject({ handled: 4, failed: 0 });
    expect(await tickets()).toBe(2); // the reply threads, the auto-reply and the bounce make nothing, the crashed one is not doubled
    expect(await more.counts()).toEqual({ inbox: 0, processed: 5 });
    const rows = await t.portal.database.db.selectFrom('mail_messages').select(['message_id', 'outcome']).orderBy('id').execute();
    expect(Object.fromEntries(rows.map((r) => [r.message_id, r.outcome]))).toMatchObject({
      '<report-1@example.com>': 'created',
      '<reply-1@example.com>': 'appended',
      '<auto-1@example.com>': 'ignored',
      '<bounce-1@example.org>': 'ignored',
      '<crash-1@example.com>': 'created',
    });
    await box.close();
    await more.close();
  });

  it('the deployed worker reads the mailbox each pass and records how it went for the console', async () => {
    const office = await staffUser(t, 'office');
    const env = (imapUrl: string) =>
      readEnv({ DATA_DIR: t.database.dataDir, DATABASE_URL: t.database.url, MAIL_IMAP_URL: imapUrl, MAIL_IMAP_IDLE: '0' });
    const box = await append(
      mail({ Subject: b64('北街路灯不亮'), 'Message-ID': '<worker-1@example.com>' }, '北街从东头数第三根路灯不亮，晚上看不见路。'),
    );
    const worker = createPortalWorker(t.portal, env(url), t.clock);
    expect(worker.mailboxWatcher).toBeNull(); // MAIL_IMAP_IDLE=0
    const tick = await worker.scheduler.runOnce();
    expect(tick.jobs.find((j) => j.job === 'mailbox')).toMatchObject({ ok: true, result: { handled: 1 } });
    let health = (await t.portal.services.mailbox.overview(office)).health;
    expect(health).toMatchObject({ configured: false, lastSuccessAt: t.clock.now().toISOString(), consecutiveFailures: 0 });
    expect(health.lastRun).toMatchObject({ handled: 1, quarantined: 0 });
    worker.transport.close();
    await box.close();

    // The server unreachable: the pass goes on with its other jobs, and the console says why.
    expectConsoleError(1);
    const away = createPortalWorker(t.portal, env(url.replace(`:${server.port}`, ':1')), t.clock);
    const failed = await away.scheduler.runOnce();
    expect(failed.jobs.find((j) => j.job === 'mailbox')).toMatchObject({ ok: false });
    expect(failed.jobs.find((j) => j.job === 'mail')).toMatchObject({ ok: true });
    health = (await t.portal.services.mailbox.overview(office)).health;
    expect(health.consecutiveFailures).toBe(1);
    expect(health.lastError).toMatch(/ECONNREFUSED|connect/i);
    away.transport.close();
  });
});
