// The retention purge (issue 5, item 5; `npm run privacy:purge`): personal data is kept for
// PERSONAL_DATA_RETENTION_DAYS (730 by default) after a ticket is finished, then removed, while
// every statistic stays countable — tickets, their events, calls' outcomes and categories,
// follow-up results keep their rows; only who they were about goes.
//
// What goes, for tickets finished (closed, rejected, merged) before the cut-off:
// - the reporter's name, phone, e-mail, IP address and user agent (ticket_reporters.purged_at set);
// - the reporter's, callers' and mail senders' names, numbers and addresses wherever that
//   ticket's texts repeat them (description, notification mails, follow-up notes, replies,
//   call notes) — and in what residents wrote, any mobile number, e-mail address or
//   ID-card number (redact.ts). Not in the event log: it is append-only (the database refuses
//   changes), so an event reason that names the person is counted (eventsLeft), not changed;
// And, for rows older than the cut-off that belong to no ticket or to such a ticket:
// - calls: the caller's number and name (calls.purged_at set);
// - mail read from the dedicated mailbox: the sender's address, the raw message kept under
//   DATA_DIR/mail-raw/ and the attachments kept under DATA_DIR/mail-attachments/ (a file another
//   kept message still names stays); replies and bounces on the ticket: the sender's address and name.
// And throttle counters whose window has passed (they name a client address; housekeeping
// removes them every pass too, so there are rarely any left).
// Open tickets, and anything newer than the cut-off, are untouched. Running it again changes
// nothing more. A dry run counts the same without changing anything.
import fs from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Kysely, Transaction, Updateable } from 'kysely';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/schema.ts';
import { TERMINAL_STATUSES } from '../tickets/lifecycle.ts';
import { createRedactor, type Needles, type Redactor } from './redact.ts';
import { countExpired, deleteExpired } from '../throttle/throttle-repository.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
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

type Db = Kysely<Database> | Transaction<Database>;
type RedactedTable = 'tickets' | 'mail_outbox' | 'follow_ups' | 'ticket_messages' | 'mail_messages' | 'calls';

interface Attachment {
  name?: string | null;
  path?: string;
  [key: string]: unknown;
}

