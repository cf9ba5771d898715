// Assembles the portal from its parts: database, catalog, router, photo store, intake and
// tracking. The HTTP host, the tests and the command-line tools all start here, so every one
// of them runs the same code on the same wiring.
import path from 'node:path';
import type { PortalServices, RequestContext } from './app-services.ts';
import { systemClock, type Clock } from './clock.ts';
import type { Env } from './env.ts';
import { migrateToLatest, openDatabase, type DatabaseHandle } from './db/database.ts';
import { createWriteBatcher } from './db/write-batcher.ts';
import { protectDatabase } from './db/data-key-setup.ts';
import { keyringOf } from './db/personal-data.ts';
import type { DataCipher } from './db/data-keys.ts';
import { createReportIntake } from './intake/submit-report.ts';
import { processPhoto } from './media/photo-pipeline.ts';
import { recordPhoto } from './media/photo-repository.ts';
import { createPhotoStore, type PhotoStore } from './media/photo-store.ts';
import type { BlobStore } from './storage/blob-store.ts';
import { createMetrics, type Metrics } from './observability/metrics.ts';
import { createBlobStore } from './storage/storage-env.ts';
import { createRouter } from './routing/router.ts';
import { createTracking } from './tickets/track-report.ts';
import { createAccounts } from './auth/accounts.ts';
import { DEFAULT_ACCOUNT_SETTINGS, type AccountSettings } from './auth/account-env.ts';
import { actorKindOf } from './auth/roles.ts';
import { createStaffCommands } from './staff/ticket-commands.ts';
import { createNoticeNotifications } from './notify/notice-notifications.ts';
import { createTicketNotifications } from './notify/ticket-notifications.ts';
import { createSmsNotifications } from './notify/sms-notifications.ts';
import { createSmsConsole } from './notify/sms-console.ts';
import type { SmsKind } from './notify/sms-outbox-repository.ts';
import { DEFAULT_SMS_SIGN_NAME, type QuietHours } from './notify/sms-settings.ts';
import { createTicketQueries } from './staff/ticket-queries.ts';
import { createLedgers } from './ledgers/ledgers.ts';
import { ledgersFor } from './ledgers/ledger-access.ts';
import { createUnitDirectory } from './units/unit-directory.ts';
import { createEscalationService } from './escalation/escalation-service.ts';
import { createMailIntake, type MailLimits } from './intake/mail/mail-intake.ts';
import { createMailboxConsole } from './intake/mail/mailbox-console.ts';
import { createHotline } from './hotline/hotline-service.ts';
import { createMeToo } from './intake/me-too.ts';
import { createPublishing } from './publish/publishing.ts';
import { createNotices } from './publish/notices.ts';
import { createFollowUps, followUpOnClose } from './follow-ups/follow-ups.ts';
import { createOnlineFollowUps, issueAnswerKey, type OnlineFollowUps } from './follow-ups/online-follow-ups.ts';
import { closureOnVerify, createClosures } from './staff/closures.ts';
import { createThrottles, waitText, type ThrottleLimits, type Throttles } from './throttle/throttles.ts';
import { ForbiddenError, TooManyRequestsError } from './errors.ts';
import { createPatrolReports } from './patrol/patrol-reports.ts';
import { createPersuasion } from './patrol/persuasion.ts';
import { createFindings } from './patrol/findings.ts';
import { createSupervision } from './staff/supervision.ts';
import { DEFAULT_RETENTION_DAYS } from './privacy/privacy-env.ts';
import { createScoring } from './scoring/scoring.ts';
import { createInspection } from './inspection/rounds.ts';
import { createInspectionReports } from './inspection/inspection-reports.ts';
import { createPhoneLookup } from './phone-lookup/phone-lookup.ts';
import { loadContentIntoDatabase, perVersion, startLiveContent, type LiveContent } from './content/live-content.ts';
import { listenForContentVersions } from './content/content-version-repository.ts';
import type { Router } from './routing/router.ts';
import { createBackupStatus } from './backup/backup-status.ts';
import { log } from './observability/log.ts';

