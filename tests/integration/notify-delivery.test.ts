// Notification mail through a real SMTP conversation (smtp-server on 127.0.0.1), on SQLite and
// PostgreSQL: queued in the caller's transaction, delivered by the worker's run, delayed — never
// lost — while the server is down or answers "try later", delivered exactly once afterwards.
// Without SMTP_URL the same mail becomes an .eml file.
import fs from 'node:fs';
import path from 'node:path';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { manualClock } from '../../server/clock.ts';
import { migrateToLatest, openDatabase, type DatabaseHandle } from '../../server/db/database.ts';
import { createMailDelivery } from '../../server/notify/mail-delivery.ts';
import { enqueueMail, listMail, requeueFailedMail, type NewMail } from '../../server/notify/mail-outbox-repository.ts';
import { createTransport, type MailTransport } from '../../server/notify/mail-transport.ts';
import { unitDispatchMail } from '../../server/notify/templates.ts';
import { databaseKinds, makeDatabase, sqliteDatabase, type TestDatabase } from '../support/databases.ts';

const kinds = await databaseKinds();
const FROM = '"临城县创城办" <noreply@cc.lincheng.example>';
const MINUTE = 60_000;

// ——— a mail server for the test ———

interface Received {
  from: string;
  to: string[];
  raw: string;
}

type Mode = 'accept' | 'try-later';

interface TestSmtp {
  port: number;
  received: Received[];
  mode: Mode;
  stop(): Promise<void>;
  start(): Promise<void>;
}

function smtpError(message: string, responseCode: number): Error {
  return Object.assign(new Error(message), { responseCode });
}

async function startSmtp(extra: Partial<SMTPServerOptions> = {}): Promise<TestSmtp> {
  const smtp: TestSmtp = { port: 0, received: [], mode: 'accept', stop, start };
  let server: SMTPServer | undefined;

  function create(): SMTPServer {
    const s = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onMailFrom(_address, _session, callback) {
        callback(smtp.mode === 'try-later' ? smtpError('Mailbox busy, try again later', 451) : null);
      },
      onRcptTo(address, _session, callback) {
        callback(address.address.startsWith('nobody@') ? smtpError('No such user here', 550) : null);
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          smtp.received.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            raw: Buffer.concat(chunks).toString('utf8'),
          });
          callback();
        });
      },
      ...extra,
    });
    // A client hanging up is reported as an 'error' event; it is not a test failure.
    s.on('error', () => {});
    return s;
  }

  async function start(): Promise<void> {
    server = create();
    const s = server;
    await new Promise<void>((resolve, reject) => {
      const net = s.listen(smtp.port, '127.0.0.1', () => resolve());
      net.once('error', reject);
    });
    const address = s.server.address();
    if (address && typeof address === 'object') smtp.port = address.port;
  }

  async function stop(): Promise<void> {
    const s = server;
    server = undefined;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  await start();
  return smtp;
}

// ——— reading a received mail back (just enough MIME for what nodemailer writes) ———

interface ParsedMail {
  headers: Map<string, string>;
  subject: string;
  text: string;
  html: string;
}

function splitHead(raw: string): { headers: Map<string, string>; body: string } {
  const normalised = raw.replace(/\r\n/g, '\n');
  const end = normalised.indexOf('\n\n');
  const head = normalised.slice(0, end).replace(/\n[ \t]+/g, ' ');
  const headers = new Map<string, string>();
  for (const line of head.split('\n')) {
    const colon = line.indexOf(':');
    headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, body: normalised.slice(end + 2) };
}

/** RFC 2047 encoded words, as nodemailer writes Chinese subjects. */
function decodeWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_, _charset: string, encoding: string, data: string) =>
      encoding.toUpperCase() === 'B' ? Buffer.from(data, 'base64').toString('utf8') : decodeQuotedPrintable(data.replace(/_/g, ' ')),
    );
}

