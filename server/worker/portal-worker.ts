// The worker as a deployment runs it: the deadline and escalation jobs with their notices queued
// as mail, the dedicated mailbox when MAIL_IMAP_URL is set (read every pass, and at once when
// new mail arrives while a connection listens with IMAP IDLE), and mail delivery through SMTP_URL
// (or .eml files). Used by `npm start` and by `npm run worker:tick`, so both run the same
// assembly; only `npm start` starts the listening watcher. Housekeeping (housekeeping.ts) removes
// photos never attached and expired sessions; the retention purge runs once a day.
//
// Publishing (ADR 006): the 'publish' job builds the public site when requests are queued. A
// resident worker (`npm start`, `--role worker`) also looks for requests every
// PUBLISH_POLL_MS (1 s) between passes, so a published notice is live in about one build's time
// rather than after the next pass; and at start it queues a build when none is live. Each look
// (and each pass) first compares the content the site reads (CONTENT_DIR: ads, site.json …) with
// what the last build read, and queues a build for what changed (site-publisher.ts). On the disk
// store, the build recorded live is also laid out as DATA_DIR/public-site/current for nginx
// (site-directory.ts, ADR 020).
//
// Several workers (issue 16 item 5): the outboxes are claimed in batches, so any number of workers
// share them; the mailbox (with its IDLE connection) and the site build are done only by the
// worker holding their lease (lease.ts), and another takes over within a minute when it dies.
import { createBackgroundEncryption } from '../db/data-encryption.ts';
import { keyringOf } from '../db/personal-data.ts';
import path from 'node:path';
import { systemClock, type Clock } from '../clock.ts';
import type { Env } from '../env.ts';
import type { Portal } from '../app.ts';
import { createDeadlineNotifications } from '../notify/deadline-notifications.ts';
import { createMailDelivery } from '../notify/mail-delivery.ts';
import { createSmsDelivery } from '../notify/sms-delivery.ts';
import { createSmsNotifications } from '../notify/sms-notifications.ts';
import { createTransport, type MailTransport } from '../notify/mail-transport.ts';
import type { Scheduler } from './scheduler.ts';
import { workerLog } from './scheduler.ts';
import { createHousekeeping } from './housekeeping.ts';
import { createWorker } from './worker.ts';
import { createLease, whileLeased } from './lease.ts';
import { createImapIntake, type ImapRun } from '../intake/mail/imap-intake.ts';
import { createMailboxWatcher, type MailboxWatcher } from '../intake/mail/imap-watch.ts';
import { createMailboxStatus } from '../intake/mail/mailbox-status.ts';
import { publicSnapshot } from '../publish/public-projection.ts';
import type { PublicSnapshot } from '../publish/public-snapshot.ts';
import { createSitePublisher, type SitePublisher } from '../publish/site-publisher.ts';
import { createSiteDirectory } from '../publish/site-directory.ts';
import { createDailyPurge } from '../privacy/daily-purge.ts';
import { createPrivacyPurge } from '../privacy/purge.ts';
import { createAuditSealer } from '../audit/audit-sealer.ts';
import { createNightlyBackup } from '../backup/nightly-backup.ts';

/** The mailbox job's answer when another worker holds the mailbox's lease. */
interface MailboxSkipped {
  skipped: string;
}

/** How often a resident worker looks for queued publish requests between passes. */
export const PUBLISH_POLL_MS = 1000;
const PROJECT_ROOT = path.resolve(import.meta.dirname, '..', '..');

/** What the public site is built from: the public projection, as of `at`. */
function snapshotOf(portal: Portal, env: Env, at: Date): Promise<PublicSnapshot> {
  return publicSnapshot({ db: portal.database.db, catalog: portal.services.catalog, mediaDir: path.join(env.dataDir, 'media') }, at);
}

export interface PortalWorker {
  scheduler: Scheduler;
  transport: MailTransport;
  /** Listens on the mailbox between passes (IMAP IDLE); null without a mailbox or with MAIL_IMAP_IDLE=0. */
  mailboxWatcher: MailboxWatcher | null;
  /** Builds the public site (the 'publish' job, and the poll between passes once started). */
  publisher: SitePublisher;
}