export interface PortalOptions {
  databaseUrl: string;
  dataDir: string;
  contentDir: string;
  clock?: Clock;
  routingThreshold?: number | undefined;
  /** Hours a unit has to acknowledge (签收) a dispatched ticket; 24 by default. */
  acknowledgeHours?: number;
  /** Base URL used in links sent out (mail). */
  publicUrl?: string;
  /** Domain of the Message-IDs of mail we send (from MAIL_FROM). */
  messageIdDomain?: string;
  /** Days without a new escalation after which a unit's ladder restarts (ESCALATION_RESET_DAYS, 90 by default). */
  escalationResetDays?: number;
  /** The portal's own mail addresses (MAIL_FROM, the dedicated mailbox): mail from them is never a report. */
  ourMailAddresses?: string[];
  /** Limits of the dedicated mailbox's intake (server/intake/mail/mail-intake.ts). */
  mailLimits?: Partial<MailLimits>;
  /** Whether a mailbox is read (MAIL_IMAP_URL): the console says so. */
  mailboxConfigured?: boolean;
  /** Limits per client address and account (THROTTLE_*); the defaults of server/throttle/throttles.ts otherwise. */
  throttleLimits?: Partial<ThrottleLimits>;
  /** SESSION_IDLE_MINUTES, SESSION_MAX_HOURS, PASSWORD_MAX_AGE_DAYS, REQUIRE_2FA; server/auth/account-env.ts's defaults otherwise. */
  accounts?: Partial<AccountSettings>;
  /** PERSONAL_DATA_RETENTION_DAYS: what the privacy notice tells residents (the worker's purge keeps to it). */
  retentionDays?: number;
  /** FOLLOW_UP_ONLINE_WAIT_DAYS: days before a closed ticket's follow-up call is listed for the operators (3 by default). */
  followUpOnlineWaitDays?: number;
  /** Text messages (SMS_SIGN_NAME, SMS_KINDS_OFF): what is queued, and the signature in its text. */
  sms?: { signName: string; kindsOff: readonly SmsKind[]; quietHours?: QuietHours };
  /** Photos, kept raw mail and attachments (BLOB_STORE, server/storage/); the disk under dataDir by default. */
  blobs?: BlobStore;
  /**
   * CONTENT_LOAD_AT_START: store the files of contentDir as a new content version at start when they
   * differ from the newest stored one (true by default: edit content/ and restart). False: use the
   * stored version only (`npm run content:load` changes it), for several machines (ADR 015).
   */
  loadContentAtStart?: boolean;
  /** DATA_KEY: the data key file (ADR 019); on SQLite without it, DATA_DIR/keys/data-key.json, made at the first start. */
  dataKey?: string | undefined;
  /** DATA_CIPHER: aes-256-gcm (default) or sm4, for a key made at start. */
  dataCipher?: DataCipher | undefined;
  /** CONTENT_POLL_SECONDS × 1000: how often the newest content version is looked up (5 s by default; 0 never). */
  contentPollMs?: number;
}

export interface Portal {
  services: PortalServices;
  database: DatabaseHandle;
  photos: PhotoStore;
  /** Where photos, kept raw mail and attachments are (the privacy purge and the site build read and delete through it). */
  blobs: BlobStore;
  /** The throttles' counters (worker housekeeping sweeps them; `npm run admin -- throttles` reads them). */
  throttles: Throttles;
  /** The content version in use (server/content/): the services read it, and switch when a newer one is stored. */
  content: LiveContent;
  /** What /metrics serves (server/observability/metrics.ts). */
  metrics: Metrics;
  close(): Promise<void>;
}

