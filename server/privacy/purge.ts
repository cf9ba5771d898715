// The retention purge (issue 5, item 5; `npm run privacy:purge`): personal data is kept for
// PERSONAL_DATA_RETENTION_DAYS (730 by default) after a ticket is finished, then removed, while
// every statistic stays countable — tickets, their events, calls' outcomes and categories,
// follow-up results keep their rows; only who they were about goes.
//
// What goes, for tickets finished (closed, rejected, merged) before the cut-off:
// - the reporter's name, phone, e-mail, IP address and user agent (ticket_reporters.purged_at set);
// - those of residents who joined the ticket with "我也遇到了" (ticket_supporters.purged_at set);
// - the reporter's, callers' and mail senders' names, numbers and addresses wherever that
//   ticket's texts repeat them (description, notification mails, follow-up notes, replies,
//   call notes) — and in what residents wrote, any mobile number, e-mail address or
//   ID-card number (redact.ts). Not in the event log: it is append-only (the database refuses
//   changes), so an event reason that names the person is counted (eventsLeft), not changed;
// And, for rows older than the cut-off that belong to no ticket or to such a ticket:
// - calls: the caller's number and name (calls.purged_at set);
// - mail read from the dedicated mailbox: the sender's address, the raw message kept under
//   mail-raw/ and the attachments kept under mail-attachments/ in the blob store (server/storage/:
//   DATA_DIR on disk, or the bucket) — deleted through the store (an object another
//   kept message still names stays); replies and bounces on the ticket: the sender's address and name.
// And throttle counters whose window has passed (they name a client address; housekeeping
// removes them every pass too, so there are rarely any left).
// Open tickets, and anything newer than the cut-off, are untouched. Running it again changes
// nothing more. A dry run counts the same without changing anything.
import type { Kysely, Updateable } from 'kysely';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/schema.ts';
import { isBlobKey, type BlobStore } from '../storage/blob-store.ts';
import { countExpired, deleteExpired } from '../throttle/throttle-repository.ts';
import {
  clearReporters,
  clearSmsRecipients,
  clearLooseSmsRecipients,
  clearSupporters,
  countDueSupporters,
  fileNamedByKeptRow,
  fileStillNamed,
  markCallPurged,
  selectCalls,
  selectDueRowIds,
  selectDueTickets,
  selectMail,
  selectReplies,
  selectTicketRecords,
  updateColumns,
  type Db,
  type DueTicket,
  type PurgedTable,
  type RedactedTable,
} from './purge-repository.ts';
import {
  changedColumns,
  eventNamesPerson,
  purgedCall,
  purgedMail,
  purgedReply,
  redactedCall,
  redactedDescription,
  redactedFollowUp,
  redactedMail,
  redactedOutboxMail,
  redactedReply,
  retentionCutoff,
  ticketRedactor,
} from './purge-rules.ts';

const BATCH = 200;

export interface PurgeCounts {
  /** Reporters whose name, phone, e-mail, IP address and user agent were removed (one per ticket). */
  reporters: number;
  /** Calls whose caller's number and name were removed. */
  calls: number;
  /** Mail from the dedicated mailbox whose sender address and kept raw message were removed. */
  mailMessages: number;
  /** Replies and bounces on tickets whose sender was removed. */
  ticketMessages: number;
  /** Notification mails (to reporters, to units quoting a report) with the person removed from recipients or text. */
  outboxMails: number;
  /** Text messages to reporters whose number was removed (the text names no one). */
  smsRecipients: number;
  /** Other texts with personal data replaced: descriptions, follow-up notes, subjects, call notes. */
  texts: number;
  /**
   * Events of purged tickets whose reason still names the person (a dispatcher's or operator's
   * words). The event log is append-only — the database refuses to change it — so they are
   * counted, not changed.
   */
  eventsLeft: number;
  /** Files deleted under DATA_DIR/mail-raw/. */
  rawMailFiles: number;
  /** Files deleted under DATA_DIR/mail-attachments/. */
  attachmentFiles: number;
  /** Throttle counters (a client address each) whose window had passed. */
  throttleCounters: number;
  /** Residents who joined a ticket ("我也遇到了") whose name, phone, IP address and user agent were removed. */
  supporters: number;
}

