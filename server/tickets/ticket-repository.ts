// Storage of tickets, their private reporter record and their append-only event log.
// Returns plain objects from explicit selects; no row type leaves this file.
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.ts';
import { ConflictError } from '../errors.ts';
import type { ActorKind, Status } from './lifecycle.ts';

type Db = Kysely<Database> | Transaction<Database>;

export interface TicketRecord {
  id: number;
  trackingCode: string;
  status: Status;
  channel: string;
  description: string;
  categoryCode: string | null;
  leadUnitCode: string | null;
  cooperatingUnitCodes: string[];
  pointId: string | null;
  deadlineAt: string | null;
  createdAt: string;
  version: number;
  /** When it was last closed (销号); null while open. */
  closedAt?: string | null;
}

export interface NewTicket {
  trackingCode: string;
  status: Status;
  channel: string;
  description: string;
  categoryCode: string | null;
  suggestedCategoryCode: string | null;
  suggestedUnitCode: string | null;
  routingConfidence: number | null;
  leadUnitCode: string | null;
  cooperatingUnitCodes: string[];
  deadlineAt: string | null;
  dispatchedAt: string | null;
  acknowledgeDueAt: string | null;
  pointId: string | null;
  location: { address: string | null; lat: number | null; lng: number | null };
  idempotencyKey: string | null;
  at: string;
  /** 来源 (server/tickets/ticket-source.ts); the column's default, resident, when not given. */
  source?: string;
}

export interface Reporter {
  anonymous: boolean;
  name: string | null;
  phone: string | null;
  email: string | null;
  ip: string | null;
  userAgent: string | null;
  /** May be phoned back (回访). */
  wantsCallback: boolean;
}

export interface EventRecord {
  seq: number;
  at: string;
  actorKind: ActorKind;
  actorId: string | null;
  action: string;
  fromStatus: Status | null;
  toStatus: Status;
  reason: string | null;
  data: Record<string, unknown>;
}

const ticketColumns = [
  'id',
  'tracking_code',
  'status',
  'channel',
  'description',
  'category_code',
  'lead_unit_code',
  'cooperating_unit_codes',
  'point_id',
  'deadline_at',
  'created_at',
  'version',
  'closed_at',
] as const;

function toTicket(row: {
  id: number;
  tracking_code: string;
  status: string;
  channel: string;
  description: string;
  category_code: string | null;
  lead_unit_code: string | null;
  cooperating_unit_codes: string;
  point_id: string | null;
  deadline_at: string | null;
  created_at: string;
  version: number;
  closed_at: string | null;
}): TicketRecord {
  return {
    id: Number(row.id),
    trackingCode: row.tracking_code,
    status: row.status as Status,
    channel: row.channel,
    description: row.description,
    categoryCode: row.category_code,
    leadUnitCode: row.lead_unit_code,
    cooperatingUnitCodes: JSON.parse(row.cooperating_unit_codes) as string[],
    pointId: row.point_id,
    deadlineAt: row.deadline_at,
    createdAt: row.created_at,
    version: Number(row.version),
    closedAt: row.closed_at,
  };
}

/**
 * Inserts a new ticket together with the events that brought it to its first state (submit,
 * and dispatch when it was routed at once): one ticket row and one multi-row event insert.
 */