function decodeQuotedPrintable(value: string): string {
  const bytes: number[] = [];
  const input = value.replace(/=\n/g, '');
  for (let i = 0; i < input.length; i++) {
    if (input[i] === '=' && /^[0-9A-F]{2}$/i.test(input.slice(i + 1, i + 3))) {
      bytes.push(parseInt(input.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(input[i]!, 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

function decodeBody(headers: Map<string, string>, body: string): string {
  const encoding = (headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  if (encoding === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (encoding === 'quoted-printable') return decodeQuotedPrintable(body);
  return body;
}

function parseMail(raw: string): ParsedMail {
  const { headers, body } = splitHead(raw);
  const boundary = /boundary="?([^";]+)"?/.exec(headers.get('content-type') ?? '')?.[1];
  const parts = boundary
    ? body
        .split(`--${boundary}`)
        .slice(1, -1)
        .map((part) => splitHead(part.replace(/^\n/, '')))
    : [{ headers, body }];
  const partOf = (type: string) => {
    const part = parts.find((p) => (p.headers.get('content-type') ?? '').startsWith(type));
    return part ? decodeBody(part.headers, part.body) : '';
  };
  return { headers, subject: decodeWords(headers.get('subject') ?? ''), text: partOf('text/plain'), html: partOf('text/html') };
}

// ——— the scenarios ———

const ticketFacts = {
  trackingCode: 'AC3-K7M-9XP',
  categoryName: '集贸市场秩序',
  description: '西关市场门口占道经营 <script>alert(1)</script>',
  location: '临城镇西关市场',
  deadlineAt: '2026-12-07T02:00:00.000Z',
};

function dispatchMail(to: string[], overrides: Partial<NewMail> = {}): NewMail {
  const content = unitDispatchMail({ publicUrl: 'https://cc.lincheng.example', unitName: '临城县发展和改革局', ticket: ticketFacts });
  return { kind: 'dispatch', unitCode: 'fagaiju', to, ...content, ...overrides };
}

describe.each(kinds)('notification mail on %s', (kind) => {
  let database: TestDatabase;
  let handle: DatabaseHandle;
  let smtp: TestSmtp;
  let transport: MailTransport;
  let clock: ReturnType<typeof manualClock>;

  beforeAll(async () => {
    database = await makeDatabase(kind);
    handle = openDatabase(database.url);
    await migrateToLatest(handle);
    smtp = await startSmtp();
    transport = createTransport({ smtpUrl: `smtp://127.0.0.1:${smtp.port}`, dataDir: database.dataDir });
  });
  afterAll(async () => {
    transport?.close();
    await smtp?.stop();
    await handle?.close();
    await database?.drop();
  });
  beforeEach(async () => {
    // Each scenario starts with an empty outbox, a listening server that accepts, and its own time.
    await handle.db.deleteFrom('mail_outbox').execute();
    smtp.received.length = 0;
    smtp.mode = 'accept';
    await smtp.stop();
    await smtp.start();
    clock = manualClock('2026-11-30T02:00:00.000Z');
  });

  function delivery(options: { maxAttempts?: number } = {}) {
    return createMailDelivery({ db: handle.db, transport, clock, from: FROM, ...options });
  }

  async function insertTicket(): Promise<number> {
    const at = clock.now().toISOString();
    const row = await handle.db
      .insertInto('tickets')
      .values({
        tracking_code: `T${Math.random().toString(36).slice(2, 11)}`,
        status: 'dispatched',
        channel: 'web',
        description: ticketFacts.description,
        category_code: null,
        suggested_category_code: null,
        suggested_unit_code: null,
        routing_confidence: null,
        lead_unit_code: 'fagaiju',
        cooperating_unit_codes: '[]',
        point_id: null,
        location_address: null,
        location_lat: null,
        location_lng: null,
        deadline_at: null,
        created_at: at,
        updated_at: at,
        closed_at: null,
        merged_into_id: null,
        idempotency_key: null,
        version: 1,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return Number(row.id);
  }

  it('delivers a queued mail over SMTP: recipients, Chinese subject, both parts, our Message-ID', async () => {
    const ticketId = await insertTicket();
    const to = ['office@fagaiju.example', 'chief@fagaiju.example'];
    const queued = await handle.db.transaction().execute((trx) =>
      enqueueMail(trx, dispatchMail([...to, ' Office@Fagaiju.example '], { ticketId }), clock.now(), {
        messageIdDomain: 'cc.lincheng.example',
      }),
    );
    expect(queued?.messageId).toMatch(/^<20261130T020000Z\.[0-9a-f]+@cc\.lincheng\.example>$/);

    clock.advance(5_000);
    expect(await delivery().runOnce()).toEqual({ sent: 1, failed: 0, retried: 0 });

    expect(smtp.received).toHaveLength(1);
    const received = smtp.received[0]!;
    expect(received.from).toBe('noreply@cc.lincheng.example');
    expect(received.to).toEqual(to); // the duplicate (other case, spaces) was dropped at enqueue
    const mail = parseMail(received.raw);
    expect(mail.subject).toBe('【新问题交办】集贸市场秩序（查询码 AC3-K7M-9XP）');
    expect(mail.headers.get('message-id')).toBe(queued!.messageId);
    expect(mail.headers.get('auto-submitted')).toBe('auto-generated');
    expect(decodeWords(mail.headers.get('from')!)).toBe('临城县创城办 <noreply@cc.lincheng.example>');
    expect(mail.text).toContain('问题类别：集贸市场秩序');
    expect(mail.text).toContain('https://cc.lincheng.example/console/tickets/AC3-K7M-9XP');
    expect(mail.html).toContain('href="https://cc.lincheng.example/console/tickets/AC3-K7M-9XP"');
    expect(mail.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');

    const [stored] = await listMail(handle.db, { ticketId });
    expect(stored).toMatchObject({
      kind: 'dispatch',
      ticketId,
      unitCode: 'fagaiju',
      to,
      status: 'sent',
      attempts: 1,
      sentAt: '2026-11-30T02:00:05.000Z',
      lastError: null,
    });
    expect(stored!.response).toMatch(/^250 /);
  });

  it('a mail exists only if the change that caused it committed', async () => {
    await expect(
      handle.db.transaction().execute(async (trx) => {
        await enqueueMail(trx, dispatchMail(['office@fagaiju.example']), clock.now());
        throw new Error('the ticket change failed');
      }),
    ).rejects.toThrow('the ticket change failed');
    expect(await listMail(handle.db)).toEqual([]);
    expect(await enqueueMail(handle.db, dispatchMail([]), clock.now())).toBeNull();
    await expect(enqueueMail(handle.db, dispatchMail(['office@fagaiju.example\r\nBcc: x@y.example']), clock.now())).rejects.toThrow(
      'Not a mail address',
    );
  });

  it('a server that is down delays mail, and a later run delivers it exactly once', async () => {
    await smtp.stop();
    await enqueueMail(handle.db, dispatchMail(['office@fagaiju.example']), clock.now());

    expect(await delivery().runOnce()).toEqual({ sent: 0, failed: 0, retried: 1 });
    let [mail] = await listMail(handle.db);
    expect(mail).toMatchObject({ status: 'pending', attempts: 1, nextAttemptAt: '2026-11-30T02:01:00.000Z' });
    expect(mail!.lastError).toMatch(/ECONNREFUSED|ESOCKET|ECONNECTION/);

    // Back up, but the retry is not due yet: nothing is sent before its time.
    await smtp.start();
    expect(await delivery().runOnce()).toEqual({ sent: 0, failed: 0, retried: 0 });

    clock.advance(MINUTE);
    expect(await delivery().runOnce()).toEqual({ sent: 1, failed: 0, retried: 0 });
    clock.advance(60 * MINUTE);
    expect(await delivery().runOnce()).toEqual({ sent: 0, failed: 0, retried: 0 });

    expect(smtp.received).toHaveLength(1);
    [mail] = await listMail(handle.db);
    expect(mail).toMatchObject({ status: 'sent', attempts: 2, lastError: null });
  });

  it('"451 try later" backs off 1, then 2 minutes, and delivers once the server accepts', async () => {
    smtp.mode = 'try-later';
    await enqueueMail(handle.db, dispatchMail(['office@fagaiju.example']), clock.now());

    expect(await delivery().runOnce()).toMatchObject({ retried: 1 });
    clock.advance(MINUTE);
    expect(await delivery().runOnce()).toMatchObject({ retried: 1 });
    let [mail] = await listMail(handle.db);
    expect(mail).toMatchObject({ status: 'pending', attempts: 2, nextAttemptAt: '2026-11-30T02:03:00.000Z' });
    expect(mail!.lastError).toContain('451');

    smtp.mode = 'accept';
    clock.advance(MINUTE);
    expect(await delivery().runOnce()).toEqual({ sent: 0, failed: 0, retried: 0 });
    clock.advance(MINUTE);
    expect(await delivery().runOnce()).toEqual({ sent: 1, failed: 0, retried: 0 });
    expect(smtp.received).toHaveLength(1);
    [mail] = await listMail(handle.db);
    expect(mail).toMatchObject({ status: 'sent', attempts: 3 });
  });

  it('gives up after maxAttempts (the office sees it) and delivers when requeued', async () => {
    await smtp.stop();
    const queued = await enqueueMail(handle.db, dispatchMail(['office@fagaiju.example']), clock.now());
    const worker = delivery({ maxAttempts: 3 });
    expect(await worker.runOnce()).toMatchObject({ retried: 1 });
    clock.advance(MINUTE);
    expect(await worker.runOnce()).toMatchObject({ retried: 1 });
    clock.advance(2 * MINUTE);
    expect(await worker.runOnce()).toEqual({ sent: 0, failed: 1, retried: 0 });
    clock.advance(24 * 60 * MINUTE);
    expect(await worker.runOnce()).toEqual({ sent: 0, failed: 0, retried: 0 });

    const [failed] = await listMail(handle.db, { status: 'failed' });
    expect(failed).toMatchObject({ id: queued!.id, attempts: 3 });
    expect(failed!.lastError).not.toBeNull();

    await smtp.start();
    expect(await requeueFailedMail(handle.db, queued!.id, clock.now())).toBe(true);
    expect(await requeueFailedMail(handle.db, queued!.id, clock.now())).toBe(false);
    expect(await worker.runOnce()).toEqual({ sent: 1, failed: 0, retried: 0 });
    expect(smtp.received).toHaveLength(1);
  });

  it('a recipient the server refuses outright fails at once instead of retrying for hours', async () => {
    await enqueueMail(handle.db, dispatchMail(['nobody@fagaiju.example']), clock.now());
    expect(await delivery().runOnce()).toEqual({ sent: 0, failed: 1, retried: 0 });
    const [mail] = await listMail(handle.db);
    expect(mail).toMatchObject({ status: 'failed', attempts: 1 });
    expect(mail!.lastError).toContain('550');
    expect(smtp.received).toHaveLength(0);
  });

  it('two workers running at once send every mail exactly once', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 8; i++) {
      const queued = await enqueueMail(handle.db, dispatchMail([`unit${i}@fagaiju.example`]), clock.now());
      ids.push(queued!.id);
    }
    const runs = await Promise.all([delivery().runOnce(), delivery().runOnce()]);
    expect(runs[0]!.sent + runs[1]!.sent).toBe(8);
    expect(smtp.received).toHaveLength(8);
    expect(new Set(smtp.received.map((r) => parseMail(r.raw).headers.get('message-id'))).size).toBe(8);
    const stored = await listMail(handle.db);
    expect(stored.map((m) => [m.status, m.attempts])).toEqual(ids.map(() => ['sent', 1]));
  });
});

describe('SMTP_URL credentials', () => {
  it('log in with the user and password from the URL', async () => {
    const database = sqliteDatabase();
    const handle = openDatabase(database.url);
    await migrateToLatest(handle);
    const logins: string[] = [];
    const smtp = await startSmtp({
      authOptional: false,
      allowInsecureAuth: true,
      onAuth(auth, _session, callback) {
        logins.push(`${auth.username}:${auth.password}`);
        callback(auth.username === 'portal' && auth.password === 's3cret/pass' ? null : new Error('Invalid login'), {
          user: auth.username,
        });
      },
    });
    const transport = createTransport({
      smtpUrl: `smtp://portal:${encodeURIComponent('s3cret/pass')}@127.0.0.1:${smtp.port}`,
      dataDir: database.dataDir,
    });
    try {
      const clock = manualClock('2026-11-30T02:00:00.000Z');
      await enqueueMail(handle.db, dispatchMail(['office@fagaiju.example']), clock.now());
      expect(await createMailDelivery({ db: handle.db, transport, clock, from: FROM }).runOnce()).toEqual({
        sent: 1,
        failed: 0,
        retried: 0,
      });
      expect(logins).toEqual(['portal:s3cret/pass']);
      expect(smtp.received).toHaveLength(1);
    } finally {
      transport.close();
      await smtp.stop();
      await handle.close();
      await database.drop();
    }
  });
});

describe('without SMTP_URL', () => {
  let database: TestDatabase;
  let handle: DatabaseHandle;
  beforeAll(async () => {
    database = sqliteDatabase();
    handle = openDatabase(database.url);
    await migrateToLatest(handle);
  });
  afterAll(async () => {
    await handle?.close();
    await database?.drop();
  });
  afterEach(async () => {
    await handle.db.deleteFrom('mail_outbox').execute();
  });

  it('writes each mail as a complete .eml file under DATA_DIR/mail-out/', async () => {
    const transport = createTransport({ dataDir: database.dataDir });
    expect(transport.kind).toBe('eml-files');
    const clock = manualClock('2026-11-30T02:00:00.000Z');
    const queued = await enqueueMail(handle.db, dispatchMail(['office@fagaiju.example']), clock.now());

    expect(await createMailDelivery({ db: handle.db, transport, clock, from: FROM }).runOnce()).toEqual({ sent: 1, failed: 0, retried: 0 });

    const dir = path.join(database.dataDir, 'mail-out');
    const files = fs.readdirSync(dir);
    expect(files).toHaveLength(1); // no temporary file left behind
    expect(files[0]).toMatch(/^20261130T020000Z\.[0-9a-f]+\.eml$/);
    const raw = fs.readFileSync(path.join(dir, files[0]!), 'utf8');
    expect(raw).toContain('\r\n'); // canonical line ends, as mail clients expect of .eml
    const mail = parseMail(raw);
    expect(mail.subject).toBe('【新问题交办】集贸市场秩序（查询码 AC3-K7M-9XP）');
    expect(mail.headers.get('to')).toBe('office@fagaiju.example');
    expect(mail.headers.get('message-id')).toBe(queued!.messageId);
    expect(mail.headers.get('date')).toBe('Mon, 30 Nov 2026 02:00:00 +0000');
    expect(mail.text).toContain('问题地点：临城镇西关市场');
    expect(mail.html).toContain('&lt;script&gt;');

    const [stored] = await listMail(handle.db);
    expect(stored).toMatchObject({ status: 'sent', response: `written to ${path.join(dir, files[0]!)}` });
    transport.close();
  });
});
