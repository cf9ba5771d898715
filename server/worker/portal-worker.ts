// The worker as a deployment runs it: the deadline and escalation jobs with their notices queued
// as mail, the dedicated mailbox when MAIL_IMAP_URL is set, and mail delivery through SMTP_URL
// (or .eml files). Used by `npm start` and by
// `npm run worker:tick`, so both run the same assembly.
import type { Clock } from '../clock.ts';
import type { Env } from '../env.ts';
import type { Portal } from '../app.ts';
import { createDeadlineNotifications } from '../notify/deadline-notifications.ts';
import { createMailDelivery } from '../notify/mail-delivery.ts';
import { createTransport, type MailTransport } from '../notify/mail-transport.ts';
import type { Scheduler } from './scheduler.ts';
import { createWorker } from './worker.ts';
import { createImapIntake } from '../intake/mail/imap-intake.ts';

export function createPortalWorker(portal: Portal, env: Env, clock: Clock): { scheduler: Scheduler; transport: MailTransport } {
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
  const mailbox = env.imap ? createImapIntake(env.imap, (raw, source) => portal.services.mail.processMail(raw, source)) : null;
  const scheduler = createWorker({
    db,
    clock,
    ...env.worker,
    notify,
    deliverMail: () => delivery.runOnce(),
    // The mailbox is read before mail is delivered, so acknowledgements go out in the same pass.
    ...(mailbox && { jobs: [{ name: 'mailbox', run: () => mailbox.runOnce() }] }),
  });
  return { scheduler, transport };
}
