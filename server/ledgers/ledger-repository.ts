// Every query the ledgers and the monthly report make. Returns plain objects from explicit
// selects (DESIGN rule 4); nothing selects ticket_reporters: the ledgers carry no personal data
// of reporters. Events of many tickets come in one query, selected by a subquery rather than a
// list of ids, so no query grows with the number of tickets and none runs per ticket.
import { setImmediate as nextTurn } from 'node:timers/promises';
import { type Expression, type ExpressionBuilder, type Kysely, type SqlBool } from 'kysely';
import type { Database } from '../db/schema.ts';
import { STATUSES, TERMINAL_STATUSES, type Status } from '../tickets/lifecycle.ts';
import { DEADLINE_RUNNING_STATUSES } from '../tickets/lifecycle.ts';
import type { HistoryEvent, TicketState } from './ticket-history.ts';

type Db = Kysely<Database>;

/** A ticket's own facts, which no event changes. */
export interface TicketFacts {
  id: number;
  trackingCode: string;
  receivedAt: string;
  channel: string;
  description: string;
  pointId: string | null;
  locationAddress: string | null;
  /** 来源 (server/tickets/ticket-source.ts). */
  source: string;
  /** 督办 as it stands now (not replayed): when a leader marked it, and the 批示; null when not marked. */
  supervision: { at: string; instruction: string } | null;
}

export interface TicketSnapshot {
  facts: TicketFacts;
  /** The state now, from the ticket row. */
  state: TicketState;
}

export interface TicketWithHistory extends TicketSnapshot {
  /** Its events in seq order (only those before the cut-off, when one was given). */
  events: HistoryEvent[];
}

/** The problem ledger's filter, resolved to instants and code lists. */
export interface ProblemWhere {
  statuses?: readonly Status[];
  unitCode?: string;
  includeCooperating?: boolean;
  categoryCodes?: readonly string[];
  pointId?: string;
  channel?: string;
  source?: string;
  /** Only tickets a leader marked 督办 (and not lifted). */
  supervisedOnly?: boolean;
  receivedFrom?: string;
  receivedBefore?: string;
  /** Only tickets overdue at this instant. */
  overdueAt?: string;
}

interface TicketRow {
  id: number;
  tracking_code: string;
  created_at: string;
  channel: string;
  description: string;
  point_id: string | null;
  location_address: string | null;
  status: string;
  category_code: string | null;
  lead_unit_code: string | null;
  cooperating_unit_codes: string;
  deadline_at: string | null;
  closed_at: string | null;
  last_verified_at: string | null;
  source: string;
  supervised_at: string | null;
  supervision_instruction: string | null;
}

function toSnapshot(r: TicketRow): TicketSnapshot {
  const status = r.status as Status;
  return {
    facts: {
      id: Number(r.id),
      trackingCode: r.tracking_code,
      receivedAt: r.created_at,
      channel: r.channel,
      description: r.description,
      pointId: r.point_id,
      locationAddress: r.location_address,
      source: r.source,
      supervision: r.supervised_at ? { at: r.supervised_at, instruction: r.supervision_instruction ?? '' } : null,
    },
    state: {
      status,
      categoryCode: r.category_code,
      leadUnitCode: r.lead_unit_code,
      cooperatingUnitCodes: JSON.parse(r.cooperating_unit_codes) as string[],
      deadlineAt: r.deadline_at,
      // closed_at is set by verify; the verify event is the fallback if a path forgot it.
      closedAt: status === 'closed' ? (r.closed_at ?? r.last_verified_at) : null,
    },
  };
}

function ticketsWithState(db: Db) {
  return db.selectFrom('tickets as t').select((eb) => [
    't.id',
    't.tracking_code',
    't.created_at',
    't.channel',
    't.description',
    't.point_id',
    't.location_address',
    't.status',
    't.category_code',
    't.lead_unit_code',
    't.cooperating_unit_codes',
    't.deadline_at',
    't.closed_at',
    't.source',
    't.supervised_at',
    't.supervision_instruction',
    eb
      .selectFrom('ticket_events as v')
      .select((v) => v.fn.max('v.at').as('at'))
      .whereRef('v.ticket_id', '=', 't.id')
      .where('v.action', '=', 'verify')
      .as('last_verified_at'),
  ]);
}

