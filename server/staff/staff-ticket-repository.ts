// The reads behind the staff's views of tickets: the filtered queue, one ticket with what was
// recorded about it (reporter, mail, calls), the names of the accounts that acted on it, and the
// router's first suggestion. Returns plain objects from explicit selects; no row type leaves this file.
import type { ExpressionBuilder, Kysely, Selectable, Transaction } from 'kysely';
import type { Database, TicketTable } from '../db/schema.ts';
import { TERMINAL_STATUSES, type Status } from '../tickets/lifecycle.ts';

type Db = Kysely<Database> | Transaction<Database>;

const listColumns = [
  'tracking_code',
  'status',
  'channel',
  'description',
  'category_code',
  'suggested_category_code',
  'lead_unit_code',
  'suggested_unit_code',
  'routing_confidence',
  'point_id',
  'created_at',
  'deadline_at',
  'acknowledge_due_at',
  'acknowledged_at',
  'dispatch_remarks',
  'version',
  'source',
  'supervised_at',
  'supervision_instruction',
  'report_count',
] as const;

type ListRow = Pick<Selectable<TicketTable>, (typeof listColumns)[number]>;

export interface QueueTicket {
  trackingCode: string;
  status: Status;
  channel: string;
  description: string;
  categoryCode: string | null;
  suggestedCategoryCode: string | null;
  leadUnitCode: string | null;
  suggestedUnitCode: string | null;
  routingConfidence: number | null;
  pointId: string | null;
  createdAt: string;
  deadlineAt: string | null;
  acknowledgeDueAt: string | null;
  acknowledgedAt: string | null;
  dispatchRemarks: string | null;
  version: number;
  /** 来源 (server/tickets/ticket-source.ts). */
  source: string;
  /** 督办: the leader's mark and 批示, or null. */
  supervision: { at: string; instruction: string } | null;
  /** Reports the ticket stands for: its own, web "me too" joins, hotline "+1"s. */
  reportCount: number;
}

function toQueueTicket(row: ListRow): QueueTicket {
  return {
    trackingCode: row.tracking_code,
    status: row.status as Status,
    channel: row.channel,
    description: row.description,
    categoryCode: row.category_code,
    suggestedCategoryCode: row.suggested_category_code,
    leadUnitCode: row.lead_unit_code,
    suggestedUnitCode: row.suggested_unit_code,
    routingConfidence: row.routing_confidence === null ? null : Number(row.routing_confidence),
    pointId: row.point_id,
    createdAt: row.created_at,
    deadlineAt: row.deadline_at,
    acknowledgeDueAt: row.acknowledge_due_at,
    acknowledgedAt: row.acknowledged_at,
    dispatchRemarks: row.dispatch_remarks,
    version: Number(row.version),
    source: row.source,
    supervision: row.supervised_at ? { at: row.supervised_at, instruction: row.supervision_instruction ?? '' } : null,
    reportCount: Number(row.report_count),
  };
}

export interface QueueFilter {
  unitCode?: string | null | undefined;
  statuses?: readonly Status[] | undefined;
  /** A top-level category includes its sub-categories. */
  categoryCode?: string | undefined;
  pointId?: string | undefined;
  channel?: string | undefined;
  source?: string | undefined;
  /** Past its deadline while the deadline runs: in one of these states, with a deadline before this instant. */
  overdue?: { statuses: readonly Status[]; before: string } | undefined;
  /** Words in the description or the tracking code. */
  search?: string | undefined;
  limit: number;
  offset: number;
}

/** Tickets matching the filter — open tickets a leader marked 督办 first, then those more residents reported, then newest first — and how many match in all. */
export async function listQueueTickets(db: Db, f: QueueFilter): Promise<{ items: QueueTicket[]; total: number }> {
  let q = db.selectFrom('tickets');
  if (f.unitCode) q = q.where('lead_unit_code', '=', f.unitCode);
  if (f.statuses?.length) q = q.where('status', 'in', f.statuses);
  const category = f.categoryCode;
  if (category) q = q.where((eb) => eb.or([eb('category_code', '=', category), eb('category_code', 'like', `${category}.%`)]));
  if (f.pointId) q = q.where('point_id', '=', f.pointId);
  if (f.channel) q = q.where('channel', '=', f.channel);
  if (f.source) q = q.where('source', '=', f.source);
  if (f.overdue) q = q.where('status', 'in', f.overdue.statuses).where('deadline_at', '<', f.overdue.before);
  if (f.search) {
    const s = f.search.replace(/[%_\\]/g, '');
    q = q.where((eb) => eb.or([eb('description', 'like', `%${s}%`), eb('tracking_code', 'like', `%${s.toUpperCase()}%`)]));
  }
  // Open tickets a leader marked 督办 come first. Rather than one ORDER BY on that condition (which
  // sorts every matching ticket: ≈ 0.5 s at a million), the marked ones (a handful: tickets_supervised_idx)
  // and the others are read apart, each in the index order (report_count, created_at, id) of
  // migration 029, and the page is cut across the two.
  const marked = (eb: ExpressionBuilder<Database, 'tickets'>) =>
    eb.and([eb('supervised_at', 'is not', null), eb('status', 'not in', TERMINAL_STATUSES)]);
  const ordered = (w: typeof q) =>
    w.select(listColumns).orderBy('report_count', 'desc').orderBy('created_at', 'desc').orderBy('id', 'desc');
  const [markedRows, count] = await Promise.all([
    ordered(q.where(marked))
      .limit(f.offset + f.limit)
      .execute(),
    q.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow(),
  ]);
  // A short page means every marked ticket was read: the others follow them.
  const rows = markedRows.slice(f.offset, f.offset + f.limit);
  if (rows.length < f.limit) {
    const others = await ordered(q.where((eb) => eb.not(marked(eb))))
      .limit(f.limit - rows.length)
      .offset(Math.max(0, f.offset - markedRows.length))
      .execute();
    rows.push(...others);
  }
  return { items: rows.map(toQueueTicket), total: Number(count.n) };
}

