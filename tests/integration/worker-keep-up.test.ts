// A worker that keeps up (issue 16 item 5), on SQLite and PostgreSQL with the injected clock:
// - the outboxes drain past the old 20-per-pass limit, a pass bounded by its maximum, with at most
//   the concurrency's messages in flight (a stand-in transport counts them);
// - two delivery runs at once (two connection pools, as two worker processes have) send every
//   message exactly once between them;
// - a worker that died mid-pass: its claims run out and another worker sends those messages once;
// - 1,500 due reminders all go out, over passes when a pass's time is up, even when reminded
//   tickets sit first in line;
// - leases: one holder at a time; a holder that stops renewing is taken over once its lease has
//   run out; a service held by the lease runs on one worker only and moves when the holder dies;
//   the site build of a builder that died is built by the worker that takes its lease over;
// - the deployed worker (a real Dovecot) skips the mailbox while another worker holds its lease.
import fs from 'node:fs';
import path from 'node:path';
import type { Kysely } from 'kysely';
import { ImapFlow } from 'imapflow';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from '../../server/clock.ts';
import { readEnv } from '../../server/env.ts';
import { createPortalWorker } from '../../server/worker/portal-worker.ts';
import { dovecotAvailable, startDovecot, type TestImapServer } from '../support/dovecot.ts';
import type { Database } from '../../server/db/schema.ts';
import { keyringOf, PersonalDataPlugin } from '../../server/db/personal-data.ts';
import { openDatabase, type DatabaseHandle } from '../../server/db/database.ts';
import { createMailDelivery } from '../../server/notify/mail-delivery.ts';
import { enqueueMail, listMail } from '../../server/notify/mail-outbox-repository.ts';
import type { MailTransport, OutgoingMessage } from '../../server/notify/mail-transport.ts';
import { createSmsDelivery } from '../../server/notify/sms-delivery.ts';
import { enqueueSms } from '../../server/notify/sms-outbox-repository.ts';
import type { SmsProvider } from '../../server/notify/sms-provider.ts';
import type { SmsSettings } from '../../server/notify/sms-settings.ts';
import { createDeadlineJobs } from '../../server/worker/deadline-jobs.ts';
import type { DeadlineEvent } from '../../server/worker/deadline-notice.ts';
import { createLease, whileLeased } from '../../server/worker/lease.ts';
import { leaseHolder } from '../../server/worker/lease-repository.ts';
import { requestBuild } from '../../server/publish/publishing.ts';
import { emptySnapshot } from '../../server/publish/public-snapshot.ts';
import { claimQueued } from '../../server/publish/site-build-repository.ts';
import { createSitePublisher } from '../../server/publish/site-publisher.ts';
import { databaseKinds } from '../support/databases.ts';
import { startTestPortal, type TestPortal } from '../support/portal.ts';

const kinds = await databaseKinds();
const FROM = '"临城县创城办" <noreply@cc.lincheng.example>';
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** A mail server stand-in: records what it was given and how many conversations ran at once. */
function countingTransport(options: { hang?: boolean } = {}) {
  const state = { inFlight: 0, maxInFlight: 0, delivered: [] as string[], started: 0 };
  const transport: MailTransport = {
    kind: 'smtp',
    async send(message: OutgoingMessage) {
      state.started++;
      state.inFlight++;
      state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
      // A worker that dies mid-send: the server never answers.
      if (options.hang) await new Promise(() => {});
      // Answer on a later turn of the event loop, so the other lanes really are in flight meanwhile.
      await new Promise((resolve) => setImmediate(resolve));
      state.inFlight--;
      state.delivered.push(message.messageId);
      return '250 OK';
    },
    close() {},
  };
  return { transport, state };
}

function smsSettings(): SmsSettings {
  return {
    provider: null,
    signName: '临城创城',
    templates: {},
    kindsOff: [],
    perNumberPerDay: 5,
    dailyBudget: 100_000,
    quietHours: { from: 22, to: 8 },
  };
}

const duplicates = (ids: readonly string[]) => ids.length - new Set(ids).size;

