// The mailbox as the office sees it (issue 4, item 6): health (the worker's last reads, IDLE or
// polling), counts of what mail became, the quarantined mail with the reasons, the new tickets
// whose sender got no acknowledgement and why (issue 11 item 6: not authenticated, a cap) — and
// re-processing a quarantined one after the cause is fixed (the database was away, a content file
// was broken, a sender's flood turned out to be real reports).
//
// Re-processing keeps the quarantined row as the record of what happened and releases its dedupe
// keys (Message-ID, content hash), so the raw message kept under DATA_DIR goes through the same
// processMail as new mail and gets a row of its own. A claim on the row (a conditional update)
// makes two people pressing the button at once re-process it once.
import fs from 'node:fs/promises';
import path from 'node:path';
import { sql, type Kysely } from 'kysely';
import { isOffice, type StaffUser } from '../../auth/roles.ts';
import type { Clock } from '../../clock.ts';
import type { Database } from '../../db/schema.ts';
import { ConflictError, ForbiddenError, NotFoundError } from '../../errors.ts';
import type { MailOutcome } from './mail-decision.ts';
import type { MailIntake, MailResult } from './mail-intake.ts';
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
  dataDir: string;
  clock: Clock;
  configured: boolean;
}) {
  const { db, clock } = deps;

  function mayRead(user: StaffUser): void {
    if (!isOffice(user) && user.role !== 'leader') throw new ForbiddenError('只有创城办可以查看专用邮箱的运行情况');
  }

  async function counts(since: string | null): Promise<OutcomeCounts> {
    let query = db
      .selectFrom('mail_messages')
      .select(['outcome', (eb) => eb.fn.countAll<number>().as('n')])
      .where('reprocessed_at', 'is', null)
      .groupBy('outcome');
    if (since) query = query.where('received_at', '>=', since);
    const out: OutcomeCounts = { created: 0, appended: 0, ignored: 0, quarantined: 0 };
    for (const row of await query.execute()) {
      if (row.outcome in out) out[row.outcome as MailOutcome] = Number(row.n);
    }
    return out;
  }

  async function health(): Promise<MailboxHealth> {
    const row = await db.selectFrom('mailbox_status').selectAll().where('mailbox', '=', MAILBOX).executeTakeFirst();
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
    const quarantinedQuery = db
      .selectFrom('mail_messages')
      .where('outcome', '=', 'quarantined')
      .where('reprocessed_outcome', 'is', null)
      .where((eb) => eb.or([eb('reprocessed_at', 'is', null), eb('reprocessed_at', '<', stale)]));
    const unacknowledgedQuery = db
      .selectFrom('mail_messages')
      .where('outcome', '=', 'created')
      .where('received_at', '>=', new Date(now - 7 * DAY_MS).toISOString())
      .where('reason', 'like', 'no acknowledgement:%');
    const [h, day, week, all, rows, total, reprocessed, unacknowledged, unacknowledgedTotal] = await Promise.all([
      health(),
      counts(new Date(now - DAY_MS).toISOString()),
      counts(new Date(now - 7 * DAY_MS).toISOString()),
      counts(null),
      quarantinedQuery
        .select(['id', 'received_at', 'from_address', 'subject', 'reason', 'source', 'raw_path'])
        .orderBy('id', 'desc')
        .limit(limit)
        .execute(),
      quarantinedQuery.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst(),
      db
        .selectFrom('mail_messages')
        .leftJoin('tickets', 'tickets.id', 'mail_messages.reprocessed_ticket_id')
        .select([
          'mail_messages.id',
          'mail_messages.subject',
          'mail_messages.reprocessed_at',
          'mail_messages.reprocessed_outcome',
          'tickets.tracking_code',
        ])
        .where('mail_messages.reprocessed_outcome', 'is not', null)
        .orderBy('mail_messages.reprocessed_at', 'desc')
        .limit(20)
        .execute(),
      unacknowledgedQuery
        .leftJoin('tickets', 'tickets.id', 'mail_messages.ticket_id')
        .select([
          'mail_messages.id',
          'mail_messages.received_at',
          'mail_messages.from_address',
          'mail_messages.subject',
          'mail_messages.reason',
          'tickets.tracking_code',
        ])
        .orderBy('mail_messages.id', 'desc')
        .limit(limit)
        .execute(),
      unacknowledgedQuery.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst(),
    ]);
    return {
      health: h,
      counts: { day, week, all },
      quarantined: rows.map((r) => ({
        id: Number(r.id),
        receivedAt: r.received_at,
        // Residents' addresses are for the office; leaders read the page with them masked.
        from: isOffice(user) ? r.from_address : maskEmail(r.from_address),
        subject: r.subject,
        reason: r.reason,
        source: r.source,
        canReprocess: r.raw_path !== null,
      })),
      quarantinedTotal: Number(total?.n ?? 0),
      reprocessed: reprocessed.map((r) => ({
        id: Number(r.id),
        subject: r.subject,
        at: r.reprocessed_at ?? '',
        outcome: r.reprocessed_outcome ?? '',
        trackingCode: r.tracking_code,
      })),
      unacknowledged: unacknowledged.map((r) => ({
        id: Number(r.id),
        receivedAt: r.received_at,
        from: isOffice(user) ? r.from_address : maskEmail(r.from_address),
        subject: r.subject,
        reason: r.reason ?? '',
        trackingCode: r.tracking_code,
      })),
      unacknowledgedTotal: Number(unacknowledgedTotal?.n ?? 0),
    };
  }

  /** Runs the kept raw message of a quarantined mail through the pipeline again. */
  async function reprocess(user: StaffUser, id: number): Promise<MailResult> {
    if (!isOffice(user)) throw new ForbiddenError('只有创城办可以重新处理隔离的邮件');
    const row = await db
      .selectFrom('mail_messages')
      .select(['id', 'outcome', 'raw_path', 'source', 'reprocessed_outcome'])
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw new NotFoundError('没有这封邮件');
    if (row.outcome !== 'quarantined' || row.reprocessed_outcome !== null) throw new ConflictError('这封邮件不在隔离区，无需重新处理');
    if (!row.raw_path) throw new ConflictError('这封邮件的原文没有保存，无法重新处理');
    const raw = await fs.readFile(path.join(deps.dataDir, row.raw_path)).catch(() => null);
    if (!raw) throw new ConflictError('这封邮件的原文文件已不在服务器上，无法重新处理');

    const at = clock.now().toISOString();
    const stale = new Date(clock.now().getTime() - STALE_CLAIM_MS).toISOString();
    // The claim: releases the dedupe keys so the message is new to processMail.
    const claimed = await db
      .updateTable('mail_messages')
      .set({
        message_id: null,
        content_hash: sql<string>`${`reprocessed:${id}:`} || content_hash`,
        reprocessed_at: at,
        reprocessed_by: user.id,
      })
      .where('id', '=', id)
      .where('outcome', '=', 'quarantined')
      .where('reprocessed_outcome', 'is', null)
      .where((eb) => eb.or([eb('reprocessed_at', 'is', null), eb('reprocessed_at', '<', stale)]))
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) !== 1) throw new ConflictError('这封邮件正在被其他人重新处理，请稍后刷新');

    const result = await deps.mail.processMail(raw, { reprocessOf: id });
    const ticket = result.trackingCode
      ? await db.selectFrom('tickets').select('id').where('tracking_code', '=', result.trackingCode).executeTakeFirst()
      : undefined;
    await db
      .updateTable('mail_messages')
      .set({ reprocessed_outcome: result.outcome, reprocessed_ticket_id: ticket ? Number(ticket.id) : null })
      .where('id', '=', id)
      .execute();
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
