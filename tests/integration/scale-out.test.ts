// A city's deployment (issue 16, "Done when"): two web processes and workers, each an OS process of
// its own (`node server/main.ts --role web|worker`) with its own DATA_DIR — no shared disk — on one
// PostgreSQL database and one S3-compatible bucket (s3rver), mail to an SMTP stand-in and text
// messages to the SMS provider's stand-in. It shows, from outside the processes:
// - a photo uploaded through web A is served by web B;
// - a notice published is built by the worker and live on both web processes within seconds;
// - a content version loaded into the database (npm run content:load) reaches both;
// - a login lockout counts failures made on both;
// - workers killed (SIGKILL, the whole process group: a machine that dies) in the middle of a pass
//   — one while it sends text messages (and builds the site, unless that build was quicker), the next while it sends mail — and a
//   third started after them: every mail and message is delivered exactly once, and the build the
//   first one was running goes live once. The stand-ins accept a few and then hold the rest
//   unanswered when a worker is killed, so what was in flight had not been delivered (a message the
//   provider had already accepted when its worker died goes again: delivery is at least once, README).
// Needs the build (`npm run build`): it runs in the `deployed` vitest project, after the build.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, onTestFailed, vi } from 'vitest';
import { protectDatabase } from '../../server/db/data-key-setup.ts';
import { createPortal } from '../../server/app.ts';
import { systemClock } from '../../server/clock.ts';
import { loadContentIntoDatabase } from '../../server/content/live-content.ts';
import { openDatabase, type DatabaseHandle } from '../../server/db/database.ts';
import { listMail } from '../../server/notify/mail-outbox-repository.ts';
import { listSms, SMS_KINDS } from '../../server/notify/sms-outbox-repository.ts';
import { templateVariable } from '../../server/notify/sms-settings.ts';
import { selectRecentBuilds } from '../../server/publish/site-build-repository.ts';
import { copyContent, editJson } from '../support/content-copy.ts';
import { databaseKinds, postgresDatabase, type TestDatabase } from '../support/databases.ts';
import { portalBuilt, startPortalProcess, type PortalProcess } from '../support/portal-process.ts';
import { s3TestSettings, stopS3Server } from '../support/s3-server.ts';
import { startSmsStandIn, type SmsStandIn } from '../support/sms-provider-stand-in.ts';
import { startSmtpStandIn, type SmtpStandIn } from '../support/smtp-stand-in.ts';
import { CONTENT_DIR } from '../support/portal.ts';

const kinds = await databaseKinds();
const PASSWORD = 'scale-out-pass-2026';
const SMS_KEYS = { accessKeyId: 'LTAI-scale-out', accessKeySecret: 'scale-out-secret' };
// Routed by content/ to the traffic police (交警大队).
const CROSSING = '人民路和府前街交叉口，机动车经过斑马线从来不礼让行人，老人过马路太危险了';
const RENAMED = '临城县公安局交通管理大队';
/** Reports queued for the workers to notify about: each gives a text message at once and, in a pass, a dispatch mail and another message. */
const REPORTS = 16;

interface Answer {
  status: number;
  data: any;
  cookie: string | null;
}

/** One tRPC call over HTTP: a query (GET) when `input` is under `query`, else a mutation (POST). */
async function call(
  base: string,
  procedure: string,
  options: { input?: unknown; query?: unknown; cookie?: string; ip: string },
): Promise<Answer> {
  const headers: Record<string, string> = { 'x-forwarded-for': options.ip, ...(options.cookie && { cookie: options.cookie }) };
  const res =
    options.query === undefined
      ? await fetch(`${base}/api/trpc/${procedure}`, {
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/json' },
          body: JSON.stringify(options.input ?? null),
        })
      : await fetch(`${base}/api/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify(options.query))}`, { headers });
  const body = (await res.json()) as { result?: { data: unknown } };
  return { status: res.status, data: body.result?.data ?? body, cookie: res.headers.get('set-cookie')?.split(';')[0] ?? null };
}

async function ok(answer: Promise<Answer>): Promise<any> {
  const a = await answer;
  expect(a.status, JSON.stringify(a.data)).toBe(200);
  return a.data;
}

