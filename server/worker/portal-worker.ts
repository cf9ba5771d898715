// The worker as a deployment runs it: the deadline and escalation jobs with their notices queued
// as mail, and mail delivery through SMTP_URL (or .eml files). Used by `npm start` and by
// `npm run worker:tick`, so both run the same assembly.
import type { Clock } from '../clock.ts';
import type { Env } from '../env.ts';
import type { Portal } from '../app.ts';
import { createDeadlineNotifications } from '../notify/deadline-notifications.ts';
import { createMailDelivery } from '../notify/mail-delivery.ts';
import { createTransport, type MailTransport } from '../notify/mail-transport.ts';
import type { Scheduler } from './scheduler.ts';
import { createWorker } from './worker.ts';

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
  const scheduler = createWorker({ db, clock, ...env.worker, notify, deliverMail: () => delivery.runOnce() });
  return { scheduler, transport };
}