/** The portal's options from the validated environment (server/env.ts). */
export function portalOptions(env: Env, clock?: Clock): PortalOptions {
  return {
    databaseUrl: env.databaseUrl,
    dataDir: env.dataDir,
    contentDir: env.contentDir,
    ...(clock && { clock }),
    routingThreshold: env.routingThreshold,
    acknowledgeHours: env.acknowledgeHours,
    publicUrl: env.publicUrl,
    messageIdDomain: env.mail.messageIdDomain,
    escalationResetDays: env.worker.escalationResetDays,
    retentionDays: env.privacy.retentionDays,
    followUpOnlineWaitDays: env.followUpOnlineWaitDays,
    // Mail from these is ours (notifications, acknowledgements, the mailbox itself): never a report.
    ourMailAddresses: [
      /<([^<>]+)>\s*$/.exec(env.mail.from)?.[1] ?? env.mail.from,
      ...(env.imap?.user.includes('@') ? [env.imap.user] : []),
    ].map((a) => a.trim().toLowerCase()),
    mailLimits: env.mailLimits,
    mailboxConfigured: env.imap !== null,
    throttleLimits: env.throttles,
    accounts: env.accounts,
    sms: { signName: env.sms.signName, kindsOff: env.sms.kindsOff, quietHours: env.sms.quietHours },
    blobs: createBlobStore(env.blobs, env.dataDir),
    loadContentAtStart: env.content.loadAtStart,
    contentPollMs: env.content.pollSeconds * 1000,
    dataKey: env.dataKey,
    dataCipher: env.dataCipher,
  };
}

/**
 * The content this process uses: contentDir stored as a new version first when it changed (and
 * loadContentAtStart), then the newest stored version. A wrong file stops the start (the stored
 * version stays) with the message naming the file, the entry and the field.
 */
async function startContent(database: DatabaseHandle, options: PortalOptions, clock: Clock): Promise<LiveContent> {
  try {
    if (options.loadContentAtStart ?? true) await loadContentIntoDatabase(database, options.contentDir, clock);
    const onError = (error: unknown) => log.error(`Content version not loaded, keeping the version in use: ${(error as Error).message}`);
    return await startLiveContent({
      db: database.db,
      dir: options.contentDir,
      pollMs: options.contentPollMs ?? 5000,
      onError,
      onSwitch: (version, previous) =>
        log.info(`content version ${version.id} in use, was ${previous.id} / 内容版本已更新`, { contentHash: version.hash.slice(0, 12) }),
      // PostgreSQL announces a new version at once; the poll remains for a lost announcement.
      ...(database.dialect === 'postgres' && {
        listen: (onVersion: () => void) => listenForContentVersions(options.databaseUrl, onVersion, onError),
      }),
    });
  } catch (error) {
    await database.close();
    throw error;
  }
}