type TicketsFrom = { t: Database['tickets'] };

/** The filter as one condition, for the page and for its count alike. */
function problemCondition(eb: ExpressionBuilder<TicketsFrom, 't'>, w: ProblemWhere): Expression<SqlBool> {
  const all: Expression<SqlBool>[] = [];
  if (w.statuses && w.statuses.length > 0) all.push(eb('t.status', 'in', w.statuses));
  if (w.unitCode) {
    const lead = eb('t.lead_unit_code', '=', w.unitCode);
    // Unit codes are [a-z0-9-] (validated), so they carry no LIKE wildcard.
    all.push(w.includeCooperating ? eb.or([lead, eb('t.cooperating_unit_codes', 'like', `%"${w.unitCode}"%`)]) : lead);
  }
  if (w.categoryCodes?.length) all.push(eb('t.category_code', 'in', w.categoryCodes));
  if (w.pointId) all.push(eb('t.point_id', '=', w.pointId));
  if (w.channel) all.push(eb('t.channel', '=', w.channel));
  if (w.source) all.push(eb('t.source', '=', w.source));
  if (w.supervisedOnly) all.push(eb('t.supervised_at', 'is not', null));
  if (w.receivedFrom) all.push(eb('t.created_at', '>=', w.receivedFrom));
  if (w.receivedBefore) all.push(eb('t.created_at', '<', w.receivedBefore));
  if (w.overdueAt) all.push(eb('t.status', 'in', DEADLINE_RUNNING_STATUSES), eb('t.deadline_at', '<', w.overdueAt));
  return eb.and(all);
}

function countTickets(db: Db) {
  return db.selectFrom('tickets as t').select((eb) => eb.fn.countAll<number | string>().as('n'));
}

/** Tickets matching the filter, newest first; one page of them when `page` is given. */
export async function selectProblems(
  db: Db,
  where: ProblemWhere,
  page?: { offset: number; limit: number },
): Promise<{ tickets: TicketSnapshot[]; total: number }> {
  let q = ticketsWithState(db)
    .where((eb) => problemCondition(eb, where))
    .orderBy('t.created_at', 'desc')
    .orderBy('t.id', 'desc');
  if (page) q = q.limit(page.limit).offset(page.offset);
  const [rows, count] = await Promise.all([
    q.execute(),
    page
      ? countTickets(db)
          .where((eb) => problemCondition(eb, where))
          .executeTakeFirstOrThrow()
      : null,
  ]);
  const tickets = (rows as TicketRow[]).map(toSnapshot);
  return { tickets, total: count ? Number(count.n) : tickets.length };
}

/**
 * Tickets read per query by an export: on SQLite a query runs on the web process's own thread, so
 * none may read tens of thousands of rows at once; another request gets a turn between two.
 */
export const EXPORT_BATCH = 250;

/**
 * Every ticket matching the filter, newest first like selectProblems, EXPORT_BATCH at a time:
 * keyset paging on (created_at, id), so each query is as quick as the first. A ticket received
 * during the export is newer than every page and not in it; the rows are as each batch was read.
 */
export async function* selectProblemBatches(db: Db, where: ProblemWhere, batchSize = EXPORT_BATCH): AsyncGenerator<TicketSnapshot[]> {
  let after: { createdAt: string; id: number } | null = null;
  for (;;) {
    const from = after;
    const rows = (await ticketsWithState(db)
      .where((eb) => problemCondition(eb, where))
      .$if(from !== null, (q) =>
        q.where((eb) =>
          eb.or([eb('t.created_at', '<', from!.createdAt), eb.and([eb('t.created_at', '=', from!.createdAt), eb('t.id', '<', from!.id)])]),
        ),
      )
      .orderBy('t.created_at', 'desc')
      .orderBy('t.id', 'desc')
      .limit(batchSize)
      .execute()) as TicketRow[];
    if (rows.length === 0) return;
    const tickets = rows.map(toSnapshot);
    yield tickets;
    if (rows.length < batchSize) return;
    const last = tickets.at(-1)!.facts;
    after = { createdAt: last.receivedAt, id: last.id };
    await nextTurn();
  }
}