export interface TicketInFull extends QueueTicket {
  cooperatingUnitCodes: string[];
  location: { address: string | null; lat: number | null; lng: number | null };
  closedAt: string | null;
}

export async function findTicketInFull(db: Db, id: number): Promise<TicketInFull> {
  const row = await db
    .selectFrom('tickets')
    .select([...listColumns, 'cooperating_unit_codes', 'location_address', 'location_lat', 'location_lng', 'closed_at'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  return {
    ...toQueueTicket(row),
    cooperatingUnitCodes: JSON.parse(row.cooperating_unit_codes) as string[],
    location: { address: row.location_address, lat: row.location_lat, lng: row.location_lng },
    closedAt: row.closed_at,
  };
}

export interface TicketMessageRecord {
  at: string;
  kind: 'reply' | 'bounce';
  fromAddress: string | null;
  fromName: string | null;
  subject: string;
  text: string;
  attachments: Array<{ name: string | null; type: string; size: number }>;
}

/** Mail about the ticket after it was made, oldest first. */
export async function listTicketMessages(db: Db, ticketId: number): Promise<TicketMessageRecord[]> {
  const rows = await db
    .selectFrom('ticket_messages')
    .select(['at', 'kind', 'from_address', 'from_name', 'subject', 'text', 'attachments'])
    .where('ticket_id', '=', ticketId)
    .orderBy('at')
    .orderBy('id')
    .execute();
  return rows.map((m) => ({
    at: m.at,
    kind: m.kind as 'reply' | 'bounce',
    fromAddress: m.from_address,
    fromName: m.from_name,
    subject: m.subject,
    text: m.text,
    attachments: JSON.parse(m.attachments) as TicketMessageRecord['attachments'],
  }));
}

export interface ReporterContact {
  anonymous: boolean;
  name: string | null;
  phone: string | null;
  email: string | null;
}

export async function findReporterContact(db: Db, ticketId: number): Promise<ReporterContact | null> {
  const row = await db
    .selectFrom('ticket_reporters')
    .select(['anonymous', 'name', 'phone', 'email'])
    .where('ticket_id', '=', ticketId)
    .executeTakeFirst();
  return row ? { anonymous: Number(row.anonymous) === 1, name: row.name, phone: row.phone, email: row.email } : null;
}

export interface TicketCall {
  at: string;
  outcome: string;
  callerPhone: string | null;
  anonymous: boolean;
  summary: string;
  operator: string | null;
}

/** Hotline calls about the ticket, oldest first. */
export async function listCallsOfTicket(db: Db, ticketId: number): Promise<TicketCall[]> {
  const rows = await db
    .selectFrom('calls')
    .leftJoin('users', 'users.id', 'calls.operator_id')
    .select([
      'calls.at',
      'calls.outcome',
      'calls.caller_phone',
      'calls.anonymous',
      'calls.summary',
      'users.display_name',
      'calls.operator_name',
    ])
    .where('calls.ticket_id', '=', ticketId)
    .orderBy('calls.at')
    .orderBy('calls.id')
    .execute();
  return rows.map((c) => ({
    at: c.at,
    outcome: c.outcome,
    callerPhone: c.caller_phone,
    anonymous: Number(c.anonymous) === 1,
    summary: c.summary,
    operator: c.display_name ?? c.operator_name,
  }));
}

/** Accounts by id: display name and unit. */
export async function findAccountNames(
  db: Db,
  ids: readonly number[],
): Promise<Array<{ id: number; displayName: string; unitCode: string | null }>> {
  if (ids.length === 0) return [];
  const rows = await db.selectFrom('users').select(['id', 'display_name', 'unit_code']).where('id', 'in', ids).execute();
  return rows.map((r) => ({ id: Number(r.id), displayName: r.display_name, unitCode: r.unit_code }));
}

/** What the router suggested when the ticket came in (kept even after the office changed it). */
export async function findRoutingSuggestion(db: Db, ticketId: number): Promise<{ categoryCode: string | null; unitCode: string | null }> {
  const row = await db
    .selectFrom('tickets')
    .select(['suggested_category_code', 'suggested_unit_code'])
    .where('id', '=', ticketId)
    .executeTakeFirstOrThrow();
  return { categoryCode: row.suggested_category_code, unitCode: row.suggested_unit_code };
}