export function createPortalWorker(portal: Portal, env: Env, clock: Clock, hooks: { onSiteLive?: () => void } = {}): PortalWorker {
  const { db } = portal.database;
  const transport = createTransport({ smtpUrl: env.mail.smtpUrl, dataDir: env.dataDir });
  const { dialect } = portal.database;
  const throughput = env.delivery;
  const delivery = createMailDelivery({
    db,
    transport,
    clock,
    from: env.mail.from,
    dialect,
    concurrency: throughput.mailConcurrency,
    maxPerPass: throughput.mailMaxPerPass,
    claimMs: throughput.claimMs,
  });
  const mailNotify = createDeadlineNotifications({
    catalog: portal.services.catalog,
    clock,
    unitEmails: portal.services.units.emailsOf,
    publicUrl: env.publicUrl,
    messageIdDomain: env.mail.messageIdDomain,
  });
  // Text messages beside the mail (issue 15): units' duty phones, and the reporter on a dispatch.
  const smsNotify = createSmsNotifications({
    catalog: portal.services.catalog,
    publicUrl: env.publicUrl,
    signName: env.sms.signName,
    kindsOff: env.sms.kindsOff,
    dutyPhones: portal.services.units.dutyPhonesOf,
  }).deadlineObserver(() => clock.now());
  const notify: typeof mailNotify = async (trx, event) => {
    await mailNotify(trx, event);
    await smsNotify(trx, event);
  };
  const smsDelivery = createSmsDelivery({
    db,
    clock,
    settings: env.sms,
    dataDir: env.dataDir,
    log: workerLog,
    dialect,
    concurrency: throughput.smsConcurrency,
    maxPerPass: throughput.smsMaxPerPass,
    claimMs: throughput.claimMs,
  });

  let readMailbox: ((now: Date) => Promise<ImapRun | MailboxSkipped>) | null = null;
  let mailboxWatcher: MailboxWatcher | null = null;
  if (env.imap) {
    const intake = createImapIntake(env.imap, (raw, source) => portal.services.mail.processMail(raw, source));
    const status = createMailboxStatus(db);
    // One reader of the mailbox among several workers: the holder of the 'mailbox' lease.
    // Leases go by the real time: a pass run "as of" a later moment (worker:tick --at) must not hold one until then.
    const mailboxLease = createLease({ db, clock: systemClock, name: 'mailbox', ttlMs: env.leaseMs, log: workerLog });
    // Every read is recorded for the console: its counts, or why it failed.
    const readHolding = async (now: Date) => {
      try {
        const run = await intake.runOnce();
        await status.succeeded(now, run);
        return run;
      } catch (error) {
        await status.failed(now, error).catch(() => {});
        throw error;
      }
    };
    // With a listening watcher the lease stays with this worker (the watcher keeps it); without
    // one, each pass takes it for its read and gives it up after, so whichever worker passes next reads.
    let watching = false;
    readMailbox = async (now) => {
      const outcome = await mailboxLease.run(() => readHolding(now), { release: !watching });
      return outcome.ran ? outcome.value : { skipped: 'another worker reads the mailbox' };
    };
    if (env.imap.idle) {
      const read = readMailbox;
      const imap = env.imap;
      const makeWatcher = () =>
        createMailboxWatcher({
          settings: imap,
          // New mail: read it and send the acknowledgements now rather than at the next pass.
          onNewMail: async () => {
            await read(clock.now());
            await delivery.runOnce();
          },
          onMode: (mode, error) => status.mode(clock.now(), mode, error),
          log: workerLog,
        });
      // Only the lease's holder keeps a connection listening; a standby worker takes over when it stops renewing.
      const leased = whileLeased(mailboxLease, makeWatcher);
      mailboxWatcher = {
        start: () => {
          watching = true;
          leased.start();
        },
        stop: () => {
          watching = false;
          return leased.stop();
        },
        get listening() {
          return leased.current?.listening ?? false;
        },
      };
    }
  }

  // nginx's directory of the live site (ADR 020): on the disk store, laid out by the worker that
  // records a build live, and at its start (a build made before, an upgrade from a release without it).
  const siteDirectory = createSiteDirectory({ db, store: portal.blobs, dataDir: env.dataDir, log: workerLog });
  const updateSiteDirectory = () =>
    siteDirectory.update().then(
      () => {},
      (error: unknown) => workerLog.error("[publish] nginx's site directory was not updated (Node serves the new build meanwhile):", error),
    );
  const publisher = createSitePublisher({
    db,
    clock,
    dataDir: env.dataDir,
    root: PROJECT_ROOT,
    snapshot: (at) => snapshotOf(portal, env, at),
    // The photos are copied from the blob store (hard links when it is this disk).
    buildOptions: { env: { CONTENT_DIR: env.contentDir, PUBLIC_SITE_URL: env.publicUrl }, photos: portal.photos },
    store: portal.blobs,
    contentDir: env.contentDir,
    statsRefreshMs: env.statsRefreshMinutes * 60_000,
    log: workerLog,
    // One builder among several workers: the holder of the 'site-build' lease.
    lease: createLease({ db, clock: systemClock, name: 'site-build', ttlMs: env.leaseMs, log: workerLog }),
    onLive: () => {
      hooks.onSiteLive?.();
      return updateSiteDirectory();
    },
  });

  const backgroundEncryption = createBackgroundEncryption(db, keyringOf(db), { blobs: portal.blobs });
  const housekeeping = createHousekeeping({ db, photos: portal.photos, throttles: portal.throttles, log: workerLog });
  // Removal goes by the real time: a pass run "as of" a later time (worker:tick --at) must not
  // sign staff out, remove photos or purge personal data that are not yet due.
  const notLater = (at: Date) => new Date(Math.min(at.getTime(), systemClock.now().getTime()));
  const purge = createPrivacyPurge({
    db,
    blobs: portal.blobs,
    clock: { now: () => notLater(clock.now()) },
    retentionDays: env.privacy.retentionDays,
  });
  const dailyPurge = createDailyPurge(purge);
  // One sealer among several workers: the holder of the 'audit-seal' lease (ADR 018).
  const auditSealer = createAuditSealer(
    db,
    createLease({ db, clock: systemClock, name: 'audit-seal', ttlMs: env.leaseMs, log: workerLog }),
  );
  // BACKUP_DIR: a verified backup each night (server/backup/nightly-backup.ts), by the holder of the 'backup' lease.
  const backupDir = env.backup.dir;
  const nightlyBackup =
    backupDir &&
    createNightlyBackup({
      source: { database: portal.database, databaseUrl: env.databaseUrl, blobs: portal.blobs, dataDir: env.dataDir },
      settings: { ...env.backup, dir: backupDir },
      clock: { now: () => notLater(clock.now()) },
      lease: createLease({ db, clock: systemClock, name: 'backup', ttlMs: env.leaseMs, log: workerLog }),
    });
  const read = readMailbox;
  const passes = createWorker({
    db,
    clock,
    ...env.worker,
    notify,
    deliverMail: () => delivery.runOnce(),
    // The mailbox is read before mail is delivered, so acknowledgements go out in the same pass.
    jobs: [
      ...(read ? [{ name: 'mailbox', run: (now: Date) => read(now) }] : []),
      // Text messages queued in this pass (and before) go out in it.
      { name: 'sms', run: () => smsDelivery.runOnce() },
      // The audit records this pass (and the web processes since the last) wrote get their place
      // in the hash chain: milliseconds for a pass's worth.
      { name: 'audit-seal', run: (now: Date) => auditSealer.runOnce(now) },
      // Clear personal data left by a release before encryption at rest, a few batches a pass
      // until one walk reached the end; nothing after that (ADR 019).
      { name: 'data-encrypt', run: () => backgroundEncryption.runOnce() },
    ],
    // A site build takes seconds to a minute: after the pass's mail is out.
    laterJobs: [
      { name: 'publish', run: (now: Date) => publishPass(publisher, now) },
      { name: 'housekeeping', run: (now: Date) => housekeeping.runOnce(notLater(now)) },
      // Personal data past PERSONAL_DATA_RETENTION_DAYS, once a China day (server/privacy/daily-purge.ts).
      { name: 'privacy-purge', run: (now: Date) => dailyPurge(notLater(now)) },
      ...(nightlyBackup ? [{ name: 'backup', run: (now: Date) => nightlyBackup(notLater(now)) }] : []),
    ],
  });
  return { scheduler: withPublishPoll(passes, publisher, clock, updateSiteDirectory), transport, mailboxWatcher, publisher };
}

