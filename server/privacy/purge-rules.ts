// The retention purge's rules (purge.ts runs them): when data is old enough, and what each row
// about a person becomes — which names, numbers and addresses a ticket's texts are cleared of,
// what a call, a mail or a reply keeps once its sender goes, and which kept files go with them.
// Pure: rows in, changed values out.
import type { Updateable } from 'kysely';
import type { Database } from '../db/schema.ts';
import { DAY_MS } from '../china-time.ts';
import type {
  DueCall,
  DueMail,
  DueReply,
  DueTicket,
  RedactedTable,
  TicketCall,
  TicketEvent,
  TicketMail,
  TicketOutboxMail,
  TicketReply,
} from './purge-repository.ts';
import { createRedactor, type Needles, type Redactor } from './redact.ts';

/** Finished before this instant is old enough: `now` less the retention period. */
export function retentionCutoff(now: Date, retentionDays: number): Date {
  return new Date(now.getTime() - retentionDays * DAY_MS);
}

/** What residents wrote may hold anyone's number or address: cleared by pattern as well. */
const RESIDENT = { patterns: true };

/** The columns of `after` whose value differs from the row's: what an update must set (none: nothing to do). */
export function changedColumns<T extends RedactedTable>(before: object, after: Updateable<Database[T]>): Updateable<Database[T]> {
  const old = before as Record<string, unknown>;
  return Object.fromEntries(Object.entries(after).filter(([k, v]) => old[k] !== v)) as Updateable<Database[T]>;
}

/** The rows about one ticket that name its people. */
export interface TicketPeople {
  mails: TicketMail[];
  replies: TicketReply[];
  calls: TicketCall[];
}

/** Clears a ticket's texts of its reporter, callers and mail senders. */
export function ticketRedactor(ticket: DueTicket, people: TicketPeople): Redactor {
  return createRedactor({
    names: [ticket.name, ...people.replies.map((m) => m.from_name), ...people.calls.map((c) => c.caller_name)],
    phones: [ticket.phone, ...people.calls.map((c) => c.caller_phone)],
    emails: [ticket.email, ...people.mails.map((m) => m.from_address), ...people.replies.map((m) => m.from_address)],
  });
}

/** Clears a row's texts of the person the row itself names. */
export const ownRedactor = (n: Partial<Needles>): Redactor =>
  createRedactor({ names: n.names ?? [], phones: n.phones ?? [], emails: n.emails ?? [] });

/**
 * The event log is append-only (the database refuses changes): an event whose reason or data
 * still names the person is left as it is, and counted so that the office knows it is there.
 */
export function eventNamesPerson(e: TicketEvent, redactor: Redactor): boolean {
  return (e.reason !== null && redactor.text(e.reason) !== e.reason) || redactor.json(e.data) !== e.data;
}

export const redactedDescription = (ticket: DueTicket, r: Redactor) => ({ description: r.text(ticket.description, RESIDENT) });

export const redactedOutboxMail = (m: TicketOutboxMail, r: Redactor) => ({
  recipients: r.json(m.recipients),
  subject: r.text(m.subject, RESIDENT),
  text: r.text(m.text, RESIDENT),
  html: r.text(m.html, RESIDENT),
  response: m.response === null ? null : r.text(m.response),
});

export const redactedFollowUp = (comment: string, r: Redactor) => ({ comment: r.text(comment, RESIDENT) });

export const redactedReply = (m: TicketReply, r: Redactor) => ({
  subject: r.text(m.subject, RESIDENT),
  text: r.text(m.text, RESIDENT),
  attachments: redactedAttachments(m.attachments, r, false).json,
});

export const redactedMail = (m: TicketMail, r: Redactor) => ({
  subject: r.text(m.subject, RESIDENT),
  reason: m.reason === null ? null : r.text(m.reason, RESIDENT),
  source: m.source === null ? null : r.text(m.source),
  message_id: m.message_id === null ? null : r.text(m.message_id),
  attachments: redactedAttachments(m.attachments, r, false).json,
});

export const redactedCall = (c: Pick<TicketCall, 'summary' | 'answer'>, r: Redactor) => ({
  summary: r.text(c.summary, RESIDENT),
  answer: c.answer === null ? null : r.text(c.answer, RESIDENT),
});

/** A call past the cut-off: without the caller's number and name. */
export function purgedCall(c: DueCall) {
  const r = ownRedactor({ names: [c.caller_name], phones: [c.caller_phone] });
  return { caller_phone: null, caller_name: null, ...redactedCall(c, r) };
}

/** A mail past the cut-off: without its sender and its kept raw message and attachments (`files`: to delete). */
export function purgedMail(m: DueMail): { after: Updateable<Database['mail_messages']>; files: string[] } {
  const r = ownRedactor({ emails: [m.from_address] });
  const attachments = redactedAttachments(m.attachments, r, true);
  const after = {
    from_address: null,
    raw_path: null,
    subject: r.text(m.subject, RESIDENT),
    reason: m.reason === null ? null : r.text(m.reason, RESIDENT),
    source: m.source === null ? null : r.text(m.source),
    message_id: m.message_id === null ? null : r.text(m.message_id),
    attachments: attachments.json,
  };
  return { after, files: [...(m.raw_path ? [m.raw_path] : []), ...attachments.files] };
}

/** A reply or bounce past the cut-off: without its sender and its kept attachments (`files`: to delete). */
export function purgedReply(m: DueReply): { after: Updateable<Database['ticket_messages']>; files: string[] } {
  const r = ownRedactor({ names: [m.from_name], emails: [m.from_address] });
  const attachments = redactedAttachments(m.attachments, r, true);
  const after = {
    from_address: null,
    from_name: null,
    subject: r.text(m.subject, RESIDENT),
    text: r.text(m.text, RESIDENT),
    attachments: attachments.json,
  };
  return { after, files: attachments.files };
}

interface Attachment {
  name?: string | null;
  path?: string;
  [key: string]: unknown;
}

/**
 * An attachment list (JSON, as mail-intake.ts writes it) with the names redacted; with
 * `dropFiles`, also without the kept files' paths, which are answered for deletion (a kept
 * file's name repeats the attachment's). Sizes, types and photos stay.
 */
export function redactedAttachments(json: string, redactor: Redactor, dropFiles: boolean): { json: string; files: string[] } {
  let list: unknown;
  try {
    list = JSON.parse(json);
  } catch {
    return { json, files: [] };
  }
  if (!Array.isArray(list)) return { json, files: [] };
  const files: string[] = [];
  const out = (list as Attachment[]).map((entry) => {
    const { path: kept, ...rest } = entry;
    if (dropFiles && typeof kept === 'string') files.push(kept);
    return {
      ...(dropFiles ? rest : entry),
      ...(typeof rest.name === 'string' && { name: redactor.text(rest.name, RESIDENT) }),
    };
  });
  const text = JSON.stringify(out);
  return { json: text === JSON.stringify(list) ? json : text, files };
}
