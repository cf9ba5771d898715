// Configuration, read from the environment and validated once at start (DESIGN rule 8).
// A wrong setting stops the process with a message naming the variable.
import path from 'node:path';
import { z } from 'zod';
import { DATA_CIPHERS, type DataCipher } from './db/data-keys.ts';
import { mailEnvShape, mailSettings, type MailSettings } from './notify/mail-settings.ts';
import { smsEnvShape, smsSettings, type SmsSettings } from './notify/sms-settings.ts';
import { imapEnvShape, imapSettings, mailLimits } from './intake/mail/imap-env.ts';
import type { MailLimits } from './intake/mail/mail-intake.ts';
import type { ImapSettings } from './intake/mail/imap-intake.ts';
import { parseRoles, workerEnvShape, workerSettings, type ProcessRole } from './worker/worker-settings.ts';
import { deliveryEnvShape, deliverySettings, type DeliverySettings } from './worker/worker-settings.ts';
import { privacyEnvShape, privacySettings, type PrivacySettings } from './privacy/privacy-env.ts';
import type { WorkerSettings } from './worker/worker.ts';
import { requestLimits, requestLimitsEnvShape, type RequestLimits } from './http/request-limits.ts';
import { throttleEnvShape, throttleLimits } from './throttle/throttle-env.ts';
import type { ThrottleLimits } from './throttle/throttles.ts';
import { blobSettings, storageEnvShape, type BlobSettings } from './storage/storage-env.ts';
import { contentEnvShape, contentSettings, type ContentSettings } from './content/content-env.ts';
import { liveSiteEnvShape, liveSiteSettings, type LiveSiteSettings } from './http/live-site-env.ts';
import { backupEnvShape, backupSettings, type BackupSettings } from './backup/backup-env.ts';
import { accountEnvShape, accountSettings, type AccountSettings } from './auth/account-env.ts';
import { observabilityEnvShape, observabilitySettings, type ObservabilitySettings } from './observability/observability-env.ts';
import { logEnvShape, logSettings, type LogSettings } from './observability/log-env.ts';

const envSchema = z.object({
  ...imapEnvShape,
  ...mailEnvShape,
  ...smsEnvShape,
  ...workerEnvShape,
  ...deliveryEnvShape,
  ...privacyEnvShape,
  ...requestLimitsEnvShape,
  ...throttleEnvShape,
  ...storageEnvShape,
  ...contentEnvShape,
  ...liveSiteEnvShape,
  ...backupEnvShape,
  ...accountEnvShape,
  ...observabilityEnvShape,
  ...logEnvShape,
  HOST: z.string().min(1).default('127.0.0.1').describe('Address the portal listens on.'),
  PORT: z.coerce.number().int().min(0).max(65535).default(4321).describe('Port the portal listens on.'),
  DATA_DIR: z.string().min(1).default('./data').describe('Folder for the SQLite file, photos and other private files.'),
  DATABASE_URL: z
    .string()
    .regex(/^(postgres(ql)?:\/\/|sqlite:)/, 'must start with postgres://, postgresql:// or sqlite:')
    .optional()
    .describe('postgres://… switches to PostgreSQL; unset (or sqlite:FILE) uses SQLite under DATA_DIR.'),
  DATA_KEY: z
    .string()
    .min(1)
    .optional()
    .describe(
      "File with the key(s) that encrypt residents' personal data (ADR 019). Required with PostgreSQL; on SQLite without it DATA_DIR/keys/data-key.json is made at the first start.",
    ),
  DATA_CIPHER: z
    .enum(DATA_CIPHERS)
    .default('aes-256-gcm')
    .describe('aes-256-gcm (default) or sm4 (SM4-CTR with HMAC-SM3): the algorithm of a new data key.'),
  CONTENT_DIR: z.string().min(1).default('./content').describe('Folder of the seed data (units, categories, points, routing rules).'),
  PUBLIC_URL: z.url().optional().describe('Public base URL, used in links sent out (defaults to http://HOST:PORT).'),
  TRUST_PROXY: z
    .string()
    .default('0')
    .transform((v, ctx) => {
      const hops = v === 'true' ? 1 : v === 'false' ? 0 : /^\d{1,2}$/.test(v) ? Number(v) : NaN;
      if (Number.isNaN(hops)) {
        ctx.addIssue({
          code: 'custom',
          message: 'must be 0 (no proxy), or the number of your own proxies in front of the portal (1 for one nginx)',
        });
        return z.NEVER;
      }
      return hops;
    })
    .describe(
      'How many reverse proxies of your own stand in front of the portal; the client address is then taken from X-Forwarded-For that many entries from the right.',
    ),
  ACKNOWLEDGE_HOURS: z.coerce
    .number()
    .min(1)
    .max(24 * 14)
    .default(24)
    .describe('Hours a unit has to acknowledge (签收) a dispatched ticket.'),
  ROUTING_THRESHOLD: z.coerce.number().min(0).max(1).optional().describe('Confidence below which a report goes to triage.'),
  FOLLOW_UP_ONLINE_WAIT_DAYS: z.coerce
    .number()
    .int()
    .min(0)
    .max(30)
    .default(3)
    .describe(
      "Days a closed ticket waits for the reporter's online answer (网上回访) before its follow-up call appears in the operators' list.",
    ),
});

