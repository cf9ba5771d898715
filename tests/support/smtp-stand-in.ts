// A mail server stand-in for tests that watch the portal's delivery from outside (another process
// sends): smtp-server on a free loopback port, recording each mail it accepted (answered 250) by
// its Message-ID. It can be told to accept a few more and then hold every further mail unanswered
// — a worker killed then has mails in flight that the server never took, so none was delivered.
import { SMTPServer } from 'smtp-server';

export interface AcceptedMail {
  messageId: string;
  to: string[];
}

export interface SmtpStandIn {
  /** smtp://127.0.0.1:PORT, for SMTP_URL. */
  url: string;
  /** Mails answered 250, in order. */
  accepted: AcceptedMail[];
  /** Mails received in full and not answered (held). */
  readonly held: number;
  /** Accepts the next `count` mails, then holds every further one unanswered. */
  holdAfter(count: number): void;
  /** Accepts every mail again (those held stay unanswered: their senders are gone). */
  acceptAll(): void;
  close(): Promise<void>;
}

const MESSAGE_ID = /^message-id:\s*(<[^>\r\n]+>)/im;

export async function startSmtpStandIn(): Promise<SmtpStandIn> {
  const accepted: AcceptedMail[] = [];
  let acceptLeft: number | null = null;
  let held = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    // Connections of a worker still running at the end are closed after a second, not thirty.
    closeTimeout: 1000,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (acceptLeft === 0) {
          held++;
          return;
        }
        if (acceptLeft !== null) acceptLeft--;
        const head =
          Buffer.concat(chunks)
            .toString('utf8')
            .split(/\r?\n\r?\n/, 1)[0] ?? '';
        accepted.push({ messageId: MESSAGE_ID.exec(head)?.[1] ?? '', to: session.envelope.rcptTo.map((r) => r.address) });
        callback();
      });
    },
  });
  // A client hanging up (a killed worker) is reported as an 'error' event; it is not a test failure.
  server.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    server.listen(0, '127.0.0.1', () => resolve()).once('error', reject);
  });
  const address = server.server.address();
  const port = address && typeof address === 'object' ? address.port : 0;
  return {
    url: `smtp://127.0.0.1:${port}`,
    accepted,
    get held() {
      return held;
    },
    holdAfter(count) {
      acceptLeft = count;
    },
    acceptAll() {
      acceptLeft = null;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
