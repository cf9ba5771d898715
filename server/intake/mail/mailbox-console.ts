// The mailbox as the office sees it (issue 4, item 6): health (the worker's last reads, IDLE or
// polling), counts of what mail became, the quarantined mail with the reasons, the new tickets
// whose sender got no acknowledgement and why (issue 11 item 6: not authenticated, a cap) — and
// re-processing a quarantined one after the cause is fixed (the database was away, a content file
// was broken, a sender's flood turned out to be real reports).
//
// Re-processing keeps the quarantined row as the record of what happened and releases its dedupe
// keys (Message-ID, content hash), so the raw message kept in the blob store goes through the same
// processMail as new mail and gets a row of its own. A claim on the row (a conditional update)
// makes two people pressing the button at once re-process it once.
import type { Kysely } from 'kysely';
import { isOffice, type StaffUser } from '../../auth/roles.ts';
import type { Clock } from '../../clock.ts';
import type { Database } from '../../db/schema.ts';
import { ConflictError, ForbiddenError, NotFoundError } from '../../errors.ts';
import { findTicketByCode } from '../../tickets/ticket-repository.ts';
import { DataKeyError, type Keyring } from '../../db/data-keys.ts';
import { openStoredFile } from '../../db/sealed-files.ts';
import { readBlob, type BlobStore } from '../../storage/blob-store.ts';
import type { MailOutcome } from './mail-decision.ts';
import type { MailIntake, MailResult } from './mail-intake.ts';
import {
  claimForReprocess,
  countOutcomes,
  findMailboxStatus,
  findMailForReprocess,
  listQuarantined,
  listReprocessed,
  listUnacknowledged,
  recordReprocessed,
} from './mailbox-repository.ts';
import { MAILBOX } from './mailbox-status.ts';

export interface MailboxHealth {
  /** Whether this deployment reads a mailbox (MAIL_IMAP_URL); mail may still be imported without. */
  configured: boolean;
  lastAttemptAt: string | null;
  lastSuccessAt: string | null;
  lastError: string | null;
  lastErrorAt: string | null;
  consecutiveFailures: number;
  lastRun: { handled: number; quarantined: number; failed: number; remaining: number } | null;
  mode: 'idle' | 'poll';
  modeSince: string | null;
}

export interface OutcomeCounts {
  created: number;
  appended: number;
  ignored: number;
  quarantined: number;
}

export interface QuarantinedMail {
  id: number;
  receivedAt: string;
  from: string | null;
  subject: string;
  reason: string | null;
  source: string | null;
  /** Whether the raw message is still there to re-process. */
  canReprocess: boolean;
}

export interface MailboxOverview {
  health: MailboxHealth;
  counts: { day: OutcomeCounts; week: OutcomeCounts; all: OutcomeCounts };
  /** Quarantined mail not yet re-processed, newest first. */
  quarantined: QuarantinedMail[];
  quarantinedTotal: number;
  /** Re-processed lately, newest first: what became of them. */
  reprocessed: Array<{ id: number; subject: string; at: string; outcome: string; trackingCode: string | null }>;
  /** Mail of the last 7 days that made a ticket but got no acknowledgement, newest first, with the reason. */
  unacknowledged: UnacknowledgedMail[];
  unacknowledgedTotal: number;
}