export async function createPortal(options: PortalOptions): Promise<Portal> {
  const clock = options.clock ?? systemClock;
  const opened = openDatabase(options.databaseUrl);
  let database: DatabaseHandle;
  try {
    await migrateToLatest(opened);
    // Residents' personal data is encrypted at rest from here on (ADR 019).
    database = await protectDatabase(opened, { file: options.dataKey, cipher: options.dataCipher, dataDir: options.dataDir });
  } catch (error) {
    await opened.close();
    throw error;
  }
  const { db } = database;
  // Every service holds content.catalog, a view of the version in use; what is compiled from a
  // version (the router's tables) is made once per version (ADR 015).
  const content = await startContent(database, options, clock);
  const catalog = content.catalog;
  const routerOf = perVersion(content, (version) =>
    createRouter(version.catalog, options.routingThreshold === undefined ? {} : { threshold: options.routingThreshold }),
  );
  const router: Router = { suggest: (input) => routerOf().suggest(input), explain: (input) => routerOf().explain(input) };
  const blobs = options.blobs ?? createBlobStore({ kind: 'disk' }, options.dataDir);
  const photos = createPhotoStore({ dir: path.join(options.dataDir, 'media'), blobs });
  const acknowledgeHours = options.acknowledgeHours ?? 24;
  const photoUrls = (id: string) => photos.urls(id);
  // One batcher for every write that can share a commit: reports from the web and mail, mail rows, throttle counts.
  const writes = createWriteBatcher(database);
  const throttles = createThrottles({ db, writes, clock, ...(options.throttleLimits && { limits: options.throttleLimits }) });
  // The web form and API only: the hotline's operators and the mailbox (with its own caps) are not
  // one client flooding the form.
  async function throttle(scope: 'report' | 'upload' | 'nearby', ctx: RequestContext, what: string): Promise<void> {
    const taken = await throttles.take(scope, ctx.ip);
    if (taken.allowed) return;
    const { count, windowMs } = throttles.limits[scope];
    throw new TooManyRequestsError(
      `${what}太频繁了：同一网络${waitText(windowMs / 1000)}内最多${count}次，请${waitText(taken.retryAfterSeconds)}后再试。` +
        '如有紧急情况，请拨打创城热线。',
      taken.retryAfterSeconds,
    );
  }
  // The online "fixed?" answers need the staff commands (a "not fixed" reopens the ticket): bound below.
  let onlineFollowUps: OnlineFollowUps | null = null;
  const tracking = createTracking({
    db,
    catalog,
    photoUrls,
    throttles,
    followUpState: (ticket) => onlineFollowUps?.stateOf(ticket) ?? Promise.resolve(null),
  });
  const accounts = createAccounts({ db, catalog, clock, throttles, settings: { ...DEFAULT_ACCOUNT_SETTINGS, ...options.accounts } });
  const units = createUnitDirectory({ db, catalog, clock });
  const mailOptions = {
    catalog,
    unitEmails: units.emailsOf,
    publicUrl: options.publicUrl ?? 'http://127.0.0.1:4321',
    ...(options.messageIdDomain && { messageIdDomain: options.messageIdDomain }),
  };
  const notifications = createTicketNotifications({ ...mailOptions, answerKey: issueAnswerKey });
  const sms = createSmsNotifications({
    catalog,
    publicUrl: mailOptions.publicUrl,
    signName: options.sms?.signName ?? DEFAULT_SMS_SIGN_NAME,
    kindsOff: options.sms?.kindsOff ?? [],
    dutyPhones: units.dutyPhonesOf,
  });
  const metrics = createMetrics({ db, clock });
  const backups = createBackupStatus({ db, clock });
  metrics.addGauge('portal_backup_age_seconds', 'Seconds since the last good backup finished.', backups.ageSeconds);
  const intake = createReportIntake({
    db,
    writes,
    catalog,
    router,
    clock,
    acknowledgeHours,
    onSubmitted: sms.onSubmitted,
    onAccepted: (channel) => metrics.reportAccepted(channel),
  });
  const meToo = createMeToo({ db, writes, catalog, clock, photoUrls });
  const commands = createStaffCommands({
    db,
    catalog,
    clock,
    acknowledgeHours,
    observers: [notifications, followUpOnClose, sms.ticketObserver, closureOnVerify],
  });
  onlineFollowUps = createOnlineFollowUps({ db, clock, throttles, commands });
  const queries = createTicketQueries({ db, catalog, clock, photoUrls });
  const escalations = createEscalationService({
    db,
    catalog,
    clock,
    ...(options.escalationResetDays !== undefined && { resetDays: options.escalationResetDays }),
  });
  const userOf = (ctx: RequestContext) => accounts.userForSession(ctx.sessionToken);
  const ledgers = createLedgers({
    db,
    catalog,
    clock,
    get persuasionKinds() {
      return content.current().persuasionKinds;
    },
  });
  const mail = createMailIntake({
    db,
    writes,
    intake,
    photos: { process: processPhoto, store: photos, record: recordPhoto },
    clock,
    blobs,
    keyring: keyringOf(db),
    ourAddresses: options.ourMailAddresses ?? [],
    publicUrl: options.publicUrl ?? 'http://127.0.0.1:4321',
    messageIdDomain: options.messageIdDomain,
    ...(options.mailLimits && { limits: options.mailLimits }),
  });

  const phoneLookup = createPhoneLookup({
    db,
    writes,
    catalog,
    clock,
    throttles,
    codesSent: !(options.sms?.kindsOff ?? []).includes('lookup-code'),
  });

  const services: PortalServices = {
    catalog,
    async submitReport(raw, ctx: RequestContext) {
      await throttle('report', ctx, '提交');
      return intake.submitReport(raw, { channel: 'web', ip: ctx.ip, userAgent: ctx.userAgent ?? null });
    },
    trackReport: (code, ctx) => tracking.trackReport(code, ctx.ip),
    suggestRoute: (input) => router.suggest(input),
    meToo: {
      async nearby(raw, ctx) {
        await throttle('nearby', ctx, '查询附近的问题');
        return meToo.nearby(raw);
      },
      // A join is a report: it counts against the same limit.
      async join(raw, ctx) {
        await throttle('report', ctx, '提交');
        return meToo.join(raw, { ip: ctx.ip, userAgent: ctx.userAgent ?? null });
      },
    },
    async uploadPhoto(bytes, ctx, purpose = 'report') {
      if (purpose === 'rectification') {
        const user = await userOf(ctx);
        const kind = user ? actorKindOf(user.role) : null;
        if (kind !== 'unit' && kind !== 'office') throw new ForbiddenError('请先以责任单位或创城办账号登录，再上传整改照片');
      }
      await throttle('upload', ctx, '上传照片');
      const processed = await processPhoto(bytes);
      const { id } = await photos.save(processed);
      await recordPhoto(db, {
        id,
        purpose,
        width: processed.width,
        height: processed.height,
        sha256: processed.sha256,
        at: clock.now().toISOString(),
      });
      return { id, ...photos.urls(id) };
    },
    accounts,
    staff: { ...commands, ...queries },
    escalations,
    ledgersFor: (user) => ledgersFor(ledgers, user),
    units,
    userOf,
    mail,
    hotline: createHotline({ db, catalog, clock, intake }),
    followUps: createFollowUps({
      db,
      catalog,
      clock,
      commands,
      ...(options.followUpOnlineWaitDays !== undefined && { onlineWaitDays: options.followUpOnlineWaitDays }),
    }),
    answerFollowUp: (raw, ctx) => onlineFollowUps!.answer(raw, ctx.ip),
    closures: createClosures({ db, clock }),
    publishing: createPublishing({ db, clock }),
    backups,
    notices: createNotices({
      db,
      catalog,
      clock,
      photoUrls,
      observers: [createNoticeNotifications(mailOptions)],
      ...(options.escalationResetDays !== undefined && { resetDays: options.escalationResetDays }),
    }),
    mailbox: createMailboxConsole({ db, mail, blobs, keyring: keyringOf(db), clock, configured: options.mailboxConfigured ?? false }),
    patrol: {
      reports: createPatrolReports({ db, catalog, intake }),
      persuasion: createPersuasion({ db, catalog, clock, kinds: () => content.current().persuasionKinds }),
      // The notices service is the one above; called only after start.
      findings: createFindings({ catalog, clock, intake, notices: { saveDraft: (user, raw) => services.notices.saveDraft(user, raw) } }),
    },
    supervision: createSupervision({ db, clock, observers: [notifications] }),
    privacy: { retentionDays: options.retentionDays ?? DEFAULT_RETENTION_DAYS },
    sms: createSmsConsole({ db, clock, quietHours: options.sms?.quietHours }),
    scores: createScoring({
      db,
      catalog,
      clock,
      get rules() {
        return content.current().scoringRules;
      },
    }),
    inspection: createInspection({ db, writes, catalog, clock, submitReport: intake.submitReport, commands }),
    inspectionReports: createInspectionReports({
      db,
      catalog,
      clock,
      contentDir: options.contentDir,
      photos: { thumbUrl: (id) => photos.urls(id).thumbUrl, readThumb: (id) => photos.read(id, 'thumb') },
    }),
    phoneLookup: {
      requestCode: (phone, ctx) => phoneLookup.requestCode(phone, ctx.ip),
      listTickets: (phone, code) => phoneLookup.listTickets(phone, code),
    },
  };

  return {
    services,
    database,
    photos,
    blobs,
    throttles,
    content,
    metrics,
    close: async () => {
      await content.close();
      await database.close();
    },
  };
}