describe.skipIf(!kinds.includes('postgres'))('a city deployment: two web processes and a worker, one database, one bucket', () => {
  let database: TestDatabase;
  let db: DatabaseHandle;
  let smtp: SmtpStandIn;
  let sms: SmsStandIn;
  let env: Record<string, string>;
  let webA: PortalProcess;
  let webB: PortalProcess;
  const workers: PortalProcess[] = [];
  const dirs: string[] = [];

  function tempDir(prefix: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    dirs.push(dir);
    return dir;
  }

  /** A process with a DATA_DIR of its own. */
  function start(role: 'web' | 'worker'): Promise<PortalProcess> {
    return startPortalProcess(role, { ...env, DATA_DIR: tempDir(`portal-${role}-`) });
  }

  async function startWorker(): Promise<PortalProcess> {
    const worker = await start('worker');
    workers.push(worker);
    return worker;
  }

  let office: string;
  async function signInOffice(): Promise<string> {
    const answer = await call(webA.base, 'auth.login', { input: { username: 'office', password: PASSWORD }, ip: '198.51.100.2' });
    expect(answer.status, JSON.stringify(answer.data)).toBe(200);
    return answer.cookie!;
  }

  async function report(base: string, ip: string, extra: Record<string, unknown> = {}): Promise<{ trackingCode: string }> {
    return ok(call(base, 'report.submit', { input: { description: CROSSING, ...extra }, ip }));
  }

  /** Publishes a notice about a new report (the office's draft saved on B, published on A); its id and slug. */
  async function publishNotice(title: string): Promise<{ id: number; slug: string }> {
    const { trackingCode } = await report(webB.base, '198.51.100.3');
    const draft = await ok(
      call(webB.base, 'staff.notices.saveDraft', {
        input: {
          trackingCodes: [trackingCode],
          title,
          body: '经查，人民路和府前街交叉口机动车不礼让行人问题群众反映强烈。责任单位未按时整改，现予曝光，限期整改并公开回应。',
          responseDueAt: new Date(Date.now() + 7 * 86_400_000).toISOString(),
        },
        cookie: office,
        ip: '198.51.100.2',
      }),
    );
    const published = await ok(call(webA.base, 'staff.notices.publish', { input: { id: draft.id }, cookie: office, ip: '198.51.100.2' }));
    return { id: draft.id as number, slug: published.slug as string };
  }

  async function buildsFor(reason: string) {
    return (await selectRecentBuilds(db.db, 200)).filter((b) => b.reason === reason);
  }

  beforeAll(async () => {
    if (!portalBuilt()) throw new Error('The web processes serve the build: run `npm run build` first (dist/ is missing).');
    database = await postgresDatabase();
    // Migrated, the content stored and the accounts made before the processes start.
    const setup = await createPortal({
      databaseUrl: database.url,
      dataDir: database.dataDir,
      dataKey: database.dataKey,
      contentDir: CONTENT_DIR,
    });
    await setup.services.accounts.createUser({ username: 'office', displayName: '调度员王芳', role: 'dispatcher', password: PASSWORD });
    await setup.services.accounts.createUser({ username: 'shared', displayName: '共用账号', role: 'dispatcher', password: PASSWORD });
    await setup.close();
    // Reads the outboxes' recipients: with the processes' data key (ADR 019).
    db = await protectDatabase(openDatabase(database.url), { file: database.dataKey, dataDir: database.dataDir });
    const s3 = await s3TestSettings();
    smtp = await startSmtpStandIn();
    sms = await startSmsStandIn(SMS_KEYS);
    env = {
      DATABASE_URL: database.url,
      // Every process on the database has the same data key (ADR 019).
      DATA_KEY: database.dataKey!,
      CONTENT_DIR,
      CONTENT_POLL_SECONDS: '1',
      TRUST_PROXY: '1',
      BLOB_STORE: 's3',
      S3_ENDPOINT: s3.endpoint!,
      S3_BUCKET: s3.bucket,
      S3_REGION: s3.region,
      S3_FORCE_PATH_STYLE: 'true',
      S3_ACCESS_KEY_ID: s3.credentials!.accessKeyId,
      S3_SECRET_ACCESS_KEY: s3.credentials!.secretAccessKey,
      SMTP_URL: smtp.url,
      SMS_PROVIDER: 'aliyun',
      SMS_ENDPOINT: sms.endpoint,
      ALIBABA_CLOUD_ACCESS_KEY_ID: SMS_KEYS.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: SMS_KEYS.accessKeySecret,
      ...Object.fromEntries(SMS_KINDS.map((kind, i) => [templateVariable(kind), `SMS_90000${i}`])),
      SMS_QUIET_HOURS: '0-0',
      WORKER_INTERVAL_SECONDS: '1',
      WORKER_LEASE_SECONDS: '3',
      OUTBOX_CLAIM_SECONDS: '5',
    };
    [webA, webB] = await Promise.all([start('web'), start('web'), startWorker()]);
    office = await signInOffice();
  }, 90_000);

  afterAll(async () => {
    await Promise.all([webA, webB, ...workers].map((p) => p?.kill('SIGKILL')));
    await db?.close();
    await Promise.all([smtp?.close(), sms?.close(), stopS3Server()]);
    await database?.drop();
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('serves on web B the photo uploaded with a report through web A', async () => {
    const jpeg = await sharp({ create: { width: 640, height: 480, channels: 3, background: '#3a6' } })
      .jpeg()
      .toBuffer();
    const form = new FormData();
    form.set('file', new Blob([new Uint8Array(jpeg)], { type: 'image/jpeg' }), 'photo.jpg');
    const res = await fetch(`${webA.base}/api/uploads`, { method: 'POST', body: form, headers: { 'x-forwarded-for': '198.51.100.10' } });
    const photo = (await res.json()) as { id: string; url: string };
    expect(res.status, JSON.stringify(photo)).toBe(200);
    await report(webA.base, '198.51.100.10', { photoIds: [photo.id] });

    const fromA = await fetch(`${webA.base}${photo.url}`);
    const fromB = await fetch(`${webB.base}${photo.url}`);
    expect(fromB.status).toBe(200);
    expect(fromB.headers.get('content-type')).toBe('image/webp');
    const bytes = Buffer.from(await fromB.arrayBuffer());
    expect(bytes.length).toBeGreaterThan(0);
    expect(bytes.equals(Buffer.from(await fromA.arrayBuffer()))).toBe(true);
  });

  it('counts failed sign-ins on both web processes towards one lockout', async () => {
    const statuses = [];
    for (let i = 0; i < 5; i++) {
      const answer = await call(i % 2 === 0 ? webA.base : webB.base, 'auth.login', {
        input: { username: 'shared', password: `guess-${i}` },
        ip: `198.51.100.${20 + i}`,
      });
      statuses.push(answer.status);
    }
    expect(statuses).toEqual([400, 400, 400, 400, 400]);
    for (const base of [webA.base, webB.base]) {
      const answer = await call(base, 'auth.login', { input: { username: 'shared', password: PASSWORD }, ip: '198.51.100.30' });
      expect(answer.status).toBe(429);
    }
  });

  it('uses a content version loaded into the database on both web processes within seconds', async () => {
    const suggested = async (base: string) =>
      (await ok(call(base, 'routing.suggest', { query: { text: CROSSING }, ip: '198.51.100.40' }))).unit?.name as string;
    expect(await suggested(webA.base)).not.toBe(RENAMED);
    const dir = copyContent();
    dirs.push(dir);
    editJson(path.join(dir, 'units.json'), (units: Array<{ code: string; name: string }>) => {
      for (const unit of units) if (unit.code === 'jiaojing') unit.name = RENAMED;
    });
    const loaded = await loadContentIntoDatabase(db, dir, systemClock);
    expect(loaded.added).toBe(true);
    for (const base of [webA.base, webB.base]) {
      await vi.waitFor(async () => expect(await suggested(base)).toBe(RENAMED), { timeout: 10_000, interval: 200 });
    }
  });

  it('has a published notice built by the worker and live on both web processes', { timeout: 120_000 }, async () => {
    const title = '人民路路口机动车不礼让行人问题曝光';
    const notice = await publishNotice(title);
    // The worker builds it (after the build it started with, on an empty site).
    await vi.waitFor(async () => expect((await buildsFor(`notice:${notice.id} published`))[0]?.status).toBe('live'), {
      timeout: 90_000,
      interval: 500,
    });
    for (const [name, web] of [
      ['web A', webA],
      ['web B', webB],
    ] as const) {
      await vi.waitFor(
        async () => {
          const res = await fetch(`${web.base}/notices/${notice.slug}/`);
          expect(res.status, `${name}: /notices/${notice.slug}/`).toBe(200);
          expect(await res.text()).toContain(title);
        },
        { timeout: 10_000, interval: 250 },
      );
    }
  });

  it(
    'loses and duplicates no mail, text message or build when workers die mid-pass and another takes over',
    { timeout: 180_000 },
    async () => {
      // What the workers said, should this fail: their passes, builds and errors.
      onTestFailed(() => {
        for (const [i, worker] of workers.entries()) console.log(`worker ${i + 1}:\n${worker.output()}`);
      });
      const [first] = workers as [PortalProcess];
      // The provider answers three messages, then stops answering: the first worker's pass hangs on it.
      const acceptedBefore = sms.accepted.length;
      const requestsBefore = sms.requests;
      sms.hangAfter(3);
      const phones = Array.from({ length: REPORTS }, (_, i) => `1390000${String(1000 + i)}`);
      for (const [i, phone] of phones.entries()) {
        await report(i % 2 === 0 ? webA.base : webB.base, `203.0.113.${10 + i}`, { reporter: { phone } });
      }
      const notice = await publishNotice('人民路路口问题再次曝光：斑马线前仍不礼让');
      const reason = `notice:${notice.id} published`;

      // Killed while its pass waits on the provider, once it has taken the build. The build (a
      // notice on top of the live site, a few seconds) may already be live by then on a fast
      // machine; a build killed half-way and taken over is shown deterministically, with a gate,
      // in worker-keep-up.test.ts. Either way it must go live once.
      await vi.waitFor(
        async () => {
          expect(sms.accepted.length - acceptedBefore).toBe(3);
          expect(sms.requests - sms.accepted.length - (requestsBefore - acceptedBefore)).toBeGreaterThan(0);
          expect((await listSms(db.db, { statuses: ['sent'], limit: 1000 })).length).toBe(sms.accepted.length);
          expect(['building', 'live']).toContain((await buildsFor(reason))[0]?.status);
        },
        { timeout: 60_000, interval: 100 },
      );
      await first.kill('SIGKILL');
      sms.setMode('ok');
      // The mail server takes three mails, then holds every further one unanswered.
      const mailBefore = smtp.accepted.length;
      smtp.holdAfter(3);

      // The second takes the build over once the lease has run out, and hangs on the mail server.
      const second = await startWorker();
      await vi.waitFor(
        async () => {
          expect(smtp.accepted.length - mailBefore).toBe(3);
          expect(smtp.held).toBeGreaterThan(0);
          expect((await listMail(db.db, { status: 'sent', limit: 1000 })).length).toBe(smtp.accepted.length);
          expect((await buildsFor(reason))[0]?.status).toBe('live');
        },
        { timeout: 60_000, interval: 100 },
      );
      await second.kill('SIGKILL');
      smtp.acceptAll();

      // The third sends what the others had claimed once their claims run out.
      await startWorker();
      await vi.waitFor(
        async () => {
          const mails = await listMail(db.db, { limit: 1000 });
          const texts = await listSms(db.db, { limit: 1000 });
          expect(mails.filter((m) => m.kind === 'dispatch').length).toBeGreaterThanOrEqual(REPORTS);
          expect(mails.filter((m) => m.status !== 'sent')).toEqual([]);
          expect(texts.filter((t) => t.status !== 'sent')).toEqual([]);
        },
        { timeout: 60_000, interval: 250 },
      );

      // Every mail in the outbox reached the server once, and nothing else did; no ticket's dispatch was queued twice.
      const mails = await listMail(db.db, { limit: 1000 });
      const dispatched = mails.filter((m) => m.kind === 'dispatch').map((m) => m.ticketId);
      expect(new Set(dispatched).size).toBe(dispatched.length);
      const received = smtp.accepted.map((m) => m.messageId);
      expect(new Set(received).size).toBe(received.length);
      expect([...received].sort()).toEqual(mails.map((m) => m.messageId).sort());
      // Every text message likewise, and each reporter got its two (受理, 转交) once each.
      const texts = await listSms(db.db, { limit: 1000 });
      const bizIds = sms.accepted.map((m) => m.bizId);
      expect(new Set(bizIds).size).toBe(bizIds.length);
      expect([...bizIds].sort()).toEqual(texts.map((t) => (JSON.parse(t.response!) as { BizId: string }).BizId).sort());
      for (const phone of phones) {
        const got = sms.accepted.filter((m) => m.phone === phone).map((m) => m.templateCode);
        expect(got.sort(), phone).toEqual(
          [templateVariable('reporter-accepted'), templateVariable('reporter-dispatched')].map((v) => env[v]).sort(),
        );
      }
      // The build the first worker died in went live once.
      const builds = await buildsFor(reason);
      expect(builds).toHaveLength(1);
      expect(['live', 'superseded']).toContain(builds[0]!.status);
    },
  );
});