/** An open ticket at a point, as the point ledger lists it. */
export interface OpenTicketAtPoint {
  id: number;
  trackingCode: string;
  pointId: string;
  status: Status;
  leadUnitCode: string | null;
  deadlineAt: string | null;
}

/**
 * Open tickets (not closed, rejected or merged) that name a point, oldest first; only the columns
 * the ledger shows. One query per open state, each an equality on tickets_status_point_idx
 * (migration 029): given the eight states in one IN list, SQLite — which knows only the average
 * number of tickets per state, not that nearly all are closed — reads the whole table (0.4 s at a
 * million tickets, against 0.04 s through the index). Sorted here, for the same reason.
 */
export async function selectOpenTicketsAtPoints(db: Db): Promise<OpenTicketAtPoint[]> {
  const open = STATUSES.filter((s) => !TERMINAL_STATUSES.includes(s));
  const byStatus = await Promise.all(
    open.map((status) =>
      db
        .selectFrom('tickets')
        .select(['id', 'tracking_code', 'point_id', 'status', 'lead_unit_code', 'deadline_at', 'created_at'])
        .where('status', '=', status)
        .where('point_id', 'is not', null)
        .execute(),
    ),
  );
  const rows = byStatus.flat();
  rows.sort((a, b) => (a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : Number(a.id) - Number(b.id)));
  return rows.map((r) => ({
    id: Number(r.id),
    trackingCode: r.tracking_code,
    pointId: r.point_id!,
    status: r.status as Status,
    leadUnitCode: r.lead_unit_code,
    deadlineAt: r.deadline_at,
  }));
}

type TicketIdQuery = ReturnType<typeof ticketIdsWithEvent>;

function ticketIdsWithEvent(db: Db, action: string, from?: string, before?: string) {
  let q = db.selectFrom('ticket_events as s').select('s.ticket_id').where('s.action', '=', action);
  if (from) q = q.where('s.at', '>=', from);
  if (before) q = q.where('s.at', '<', before);
  return q;
}

async function withHistories(db: Db, ids: TicketIdQuery | readonly number[], eventsBefore?: string): Promise<TicketWithHistory[]> {
  if (Array.isArray(ids) && ids.length === 0) return [];
  let events = db
    .selectFrom('ticket_events as e')
    .select(['e.ticket_id', 'e.seq', 'e.at', 'e.action', 'e.to_status', 'e.reason', 'e.data'])
    .where('e.ticket_id', 'in', ids)
    .orderBy('e.ticket_id')
    .orderBy('e.seq');
  if (eventsBefore) events = events.where('e.at', '<', eventsBefore);
  const [ticketRows, eventRows] = await Promise.all([
    ticketsWithState(db).where('t.id', 'in', ids).orderBy('t.created_at').orderBy('t.id').execute(),
    events.execute(),
  ]);
  const byTicket = new Map<number, HistoryEvent[]>();
  for (const r of eventRows) {
    const id = Number(r.ticket_id);
    let list = byTicket.get(id);
    if (!list) byTicket.set(id, (list = []));
    list.push({
      seq: Number(r.seq),
      at: r.at,
      action: r.action,
      toStatus: r.to_status as Status,
      reason: r.reason,
      data: JSON.parse(r.data) as Record<string, unknown>,
    });
  }
  return (ticketRows as TicketRow[]).map((r) => {
    const snapshot = toSnapshot(r);
    return { ...snapshot, events: byTicket.get(snapshot.facts.id) ?? [] };
  });
}

