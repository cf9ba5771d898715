// The worker as a deployment runs it: the deadline and escalation jobs with their notices queued
// as mail, the dedicated mailbox when MAIL_IMAP_URL is set (read every pass, and at once when
// new mail arrives while a connection listens with IMAP IDLE), and mail delivery through SMTP_URL
// (or .eml files). Used by `npm start` and by `npm run worker:tick`, so both run the same
// assembly; only `npm start` starts the listening watcher.
import type { Clock } from '../clock.ts';
import type { Env } from '../env.ts';
import type { Portal } from '../app.ts';
import { createDeadlineNotifications } from '../notify/deadline-notifications.ts';
import { createMailDelivery } from '../notify/mail-delivery.ts';
import { createTransport, type MailTransport } from '../notify/mail-transport.ts';
import type { Scheduler } from './scheduler.ts';
import { consoleLog } from './scheduler.ts';
import { createWorker } from './worker.ts';
import { createImapIntake, type ImapRun } from '../intake/mail/imap-intake.ts';
import { createMailboxWatcher, type MailboxWatcher } from '../intake/mail/imap-watch.ts';
import { createMailboxStatus } from '../intake/mail/mailbox-status.ts';

export interface PortalWorker {
  scheduler: Scheduler;
  transport: MailTransport;
  /** Listens on the mailbox between passes (IMAP IDLE); null without a mailbox or with MAIL_IMAP_IDLE=0. */
  mailboxWatcher: MailboxWatcher | null;
}

export function createPortalWorker(portal: Portal, env: Env, clock: Clock): PortalWorker {
  const { db } = portal.database;
  const transport = createTransport({ smtpUrl: env.mail.smtpUrl, dataDir: env.dataDir });
  const delivery = createMailDelivery({ db, transport, clock, from: env.mail.from });
  const notify = createDeadlineNotifications({
    catalog: portal.services.catalog,
    clock,
    unitEmails: portal.services.units.emailsOf,
    publicUrl: env.publicUrl,
    messageIdDomain: env.mail.messageIdDomain,
  });

  let readMailbox: ((now: Date) => Promise<ImapRun>) | null = null;
  let mailboxWatcher: MailboxWatcher | null = null;
  if (env.imap) {
    const intake = createImapIntake(env.imap, (raw, source) => portal.services.mail.processMail(raw, source));
    const status = createMailboxStatus(db);
    // Every read is recorded for the console: its counts, or why it failed.
    readMailbox = async (now) => {
      try {
        const run = await intake.runOnce();
        await status.succeeded(now, run);
        return run;
      } catch (error) {
        await status.failed(now, error).catch(() => {});
        throw error;
      }
    };
    if (env.imap.idle) {
      const read = readMailbox;
      mailboxWatcher = createMailboxWatcher({
        settings: env.imap,
        // New mail: read it and send the acknowledgements now rather than at the next pass.
        onNewMail: async () => {
          await read(clock.now());
          await delivery.runOnce();
        },
        onMode: (mode, error) => status.mode(clock.now(), mode, error),
        log: consoleLog,
      });
    }
  }

  const read = readMailbox;
  const scheduler = createWorker({
    db,
    clock,
    ...env.worker,
    notify,
    deliverMail: () => delivery.runOnce(),
    // The mailbox is read before mail is delivered, so acknowledgements go out in the same pass.
    ...(read && { jobs: [{ name: 'mailbox', run: (now: Date) => read(now) }] }),
  });
  return { scheduler, transport, mailboxWatcher };
}
