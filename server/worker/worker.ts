// The background worker (DESIGN rule 9): the deadline jobs, the escalation ladder and mail
// delivery on one scheduler. `npm start` runs it beside the web server; `--role worker` alone.
// Each tick, in order:
//   dispatch notices → reminders → acknowledge-overdue → overdue → escalation → (jobs) → mail → (later jobs)
// so that the notices queued in a tick are delivered in the same tick.
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/schema.ts';
import { createEscalationPass, type EscalationPassResult } from '../escalation/escalate-units.ts';
import { DEFAULT_RESET_DAYS } from '../escalation/ladder.ts';
import { createDeadlineJobs, type MarkRun } from './deadline-jobs.ts';
import type { HousekeepingResult } from './housekeeping.ts';
import { notifyNobody, type NotifyDeadline } from './deadline-notice.ts';
import { createScheduler, type Job, type Scheduler, type WorkerLog } from './scheduler.ts';

export interface WorkerSettings {
  /** WORKER_INTERVAL_SECONDS (default 60). */
  intervalSeconds: number;
  /** REMINDER_HOURS_BEFORE (default 24). */
  reminderHoursBefore: number;
  /** ESCALATION_RESET_DAYS (default 90). */
  escalationResetDays: number;
}

export const DEFAULT_WORKER_SETTINGS: WorkerSettings = {
  intervalSeconds: 60,
  reminderHoursBefore: 24,
  escalationResetDays: DEFAULT_RESET_DAYS,
};

export interface WorkerOptions extends Partial<WorkerSettings> {
  db: Kysely<Database>;
  clock: Clock;
  /** Told about reminders, overdue marks and escalations inside their transactions (server/notify maps them to mail). */
  notify?: NotifyDeadline;
  /** Delivers the mail outbox: server/notify's `createMailDelivery(…).runOnce`. Without it, mail waits in the outbox. */
  deliverMail?: () => Promise<unknown>;
  /** More background work whose mail goes out in the same pass (reading the mailbox): after the escalation pass, before mail delivery. */
  jobs?: readonly Job[];
  /** Background work that may take long (a site build) or sends nothing: after mail delivery, so it never holds mail back. */
  laterJobs?: readonly Job[];
  log?: WorkerLog;
}

export function createWorker(options: WorkerOptions): Scheduler {
  const settings = { ...DEFAULT_WORKER_SETTINGS, ...definedOnly(options) };
  const notify = options.notify ?? notifyNobody;
  const deadlines = createDeadlineJobs({ db: options.db, reminderHoursBefore: settings.reminderHoursBefore, notify });
  const escalation = createEscalationPass({ db: options.db, resetDays: settings.escalationResetDays, notify });
  const deliverMail = options.deliverMail;

  const jobs: Job[] = [
    { name: 'dispatch-notices', run: deadlines.dispatchNotices },
    { name: 'reminders', run: deadlines.reminders },
    { name: 'acknowledge-overdue', run: deadlines.acknowledgeOverdue },
    { name: 'overdue', run: deadlines.overdue },
    { name: 'escalation', run: escalation.run },
    ...(options.jobs ?? []),
    ...(deliverMail ? [{ name: 'mail', run: () => deliverMail() }] : []),
    ...(options.laterJobs ?? []),
  ];
  return createScheduler({
    jobs,
    clock: options.clock,
    intervalSeconds: settings.intervalSeconds,
    ...(options.log && { log: options.log }),
    summarize,
  });
}

function definedOnly(options: Partial<WorkerSettings>): Partial<WorkerSettings> {
  return Object.fromEntries(
    (['intervalSeconds', 'reminderHoursBefore', 'escalationResetDays'] as const).flatMap((k) =>
      options[k] === undefined ? [] : [[k, options[k]]],
    ),
  );
}

const MARK_WORDS: Record<string, string> = {
  reminders: 'reminder(s) sent',
  'acknowledge-overdue': 'unacknowledged ticket(s) flagged',
  overdue: 'ticket(s) marked overdue',
};

/** One log line per job that did something; silence when nothing happened. */
function summarize(job: string, result: unknown): string | null {
  if (job in MARK_WORDS) {
    const run = result as MarkRun;
    return run.marked.length > 0 ? `${run.marked.length} ${MARK_WORDS[job]}` : null;
  }
  if (job === 'escalation') {
    const run = result as EscalationPassResult;
    return run.escalated.length > 0
      ? run.escalated.map((e) => `${e.unitCode} → level ${e.level} (${e.ticketIds.length} ticket(s))`).join('; ')
      : null;
  }
  if (job === 'mail') {
    const run = result as { sent?: number; failed?: number; retried?: number } | undefined;
    const parts = run ? (['sent', 'retried', 'failed'] as const).flatMap((k) => (run[k] ? [`${run[k]} ${k}`] : [])) : [];
    return parts.length > 0 ? parts.join(', ') : null;
  }
  if (job === 'sms') {
    const run = result as Partial<Record<'sent' | 'retried' | 'failed' | 'held' | 'skipped', number>> | undefined;
    const parts = run ? (['sent', 'retried', 'failed', 'held', 'skipped'] as const).flatMap((k) => (run[k] ? [`${run[k]} ${k}`] : [])) : [];
    return parts.length > 0 ? `text messages: ${parts.join(', ')}` : null;
  }
  if (job === 'privacy-purge') {
    const removed = (result as { removed: Record<string, number> | null }).removed;
    const parts = removed ? Object.entries(removed).flatMap(([k, n]) => (n > 0 && k !== 'eventsLeft' ? [`${n} ${k}`] : [])) : [];
    return parts.length > 0 ? `personal data past its retention removed: ${parts.join(', ')}` : null;
  }
  if (job === 'housekeeping') {
    const run = result as HousekeepingResult;
    const parts = [
      ...(run.orphanPhotos ? [`${run.orphanPhotos} unused photo(s) removed`] : []),
      ...(run.expiredSessions ? [`${run.expiredSessions} expired session(s) removed`] : []),
      ...(run.strayFiles ? [`${run.strayFiles} stray photo file(s) removed`] : []),
    ];
    return parts.length > 0 ? parts.join(', ') : null;
  }
  if (job === 'data-encrypt') {
    const run = result as { rowsChanged: number };
    return run.rowsChanged > 0 ? `${run.rowsChanged} row(s) of personal data encrypted in place` : null;
  }
  if (job === 'backup') {
    const run = result as { backup?: { dir: string; sizeBytes: number | null; files: number | null }; removed?: string[] };
    return run.backup
      ? `backup taken and verified: ${run.backup.dir} (${run.backup.files} files, ${run.backup.sizeBytes} bytes)` +
          (run.removed?.length ? `; ${run.removed.length} old backup(s) removed` : '')
      : null;
  }
  return null;
}
