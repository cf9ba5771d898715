// The test IMAP server itself: imapflow appends to INBOX, fetches with peek and moves a message
// to another folder — what the mailbox intake (issue 4) will do against it.
import { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dovecotAvailable, startDovecot, type TestImapServer } from '../support/dovecot.ts';

describe.skipIf(!dovecotAvailable() && !process.env['CI'])('test IMAP server (Dovecot)', () => {
  let server: TestImapServer;
  beforeAll(async () => {
    server = await startDovecot();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('takes a message into INBOX, shows it unread after a peek, and moves it', async () => {
    const client = new ImapFlow({
      host: server.host,
      port: server.port,
      secure: false,
      auth: { user: server.user, pass: server.password },
      logger: false,
    });
    await client.connect();
    try {
      await client.mailboxCreate('Processed');
      const raw = Buffer.from(
        'From: 市民 <resident@example.com>\r\nTo: chuangcheng@example.org\r\nSubject: =?UTF-8?B?5biC5Zy65Z6D5Zy+?=\r\nMessage-ID: <m1@example.com>\r\n\r\n西关市场垃圾没人清理\r\n',
      );
      await client.append('INBOX', raw);
      const lock = await client.getMailboxLock('INBOX');
      try {
        const [message] = await client.fetchAll('1:*', { envelope: true, source: true, flags: true }, { uid: false });
        expect(message?.envelope?.subject).toBe('市场垃圾');
        expect(message?.flags?.has('\\Seen')).toBe(false);
        await client.messageMove('1:*', 'Processed');
      } finally {
        lock.release();
      }
      const messages = async (folder: string) => {
        const status = await client.status(folder, { messages: true });
        return status ? status.messages : undefined;
      };
      expect(await messages('Processed')).toBe(1);
      expect(await messages('INBOX')).toBe(0);
    } finally {
      await client.logout();
    }
  });
});