export function createPrivacyPurge(deps: { db: Kysely<Database>; dataDir: string; clock: Clock; retentionDays: number }) {
  const { db, dataDir, clock } = deps;

  /** Tickets finished before the cut-off, as a subquery. */
  const finishedBefore = (cut: string) =>
    db
      .selectFrom('tickets')
      .select('tickets.id')
      .where('tickets.status', 'in', TERMINAL_STATUSES)
      .where((eb) => eb(eb.fn.coalesce('tickets.closed_at', 'tickets.updated_at'), '<', cut));

  async function purge(options: PurgeOptions = {}): Promise<PurgeResult> {
    const now = clock.now();
    const before = options.before ?? new Date(now.getTime() - deps.retentionDays * DAY_MS);
    const cut = before.toISOString();
    const dryRun = options.dryRun ?? false;
    const counts: PurgeCounts = {
      reporters: 0,
      calls: 0,
      mailMessages: 0,
      ticketMessages: 0,
      outboxMails: 0,
      texts: 0,
      eventsLeft: 0,
      rawMailFiles: 0,
      attachmentFiles: 0,
      throttleCounters: 0,
    };
    const ctx: PurgeContext = { cut, at: now.toISOString(), dryRun, counts, files: [] };

    // Tickets first: their texts are redacted with the personal data of every row about them,
    // which the row-by-row passes below then remove.
    for (let after = 0; ;) {
      const rows = await db
        .selectFrom('ticket_reporters')
        .innerJoin('tickets', 'tickets.id', 'ticket_reporters.ticket_id')
        .select(['tickets.id', 'tickets.description', 'ticket_reporters.name', 'ticket_reporters.phone', 'ticket_reporters.email'])
        .where('ticket_reporters.purged_at', 'is', null)
        .where('tickets.id', 'in', finishedBefore(cut))
        .where('tickets.id', '>', after)
        .orderBy('tickets.id')
        .limit(BATCH)
        .execute();
      if (rows.length === 0) break;
      after = Number(rows.at(-1)!.id);
      await inTransaction(dryRun, (trx) => purgeTickets(trx, ctx, rows));
    }
    await purgeRows(ctx, 'calls');
    await purgeRows(ctx, 'mail_messages');
    await purgeRows(ctx, 'ticket_messages');
    await removeFiles(ctx);
    counts.throttleCounters = dryRun ? await countExpired(db, now) : await deleteExpired(db, now);
    return { before: cut, dryRun, removed: counts };
  }

  interface PurgeContext {
    cut: string;
    at: string;
    dryRun: boolean;
    counts: PurgeCounts;
    /** Kept files the purged rows named: deleted at the end unless a remaining row names them. */
    files: string[];
  }

  async function inTransaction(dryRun: boolean, work: (trx: Db) => Promise<void>): Promise<void> {
    if (dryRun) await work(db);
    else await db.transaction().execute(work);
  }

  /** Sets only the columns whose value changed; true when one did. */
  async function update<T extends RedactedTable>(
    trx: Db,
    ctx: PurgeContext,
    table: T,
    id: number,
    before: object,
    after: Updateable<Database[T]>,
  ): Promise<boolean> {
    const old = before as Record<string, unknown>;
    const changed = Object.fromEntries(Object.entries(after).filter(([k, v]) => old[k] !== v));
    if (Object.keys(changed).length === 0) return false;
    // `after` was checked against the table's columns above; the generic table defeats Kysely's own check here.
    if (!ctx.dryRun)
      await (trx as unknown as Kysely<any>)
        .updateTable(table as string)
        .set(changed)
        .where('id', '=', id)
        .execute();
    return true;
  }

  async function purgeTickets(
    trx: Db,
    ctx: PurgeContext,
    tickets: Array<{ id: number; description: string; name: string | null; phone: string | null; email: string | null }>,
  ): Promise<void> {
    const ids = tickets.map((t) => Number(t.id));
    const [mails, messages, calls, outbox, followUps, events] = await Promise.all([
      trx
        .selectFrom('mail_messages')
        .select(['id', 'ticket_id', 'reprocessed_ticket_id', 'from_address', 'subject', 'reason', 'source', 'message_id', 'attachments'])
        .where((eb) => eb.or([eb('ticket_id', 'in', ids), eb('reprocessed_ticket_id', 'in', ids)]))
        .execute(),
      trx
        .selectFrom('ticket_messages')
        .select(['id', 'ticket_id', 'from_address', 'from_name', 'subject', 'text', 'attachments'])
        .where('ticket_id', 'in', ids)
        .execute(),
      trx
        .selectFrom('calls')
        .select(['id', 'ticket_id', 'caller_phone', 'caller_name', 'summary', 'answer'])
        .where('ticket_id', 'in', ids)
        .execute(),
      trx
        .selectFrom('mail_outbox')
        .select(['id', 'ticket_id', 'recipients', 'subject', 'text', 'html', 'response'])
        .where('ticket_id', 'in', ids)
        .execute(),
      trx
        .selectFrom('follow_ups')
        .select(['id', 'ticket_id', 'comment'])
        .where('ticket_id', 'in', ids)
        .where('comment', 'is not', null)
        .execute(),
      trx.selectFrom('ticket_events').select(['id', 'ticket_id', 'reason', 'data']).where('ticket_id', 'in', ids).execute(),
    ]);
    const ofTicket = <R extends { ticket_id: number | null }>(list: R[], id: number) => list.filter((r) => Number(r.ticket_id) === id);

    for (const ticket of tickets) {
      const id = Number(ticket.id);
      const mine = {
        mails: mails.filter((m) => Number(m.ticket_id) === id || Number(m.reprocessed_ticket_id) === id),
        messages: ofTicket(messages, id),
        calls: ofTicket(calls, id),
      };
      const redactor = createRedactor({
        names: [ticket.name, ...mine.messages.map((m) => m.from_name), ...mine.calls.map((c) => c.caller_name)],
        phones: [ticket.phone, ...mine.calls.map((c) => c.caller_phone)],
        emails: [ticket.email, ...mine.mails.map((m) => m.from_address), ...mine.messages.map((m) => m.from_address)],
      });
      const resident = { patterns: true };

      if (await update(trx, ctx, 'tickets', id, ticket, { description: redactor.text(ticket.description, resident) })) ctx.counts.texts++;
      for (const e of ofTicket(events, id)) {
        // The event log is append-only (the database refuses changes): what staff wrote into a
        // reason is left as it is, and counted so that the office knows it is there.
        if ((e.reason !== null && redactor.text(e.reason) !== e.reason) || redactor.json(e.data) !== e.data) ctx.counts.eventsLeft++;
      }
      for (const m of ofTicket(outbox, id)) {
        const after = {
          recipients: redactor.json(m.recipients),
          subject: redactor.text(m.subject, resident),
          text: redactor.text(m.text, resident),
          html: redactor.text(m.html, resident),
          response: m.response === null ? null : redactor.text(m.response),
        };
        if (await update(trx, ctx, 'mail_outbox', Number(m.id), m, after)) ctx.counts.outboxMails++;
      }
      for (const f of ofTicket(followUps, id)) {
        if (await update(trx, ctx, 'follow_ups', Number(f.id), f, { comment: redactor.text(f.comment!, resident) })) ctx.counts.texts++;
      }
      for (const m of mine.messages) {
        const after = {
          subject: redactor.text(m.subject, resident),
          text: redactor.text(m.text, resident),
          attachments: attachmentList(m.attachments, redactor),
        };
        if (await update(trx, ctx, 'ticket_messages', Number(m.id), m, after)) ctx.counts.texts++;
      }
      for (const m of mine.mails) {
        const after = {
          subject: redactor.text(m.subject, resident),
          reason: m.reason === null ? null : redactor.text(m.reason, resident),
          source: m.source === null ? null : redactor.text(m.source),
          message_id: m.message_id === null ? null : redactor.text(m.message_id),
          attachments: attachmentList(m.attachments, redactor),
        };
        if (await update(trx, ctx, 'mail_messages', Number(m.id), m, after)) ctx.counts.texts++;
      }
      for (const c of mine.calls) {
        const after = { summary: redactor.text(c.summary, resident), answer: c.answer === null ? null : redactor.text(c.answer, resident) };
        if (await update(trx, ctx, 'calls', Number(c.id), c, after)) ctx.counts.texts++;
      }
    }

    if (ctx.dryRun) {
      ctx.counts.reporters += ids.length;
      return;
    }
    const cleared = await trx
      .updateTable('ticket_reporters')
      .set({ name: null, phone: null, email: null, ip: null, user_agent: null, purged_at: ctx.at })
      .where('ticket_id', 'in', ids)
      .where('purged_at', 'is', null)
      // A ticket reopened meanwhile is being handled again: its reporter stays.
      .where('ticket_id', 'in', finishedBefore(ctx.cut))
      .executeTakeFirst();
    ctx.counts.reporters += Number(cleared.numUpdatedRows);
  }

  /** Calls, mail and replies older than the cut-off, of no ticket or of a finished one, that still name a person. */
  async function purgeRows(ctx: PurgeContext, table: 'calls' | 'mail_messages' | 'ticket_messages'): Promise<void> {
    for (let after = 0; ;) {
      const ids = await candidates(ctx.cut, table, after);
      if (ids.length === 0) break;
      after = ids.at(-1)!;
      await inTransaction(ctx.dryRun, async (trx) => {
        if (table === 'calls') await purgeCalls(trx, ctx, ids);
        else if (table === 'mail_messages') await purgeMail(trx, ctx, ids);
        else await purgeReplies(trx, ctx, ids);
      });
    }
  }

  async function candidates(cut: string, table: 'calls' | 'mail_messages' | 'ticket_messages', after: number): Promise<number[]> {
    const finished = finishedBefore(cut);
    let rows: Array<{ id: number }>;
    if (table === 'calls') {
      rows = await db
        .selectFrom('calls')
        .select('id')
        .where('at', '<', cut)
        .where('purged_at', 'is', null)
        .where((eb) => eb.or([eb('ticket_id', 'is', null), eb('ticket_id', 'in', finished)]))
        .where('id', '>', after)
        .orderBy('id')
        .limit(BATCH)
        .execute();
    } else if (table === 'mail_messages') {
      rows = await db
        .selectFrom('mail_messages')
        .select('id')
        .where('received_at', '<', cut)
        .where((eb) => eb.or([eb('from_address', 'is not', null), eb('raw_path', 'is not', null)]))
        .where((eb) => eb.or([eb('ticket_id', 'is', null), eb('ticket_id', 'in', finished)]))
        .where((eb) => eb.or([eb('reprocessed_ticket_id', 'is', null), eb('reprocessed_ticket_id', 'in', finished)]))
        .where('id', '>', after)
        .orderBy('id')
        .limit(BATCH)
        .execute();
    } else {
      rows = await db
        .selectFrom('ticket_messages')
        .select('id')
        .where('at', '<', cut)
        .where((eb) => eb.or([eb('from_address', 'is not', null), eb('from_name', 'is not', null)]))
        .where('ticket_id', 'in', finished)
        .where('id', '>', after)
        .orderBy('id')
        .limit(BATCH)
        .execute();
    }
    return rows.map((r) => Number(r.id));
  }

  const own = (n: Partial<Needles>): Redactor => createRedactor({ names: n.names ?? [], phones: n.phones ?? [], emails: n.emails ?? [] });

  async function purgeCalls(trx: Db, ctx: PurgeContext, ids: number[]): Promise<void> {
    const rows = await trx
      .selectFrom('calls')
      .select(['id', 'caller_phone', 'caller_name', 'summary', 'answer'])
      .where('id', 'in', ids)
      .execute();
    for (const c of rows) {
      const redactor = own({ names: [c.caller_name], phones: [c.caller_phone] });
      await update(trx, ctx, 'calls', Number(c.id), c, {
        caller_phone: null,
        caller_name: null,
        summary: redactor.text(c.summary, { patterns: true }),
        answer: c.answer === null ? null : redactor.text(c.answer, { patterns: true }),
      });
      if (!ctx.dryRun) await trx.updateTable('calls').set({ purged_at: ctx.at }).where('id', '=', Number(c.id)).execute();
      ctx.counts.calls++;
    }
  }

  async function purgeMail(trx: Db, ctx: PurgeContext, ids: number[]): Promise<void> {
    const rows = await trx
      .selectFrom('mail_messages')
      .select(['id', 'from_address', 'subject', 'reason', 'source', 'message_id', 'raw_path', 'attachments'])
      .where('id', 'in', ids)
      .execute();
    for (const m of rows) {
      const redactor = own({ emails: [m.from_address] });
      if (m.raw_path) ctx.files.push(m.raw_path);
      await update(trx, ctx, 'mail_messages', Number(m.id), m, {
        from_address: null,
        raw_path: null,
        subject: redactor.text(m.subject, { patterns: true }),
        reason: m.reason === null ? null : redactor.text(m.reason, { patterns: true }),
        source: m.source === null ? null : redactor.text(m.source),
        message_id: m.message_id === null ? null : redactor.text(m.message_id),
        attachments: attachmentList(m.attachments, redactor, ctx),
      });
      ctx.counts.mailMessages++;
    }
  }

  async function purgeReplies(trx: Db, ctx: PurgeContext, ids: number[]): Promise<void> {
    const rows = await trx
      .selectFrom('ticket_messages')
      .select(['id', 'from_address', 'from_name', 'subject', 'text', 'attachments'])
      .where('id', 'in', ids)
      .execute();
    for (const m of rows) {
      const redactor = own({ names: [m.from_name], emails: [m.from_address] });
      await update(trx, ctx, 'ticket_messages', Number(m.id), m, {
        from_address: null,
        from_name: null,
        subject: redactor.text(m.subject, { patterns: true }),
        text: redactor.text(m.text, { patterns: true }),
        attachments: attachmentList(m.attachments, redactor, ctx),
      });
      ctx.counts.ticketMessages++;
    }
  }

  /**
   * An attachment list (JSON, as mail-intake.ts writes it) with the names redacted; with `ctx`,
   * also without the kept files' paths, which are noted for deletion (a kept file's name repeats
   * the attachment's). Sizes, types and photos stay.
   */
  function attachmentList(json: string, redactor: Redactor, ctx?: PurgeContext): string {
    let list: unknown;
    try {
      list = JSON.parse(json);
    } catch {
      return json;
    }
    if (!Array.isArray(list)) return json;
    const out = (list as Attachment[]).map((entry) => {
      const { path: kept, ...rest } = entry;
      if (ctx && typeof kept === 'string') ctx.files.push(kept);
      return {
        ...(ctx ? rest : entry),
        ...(typeof rest.name === 'string' && { name: redactor.text(rest.name, { patterns: true }) }),
      };
    });
    const text = JSON.stringify(out);
    return text === JSON.stringify(list) ? json : text;
  }

  /** Deletes the noted files that no remaining row names (in a dry run: counts them). */
  async function removeFiles(ctx: PurgeContext): Promise<void> {
    const root = path.resolve(dataDir);
    for (const rel of new Set(ctx.files)) {
      const file = path.resolve(root, rel);
      if (!file.startsWith(root + path.sep)) continue;
      if (!ctx.dryRun && (await stillNamed(rel))) continue;
      if (ctx.dryRun && (await stillNamedOutside(ctx.cut, rel))) continue;
      if (!existsSync(file)) continue;
      if (!ctx.dryRun) await fs.rm(file, { force: true });
      if (rel.startsWith('mail-raw')) ctx.counts.rawMailFiles++;
      else ctx.counts.attachmentFiles++;
    }
  }

  /** After the purge: does a kept row still name the file? */
  async function stillNamed(rel: string): Promise<boolean> {
    const like = `%${JSON.stringify(rel).slice(1, -1)}%`;
    const [mail, reply] = await Promise.all([
      db
        .selectFrom('mail_messages')
        .select('id')
        .where((eb) => eb.or([eb('raw_path', '=', rel), eb('attachments', 'like', like)]))
        .limit(1)
        .executeTakeFirst(),
      db.selectFrom('ticket_messages').select('id').where('attachments', 'like', like).limit(1).executeTakeFirst(),
    ]);
    return Boolean(mail ?? reply);
  }

  /** In a dry run nothing was cleared: does a row the purge would keep name the file? */
  async function stillNamedOutside(cut: string, rel: string): Promise<boolean> {
    const like = `%${JSON.stringify(rel).slice(1, -1)}%`;
    const finished = finishedBefore(cut);
    const [mail, reply] = await Promise.all([
      db
        .selectFrom('mail_messages')
        .select('id')
        .where((eb) => eb.or([eb('raw_path', '=', rel), eb('attachments', 'like', like)]))
        .where((eb) =>
          eb.or([
            eb('received_at', '>=', cut),
            eb.and([eb('ticket_id', 'is not', null), eb('ticket_id', 'not in', finished)]),
            eb.and([eb('reprocessed_ticket_id', 'is not', null), eb('reprocessed_ticket_id', 'not in', finished)]),
          ]),
        )
        .limit(1)
        .executeTakeFirst(),
      db
        .selectFrom('ticket_messages')
        .select('id')
        .where('attachments', 'like', like)
        .where((eb) => eb.or([eb('at', '>=', cut), eb('ticket_id', 'not in', finished)]))
        .limit(1)
        .executeTakeFirst(),
    ]);
    return Boolean(mail ?? reply);
  }

  return { purge, cutoff: (now = clock.now()) => new Date(now.getTime() - deps.retentionDays * DAY_MS) };
}

export type PrivacyPurge = ReturnType<typeof createPrivacyPurge>;