/**
 * Queues a build for content that changed since the last build, and a refresh of the statistics
 * pages when they are due (once a day, and when the counts moved), then builds if anything is queued.
 */
async function publishPass(publisher: SitePublisher, now: Date) {
  await publisher.queueContentChanges(now);
  await publisher.queueStatsRefresh(now);
  return publisher.runOnce(now);
}

/**
 * The scheduler, plus: at start a build is queued if none is live, and every PUBLISH_POLL_MS
 * changed content is queued and queued requests are built.
 */
function withPublishPoll(passes: Scheduler, publisher: SitePublisher, clock: Clock, updateSiteDirectory: () => Promise<void>): Scheduler {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let directory: Promise<void> = Promise.resolve();
  const poll = () => {
    timer = setTimeout(() => {
      timer = undefined;
      void (async () => {
        try {
          await publisher.queueContentChanges(clock.now());
          if (await publisher.pending()) await publisher.runOnce(clock.now());
        } catch (error) {
          workerLog.error('[publish] poll failed (tried again shortly):', error);
        }
        if (!stopped) poll();
      })();
    }, PUBLISH_POLL_MS);
  };
  return {
    runOnce: (now) => passes.runOnce(now),
    lastTick: () => passes.lastTick(),
    start() {
      if (passes.running || stopped) return;
      publisher.ensureLive(clock.now()).catch((error: unknown) => workerLog.error('[publish] could not queue the start build:', error));
      directory = updateSiteDirectory();
      passes.start();
      poll();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      await passes.stop();
      await publisher.idle();
      await directory;
    },
    get running() {
      return passes.running;
    },
  };
}
