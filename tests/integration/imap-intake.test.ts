// The IMAP side of the mailbox intake against a real Dovecot: messages are read with PEEK,
// moved only after the pipeline has answered, quarantined ones go to their folder, a failing
// one stays in the inbox for the next run, and a server that goes away costs one run. The IDLE
// watcher reads new mail as it arrives and reconnects after its connection is cut.
import net from 'node:net';
import { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createImapIntake, imapSettingsFromUrl, type HandleMail } from '../../server/intake/mail/imap-intake.ts';
import { createMailboxWatcher } from '../../server/intake/mail/imap-watch.ts';
import type { MailboxMode } from '../../server/intake/mail/mailbox-status.ts';
import type { MailOutcome } from '../../server/intake/mail/mail-decision.ts';
import { dovecotAvailable, startDovecot, type TestImapServer } from '../support/dovecot.ts';

function message(id: string, subject: string): Buffer {
  return Buffer.from(
    `From: resident@example.com\r\nTo: box@example.org\r\nSubject: ${subject}\r\nMessage-ID: <${id}@example.com>\r\n\r\n${subject}\r\n`,
  );
}

describe.skipIf(!dovecotAvailable() && !process.env['CI'])('IMAP intake', () => {
  let server: TestImapServer;
  let url: string;
  beforeAll(async () => {
    server = await startDovecot();
    url = `imap://${server.user}:${encodeURIComponent(server.password)}@${server.host}:${server.port}`;
  });
  afterAll(async () => {
    await server?.stop();
  });

  async function withClient<T>(work: (imap: ImapFlow) => Promise<T>): Promise<T> {
    const imap = new ImapFlow({
      host: server.host,
      port: server.port,
      secure: false,
      auth: { user: server.user, pass: server.password },
      logger: false,
    });
    await imap.connect();
    try {
      return await work(imap);
    } finally {
      await imap.logout();
    }
  }
  const count = (folder: string) =>
    withClient(async (imap) => ((await imap.status(folder, { messages: true })) || { messages: -1 }).messages);

  it('moves each message after the pipeline answers, quarantines what it refuses, and retries a failure', async () => {
    await withClient(async (imap) => {
      await imap.append('INBOX', message('a', 'fine'));
      await imap.append('INBOX', message('b', 'refused'));
      await imap.append('INBOX', message('c', 'flaky'));
    });
    const seen: string[] = [];
    let flakyFails = true;
    const handle: HandleMail = async (raw) => {
      const subject = /Subject: (\w+)/.exec(raw.toString())![1]!;
      seen.push(subject);
      if (subject === 'flaky' && flakyFails) throw new Error('database away');
      const outcome: MailOutcome = subject === 'refused' ? 'quarantined' : 'created';
      return { outcome };
    };
    const intake = createImapIntake(imapSettingsFromUrl(url), handle);

    expect(await intake.runOnce()).toMatchObject({ handled: 2, quarantined: 1, failed: 1 });
    expect([await count('INBOX'), await count('Processed'), await count('Quarantine')]).toEqual([1, 1, 1]);
    // What stayed behind was only peeked at: still unread for a person looking at the mailbox.
    const flags = await withClient(async (imap) => {
      const lock = await imap.getMailboxLock('INBOX');
      try {
        return [...((await imap.fetchOne('1:*', { flags: true })) || { flags: new Set<string>() }).flags!];
      } finally {
        lock.release();
      }
    });
    expect(flags).not.toContain('\\Seen');

    flakyFails = false;
    expect(await intake.runOnce()).toMatchObject({ handled: 1, failed: 0 });
    expect([await count('INBOX'), await count('Processed')]).toEqual([0, 2]);
    expect(seen).toEqual(['fine', 'refused', 'flaky', 'flaky']);
  });

  it('handles at most maxPerRun messages a run', async () => {
    await withClient(async (imap) => {
      for (const id of ['d', 'e', 'f']) await imap.append('INBOX', message(id, 'batch'));
    });
    const intake = createImapIntake({ ...imapSettingsFromUrl(url), maxPerRun: 2 }, async () => ({ outcome: 'created' }));
    expect(await intake.runOnce()).toMatchObject({ handled: 2, remaining: 1 });
    expect(await intake.runOnce()).toMatchObject({ handled: 1, remaining: 0 });
  });

  it('a run against a server that is gone fails, and the next run works', async () => {
    const gone = createImapIntake({ ...imapSettingsFromUrl(url), port: 1 }, async () => ({ outcome: 'created' }));
    await expect(gone.runOnce()).rejects.toThrow();
    const intake = createImapIntake(imapSettingsFromUrl(url), async () => ({ outcome: 'created' }));
    await expect(intake.runOnce()).resolves.toMatchObject({ failed: 0 });
  });

  it('listens with IDLE: new mail is read at once, and after a dropped connection it reconnects and reads again', async () => {
    // A TCP relay in front of Dovecot, so the test can cut the watcher's connection.
    const sockets = new Set<net.Socket>();
    const relay = net.createServer((inbound) => {
      const outbound = net.connect(server.port, server.host);
      for (const s of [inbound, outbound]) {
        sockets.add(s);
        s.on('error', () => {});
        s.on('close', () => sockets.delete(s));
      }
      inbound.pipe(outbound).pipe(inbound);
      inbound.on('close', () => outbound.destroy());
      outbound.on('close', () => inbound.destroy());
    });
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
    const relayPort = (relay.address() as net.AddressInfo).port;
    const settings = { ...imapSettingsFromUrl(url), port: relayPort };

    const subjects: string[] = [];
    const intake = createImapIntake(settings, async (raw) => {
      subjects.push(/Subject: (\w+)/.exec(raw.toString())![1]!);
      return { outcome: 'created' };
    });
    const modes: MailboxMode[] = [];
    const watcher = createMailboxWatcher({
      settings,
      onNewMail: () => intake.runOnce(),
      onMode: (mode) => void modes.push(mode),
      backoff: { initialMs: 20, maxMs: 200, resetAfterMs: 60_000 },
    });
    watcher.start();
    try {
      await expect.poll(() => watcher.listening, { timeout: 10_000 }).toBe(true);
      await withClient((imap) => imap.append('INBOX', message('idle-1', 'first')));
      await expect.poll(() => subjects, { timeout: 10_000 }).toContain('first');

      for (const s of sockets) s.destroy();
      await expect.poll(() => modes.includes('poll'), { timeout: 10_000 }).toBe(true);
      await expect.poll(() => watcher.listening && modes.at(-1) === 'idle', { timeout: 10_000 }).toBe(true);
      await withClient((imap) => imap.append('INBOX', message('idle-2', 'second')));
      await expect.poll(() => subjects, { timeout: 10_000 }).toContain('second');
      expect(subjects.filter((s) => s === 'first')).toHaveLength(1);
    } finally {
      await watcher.stop();
      relay.close();
    }
    expect(watcher.listening).toBe(false);
    expect(modes.at(-1)).toBe('poll');
  });
});
