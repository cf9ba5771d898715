// What staff read: the office queue and a unit's inbox (one filtered list, scoped by role), and
// one ticket with its whole timeline, photos and — for the office — the reporter.
import type { Kysely } from 'kysely';
import { listFollowUpsOfTicket, type TicketFollowUp } from '../follow-ups/follow-up-repository.ts';
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
import { SOURCES, sourceLabel } from '../tickets/ticket-source.ts';
import { SUPERVISION_ACTION_LABELS } from './supervision.ts';
import { CLOSURE_ACTION_LABELS } from './closures.ts';
import {
  findAccountNames,
  findReporterContact,
  findTicketInFull,
  listCallsOfTicket,
  listQueueTickets,
  listTicketMessages,
  type QueueTicket,
} from './staff-ticket-repository.ts';

export const ticketFilterSchema = z.object({
  statuses: z.array(z.enum(STATUSES)).optional(),
  unitCode: z.string().max(60).optional(),
  /** A top-level category includes its sub-categories. */
  categoryCode: z.string().max(40).optional(),
  pointId: z.string().max(60).optional(),
  channel: z.string().max(20).optional(),
  /** 来源 (server/tickets/ticket-source.ts). */
  source: z.enum(SOURCES).optional(),
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
  /** 来源 and its label ("媒体暗访" …). */
  source: string;
  sourceLabel: string;
  /** 督办: a leader's mark with the 批示 (listed first while the ticket is open), or null. */
  supervision: { at: string; instruction: string } | null;
  /** How many residents reported it (its own report, "我也遇到了" joins, hotline "+1"s); more come first in the queue. */
  reportCount: number;
}

export interface TicketDetail extends TicketListItem {
  cooperatingUnits: Array<{ code: string; name: string }>;
  location: { address: string | null; lat: number | null; lng: number | null };
  closedAt: string | null;
  reporter: { anonymous: boolean; name: string | null; phone: string | null; email: string | null } | null;
  /** `recheck`: the inspectors' photos of a re-check (复查) of the problem. */
  photos: {
    before: Array<{ url: string; thumbUrl: string }>;
    after: Array<{ url: string; thumbUrl: string }>;
    recheck: Array<{ url: string; thumbUrl: string }>;
  };
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
  followUps: TicketFollowUp[];
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

  function listItem(t: QueueTicket): TicketListItem {
    return {
      trackingCode: t.trackingCode,
      status: t.status,
      // Accepted without the unit's own 签收: the office acknowledged on its behalf (代为签收).
      statusLabel: statusLabel(t.status, t.acknowledgedAt === null),
      channel: t.channel,
      description: t.description,
      category: categoryRef(t.categoryCode),
      suggestedCategory: categoryRef(t.suggestedCategoryCode),
      unit: unitRef(t.leadUnitCode),
      suggestedUnit: unitRef(t.suggestedUnitCode),
      routingConfidence: t.routingConfidence,
      pointId: t.pointId,
      pointName: t.pointId ? (catalog.point(t.pointId)?.name ?? null) : null,
      createdAt: t.createdAt,
      deadlineAt: t.deadlineAt,
      acknowledgeDueAt: t.acknowledgeDueAt,
      dispatchRemarks: t.dispatchRemarks,
      overdue: t.deadlineAt !== null && DEADLINE_RUNNING_STATUSES.includes(t.status) && t.deadlineAt < clock.now().toISOString(),
      version: t.version,
      source: t.source,
      sourceLabel: sourceLabel(t.source),
      supervision: t.supervision,
      reportCount: t.reportCount,
    };
  }

  /** Tickets the user may see, filtered, newest first; unit staff see only their unit's. */
  async function list(user: StaffUser, rawFilter: TicketFilter): Promise<{ items: TicketListItem[]; total: number }> {
    const f = ticketFilterSchema.parse(rawFilter);
    const { items, total } = await listQueueTickets(db, {
      unitCode: user.role === 'unit' ? user.unitCode : f.unitCode,
      statuses: f.statuses,
      categoryCode: f.categoryCode,
      pointId: f.pointId,
      channel: f.channel,
      source: f.source,
      overdue: f.overdue ? { statuses: DEADLINE_RUNNING_STATUSES, before: clock.now().toISOString() } : undefined,
      search: f.search,
      limit: f.limit,
      offset: f.offset,
    });
    return { items: items.map(listItem), total };
  }

  async function actorNames(ids: string[]): Promise<Map<string, string>> {
    const numeric = [...new Set(ids)].map(Number).filter(Number.isInteger);
    const accounts = await findAccountNames(db, numeric);
    return new Map(
      accounts.map((a) => [
        String(a.id),
        a.unitCode ? `${a.displayName}（${catalog.unit(a.unitCode)?.shortName ?? a.unitCode}）` : a.displayName,
      ]),
    );
  }

  const ACTOR_KIND_NAMES: Record<string, string> = {
    resident: '群众',
    system: '系统',
    office: '创城办',
    unit: '责任单位',
    operator: '热线',
    leader: '县级领导',
  };

  async function detail(user: StaffUser, trackingCode: string): Promise<TicketDetail> {
    const ticket = await ticketForUser(db, user, trackingCode);
    const full = await findTicketInFull(db, ticket.id);
    const [events, before, after, recheck, messages] = await Promise.all([
      listEvents(db, ticket.id),
      photoIdsOfTicket(db, ticket.id, 'report'),
      photoIdsOfTicket(db, ticket.id, 'rectification'),
      photoIdsOfTicket(db, ticket.id, 'recheck'),
      listTicketMessages(db, ticket.id),
    ]);
    const names = await actorNames(events.flatMap((e) => (e.actorId ? [e.actorId] : [])));
    const seesReporter = canSeeReporter(user);
    const [reporterContact, calls, followUps] = await Promise.all([
      findReporterContact(db, ticket.id),
      listCallsOfTicket(db, ticket.id),
      listFollowUpsOfTicket(db, ticket.id),
    ]);
    const reporter = seesReporter ? reporterContact : null;
    // Everyone else sees that a resident can be reached, never who: a masked number, no name or mail.
    const maskedReporter =
      !seesReporter && reporterContact && !reporterContact.anonymous && reporterContact.phone
        ? { anonymous: false, name: null, phone: maskPhone(reporterContact.phone), email: null }
        : null;
    const phoneFor = (phone: string | null, anonymous: boolean) => (seesReporter ? phone : anonymous ? null : maskPhone(phone));
    const { cooperatingUnitCodes, location, closedAt } = full;
    return {
      ...listItem(full),
      cooperatingUnits: cooperatingUnitCodes.flatMap((c) => unitRef(c) ?? []),
      location,
      closedAt,
      reporter: reporter ?? maskedReporter,
      photos: { before: before.map(photoUrls), after: after.map(photoUrls), recheck: recheck.map(photoUrls) },
      timeline: events.map((e) => ({
        seq: e.seq,
        at: e.at,
        action: e.action,
        actionLabel:
          ACTION_LABELS[e.action as keyof typeof ACTION_LABELS] ??
          SUPERVISION_ACTION_LABELS[e.action] ??
          CLOSURE_ACTION_LABELS[e.action] ??
          e.action,
        actor: (e.actorId && names.get(e.actorId)) || ACTOR_KIND_NAMES[e.actorKind] || e.actorKind,
        fromStatus: e.fromStatus,
        toStatus: e.toStatus,
        toStatusLabel: statusLabel(e.toStatus, e.action === 'acceptOnBehalf'),
        reason: e.reason,
        data: e.data,
      })),
      messages: messages.map((m) => ({
        at: m.at,
        kind: m.kind,
        from: reporter ? [m.fromName, m.fromAddress && `<${m.fromAddress}>`].filter(Boolean).join(' ') || null : null,
        subject: m.subject,
        text: m.text,
        attachments: m.attachments.map((a) => ({ name: a.name, type: a.type, size: a.size })),
      })),
      calls: calls.map((c) => ({
        at: c.at,
        outcome: c.outcome,
        callerPhone: phoneFor(c.callerPhone, c.anonymous),
        summary: c.summary,
        operator: c.operator,
      })),
      followUps,
    };
  }

  return { list, detail };
}

export type TicketQueries = ReturnType<typeof createTicketQueries>;