/** Tickets by id, with their whole event log (in received order). */
export function selectTicketHistories(db: Db, ids: readonly number[]): Promise<TicketWithHistory[]> {
  return withHistories(db, ids);
}

/**
 * Tickets with a rectification report (reported in [from, before) when given), with their whole
 * event log, EXPORT_BATCH tickets at a time (in id order; each batch in withHistories' order),
 * with a turn of the event loop between two batches.
 */
export async function* selectRectifiedTicketBatches(
  db: Db,
  range: { from?: string; before?: string } = {},
  batchSize = EXPORT_BATCH,
): AsyncGenerator<TicketWithHistory[]> {
  let afterId = 0;
  for (;;) {
    const ids = ticketIdsWithEvent(db, 'reportRectification', range.from, range.before)
      .where('s.ticket_id', '>', afterId)
      .distinct()
      .orderBy('s.ticket_id')
      .limit(batchSize);
    const tickets = await withHistories(db, ids);
    if (tickets.length === 0) return;
    yield tickets;
    if (tickets.length < batchSize) return;
    afterId = Math.max(...tickets.map((t) => t.facts.id));
    await nextTurn();
  }
}

/** One rectification report: the ticket's reportRectification event. */
export interface RectificationReportKey {
  ticketId: number;
  seq: number;
}

/**
 * One page of the rectification reports made in [from, before) (all when not given), newest first
 * (time, then ticket and seq, descending: the ledger's order), how many there are in all, and
 * the page's tickets with their whole event log. Reads the reports through ticket_events'
 * (action, at, ticket_id, seq) index (migration 029), so the page costs the same whatever the
 * number of tickets; the count walks that index's range.
 */
