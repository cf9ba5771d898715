// The worker's settings and the process roles, as a fragment for server/env.ts (validated once
// at start, DESIGN rule 8), and the `--role` command-line flag of server/main.ts.
import { z } from 'zod';
import type { WorkerSettings } from './worker.ts';

/** What one process does: `web` serves the site and the API, `worker` runs the scheduler. */
export const PROCESS_ROLES = ['web', 'worker'] as const;
export type ProcessRole = (typeof PROCESS_ROLES)[number];

const ROLES_MESSAGE = 'must be web, worker or web,worker';

/** "web,worker" → ['web', 'worker']; null when anything else is named (or nothing). */
export function parseRoles(text: string): ProcessRole[] | null {
  const names = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (names.length === 0 || names.some((n) => !(PROCESS_ROLES as readonly string[]).includes(n))) return null;
  return PROCESS_ROLES.filter((r) => names.includes(r));
}

export const workerEnvShape = {
  ROLES: z
    .string()
    .default('web,worker')
    .refine((v) => parseRoles(v) !== null, ROLES_MESSAGE)
    .describe('What this process runs: web (site and API), worker (deadlines, escalation, mail), or both (the default).'),
  WORKER_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(3600).default(60).describe('Seconds between two worker ticks.'),
  REMINDER_HOURS_BEFORE: z.coerce
    .number()
    .min(1)
    .max(24 * 14)
    .default(24)
    .describe('Hours before its deadline a unit is reminded of an open ticket.'),
  ESCALATION_RESET_DAYS: z.coerce
    .number()
    .int()
    .min(1)
    .max(3660)
    .default(90)
    .describe('Days without a new escalation after which a unit’s ladder (通报/约谈/问责) restarts at 通报.'),
  WORKER_LEASE_SECONDS: z.coerce
    .number()
    .int()
    .min(3)
    .max(600)
    .default(40)
    .describe(
      'Seconds a worker’s lease on a single-reader job (the mailbox, the site build) lasts unless renewed; another worker takes the job over once it runs out.',
    ),
  STATS_REFRESH_MINUTES: z.coerce
    .number()
    .int()
    .min(5)
    .max(24 * 60)
    .default(60)
    .describe(
      'Minutes at least between two refreshes of the public site’s statistics pages when the counts moved (they are refreshed at least once a day).',
    ),
};

/**
 * How fast the outboxes drain (issue 16 item 5): mails and text messages at once, and per pass;
 * and how long a claim on one holds before another worker may send it.
 */
export interface DeliverySettings {
  mailConcurrency: number;
  mailMaxPerPass: number;
  smsConcurrency: number;
  smsMaxPerPass: number;
  claimMs: number;
}

export const deliveryEnvShape = {
  MAIL_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4).describe('Notification mails the worker sends at once.'),
  MAIL_MAX_PER_PASS: z.coerce
    .number()
    .int()
    .min(1)
    .max(100_000)
    .default(500)
    .describe('Notification mails one worker pass sends at most; the rest go in the next pass.'),
  SMS_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4).describe('Text messages the worker sends at once.'),
  SMS_MAX_PER_PASS: z.coerce
    .number()
    .int()
    .min(1)
    .max(100_000)
    .default(500)
    .describe('Text messages one worker pass sends at most; the rest go in the next pass.'),
  OUTBOX_CLAIM_SECONDS: z.coerce
    .number()
    .int()
    .min(5)
    .max(24 * 3600)
    .default(15 * 60)
    .describe(
      'Seconds a worker’s claim on a mail or text message holds: one a dead worker had claimed is sent by another after this. Keep it well above the send timeouts (about two minutes), or a slow send may go twice.',
    ),
};

export function deliverySettings(values: {
  MAIL_CONCURRENCY: number;
  MAIL_MAX_PER_PASS: number;
  SMS_CONCURRENCY: number;
  SMS_MAX_PER_PASS: number;
  OUTBOX_CLAIM_SECONDS: number;
}): DeliverySettings {
  return {
    mailConcurrency: values.MAIL_CONCURRENCY,
    mailMaxPerPass: values.MAIL_MAX_PER_PASS,
    smsConcurrency: values.SMS_CONCURRENCY,
    smsMaxPerPass: values.SMS_MAX_PER_PASS,
    claimMs: values.OUTBOX_CLAIM_SECONDS * 1000,
  };
}

export function workerSettings(values: {
  WORKER_INTERVAL_SECONDS: number;
  REMINDER_HOURS_BEFORE: number;
  ESCALATION_RESET_DAYS: number;
}): WorkerSettings {
  return {
    intervalSeconds: values.WORKER_INTERVAL_SECONDS,
    reminderHoursBefore: values.REMINDER_HOURS_BEFORE,
    escalationResetDays: values.ESCALATION_RESET_DAYS,
  };
}

/**
 * The roles of this process: `--role web`, `--role worker`, `--role=web,worker` (the flag may be
 * repeated) override ROLES. Throws with a message naming the flag when it is wrong.
 */
export function rolesFromArgs(argv: readonly string[], fallback: readonly ProcessRole[]): ProcessRole[] {
  const named: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--role') {
      const value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) throw new Error(`--role ${ROLES_MESSAGE}`);
      named.push(value);
      i++;
    } else if (arg.startsWith('--role=')) {
      named.push(arg.slice('--role='.length));
    }
  }
  if (named.length === 0) return [...fallback];
  const roles = parseRoles(named.join(','));
  if (!roles) throw new Error(`--role ${ROLES_MESSAGE} (got ${named.join(', ')})`);
  return roles;
}
