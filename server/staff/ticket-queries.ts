// What staff read: the office queue and a unit's inbox (one filtered list, scoped by role), and
// one ticket with its whole timeline, photos and — for the office — the reporter.
import type { Kysely } from 'kysely';
import { z } from '../validation.ts';
import type { Catalog } from '../catalog/types.ts';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/schema.ts';
import { canSeeReporter, type StaffUser } from '../auth/roles.ts';
import { photoIdsOfTicket } from '../media/photo-repository.ts';
import { ACTION_LABELS, DEADLINE_RUNNING_STATUSES, STATUSES, statusLabel, type Status } from '../tickets/lifecycle.ts';
import { listEvents } from '../tickets/ticket-repository.ts';
import { ticketForUser } from './ticket-commands.ts';
import { maskPhone } from '../tickets/phone.ts';

export const ticketFilterSchema = z.object({
  statuses: z.array(z.enum(STATUSES)).optional(),
  unitCode: z.string().max(60).optional(),
  /** A top-level category includes its sub-categories. */
  categoryCode: z.string().max(40).optional(),
  pointId: z.string().max(60).optional(),
  channel: z.string().max(20).optional(),
  overdue: z.boolean().optional(),
  /** Words in the description or the tracking code. */
  search: z.string().trim().max(100).optional(),
  limit: z.number().int().min(1).max(500).default(100),
  offset: z.number().int().min(0).default(0),
});
export type TicketFilter = z.input<typeof ticketFilterSchema>;

export interface TicketListItem {
  trackingCode: string;
  status: Status;
  statusLabel: string;
  channel: string;
  description: string;
  category: { code: string; name: string } | null;
  suggestedCategory: { code: string; name: string } | null;
  unit: { code: string; name: string } | null;
  suggestedUnit: { code: string; name: string } | null;
  routingConfidence: number | null;
  pointId: string | null;
  pointName: string | null;
  createdAt: string;
  deadlineAt: string | null;
  acknowledgeDueAt: string | null;
  /** 交办意见: what the office told the unit with the dispatch. */
  dispatchRemarks: string | null;
  overdue: boolean;
  version: number;
}

export interface TicketDetail extends TicketListItem {
  cooperatingUnits: Array<{ code: string; name: string }>;
  location: { address: string | null; lat: number | null; lng: number | null };
  closedAt: string | null;
  reporter: { anonymous: boolean; name: string | null; phone: string | null; email: string | null } | null;
  photos: { before: Array<{ url: string; thumbUrl: string }>; after: Array<{ url: string; thumbUrl: string }> };
  timeline: Array<{
    seq: number;
    at: string;
    action: string;
    actionLabel: string;
    actor: string;
    fromStatus: Status | null;
    toStatus: Status;
    /** The state it led to, in words (代为签收 reads as the office's, not the unit's). */
    toStatusLabel: string;
    reason: string | null;
    data: Record<string, unknown>;
  }>;
  /** Mail about the ticket after it was made: the reporter's replies, and bounces of our mail. `from` only for those who see the reporter. */
  messages: Array<{
    at: string;
    kind: 'reply' | 'bounce';
    from: string | null;
    subject: string;
    text: string;
    attachments: Array<{ name: string | null; type: string; size: number }>;
  }>;
  /** Hotline calls about the ticket (the one that made it, and later "+1"s); numbers masked for those who do not see the reporter. */
  calls: Array<{ at: string; outcome: string; callerPhone: string | null; summary: string; operator: string | null }>;
  /** Follow-up calls (回访) after each closure. */
  followUps: Array<{
    closedAt: string;
    status: 'pending' | 'done';
    attempts: number;
    reached: boolean | null;
    fixed: boolean | null;
    satisfaction: string | null;
    comment: string | null;
    completedAt: string | null;
    reopened: boolean;
  }>;
}

export interface TicketQueryDeps {
  db: Kysely<Database>;
  catalog: Catalog;
  clock: Clock;
  photoUrls(id: string): { url: string; thumbUrl: string };
}