export async function insertTicket(db: Db, t: NewTicket, events: ReadonlyArray<Omit<EventRecord, 'seq'>>): Promise<number> {
  const row = await db
    .insertInto('tickets')
    .values({
      tracking_code: t.trackingCode,
      status: t.status,
      channel: t.channel,
      description: t.description,
      category_code: t.categoryCode,
      suggested_category_code: t.suggestedCategoryCode,
      suggested_unit_code: t.suggestedUnitCode,
      routing_confidence: t.routingConfidence,
      lead_unit_code: t.leadUnitCode,
      cooperating_unit_codes: JSON.stringify(t.cooperatingUnitCodes),
      point_id: t.pointId,
      location_address: t.location.address,
      location_lat: t.location.lat,
      location_lng: t.location.lng,
      deadline_at: t.deadlineAt,
      dispatched_at: t.dispatchedAt,
      acknowledge_due_at: t.acknowledgeDueAt,
      created_at: t.at,
      updated_at: t.at,
      idempotency_key: t.idempotencyKey,
      ...(t.source !== undefined && { source: t.source }),
      version: events.length,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const id = Number(row.id);
  await db
    .insertInto('ticket_events')
    .values(events.map((e, i) => eventRow(id, i + 1, e)))
    .execute();
  return id;
}

function eventRow(ticketId: number, seq: number, e: Omit<EventRecord, 'seq'>) {
  return {
    ticket_id: ticketId,
    seq,
    at: e.at,
    actor_kind: e.actorKind,
    actor_id: e.actorId,
    action: e.action,
    from_status: e.fromStatus,
    to_status: e.toStatus,
    reason: e.reason,
    data: JSON.stringify(e.data),
  };
}

export async function insertReporter(db: Db, ticketId: number, r: Reporter): Promise<void> {
  await db
    .insertInto('ticket_reporters')
    .values({
      ticket_id: ticketId,
      anonymous: r.anonymous ? 1 : 0,
      name: r.name,
      phone: r.phone,
      email: r.email,
      ip: r.ip,
      user_agent: r.userAgent,
      wants_callback: r.wantsCallback ? 1 : 0,
    })
    .execute();
}

export async function findTicketByCode(db: Db, trackingCode: string): Promise<TicketRecord | null> {
  const row = await db.selectFrom('tickets').select(ticketColumns).where('tracking_code', '=', trackingCode).executeTakeFirst();
  return row ? toTicket(row) : null;
}

export async function findTicketByIdempotencyKey(db: Db, key: string): Promise<TicketRecord | null> {
  const row = await db.selectFrom('tickets').select(ticketColumns).where('idempotency_key', '=', key).executeTakeFirst();
  return row ? toTicket(row) : null;
}

export interface TicketChange {
  status: Status;
  leadUnitCode?: string | null;
  cooperatingUnitCodes?: string[];
  categoryCode?: string | null;
  deadlineAt?: string | null;
  closedAt?: string | null;
  mergedIntoId?: number | null;
  dispatchedAt?: string | null;
  acknowledgeDueAt?: string | null;
  acknowledgedAt?: string | null;
  /** 交办意见 to the unit the ticket is dispatched to. */
  dispatchRemarks?: string | null;
  /** 督办: a leader's mark and 批示 (server/staff/supervision.ts); null lifts it. */
  supervision?: { at: string; by: number; instruction: string } | null;
}

/**
 * Appends one event and applies its change to the ticket, guarded by the version the caller
 * read: a concurrent change makes this fail instead of silently overwriting it.
 */
export async function applyEvent(
  db: Db,
  ticket: { id: number; version: number },
  event: Omit<EventRecord, 'seq'>,
  change: TicketChange,
): Promise<void> {
  const seq = ticket.version + 1;
  const updated = await db
    .updateTable('tickets')
    .set({
      status: change.status,
      updated_at: event.at,
      version: seq,
      ...(change.leadUnitCode !== undefined && { lead_unit_code: change.leadUnitCode }),
      ...(change.cooperatingUnitCodes !== undefined && { cooperating_unit_codes: JSON.stringify(change.cooperatingUnitCodes) }),
      ...(change.categoryCode !== undefined && { category_code: change.categoryCode }),
      ...(change.deadlineAt !== undefined && { deadline_at: change.deadlineAt }),
      ...(change.closedAt !== undefined && { closed_at: change.closedAt }),
      ...(change.mergedIntoId !== undefined && { merged_into_id: change.mergedIntoId }),
      ...(change.dispatchedAt !== undefined && { dispatched_at: change.dispatchedAt }),
      ...(change.acknowledgeDueAt !== undefined && { acknowledge_due_at: change.acknowledgeDueAt }),
      ...(change.acknowledgedAt !== undefined && { acknowledged_at: change.acknowledgedAt }),
      ...(change.dispatchRemarks !== undefined && { dispatch_remarks: change.dispatchRemarks }),
      ...(change.supervision !== undefined && {
        supervised_at: change.supervision?.at ?? null,
        supervised_by: change.supervision?.by ?? null,
        supervision_instruction: change.supervision?.instruction ?? null,
      }),
    })
    .where('id', '=', ticket.id)
    .where('version', '=', ticket.version)
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) !== 1) {
    throw new ConflictError('工单已被他人更新，请刷新页面后再办理');
  }
  await db
    .insertInto('ticket_events')
    .values(eventRow(ticket.id, seq, event))
    .execute();
  ticket.version = seq;
}

export async function listEvents(db: Db, ticketId: number): Promise<EventRecord[]> {
  const rows = await db
    .selectFrom('ticket_events')
    .select(['seq', 'at', 'actor_kind', 'actor_id', 'action', 'from_status', 'to_status', 'reason', 'data'])
    .where('ticket_id', '=', ticketId)
    .orderBy('seq')
    .execute();
  return rows.map((r) => ({
    seq: Number(r.seq),
    at: r.at,
    actorKind: r.actor_kind as ActorKind,
    actorId: r.actor_id,
    action: r.action,
    fromStatus: r.from_status as Status | null,
    toStatus: r.to_status as Status,
    reason: r.reason,
    data: JSON.parse(r.data) as Record<string, unknown>,
  }));
}