export async function selectRectificationReportPage(
  db: Db,
  range: { from?: string; before?: string },
  page: { offset: number; limit: number },
): Promise<{ reports: RectificationReportKey[]; total: number; tickets: TicketWithHistory[] }> {
  let q = db.selectFrom('ticket_events as r').where('r.action', '=', 'reportRectification');
  if (range.from) q = q.where('r.at', '>=', range.from);
  if (range.before) q = q.where('r.at', '<', range.before);
  const [rows, count] = await Promise.all([
    q
      .select(['r.ticket_id', 'r.seq'])
      .orderBy('r.at', 'desc')
      .orderBy('r.ticket_id', 'desc')
      .orderBy('r.seq', 'desc')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    q.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  const reports = rows.map((r) => ({ ticketId: Number(r.ticket_id), seq: Number(r.seq) }));
  const tickets = await withHistories(db, [...new Set(reports.map((r) => r.ticketId))]);
  return { reports, total: Number(count.n), tickets };
}

/** Tickets the office struck off in [from, before), with their whole event log. */
export function selectTicketsVerifiedIn(db: Db, from: string, before: string): Promise<TicketWithHistory[]> {
  return withHistories(db, ticketIdsWithEvent(db, 'verify', from, before));
}

/** Tickets with an event of one of `actions` in [from, before), with their whole event log. */
export function selectTicketsActedIn(db: Db, actions: readonly string[], from: string, before: string): Promise<TicketWithHistory[]> {
  const ids = db
    .selectFrom('ticket_events as s')
    .select('s.ticket_id')
    .where('s.action', 'in', [...actions])
    .where('s.at', '>=', from)
    .where('s.at', '<', before);
  return withHistories(db, ids);
}

/** A ticket as the monthly report reads it at an instant. */
export interface TicketForStateAt extends TicketWithHistory {
  /**
   * Changed at or after the instant (updated_at ≥ at; every event updates it): its state then is
   * replayed from `events`. Otherwise its row's state is its state then, and `events` is empty.
   */
  changedSince: boolean;
}

/**
 * The tickets whose state at `at` the monthly report needs: every ticket received in
 * [receivedFrom, at), and every older one that may still have been open at `at` — open now, or
 * changed since (a ticket that is closed now and unchanged since `at` was closed then too, so its
 * history need not be read). Only the tickets changed since `at` come with their events before
 * it: at a million tickets, replaying every open ticket's history is what took the report past
 * its target (docs/benchmarks.md).
 */
export async function selectTicketsForStateAt(db: Db, at: string, receivedFrom: string): Promise<TicketForStateAt[]> {
  const open = STATUSES.filter((s) => !TERMINAL_STATUSES.includes(s));
  // Each term of the OR carries the bound on created_at and has its index (created_at; status,
  // created_at; updated_at), so both databases read three ranges (SQLite's MULTI-INDEX OR,
  // PostgreSQL's BitmapOr) instead of every ticket received before `at`.
  const before = (eb: ExpressionBuilder<{ c: Database['tickets'] }, 'c'>, term: Expression<SqlBool>) =>
    eb.and([term, eb('c.created_at', '<', at)]);
  const ids = db
    .selectFrom('tickets as c')
    .select('c.id as ticket_id')
    .where((eb) =>
      eb.or([
        eb.and([eb('c.created_at', '>=', receivedFrom), eb('c.created_at', '<', at)]),
        before(eb, eb('c.status', 'in', open)),
        before(eb, eb('c.updated_at', '>=', at)),
      ]),
    );
  const changed = db.selectFrom('tickets as u').select('u.id as ticket_id').where('u.created_at', '<', at).where('u.updated_at', '>=', at);
  const [tickets, withEvents] = await Promise.all([
    ticketsWithState(db).where('t.id', 'in', ids).select('t.updated_at').orderBy('t.created_at').orderBy('t.id').execute(),
    withHistories(db, changed as unknown as TicketIdQuery, at),
  ]);
  const replayed = new Map(withEvents.map((t) => [t.facts.id, t]));
  return (tickets as Array<TicketRow & { updated_at: string }>).map((r) => {
    const history = replayed.get(Number(r.id));
    return history ? { ...history, changedSince: true } : { ...toSnapshot(r), events: [], changedSince: false };
  });
}

/** Tickets a leader marked 督办 before `before`, with their events before it (the monthly report's 督办 list). */
export function selectTicketsSupervisedBefore(db: Db, before: string): Promise<TicketWithHistory[]> {
  return withHistories(db, ticketIdsWithEvent(db, 'supervise', undefined, before), before);
}

/** Tracking codes of tickets by id (for escalations, which name ticket ids). */
export async function selectTrackingCodes(db: Db, ids: readonly number[]): Promise<Map<number, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('tickets')
    .select(['id', 'tracking_code'])
    .where('id', 'in', [...ids])
    .execute();
  return new Map(rows.map((r) => [Number(r.id), r.tracking_code]));
}

/** The escalations table (migration 005, escalation engineer): read here, never written. */
interface EscalationTable {
  id: number;
  unit_code: string;
  level: number;
  at: string;
  /** JSON array of ticket ids. */
  ticket_ids: string;
  reason: string | null;
}

export interface StoredEscalation {
  id: number;
  unitCode: string;
  level: number;
  at: string;
  ticketIds: number[];
  reason: string | null;
}

/** Escalations in [from, before), oldest first; null when the escalations table does not exist (yet). */
export async function selectEscalations(db: Db, from: string, before: string): Promise<StoredEscalation[] | null> {
  const tables = await db.introspection.getTables();
  if (!tables.some((t) => t.name === 'escalations')) return null;
  const rows = await db
    .withTables<{ escalations: EscalationTable }>()
    .selectFrom('escalations')
    .select(['id', 'unit_code', 'level', 'at', 'ticket_ids', 'reason'])
    .where('at', '>=', from)
    .where('at', '<', before)
    .orderBy('at')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    id: Number(r.id),
    unitCode: r.unit_code,
    level: Number(r.level),
    at: r.at,
    ticketIds: (JSON.parse(r.ticket_ids) as unknown[]).map(Number),
    reason: r.reason,
  }));
}
