// The hotline (issue 5): what an operator does with a caller on the line — look up the caller's
// history by number, see open tickets that are likely the same problem, and record the call as a
// new ticket (through the same submitReport as every channel), a "+1" on an existing ticket, a
// consultation answered, or a referral. Every call is a row in `calls`.
import type { Insertable, Kysely } from 'kysely';
import type { SubmitResult } from '../intake/submit-result.ts';
import { canSeeReporter, type StaffUser } from '../auth/roles.ts';
import type { Catalog } from '../catalog/types.ts';
import type { Clock } from '../clock.ts';
import { isUniqueViolation } from '../db/database.ts';
import type { Database } from '../db/schema.ts';
import { ForbiddenError, InvalidInputError } from '../errors.ts';
import { fieldErrors } from '../field-errors.ts';
import type { SubmitContext } from '../intake/submit-report.ts';
import { metresBetween } from '../routing/router.ts';
import { STATUS_LABELS, type Status } from '../tickets/lifecycle.ts';
import { normalizeTrackingCode } from '../tickets/tracking-code.ts';
import { callInputSchema, REFERRALS, type ParsedCall } from './call-schema.ts';
import { normalizePhone } from './phone.ts';
import { searchPoints } from './point-search.ts';

/** Tickets that are still being handled: a call about the same problem is a "+1" on them. */
export const OPEN_STATUSES: readonly Status[] = [
  'received',
  'dispatched',
  'accepted',
  'rectifying',
  'extension_requested',
  'reported',
  'returned',
  'reopened',
];

export type CallOutcome = 'ticket' | 'attached' | 'answered' | 'referred';

export interface LoggedCall {
  callId: number;
  outcome: CallOutcome;
  trackingCode: string | null;
  /** For a new ticket: where it went (null while it waits for the office's triage). */
  unit: { code: string; name: string } | null;
  statusLabel: string | null;
}

export interface CallerHistory {
  phone: string;
  tickets: Array<{
    trackingCode: string;
    status: Status;
    statusLabel: string;
    createdAt: string;
    description: string;
    category: string | null;
    unit: string | null;
  }>;
  calls: Array<{ at: string; outcome: CallOutcome; summary: string; trackingCode: string | null; operator: string | null }>;
}

export interface DuplicateCandidate {
  trackingCode: string;
  status: Status;
  statusLabel: string;
  description: string;
  category: string | null;
  pointName: string | null;
  address: string | null;
  createdAt: string;
  /** Why it is suggested: the same point, nearby (metres), or the same address. */
  reason: 'point' | 'nearby' | 'address';
  distanceMetres: number | null;
  /** Calls already added to it. */
  calls: number;
}

export interface RecentCall {
  id: number;
  at: string;
  outcome: CallOutcome;
  callerPhone: string | null;
  callerName: string | null;
  summary: string;
  trackingCode: string | null;
  referredTo: string | null;
  operator: string | null;
}

/** An imported call's ticket events name this actor when its operator has no account here. */
const IMPORT_ACTOR = 'hotline-import';

export interface ImportedCallMeta {
  /** When the call was taken (ISO-8601 UTC). */
  at: string;
  /** The phone system's id of the call. */
  externalId: string;
  /** The operator as the phone system names them. */
  operatorName: string | null;
}

const NEARBY_METRES = 300;
const DUPLICATE_WINDOW_DAYS = 60;
const DAY_MS = 24 * 60 * 60 * 1000;