describe.each(kinds)('a worker that keeps up, on %s', (kind) => {
  let t: TestPortal;
  let db: Kysely<Database>;
  const others: DatabaseHandle[] = [];
  beforeEach(async () => {
    t = await startTestPortal(kind);
    db = t.portal.database.db;
    t.clock.set('2026-12-02T02:00:00.000Z'); // 10:00 China time: no quiet hours
  });
  afterEach(async () => {
    for (const h of others.splice(0)) await h.close();
    await t?.close();
  });

  /** Another worker process's connection pool on the same database, with the same data key (ADR 019). */
  function secondPool(): Kysely<Database> {
    const handle = openDatabase(t.database.url);
    others.push(handle);
    return handle.db.withPlugin(new PersonalDataPlugin(keyringOf(t.portal.database.db)));
  }

  async function queueMail(n: number): Promise<void> {
    await db.transaction().execute(async (trx) => {
      for (let i = 0; i < n; i++) {
        await enqueueMail(
          trx,
          { kind: 'reminder', to: [`unit${i % 7}@lincheng.example`], subject: `第${i}封`, text: `正文${i}`, html: `<p>正文${i}</p>` },
          t.clock.now(),
        );
      }
    });
  }

  const mailDelivery = (database: Kysely<Database>, transport: MailTransport, more: { maxPerPass?: number; concurrency?: number } = {}) =>
    createMailDelivery({ db: database, transport, clock: t.clock, from: FROM, dialect: kind, ...more });

  it('drains 2,000 mails past the old 20 a pass, at most MAIL_MAX_PER_PASS a pass and MAIL_CONCURRENCY at once', async () => {
    await queueMail(2000);
    const { transport, state } = countingTransport();
    const delivery = mailDelivery(db, transport, { maxPerPass: 800, concurrency: 4 });

    expect(await delivery.runOnce()).toEqual({ sent: 800, failed: 0, retried: 0 });
    expect(state.maxInFlight).toBe(4);
    expect(await delivery.runOnce()).toEqual({ sent: 800, failed: 0, retried: 0 });
    expect(await delivery.runOnce()).toEqual({ sent: 400, failed: 0, retried: 0 });
    expect(await delivery.runOnce()).toEqual({ sent: 0, failed: 0, retried: 0 });

    expect(state.delivered).toHaveLength(2000);
    expect(duplicates(state.delivered)).toBe(0);
    expect(await listMail(db, { status: 'pending', limit: 10 })).toEqual([]);
    expect(state.maxInFlight).toBe(4);
  });

  it('two delivery runs at once send each of 2,000 mails exactly once between them', async () => {
    await queueMail(2000);
    const a = countingTransport();
    const b = countingTransport();
    const runs = await Promise.all([
      mailDelivery(db, a.transport, { maxPerPass: 5000 }).runOnce(),
      mailDelivery(secondPool(), b.transport, { maxPerPass: 5000 }).runOnce(),
    ]);
    expect(runs[0].sent + runs[1].sent).toBe(2000);
    const all = [...a.state.delivered, ...b.state.delivered];
    expect(all).toHaveLength(2000);
    expect(duplicates(all)).toBe(0);
    expect(Math.max(a.state.maxInFlight, b.state.maxInFlight)).toBeLessThanOrEqual(4);
    const sent = await listMail(db, { status: 'sent', limit: 5000 });
    expect(sent).toHaveLength(2000);
    expect(sent.every((m) => m.attempts === 1)).toBe(true);
  });

  it('a worker that died mid-pass: its claimed mails are sent once by another worker after the claim runs out', async () => {
    await queueMail(120);
    const dead = countingTransport({ hang: true });
    // It claims its first batch (16: four rounds of its four lanes) and hangs in the first sends; the process is as good as gone.
    void mailDelivery(db, dead.transport, { concurrency: 4 }).runOnce();
    await vi.waitFor(() => expect(dead.state.started).toBe(4));

    const alive = countingTransport();
    const other = mailDelivery(secondPool(), alive.transport);
    expect(await other.runOnce()).toMatchObject({ sent: 104 });
    // Claimed by the dead worker: not sent twice while its claim holds …
    t.clock.advance(14 * MINUTE);
    expect(await other.runOnce()).toMatchObject({ sent: 0 });
    // … and sent once when it has run out (15 minutes).
    t.clock.advance(2 * MINUTE);
    expect(await other.runOnce()).toMatchObject({ sent: 16 });
    expect(alive.state.delivered).toHaveLength(120);
    expect(duplicates(alive.state.delivered)).toBe(0);
    expect(await listMail(db, { status: 'pending', limit: 10 })).toEqual([]);
  });

  it('text messages: two runs at once send each once, at most SMS_CONCURRENCY at once; a dead run’s claims are sent once later', async () => {
    const at = t.clock.now();
    await db.transaction().execute(async (trx) => {
      for (let i = 0; i < 600; i++) {
        const to = `138${String(10_000_000 + i).slice(-8)}`;
        await enqueueSms(trx, { kind: 'unit-dispatch', audience: 'unit', to, params: { code: `T${i}` }, text: `第${i}条` }, at);
      }
    });
    const provider = (options: { hang?: boolean } = {}) => {
      const state = { inFlight: 0, maxInFlight: 0, started: 0, sent: [] as string[] };
      // A slow provider: the first answers come only once four requests are waiting for theirs.
      let allowAnswers: () => void = () => {};
      const answering = new Promise<void>((resolve) => (allowAnswers = resolve));
      const p: SmsProvider = {
        async send(request) {
          state.started++;
          state.inFlight++;
          state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
          if (options.hang) await new Promise(() => {});
          if (state.inFlight >= 4) allowAnswers();
          await answering;
          await new Promise((resolve) => setImmediate(resolve));
          state.inFlight--;
          state.sent.push(request.templateParam['code'] ?? '');
          return { requestId: `r${state.sent.length}`, bizId: `b${state.sent.length}` };
        },
      };
      return { p, state };
    };
    const sms = (database: Kysely<Database>, p: SmsProvider) =>
      createSmsDelivery({ db: database, clock: t.clock, settings: smsSettings(), dataDir: t.database.dataDir, provider: p, dialect: kind });

    const dead = provider({ hang: true });
    void sms(db, dead.p).runOnce();
    await vi.waitFor(() => expect(dead.state.started).toBe(4));

    const a = provider();
    const b = provider();
    const runs = await Promise.all([sms(db, a.p).runOnce(), sms(secondPool(), b.p).runOnce()]);
    expect(runs[0].sent + runs[1].sent).toBe(584);
    expect(Math.max(a.state.maxInFlight, b.state.maxInFlight)).toBe(4);

    t.clock.advance(16 * MINUTE);
    expect(await sms(db, a.p).runOnce()).toMatchObject({ sent: 16 });
    const all = [...a.state.sent, ...b.state.sent];
    expect(all).toHaveLength(600);
    expect(duplicates(all)).toBe(0);
  });

  /** `n` open tickets of jiaojing with deadlines from `firstDeadline` on, half a minute apart. */
  async function dueTickets(n: number, firstDeadline: Date, reminded: string | null, prefix: string): Promise<void> {
    const at = t.clock.now().toISOString();
    for (let from = 0; from < n; from += 500) {
      const rows = [];
      for (let i = from; i < Math.min(n, from + 500); i++) {
        rows.push({
          tracking_code: `${prefix}${String(i).padStart(6, '0')}`,
          status: 'dispatched',
          channel: 'web',
          description: `第${i}号：人行道上的井盖松动，踩上去会翻`,
          category_code: null,
          lead_unit_code: 'jiaojing',
          cooperating_unit_codes: '[]',
          point_id: null,
          location_address: null,
          deadline_at: new Date(firstDeadline.getTime() + i * 30_000).toISOString(),
          reminder_sent_at: reminded,
          closed_at: null,
          created_at: at,
          updated_at: at,
          version: 1,
        });
      }
      await db.insertInto('tickets').values(rows).execute();
    }
  }

  it('1,500 due reminders all go out, over passes when a pass’s time is up, oldest deadline first', async () => {
    const now = t.clock.now();
    await dueTickets(1500, new Date(now.getTime() + HOUR), null, 'R');
    const events: DeadlineEvent[] = [];
    // No time at all per pass: each pass does one page (200) and leaves the rest for the next.
    const jobs = createDeadlineJobs({
      db,
      notify: async (_trx, e) => {
        events.push(e);
      },
      pageSize: 200,
      passBudgetMs: 0,
    });
    const perPass: number[] = [];
    for (let pass = 0; pass < 20 && events.length < 1500; pass++) perPass.push((await jobs.reminders(now)).marked.length);
    expect(perPass).toEqual([200, 200, 200, 200, 200, 200, 200, 100]);
    // Nothing is reminded twice, however many passes look again.
    for (let pass = 0; pass < 10; pass++) expect((await jobs.reminders(now)).marked).toEqual([]);
    const reminded = events.flatMap((e) => e.ticketIds);
    expect(reminded).toHaveLength(1500);
    expect(duplicates(reminded.map(String))).toBe(0);
    const first = await db.selectFrom('tickets').select(['id', 'deadline_at']).orderBy('deadline_at').limit(200).execute();
    expect(events.slice(0, 200).flatMap((e) => e.ticketIds)).toEqual(first.map((r) => Number(r.id)));
    const left = await db.selectFrom('tickets').select('id').where('reminder_sent_at', 'is', null).execute();
    expect(left).toEqual([]);
  });

  it('tickets already reminded first in line do not starve the 1,500 behind them (the old cap of 500)', async () => {
    const now = t.clock.now();
    // 700 with the earliest deadlines, reminded an hour ago for the deadline they have now.
    await dueTickets(700, new Date(now.getTime() + 10 * MINUTE), new Date(now.getTime() - HOUR).toISOString(), 'A');
    await dueTickets(1500, new Date(now.getTime() + 6 * HOUR), null, 'B');
    let count = 0;
    const jobs = createDeadlineJobs({
      db,
      notify: async () => {
        count++;
      },
    });
    const run = await jobs.reminders(now);
    expect(run).toMatchObject({ skipped: 0, more: false });
    expect(run.marked).toHaveLength(1500);
    expect(count).toBe(1500);
    expect((await jobs.reminders(now)).marked).toEqual([]);
  });

  it('a lease has one holder; a holder that stops renewing is taken over once it has run out', async () => {
    const a = createLease({ db, clock: t.clock, name: 'mailbox', holder: 'worker-a', ttlMs: 40_000 });
    const b = createLease({ db: secondPool(), clock: t.clock, name: 'mailbox', holder: 'worker-b', ttlMs: 40_000 });
    let readsA = 0;
    let readsB = 0;
    const readA = () => a.run(async () => ++readsA);
    const readB = () => b.run(async () => ++readsB);

    expect(await readA()).toEqual({ ran: true, value: 1 });
    expect(await readB()).toEqual({ ran: false });
    t.clock.advance(30_000);
    expect(await readA()).toEqual({ ran: true, value: 2 }); // renewed: 40 s from now
    t.clock.advance(30_000);
    expect(await readB()).toEqual({ ran: false });
    // A dies: it renews no more. Past its lease, B takes over, and A (should it come back) does not read.
    t.clock.advance(11_000);
    expect(await readB()).toEqual({ ran: true, value: 1 });
    expect(await readA()).toEqual({ ran: false });
    expect(await leaseHolder(db, 'mailbox', t.clock.now())).toMatchObject({ holder: 'worker-b' });
    // Given up (a worker stopping): the other takes it at once.
    await b.release();
    expect(await readA()).toEqual({ ran: true, value: 3 });
    expect(readsB).toBe(1);
  });

  it('two workers racing for a free lease: exactly one gets it', async () => {
    const leases = [db, secondPool(), db, secondPool()].map((d, i) =>
      createLease({ db: d, clock: t.clock, name: 'site-build', holder: `w${i}` }),
    );
    const got = await Promise.all(leases.map((l) => l.acquire()));
    expect(got.filter(Boolean)).toHaveLength(1);
  });

  it('a service held by a lease (the mailbox watcher) runs on one worker, and moves when its holder dies', async () => {
    const started: string[] = [];
    const stopped: string[] = [];
    const service = (who: string) => () => ({
      start: () => void started.push(who),
      stop: async () => void stopped.push(who),
    });
    // Looks every 100 ms of real time; the lease's 300 ms run on the test's clock, which only the test moves.
    const quiet = { error: () => {} };
    const aHandle = openDatabase(t.database.url);
    const a = whileLeased(
      createLease({ db: aHandle.db, clock: t.clock, name: 'mailbox', holder: 'a', ttlMs: 300, log: quiet }),
      service('a'),
    );
    const b = whileLeased(
      createLease({ db: secondPool(), clock: t.clock, name: 'mailbox', holder: 'b', ttlMs: 300, log: quiet }),
      service('b'),
    );
    a.start();
    await vi.waitFor(() => expect(started).toEqual(['a']));
    b.start();
    // B has looked (and found the lease held) a few times.
    await vi.waitFor(async () => expect(await leaseHolder(db, 'mailbox', t.clock.now())).toMatchObject({ holder: 'a' }));
    expect(started).toEqual(['a']);

    // A's process dies: its connections go, it renews no more (and stops listening, unsure of its lease).
    await aHandle.close();
    await vi.waitFor(() => expect(stopped).toEqual(['a']));
    expect(started).toEqual(['a']);
    // Past A's lease, B takes over at its next look.
    t.clock.advance(1000);
    await vi.waitFor(() => expect(started).toEqual(['a', 'b']));
    expect(await leaseHolder(db, 'mailbox', t.clock.now())).toMatchObject({ holder: 'b' });
    await b.stop();
    expect(stopped).toEqual(['a', 'b']);
    expect(await leaseHolder(db, 'mailbox', t.clock.now())).toBeNull();
    await a.stop().catch(() => {});
  });

  it('the site build: while the holder builds nobody else does; once a dead holder’s lease has run out its requests are built at once', async () => {
    const dataDir = t.database.dataDir;
    const script = path.join(dataDir, 'stand-in-site.mjs');
    fs.writeFileSync(
      script,
      "import fs from 'node:fs'; import path from 'node:path';\n" +
        "fs.writeFileSync(path.join(process.env.SITE_OUT_DIR, 'index.html'), '<!doctype html><title>临城县文明创城</title>');\n",
    );
    const publisherWith = (database: Kysely<Database>, holder: string) =>
      createSitePublisher({
        db: database,
        clock: t.clock,
        dataDir,
        root: path.resolve(import.meta.dirname, '../..'),
        store: t.portal.blobs,
        snapshot: async (at) => emptySnapshot(path.join(dataDir, 'media'), at),
        buildOptions: { command: [process.execPath, script], pagefind: false },
        lease: createLease({ db: database, clock: t.clock, name: 'site-build', holder }),
      });
    await requestBuild(db, 'notice:1 published', t.clock.now());
    // Worker A took the lease and the request, and died mid-build.
    const deadLease = createLease({ db, clock: t.clock, name: 'site-build', holder: 'dead-a' });
    expect(await deadLease.acquire()).toBe(true);
    expect(await claimQueued(db, 'build-of-dead-a', t.clock.now().toISOString(), null)).toBe(1);

    const b = publisherWith(secondPool(), 'b');
    expect(await b.pending()).toBe(true);
    expect(await b.runOnce()).toEqual({ built: false, reason: 'another worker is building' });
    // 40 s later A's lease has run out: B builds A's request now, not after the 30 minutes a build may take.
    t.clock.advance(41_000);
    expect(await b.runOnce()).toMatchObject({ built: true, requests: 1 });
    const rows = await db.selectFrom('site_builds').select(['reason', 'status']).execute();
    expect(rows).toEqual([{ reason: 'notice:1 published', status: 'live' }]);
    // B gave the lease up after its build: whichever worker finds the next request builds it.
    expect(await leaseHolder(db, 'site-build', t.clock.now())).toBeNull();
    expect(await b.runOnce()).toEqual({ built: false, reason: 'nothing queued' });
  });
});