export type Env = {
  host: string;
  port: number;
  dataDir: string;
  databaseUrl: string;
  contentDir: string;
  /** DATA_KEY, resolved; undefined: the embedded default (server/db/data-key-setup.ts). */
  dataKey: string | undefined;
  /** DATA_CIPHER. */
  dataCipher: DataCipher;
  publicUrl: string;
  /** TRUST_PROXY: how many of our own proxies add X-Forwarded-For entries (0: none, use the socket's peer). */
  trustProxy: number;
  routingThreshold: number | undefined;
  acknowledgeHours: number;
  mail: MailSettings;
  /** SMS_*: text messages (server/notify/sms-settings.ts). */
  sms: SmsSettings;
  /** The dedicated mailbox to read; null when MAIL_IMAP_URL is unset. */
  imap: ImapSettings | null;
  /** What the mail intake accepts (MAIL_MAX_MESSAGE_MB …), for the mailbox and mail:import alike. */
  mailLimits: MailLimits;
  /** ROLES: what this process runs (`--role` on the command line overrides it). */
  roles: ProcessRole[];
  worker: WorkerSettings;
  /** WORKER_LEASE_SECONDS: how long a lease on the mailbox or the site build lasts unless renewed (server/worker/lease.ts). */
  leaseMs: number;
  /** MAIL_CONCURRENCY, MAIL_MAX_PER_PASS, SMS_CONCURRENCY, SMS_MAX_PER_PASS, OUTBOX_CLAIM_SECONDS (server/worker/worker-settings.ts). */
  delivery: DeliverySettings;
  /** STATS_REFRESH_MINUTES: the public statistics pages are refreshed at most this often when the counts moved. */
  statsRefreshMinutes: number;
  /** PERSONAL_DATA_RETENTION_DAYS, for the retention purge (server/privacy/purge.ts). */
  privacy: PrivacySettings;
  /** REQUEST_BODY_IDLE_SECONDS, UPLOAD_MAX_PER_CLIENT, UPLOAD_MAX_CONCURRENT (server/http/request-limits.ts). */
  requestLimits: RequestLimits;
  /** THROTTLE_*: limits per client address or account (server/throttle/). */
  throttles: ThrottleLimits;
  /** FOLLOW_UP_ONLINE_WAIT_DAYS (server/follow-ups/follow-ups.ts). */
  followUpOnlineWaitDays: number;
  /** BLOB_STORE, S3_*: where photos, kept raw mail and attachments live (server/storage/). */
  blobs: BlobSettings;
  /** CONTENT_LOAD_AT_START, CONTENT_POLL_SECONDS (server/content/content-env.ts). */
  content: ContentSettings;
  /** SITE_POLL_SECONDS, SITE_CACHE_MB: how web processes follow the live public site (server/http/live-site.ts). */
  liveSite: LiveSiteSettings;
  /** BACKUP_DIR, BACKUP_KEEP: the worker's nightly backup (server/backup/). */
  backup: BackupSettings;
  /** SESSION_IDLE_MINUTES, SESSION_MAX_HOURS, PASSWORD_MAX_AGE_DAYS, REQUIRE_2FA (server/auth/account-env.ts). */
  accounts: AccountSettings;
  /** METRICS_TOKEN, METRICS_ALLOW, READY_MIN_FREE_MB (server/observability/). */
  observability: ObservabilitySettings;
  /** LOG_LEVEL, LOG_FILE (server/observability/log.ts). */
  log: LogSettings;
};

export class EnvError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EnvError';
  }
}

export function readEnv(source: Record<string, string | undefined> = process.env): Env {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${String(i.path[0] ?? '?')}: ${i.message}`);
    throw new EnvError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  let sms: SmsSettings;
  try {
    sms = smsSettings(e);
  } catch (error) {
    throw new EnvError(`Invalid configuration:\n  ${(error as Error).message}`);
  }
  let blobs: BlobSettings;
  try {
    blobs = blobSettings(e);
  } catch (error) {
    throw new EnvError(`Invalid configuration:\n  ${(error as Error).message}`);
  }
  const dataDir = path.resolve(e.DATA_DIR);
  return {
    host: e.HOST,
    port: e.PORT,
    dataDir,
    databaseUrl: e.DATABASE_URL ?? `sqlite:${path.join(dataDir, 'portal.sqlite')}`,
    contentDir: path.resolve(e.CONTENT_DIR),
    dataKey: e.DATA_KEY === undefined ? undefined : path.resolve(e.DATA_KEY),
    dataCipher: e.DATA_CIPHER,
    publicUrl: (e.PUBLIC_URL ?? `http://${e.HOST.includes(':') ? `[${e.HOST}]` : e.HOST}:${e.PORT}`).replace(/\/$/, ''),
    trustProxy: e.TRUST_PROXY,
    routingThreshold: e.ROUTING_THRESHOLD,
    acknowledgeHours: e.ACKNOWLEDGE_HOURS,
    mail: mailSettings(e),
    sms,
    imap: imapSettings(e),
    mailLimits: mailLimits(e),
    roles: parseRoles(e.ROLES) ?? ['web', 'worker'],
    worker: workerSettings(e),
    leaseMs: e.WORKER_LEASE_SECONDS * 1000,
    delivery: deliverySettings(e),
    statsRefreshMinutes: e.STATS_REFRESH_MINUTES,
    privacy: privacySettings(e),
    requestLimits: requestLimits(e),
    throttles: throttleLimits(e),
    followUpOnlineWaitDays: e.FOLLOW_UP_ONLINE_WAIT_DAYS,
    blobs,
    content: contentSettings(e),
    liveSite: liveSiteSettings(e),
    backup: backupSettings(e),
    accounts: accountSettings(e),
    observability: observabilitySettings(e),
    log: logSettings(e),
  };
}
