// A plain-text mail to the dedicated mailbox as a mail server would store it (UTF-8 subject and
// base64 body), for tests that feed services.mail.processMail.
let serial = 0;

export function rawMail(o: { from: string; subject: string; text: string; messageId?: string }): Buffer {
  const messageId = o.messageId ?? `<test-${++serial}-${Date.now()}@example.org>`;
  return Buffer.from(
    [
      `From: ${o.from}`,
      'To: chuangcheng@lincheng.example',
      `Subject: =?UTF-8?B?${Buffer.from(o.subject).toString('base64')}?=`,
      'Date: Mon, 30 Nov 2026 10:00:00 +0800',
      `Message-ID: ${messageId}`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from(o.text).toString('base64'),
      '',
    ].join('\r\n'),
  );
}