describe.skipIf(!dovecotAvailable() && !process.env['CI'])('the deployed worker reads the mailbox only while it holds its lease', () => {
  let server: TestImapServer;
  let t: TestPortal;
  beforeAll(async () => {
    server = await startDovecot();
    t = await startTestPortal('sqlite');
  });
  afterAll(async () => {
    await t?.close();
    await server?.stop();
  });

  it('skips the mailbox while another worker holds the lease, and reads it once that worker gives it up', async () => {
    const client = new ImapFlow({
      host: server.host,
      port: server.port,
      secure: false,
      auth: { user: server.user, pass: server.password },
      logger: false,
    });
    await client.connect();
    const raw = Buffer.from(
      'From: resident@example.com\r\nTo: box@example.org\r\nSubject: =?UTF-8?B?' +
        Buffer.from('东街下水道堵了').toString('base64') +
        '?=\r\nMessage-ID: <lease-1@example.com>\r\nDate: Mon, 30 Nov 2026 10:00:00 +0800\r\nMIME-Version: 1.0\r\n' +
        'Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n' +
        Buffer.from('东街菜市场门口的下水道堵了三天，污水漫到路上。').toString('base64') +
        '\r\n',
    );
    await client.append('INBOX', raw);
    const inbox = async () => ((await client.status('INBOX', { messages: true })) || { messages: -1 }).messages;

    const url = `imap://${server.user}:${encodeURIComponent(server.password)}@${server.host}:${server.port}`;
    const env = readEnv({ DATA_DIR: t.database.dataDir, DATABASE_URL: t.database.url, MAIL_IMAP_URL: url, MAIL_IMAP_IDLE: '0' });
    const worker = createPortalWorker(t.portal, env, t.clock);
    // Another worker (the deployment's leases go by the real time) is reading the mailbox.
    const other = createLease({ db: t.portal.database.db, clock: systemClock, name: 'mailbox', holder: 'other-worker' });
    expect(await other.acquire()).toBe(true);

    const skipped = await worker.scheduler.runOnce();
    expect(skipped.jobs.find((j) => j.job === 'mailbox')).toMatchObject({
      ok: true,
      result: { skipped: 'another worker reads the mailbox' },
    });
    expect(await inbox()).toBe(1);

    await other.release();
    const read = await worker.scheduler.runOnce();
    expect(read.jobs.find((j) => j.job === 'mailbox')).toMatchObject({ ok: true, result: { handled: 1 } });
    expect(await inbox()).toBe(0);
    // Without IDLE, a pass gives the lease up after its read: whichever worker passes next reads.
    expect(await leaseHolder(t.portal.database.db, 'mailbox', new Date())).toBeNull();
    worker.transport.close();
    await client.logout();
  });
});