export function createHotline(deps: {
  db: Kysely<Database>;
  catalog: Catalog;
  clock: Clock;
  intake: { submitReport(raw: unknown, ctx: SubmitContext): Promise<SubmitResult> };
}) {
  const { db, catalog, clock } = deps;

  function mayTakeCalls(user: StaffUser): void {
    if (!canSeeReporter(user)) throw new ForbiddenError('只有热线话务员和创城办可以登记来电');
  }

  function parse(raw: unknown): ParsedCall {
    const parsed = callInputSchema.safeParse(raw);
    if (!parsed.success) {
      const fields = fieldErrors(parsed.error);
      throw new InvalidInputError(Object.values(fields)[0] ?? '来电登记内容有误', fields);
    }
    return parsed.data;
  }

  async function ticketByCode(raw: string): Promise<{ id: number; trackingCode: string; status: Status; mergedIntoId: number | null }> {
    const code = normalizeTrackingCode(raw);
    const row = code
      ? await db
          .selectFrom('tickets')
          .select(['id', 'tracking_code', 'status', 'merged_into_id'])
          .where('tracking_code', '=', code)
          .executeTakeFirst()
      : undefined;
    if (!row) throw new InvalidInputError(`没有找到工单 ${raw}`, { attachTo: '没有找到这个查询码的工单' });
    return {
      id: Number(row.id),
      trackingCode: row.tracking_code,
      status: row.status as Status,
      mergedIntoId: row.merged_into_id === null ? null : Number(row.merged_into_id),
    };
  }

  /** Records a call; a retried request with the same idempotencyKey answers with the call already recorded. */
  async function logCall(user: StaffUser, raw: unknown): Promise<LoggedCall> {
    mayTakeCalls(user);
    const call = parse(raw);
    if (call.idempotencyKey) {
      const earlier = await callByKey(call.idempotencyKey);
      if (earlier) return earlier;
    }
    checkReferences(call);
    const { ticketId, outcome } = await resolveOutcome(call, {
      actorId: String(user.id),
      // Apart from imported calls' keys; submitReport keeps it as `hotline:call:…`, out of reach of other channels.
      ticketKey: call.idempotencyKey ? `call:${call.idempotencyKey}` : undefined,
    });
    try {
      const id = await insertCall(call, ticketId, outcome, {
        at: clock.now().toISOString(),
        operator_id: user.id,
        operator_name: user.displayName,
        source: 'console',
        external_id: null,
        idempotency_key: call.idempotencyKey ?? null,
      });
      return describeCall(id);
    } catch (error) {
      // The same request twice at once (a double submit): the first one recorded is the answer.
      if (call.idempotencyKey && isUniqueViolation(error, 'idempotency_key')) {
        const winner = await callByKey(call.idempotencyKey);
        if (winner) return winner;
      }
      throw error;
    }
  }

  /**
   * Records a call from the phone system's records (server/hotline/call-import.ts): the same
   * validation and outcomes as logCall, at the time the call was taken, by the operator named as
   * the phone system knows them (linked to the account whose username or display name it is,
   * when exactly one is). A call whose external id was recorded before is not recorded again:
   * the answer is the earlier call, `duplicate: true` — also when two imports race.
   */
  async function recordImportedCall(raw: unknown, meta: ImportedCallMeta): Promise<LoggedCall & { duplicate: boolean }> {
    const earlier = await callByExternalId(meta.externalId);
    if (earlier) return { ...earlier, duplicate: true };
    const call = parse(raw);
    checkReferences(call);
    const operator = meta.operatorName ? await accountNamed(meta.operatorName) : null;
    const { ticketId, outcome } = await resolveOutcome(call, {
      actorId: operator ? String(operator) : IMPORT_ACTOR,
      // A re-import after a crash between the ticket and the call row finds the ticket again.
      ticketKey: `hotline-import:${meta.externalId}`,
    });
    try {
      const id = await insertCall(call, ticketId, outcome, {
        at: meta.at,
        operator_id: operator,
        operator_name: meta.operatorName,
        source: 'import',
        external_id: meta.externalId,
        idempotency_key: null,
      });
      return { ...(await describeCall(id)), duplicate: false };
    } catch (error) {
      if (isUniqueViolation(error, 'external_id')) {
        const winner = await callByExternalId(meta.externalId);
        if (winner) return { ...winner, duplicate: true };
      }
      throw error;
    }
  }

  function checkReferences(call: ParsedCall): void {
    if (call.categoryCode && !catalog.category(call.categoryCode))
      throw new InvalidInputError('所选问题类别不存在', { categoryCode: '所选问题类别不存在' });
    if (call.pointId && !catalog.point(call.pointId)) throw new InvalidInputError('所选点位不存在', { pointId: '所选点位不存在' });
  }

  /** What the call becomes: a new ticket (through submitReport), a "+1" on a ticket, or no ticket. */
  async function resolveOutcome(
    call: ParsedCall,
    ctx: { actorId: string; ticketKey: string | undefined },
  ): Promise<{ ticketId: number | null; outcome: CallOutcome }> {
    switch (call.outcome) {
      case 'ticket': {
        const result = await deps.intake.submitReport(
          {
            description: call.description,
            ...(call.categoryCode && { category: call.categoryCode }),
            ...(call.pointId && { pointId: call.pointId }),
            ...(call.address && { location: { address: call.address } }),
            reporter: { ...(call.caller.name && { name: call.caller.name }), ...(call.caller.phone && { phone: call.caller.phone }) },
            anonymous: call.caller.anonymous,
            ...(ctx.ticketKey && { idempotencyKey: ctx.ticketKey }),
          },
          { channel: 'hotline', actorId: ctx.actorId, callback: call.caller.wantsCallback },
        );
        const row = await db.selectFrom('tickets').select('id').where('tracking_code', '=', result.trackingCode).executeTakeFirstOrThrow();
        return { ticketId: Number(row.id), outcome: 'ticket' };
      }
      case 'attach': {
        let target = await ticketByCode(call.attachTo!);
        // A call about a merged ticket counts on the ticket it was merged into.
        if (target.status === 'merged' && target.mergedIntoId !== null) {
          const into = await db
            .selectFrom('tickets')
            .select('tracking_code')
            .where('id', '=', target.mergedIntoId)
            .executeTakeFirstOrThrow();
          target = await ticketByCode(into.tracking_code);
        }
        return { ticketId: target.id, outcome: 'attached' };
      }
      case 'answer':
        return { ticketId: null, outcome: 'answered' };
      case 'refer':
        return { ticketId: null, outcome: 'referred' };
    }
  }

  async function insertCall(
    call: ParsedCall,
    ticketId: number | null,
    outcome: CallOutcome,
    who: Pick<Insertable<Database['calls']>, 'at' | 'operator_id' | 'operator_name' | 'source' | 'external_id' | 'idempotency_key'>,
  ): Promise<number> {
    const inserted = await db
      .insertInto('calls')
      .values({
        ...who,
        caller_phone: call.caller.phone ?? null,
        caller_name: call.caller.anonymous ? null : (call.caller.name ?? null),
        anonymous: call.caller.anonymous ? 1 : 0,
        wants_callback: call.caller.wantsCallback ? 1 : 0,
        outcome,
        ticket_id: ticketId,
        summary: call.description,
        answer: call.outcome === 'answer' ? (call.answer ?? null) : null,
        referred_to: call.outcome === 'refer' ? (REFERRALS[call.referredTo!] ?? call.referredTo!) : null,
        category_code: call.categoryCode ?? null,
        purged_at: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return Number(inserted.id);
  }

  async function callByExternalId(externalId: string): Promise<LoggedCall | null> {
    const row = await db.selectFrom('calls').select('id').where('external_id', '=', externalId).executeTakeFirst();
    return row ? describeCall(Number(row.id)) : null;
  }

  /** The account an imported call's operator name stands for: its username or display name, when only one has it. */
  async function accountNamed(name: string): Promise<number | null> {
    const rows = await db
      .selectFrom('users')
      .select('id')
      .where((eb) => eb.or([eb('username', '=', name), eb('display_name', '=', name)]))
      .limit(2)
      .execute();
    return rows.length === 1 ? Number(rows[0]!.id) : null;
  }

  async function callByKey(key: string): Promise<LoggedCall | null> {
    const row = await db.selectFrom('calls').select('id').where('idempotency_key', '=', key).executeTakeFirst();
    return row ? describeCall(Number(row.id)) : null;
  }

  async function describeCall(id: number): Promise<LoggedCall> {
    const row = await db
      .selectFrom('calls')
      .leftJoin('tickets', 'tickets.id', 'calls.ticket_id')
      .select(['calls.id', 'calls.outcome', 'tickets.tracking_code', 'tickets.lead_unit_code', 'tickets.status'])
      .where('calls.id', '=', id)
      .executeTakeFirstOrThrow();
    const unit = row.lead_unit_code ? catalog.unit(row.lead_unit_code) : undefined;
    return {
      callId: Number(row.id),
      outcome: row.outcome as CallOutcome,
      trackingCode: row.tracking_code,
      unit: unit ? { code: unit.code, name: unit.name } : null,
      statusLabel: row.status ? STATUS_LABELS[row.status as Status] : null,
    };
  }

  /** The caller's earlier tickets and calls, newest first, by the number as the phone system shows it. */
  async function history(user: StaffUser, rawPhone: string): Promise<CallerHistory> {
    mayTakeCalls(user);
    const phone = normalizePhone(rawPhone);
    if (phone.length < 3) return { phone, tickets: [], calls: [] };
    const [tickets, calls] = await Promise.all([
      db
        .selectFrom('ticket_reporters')
        .innerJoin('tickets', 'tickets.id', 'ticket_reporters.ticket_id')
        .select([
          'tickets.tracking_code',
          'tickets.status',
          'tickets.created_at',
          'tickets.description',
          'tickets.category_code',
          'tickets.lead_unit_code',
        ])
        .where('ticket_reporters.phone', '=', phone)
        .orderBy('tickets.created_at', 'desc')
        .limit(20)
        .execute(),
      db
        .selectFrom('calls')
        .leftJoin('tickets', 'tickets.id', 'calls.ticket_id')
        .leftJoin('users', 'users.id', 'calls.operator_id')
        .select(['calls.at', 'calls.outcome', 'calls.summary', 'tickets.tracking_code', 'users.display_name', 'calls.operator_name'])
        .where('calls.caller_phone', '=', phone)
        .orderBy('calls.at', 'desc')
        .limit(20)
        .execute(),
    ]);
    return {
      phone,
      tickets: tickets.map((t) => ({
        trackingCode: t.tracking_code,
        status: t.status as Status,
        statusLabel: STATUS_LABELS[t.status as Status],
        createdAt: t.created_at,
        description: t.description.slice(0, 200),
        category: t.category_code ? (catalog.category(t.category_code)?.name ?? null) : null,
        unit: t.lead_unit_code ? (catalog.unit(t.lead_unit_code)?.shortName ?? null) : null,
      })),
      calls: calls.map((c) => ({
        at: c.at,
        outcome: c.outcome as CallOutcome,
        summary: c.summary.slice(0, 200),
        trackingCode: c.tracking_code,
        operator: c.display_name ?? c.operator_name,
      })),
    };
  }

  /**
   * Open tickets that are likely the problem the caller describes: at the same point, or within
   * 300 m (of the point's or the given coordinates) in the same category, or at the same address
   * in the same category. Newest first within each reason; at most `limit`.
   */
  async function duplicates(
    user: StaffUser,
    input: {
      pointId?: string | undefined;
      categoryCode?: string | undefined;
      address?: string | undefined;
      lat?: number | undefined;
      lng?: number | undefined;
      limit?: number | undefined;
    },
  ): Promise<DuplicateCandidate[]> {
    mayTakeCalls(user);
    const point = input.pointId ? catalog.point(input.pointId) : undefined;
    const lat = input.lat ?? point?.lat ?? null;
    const lng = input.lng ?? point?.lng ?? null;
    const category = input.categoryCode ? catalog.category(input.categoryCode) : undefined;
    const address = input.address?.trim() ?? '';
    if (!point && !category && address.length < 4) return [];
    const since = new Date(clock.now().getTime() - DUPLICATE_WINDOW_DAYS * DAY_MS).toISOString();
    // One indexed query per clue (tickets_point_idx, tickets_category_idx), merged: an OR over
    // them would scan every open ticket, and a city's hotline has many.
    const open = () =>
      db
        .selectFrom('tickets')
        .select([
          'id',
          'tracking_code',
          'status',
          'description',
          'category_code',
          'point_id',
          'location_address',
          'location_lat',
          'location_lng',
          'created_at',
        ])
        .where('status', 'in', OPEN_STATUSES)
        .where('created_at', '>=', since)
        .orderBy('created_at', 'desc');
    const batches = await Promise.all([
      point ? open().where('point_id', '=', point.id).limit(50).execute() : [],
      category
        ? open()
            .where((eb) => eb.or([eb('category_code', '=', category.code), eb('category_code', 'like', `${category.code}.%`)]))
            .limit(300)
            .execute()
        : [],
      address.length >= 4
        ? open()
            .where('location_address', 'like', `%${address.replace(/[%_\\]/g, '')}%`)
            .limit(50)
            .execute()
        : [],
    ]);
    const rows = [...new Map(batches.flat().map((r) => [Number(r.id), r])).values()];

    const found: DuplicateCandidate[] = [];
    for (const r of rows) {
      const rPoint = r.point_id ? catalog.point(r.point_id) : undefined;
      const rLat = r.location_lat ?? rPoint?.lat ?? null;
      const rLng = r.location_lng ?? rPoint?.lng ?? null;
      const sameCategory = !category || r.category_code === category.code || (r.category_code ?? '').startsWith(`${category.code}.`);
      let reason: DuplicateCandidate['reason'] | null = null;
      let distance: number | null = null;
      if (point && r.point_id === point.id) reason = 'point';
      else if (sameCategory && lat !== null && lng !== null && rLat !== null && rLng !== null) {
        distance = Math.round(metresBetween(lat, lng, Number(rLat), Number(rLng)));
        if (distance <= NEARBY_METRES) reason = 'nearby';
      }
      if (!reason && sameCategory && address.length >= 4 && (r.location_address ?? '').includes(address)) reason = 'address';
      if (!reason) continue;
      found.push({
        trackingCode: r.tracking_code,
        status: r.status as Status,
        statusLabel: STATUS_LABELS[r.status as Status],
        description: r.description.slice(0, 200),
        category: r.category_code ? (catalog.category(r.category_code)?.name ?? null) : null,
        pointName: rPoint?.name ?? null,
        address: r.location_address ?? rPoint?.address ?? null,
        createdAt: r.created_at,
        reason,
        distanceMetres: distance,
        calls: 0,
      });
    }
    const order = { point: 0, nearby: 1, address: 2 };
    found.sort(
      (a, b) =>
        order[a.reason] - order[b.reason] || (a.distanceMetres ?? 0) - (b.distanceMetres ?? 0) || b.createdAt.localeCompare(a.createdAt),
    );
    const chosen = found.slice(0, input.limit ?? 5);
    if (chosen.length > 0) {
      const counts = await db
        .selectFrom('calls')
        .innerJoin('tickets', 'tickets.id', 'calls.ticket_id')
        .select(['tickets.tracking_code', (eb) => eb.fn.countAll<number>().as('n')])
        .where(
          'tickets.tracking_code',
          'in',
          chosen.map((c) => c.trackingCode),
        )
        .groupBy('tickets.tracking_code')
        .execute();
      const byCode = new Map(counts.map((c) => [c.tracking_code, Number(c.n)]));
      for (const c of chosen) c.calls = byCode.get(c.trackingCode) ?? 0;
    }
    return chosen;
  }

  /** Points by name or address as the operator types ("西关", "建设路"), name matches first (point-search.ts). */
  function points(user: StaffUser, query: string, limit = 8): Array<{ id: string; name: string; address: string; unit: string | null }> {
    mayTakeCalls(user);
    return searchPoints(catalog.points, query, limit).map((p) => ({
      id: p.id,
      name: p.name,
      address: p.address,
      unit: catalog.unit(p.unitCode)?.shortName ?? null,
    }));
  }

  /**
   * Calls recorded lately, newest first: since an instant (e.g. the start of today) when given;
   * `phone` matches any part of the number (operators search by the last digits).
   */
  async function recentCalls(
    user: StaffUser,
    filter: { phone?: string | undefined; since?: string | undefined; limit?: number | undefined } = {},
  ): Promise<RecentCall[]> {
    mayTakeCalls(user);
    let q = db
      .selectFrom('calls')
      .leftJoin('tickets', 'tickets.id', 'calls.ticket_id')
      .leftJoin('users', 'users.id', 'calls.operator_id')
      .select([
        'calls.id',
        'calls.at',
        'calls.outcome',
        'calls.caller_phone',
        'calls.caller_name',
        'calls.summary',
        'calls.referred_to',
        'tickets.tracking_code',
        'users.display_name',
        'calls.operator_name',
      ]);
    const digits = filter.phone ? normalizePhone(filter.phone) : '';
    if (digits) q = q.where('calls.caller_phone', 'like', `%${digits}%`);
    if (filter.since) q = q.where('calls.at', '>=', new Date(filter.since).toISOString());
    const rows = await q
      .orderBy('calls.at', 'desc')
      .orderBy('calls.id', 'desc')
      .limit(Math.min(filter.limit ?? 20, 200))
      .execute();
    return rows.map((r) => ({
      id: Number(r.id),
      at: r.at,
      outcome: r.outcome as CallOutcome,
      callerPhone: r.caller_phone,
      callerName: r.caller_name,
      summary: r.summary,
      trackingCode: r.tracking_code,
      referredTo: r.referred_to,
      operator: r.display_name ?? r.operator_name,
    }));
  }

  return { logCall, recordImportedCall, history, duplicates, points, recentCalls };
}

export type Hotline = ReturnType<typeof createHotline>;