export function createTicketQueries({ db, catalog, clock, photoUrls }: TicketQueryDeps) {
  const ref = (code: string | null, find: (c: string) => { code: string; name: string } | undefined) => {
    const item = code ? find(code) : undefined;
    return item ? { code: item.code, name: item.name } : null;
  };
  const unitRef = (code: string | null) => ref(code, (c) => catalog.unit(c));
  const categoryRef = (code: string | null) => ref(code, (c) => catalog.category(c));

  function listItem(row: {
    tracking_code: string;
    status: string;
    channel: string;
    description: string;
    category_code: string | null;
    suggested_category_code: string | null;
    lead_unit_code: string | null;
    suggested_unit_code: string | null;
    routing_confidence: number | null;
    point_id: string | null;
    created_at: string;
    deadline_at: string | null;
    acknowledge_due_at: string | null;
    acknowledged_at: string | null;
    dispatch_remarks: string | null;
    version: number;
  }): TicketListItem {
    const status = row.status as Status;
    return {
      trackingCode: row.tracking_code,
      status,
      // Accepted without the unit's own 签收: the office acknowledged on its behalf (代为签收).
      statusLabel: statusLabel(status, row.acknowledged_at === null),
      channel: row.channel,
      description: row.description,
      category: categoryRef(row.category_code),
      suggestedCategory: categoryRef(row.suggested_category_code),
      unit: unitRef(row.lead_unit_code),
      suggestedUnit: unitRef(row.suggested_unit_code),
      routingConfidence: row.routing_confidence === null ? null : Number(row.routing_confidence),
      pointId: row.point_id,
      pointName: row.point_id ? (catalog.point(row.point_id)?.name ?? null) : null,
      createdAt: row.created_at,
      deadlineAt: row.deadline_at,
      acknowledgeDueAt: row.acknowledge_due_at,
      dispatchRemarks: row.dispatch_remarks,
      overdue: row.deadline_at !== null && DEADLINE_RUNNING_STATUSES.includes(status) && row.deadline_at < clock.now().toISOString(),
      version: Number(row.version),
    };
  }

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
  ] as const;

  /** Tickets the user may see, filtered, newest first; unit staff see only their unit's. */
  async function list(user: StaffUser, rawFilter: TicketFilter): Promise<{ items: TicketListItem[]; total: number }> {
    const f = ticketFilterSchema.parse(rawFilter);
    const unitCode = user.role === 'unit' ? user.unitCode : f.unitCode;
    let q = db.selectFrom('tickets');
    if (unitCode) q = q.where('lead_unit_code', '=', unitCode);
    if (f.statuses?.length) q = q.where('status', 'in', f.statuses);
    if (f.categoryCode)
      q = q.where((eb) => eb.or([eb('category_code', '=', f.categoryCode!), eb('category_code', 'like', `${f.categoryCode}.%`)]));
    if (f.pointId) q = q.where('point_id', '=', f.pointId);
    if (f.channel) q = q.where('channel', '=', f.channel);
    if (f.overdue) q = q.where('status', 'in', DEADLINE_RUNNING_STATUSES).where('deadline_at', '<', clock.now().toISOString());
    if (f.search) {
      const s = f.search.replace(/[%_\\]/g, '');
      q = q.where((eb) => eb.or([eb('description', 'like', `%${s}%`), eb('tracking_code', 'like', `%${s.toUpperCase()}%`)]));
    }
    const [rows, count] = await Promise.all([
      q.select(listColumns).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(f.limit).offset(f.offset).execute(),
      q.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map(listItem), total: Number(count.n) };
  }

  async function actorNames(ids: string[]): Promise<Map<string, string>> {
    const numeric = [...new Set(ids)].map(Number).filter(Number.isInteger);
    if (numeric.length === 0) return new Map();
    const rows = await db.selectFrom('users').select(['id', 'display_name', 'unit_code']).where('id', 'in', numeric).execute();
    return new Map(
      rows.map((r) => [
        String(r.id),
        r.unit_code ? `${r.display_name}（${catalog.unit(r.unit_code)?.shortName ?? r.unit_code}）` : r.display_name,
      ]),
    );
  }

  const ACTOR_KIND_NAMES: Record<string, string> = {
    resident: '群众',
    system: '系统',
    office: '创城办',
    unit: '责任单位',
    operator: '热线',
  };

  async function detail(user: StaffUser, trackingCode: string): Promise<TicketDetail> {
    const ticket = await ticketForUser(db, user, trackingCode);
    const row = await db
      .selectFrom('tickets')
      .select([...listColumns, 'cooperating_unit_codes', 'location_address', 'location_lat', 'location_lng', 'closed_at'])
      .where('id', '=', ticket.id)
      .executeTakeFirstOrThrow();
    const [events, before, after, messages] = await Promise.all([
      listEvents(db, ticket.id),
      photoIdsOfTicket(db, ticket.id, 'report'),
      photoIdsOfTicket(db, ticket.id, 'rectification'),
      db
        .selectFrom('ticket_messages')
        .select(['at', 'kind', 'from_address', 'from_name', 'subject', 'text', 'attachments'])
        .where('ticket_id', '=', ticket.id)
        .orderBy('at')
        .orderBy('id')
        .execute(),
    ]);
    const names = await actorNames(events.flatMap((e) => (e.actorId ? [e.actorId] : [])));
    const seesReporter = canSeeReporter(user);
    const [reporterRow, calls, followUps] = await Promise.all([
      db
        .selectFrom('ticket_reporters')
        .select(['anonymous', 'name', 'phone', 'email'])
        .where('ticket_id', '=', ticket.id)
        .executeTakeFirst(),
      db
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
        .where('calls.ticket_id', '=', ticket.id)
        .orderBy('calls.at')
        .orderBy('calls.id')
        .execute(),
      db
        .selectFrom('follow_ups')
        .select(['closed_at', 'status', 'attempts', 'reached', 'fixed', 'satisfaction', 'comment', 'completed_at', 'reopened'])
        .where('ticket_id', '=', ticket.id)
        .orderBy('closed_at')
        .execute(),
    ]);
    const reporter = seesReporter ? reporterRow : undefined;
    // Everyone else sees that a resident can be reached, never who: a masked number, no name or mail.
    const maskedReporter =
      !seesReporter && reporterRow && Number(reporterRow.anonymous) !== 1 && reporterRow.phone
        ? { anonymous: false, name: null, phone: maskPhone(reporterRow.phone), email: null }
        : null;
    const phoneFor = (phone: string | null, anonymous: number) =>
      seesReporter ? phone : Number(anonymous) === 1 ? null : maskPhone(phone);
    return {
      ...listItem(row),
      cooperatingUnits: (JSON.parse(row.cooperating_unit_codes) as string[]).flatMap((c) => unitRef(c) ?? []),
      location: { address: row.location_address, lat: row.location_lat, lng: row.location_lng },
      closedAt: row.closed_at,
      reporter: reporter
        ? { anonymous: Number(reporter.anonymous) === 1, name: reporter.name, phone: reporter.phone, email: reporter.email }
        : maskedReporter,
      photos: { before: before.map(photoUrls), after: after.map(photoUrls) },
      timeline: events.map((e) => ({
        seq: e.seq,
        at: e.at,
        action: e.action,
        actionLabel: ACTION_LABELS[e.action as keyof typeof ACTION_LABELS] ?? e.action,
        actor: (e.actorId && names.get(e.actorId)) || ACTOR_KIND_NAMES[e.actorKind] || e.actorKind,
        fromStatus: e.fromStatus,
        toStatus: e.toStatus,
        toStatusLabel: statusLabel(e.toStatus, e.action === 'acceptOnBehalf'),
        reason: e.reason,
        data: e.data,
      })),
      messages: messages.map((m) => ({
        at: m.at,
        kind: m.kind as 'reply' | 'bounce',
        from: reporter ? [m.from_name, m.from_address && `<${m.from_address}>`].filter(Boolean).join(' ') || null : null,
        subject: m.subject,
        text: m.text,
        attachments: (JSON.parse(m.attachments) as Array<{ name: string | null; type: string; size: number }>).map((a) => ({
          name: a.name,
          type: a.type,
          size: a.size,
        })),
      })),
      calls: calls.map((c) => ({
        at: c.at,
        outcome: c.outcome,
        callerPhone: phoneFor(c.caller_phone, c.anonymous),
        summary: c.summary,
        operator: c.display_name ?? c.operator_name,
      })),
      followUps: followUps.map((f) => ({
        closedAt: f.closed_at,
        status: f.status === 'done' ? 'done' : 'pending',
        attempts: Number(f.attempts),
        reached: f.reached === null ? null : Number(f.reached) === 1,
        fixed: f.fixed === null ? null : Number(f.fixed) === 1,
        satisfaction: f.satisfaction,
        comment: f.comment,
        completedAt: f.completed_at,
        reopened: Number(f.reopened) === 1,
      })),
    };
  }

  return { list, detail };
}

export type TicketQueries = ReturnType<typeof createTicketQueries>;