export interface PurgeResult {
  /** Finished before this instant (ISO-8601 UTC) is old enough. */
  before: string;
  dryRun: boolean;
  removed: PurgeCounts;
}

export interface PurgeOptions {
  /** The cut-off; default: now less the retention period. */
  before?: Date;
  /** Count, change nothing. */
  dryRun?: boolean;
}

interface PurgeContext {
  cut: string;
  at: string;
  dryRun: boolean;
  counts: PurgeCounts;
  /** Kept files the purged rows named: deleted at the end unless a remaining row names them. */
  files: string[];
}

const noCounts = (): PurgeCounts => ({
  reporters: 0,
  calls: 0,
  mailMessages: 0,
  ticketMessages: 0,
  outboxMails: 0,
  smsRecipients: 0,
  texts: 0,
  eventsLeft: 0,
  rawMailFiles: 0,
  attachmentFiles: 0,
  throttleCounters: 0,
  supporters: 0,
});

export function createPrivacyPurge(deps: { db: Kysely<Database>; blobs: BlobStore; clock: Clock; retentionDays: number }) {
  const { db, blobs, clock } = deps;

  async function purge(options: PurgeOptions = {}): Promise<PurgeResult> {
    const now = clock.now();
    const cut = (options.before ?? retentionCutoff(now, deps.retentionDays)).toISOString();
    const dryRun = options.dryRun ?? false;
    const ctx: PurgeContext = { cut, at: now.toISOString(), dryRun, counts: noCounts(), files: [] };

    // Tickets first: their texts are redacted with the personal data of every row about them,
    // which the row-by-row passes below then remove.
    for (let after = 0; ;) {
      const tickets = await selectDueTickets(db, cut, after, BATCH);
      if (tickets.length === 0) break;
      after = tickets.at(-1)!.id;
      await inTransaction(dryRun, (trx) => purgeTickets(trx, ctx, tickets));
    }
    ctx.counts.supporters = dryRun ? await countDueSupporters(db, cut) : await clearSupporters(db, cut, ctx.at);
    await purgeRows(ctx, 'calls');
    await purgeRows(ctx, 'mail_messages');
    await purgeRows(ctx, 'ticket_messages');
    // One-time codes and other text messages of no ticket: their numbers, once older than the cut-off.
    ctx.counts.smsRecipients += await clearLooseSmsRecipients(db, cut, dryRun);
    await removeFiles(ctx);
    ctx.counts.throttleCounters = dryRun ? await countExpired(db, now) : await deleteExpired(db, now);
    return { before: cut, dryRun, removed: ctx.counts };
  }

  async function inTransaction(dryRun: boolean, work: (trx: Db) => Promise<void>): Promise<void> {
    if (dryRun) await work(db);
    else await db.transaction().execute(work);
  }

  /** Sets only the columns whose value changed (not in a dry run); true when one did. */
  async function update<T extends RedactedTable>(
    trx: Db,
    ctx: PurgeContext,
    table: T,
    id: number,
    before: object,
    after: Updateable<Database[T]>,
  ): Promise<boolean> {
    const changed = changedColumns<T>(before, after);
    if (Object.keys(changed).length === 0) return false;
    if (!ctx.dryRun) await updateColumns(trx, table, id, changed);
    return true;
  }

  async function purgeTickets(trx: Db, ctx: PurgeContext, tickets: DueTicket[]): Promise<void> {
    const ids = tickets.map((t) => t.id);
    const records = await selectTicketRecords(trx, ids);
    const ofTicket = <R extends { ticket_id: number | null }>(list: R[], id: number) => list.filter((r) => Number(r.ticket_id) === id);

    for (const ticket of tickets) {
      const id = ticket.id;
      const people = {
        mails: records.mails.filter((m) => Number(m.ticket_id) === id || Number(m.reprocessed_ticket_id) === id),
        replies: ofTicket(records.replies, id),
        calls: ofTicket(records.calls, id),
      };
      const redactor = ticketRedactor(ticket, people);
      const { counts } = ctx;

      if (await update(trx, ctx, 'tickets', id, ticket, redactedDescription(ticket, redactor))) counts.texts++;
      counts.eventsLeft += ofTicket(records.events, id).filter((e) => eventNamesPerson(e, redactor)).length;
      for (const m of ofTicket(records.outbox, id)) {
        if (await update(trx, ctx, 'mail_outbox', Number(m.id), m, redactedOutboxMail(m, redactor))) counts.outboxMails++;
      }
      for (const f of ofTicket(records.followUps, id)) {
        if (await update(trx, ctx, 'follow_ups', Number(f.id), f, redactedFollowUp(f.comment!, redactor))) counts.texts++;
      }
      for (const m of people.replies) {
        if (await update(trx, ctx, 'ticket_messages', Number(m.id), m, redactedReply(m, redactor))) counts.texts++;
      }
      for (const m of people.mails) {
        if (await update(trx, ctx, 'mail_messages', Number(m.id), m, redactedMail(m, redactor))) counts.texts++;
      }
      for (const c of people.calls) {
        if (await update(trx, ctx, 'calls', Number(c.id), c, redactedCall(c, redactor))) counts.texts++;
      }
    }

    if (ctx.dryRun) ctx.counts.reporters += ids.length;
    else ctx.counts.reporters += await clearReporters(trx, ids, ctx.cut, ctx.at);
    ctx.counts.smsRecipients += await clearSmsRecipients(trx, ids, ctx.dryRun);
  }

  /** Calls, mail and replies older than the cut-off, of no ticket or of a finished one, that still name a person. */
  async function purgeRows(ctx: PurgeContext, table: PurgedTable): Promise<void> {
    for (let after = 0; ;) {
      const ids = await selectDueRowIds(db, table, ctx.cut, after, BATCH);
      if (ids.length === 0) break;
      after = ids.at(-1)!;
      await inTransaction(ctx.dryRun, async (trx) => {
        if (table === 'calls') await purgeCalls(trx, ctx, ids);
        else if (table === 'mail_messages') await purgeMail(trx, ctx, ids);
        else await purgeReplies(trx, ctx, ids);
      });
    }
  }

  async function purgeCalls(trx: Db, ctx: PurgeContext, ids: number[]): Promise<void> {
    for (const c of await selectCalls(trx, ids)) {
      await update(trx, ctx, 'calls', Number(c.id), c, purgedCall(c));
      if (!ctx.dryRun) await markCallPurged(trx, Number(c.id), ctx.at);
      ctx.counts.calls++;
    }
  }

  async function purgeMail(trx: Db, ctx: PurgeContext, ids: number[]): Promise<void> {
    for (const m of await selectMail(trx, ids)) {
      const { after, files } = purgedMail(m);
      ctx.files.push(...files);
      await update(trx, ctx, 'mail_messages', Number(m.id), m, after);
      ctx.counts.mailMessages++;
    }
  }

  async function purgeReplies(trx: Db, ctx: PurgeContext, ids: number[]): Promise<void> {
    for (const m of await selectReplies(trx, ids)) {
      const { after, files } = purgedReply(m);
      ctx.files.push(...files);
      await update(trx, ctx, 'ticket_messages', Number(m.id), m, after);
      ctx.counts.ticketMessages++;
    }
  }

  /**
   * Deletes the noted files that no remaining row names. A dry run cleared nothing, so it counts
   * the files no row the purge would keep names.
   */
  async function removeFiles(ctx: PurgeContext): Promise<void> {
    for (const rel of new Set(ctx.files)) {
      // A row's path is the object's key; anything else (`..`, an absolute path) names nothing of ours.
      if (!isBlobKey(rel) || !(rel.startsWith('mail-raw/') || rel.startsWith('mail-attachments/'))) continue;
      if (ctx.dryRun ? await fileNamedByKeptRow(db, ctx.cut, rel) : await fileStillNamed(db, rel)) continue;
      if (!(await blobs.head(rel))) continue;
      if (!ctx.dryRun) await blobs.delete(rel);
      if (rel.startsWith('mail-raw')) ctx.counts.rawMailFiles++;
      else ctx.counts.attachmentFiles++;
    }
  }

  return { purge, cutoff: (now = clock.now()) => retentionCutoff(now, deps.retentionDays) };
}