export interface UnacknowledgedMail {
  id: number;
  receivedAt: string;
  from: string | null;
  subject: string;
  /** 'no acknowledgement: …' (acknowledgement.ts). */
  reason: string;
  trackingCode: string | null;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** A claim older than this was abandoned (the process stopped mid-way) and may be taken again. */
const STALE_CLAIM_MS = 10 * 60 * 1000;

export function createMailboxConsole(deps: {
  db: Kysely<Database>;
  mail: Pick<MailIntake, 'processMail'>;
  /** Where the kept raw messages are (their rows' raw_path is the key). */
  blobs: Pick<BlobStore, 'get'>;
  /** They are sealed with the data key (or in clear, kept by an older release). */
  keyring: Keyring;
  clock: Clock;
  configured: boolean;
}) {
  const { db, clock } = deps;

  function mayRead(user: StaffUser): void {
    if (!isOffice(user) && user.role !== 'leader') throw new ForbiddenError('只有创城办可以查看专用邮箱的运行情况');
  }

  async function counts(since: string | null): Promise<OutcomeCounts> {
    const out: OutcomeCounts = { created: 0, appended: 0, ignored: 0, quarantined: 0 };
    for (const row of await countOutcomes(db, since)) {
      if (row.outcome in out) out[row.outcome as MailOutcome] = row.n;
    }
    return out;
  }

  async function health(): Promise<MailboxHealth> {
    const row = await findMailboxStatus(db, MAILBOX);
    return {
      configured: deps.configured,
      lastAttemptAt: row?.last_attempt_at ?? null,
      lastSuccessAt: row?.last_success_at ?? null,
      lastError: row?.last_error ?? null,
      lastErrorAt: row?.last_error_at ?? null,
      consecutiveFailures: Number(row?.consecutive_failures ?? 0),
      lastRun: row?.last_run ? (JSON.parse(row.last_run) as MailboxHealth['lastRun']) : null,
      mode: row?.mode === 'idle' ? 'idle' : 'poll',
      modeSince: row?.mode_since ?? null,
    };
  }

  async function overview(user: StaffUser, options: { limit?: number } = {}): Promise<MailboxOverview> {
    mayRead(user);
    const now = clock.now().getTime();
    const limit = Math.min(Math.max(options.limit ?? 100, 1), 500);
    const stale = new Date(now - STALE_CLAIM_MS).toISOString();
    const [h, day, week, all, quarantined, reprocessed, unacknowledged] = await Promise.all([
      health(),
      counts(new Date(now - DAY_MS).toISOString()),
      counts(new Date(now - 7 * DAY_MS).toISOString()),
      counts(null),
      listQuarantined(db, stale, limit),
      listReprocessed(db, 20),
      listUnacknowledged(db, new Date(now - 7 * DAY_MS).toISOString(), limit),
    ]);
    // Residents' addresses are for the office; leaders read the page with them masked.
    const from = (address: string | null) => (isOffice(user) ? address : maskEmail(address));
    return {
      health: h,
      counts: { day, week, all },
      quarantined: quarantined.rows.map(({ rawPath, ...r }) => ({ ...r, from: from(r.from), canReprocess: rawPath !== null })),
      quarantinedTotal: quarantined.total,
      reprocessed,
      unacknowledged: unacknowledged.rows.map((r) => ({ ...r, from: from(r.from) })),
      unacknowledgedTotal: unacknowledged.total,
    };
  }

  /** Runs the kept raw message of a quarantined mail through the pipeline again. */
  async function reprocess(user: StaffUser, id: number): Promise<MailResult> {
    if (!isOffice(user)) throw new ForbiddenError('只有创城办可以重新处理隔离的邮件');
    const row = await findMailForReprocess(db, id);
    if (!row) throw new NotFoundError('没有这封邮件');
    if (row.outcome !== 'quarantined' || row.reprocessedOutcome !== null) throw new ConflictError('这封邮件不在隔离区，无需重新处理');
    if (!row.rawPath) throw new ConflictError('这封邮件的原文没有保存，无法重新处理');
    const stored = await readBlob(deps.blobs, row.rawPath).catch(() => null);
    if (!stored) throw new ConflictError('这封邮件的原文文件已不在服务器上，无法重新处理');
    let raw: Buffer;
    try {
      raw = openStoredFile(deps.keyring, stored);
    } catch (error) {
      if (!(error instanceof DataKeyError)) throw error;
      throw new ConflictError(`这封邮件的原文文件无法解密（数据密钥不符或文件已损坏），无法重新处理：${error.message}`);
    }

    const at = clock.now().toISOString();
    const stale = new Date(clock.now().getTime() - STALE_CLAIM_MS).toISOString();
    // The claim: releases the dedupe keys so the message is new to processMail.
    if (!(await claimForReprocess(db, id, { at, by: user.id, stale }))) throw new ConflictError('这封邮件正在被其他人重新处理，请稍后刷新');

    const result = await deps.mail.processMail(raw, { reprocessOf: id });
    const ticket = result.trackingCode ? await findTicketByCode(db, result.trackingCode) : null;
    await recordReprocessed(db, id, result.outcome, ticket?.id ?? null);
    return result;
  }

  return { health, overview, reprocess };
}

export type MailboxConsole = ReturnType<typeof createMailboxConsole>;

/** "zhangsan@qq.com" → "z***@qq.com". */
export function maskEmail(address: string | null): string | null {
  if (!address) return null;
  const at = address.lastIndexOf('@');
  return at > 0 ? `${address[0]}***${address.slice(at)}` : '***';
}
