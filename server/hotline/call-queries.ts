// What the operator reads with a caller on the line: the caller's history by number, open tickets
// that are likely the same problem, points by what they typed, the calls recorded lately, and
// what a recorded call became.
import type { Kysely } from 'kysely';
import type { StaffUser } from '../auth/roles.ts';
import type { Catalog } from '../catalog/types.ts';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/schema.ts';
import { metresBetween } from '../routing/router.ts';
import { STATUS_LABELS } from '../tickets/lifecycle.ts';
import { normalizePhone } from '../tickets/phone.ts';
import { callCounts, findCallWithTicket, listCalls, openTicketsMatching, ticketsOfCaller, type OpenTicket } from './call-repository.ts';
import { mayTakeCalls, OPEN_STATUSES } from './call-rules.ts';
import type { CallerHistory, DuplicateCandidate, LoggedCall, RecentCall } from './call-types.ts';
import { searchPoints } from './point-search.ts';

const NEARBY_METRES = 300;
const DUPLICATE_WINDOW_DAYS = 60;
const DAY_MS = 24 * 60 * 60 * 1000;
const REASON_ORDER: Record<DuplicateCandidate['reason'], number> = { point: 0, nearby: 1, address: 2 };

export interface DuplicateQuery {
  pointId?: string | undefined;
  categoryCode?: string | undefined;
  address?: string | undefined;
  lat?: number | undefined;
  lng?: number | undefined;
  limit?: number | undefined;
}

export function createCallQueries(deps: { db: Kysely<Database>; catalog: Catalog; clock: Clock }) {
  const { db, catalog, clock } = deps;

  async function describeCall(id: number): Promise<LoggedCall> {
    const call = await findCallWithTicket(db, id);
    const unit = call.leadUnitCode ? catalog.unit(call.leadUnitCode) : undefined;
    return {
      callId: call.id,
      outcome: call.outcome,
      trackingCode: call.trackingCode,
      unit: unit ? { code: unit.code, name: unit.name } : null,
      statusLabel: call.status ? STATUS_LABELS[call.status] : null,
    };
  }

  /** The caller's earlier tickets and calls, newest first, by the number as the phone system shows it. */
  async function history(user: StaffUser, rawPhone: string): Promise<CallerHistory> {
    mayTakeCalls(user);
    const phone = normalizePhone(rawPhone);
    if (phone.length < 3) return { phone, tickets: [], calls: [] };
    const [tickets, calls] = await Promise.all([ticketsOfCaller(db, phone, 20), listCalls(db, { phone, limit: 20 })]);
    return {
      phone,
      tickets: tickets.map((t) => ({
        trackingCode: t.trackingCode,
        status: t.status,
        statusLabel: STATUS_LABELS[t.status],
        createdAt: t.createdAt,
        description: t.description.slice(0, 200),
        category: t.categoryCode ? (catalog.category(t.categoryCode)?.name ?? null) : null,
        unit: t.leadUnitCode ? (catalog.unit(t.leadUnitCode)?.shortName ?? null) : null,
      })),
      calls: calls.map((c) => ({
        at: c.at,
        outcome: c.outcome,
        summary: c.summary.slice(0, 200),
        trackingCode: c.trackingCode,
        operator: c.operator,
      })),
    };
  }

  /**
   * Open tickets that are likely the problem the caller describes: at the same point, or within
   * 300 m (of the point's or the given coordinates) in the same category, or at the same address
   * in the same category. Newest first within each reason; at most `limit`.
   */
  async function duplicates(user: StaffUser, input: DuplicateQuery): Promise<DuplicateCandidate[]> {
    mayTakeCalls(user);
    const point = input.pointId ? catalog.point(input.pointId) : undefined;
    const category = input.categoryCode ? catalog.category(input.categoryCode) : undefined;
    const address = input.address?.trim() ?? '';
    if (!point && !category && address.length < 4) return [];
    const since = new Date(clock.now().getTime() - DUPLICATE_WINDOW_DAYS * DAY_MS).toISOString();
    const window = (limit: number) => ({ statuses: OPEN_STATUSES, since, limit });
    const batches = await Promise.all([
      point ? openTicketsMatching(db, { pointId: point.id }, window(50)) : [],
      category ? openTicketsMatching(db, { categoryCode: category.code }, window(300)) : [],
      address.length >= 4 ? openTicketsMatching(db, { addressContains: address }, window(50)) : [],
    ]);
    const tickets = [...new Map(batches.flat().map((t) => [t.id, t])).values()];
    const clues = {
      pointId: point?.id ?? null,
      categoryCode: category?.code ?? null,
      address,
      lat: input.lat ?? point?.lat ?? null,
      lng: input.lng ?? point?.lng ?? null,
    };
    const found = tickets.flatMap((t) => candidate(t, clues) ?? []);
    found.sort(
      (a, b) =>
        REASON_ORDER[a.reason] - REASON_ORDER[b.reason] ||
        (a.distanceMetres ?? 0) - (b.distanceMetres ?? 0) ||
        b.createdAt.localeCompare(a.createdAt),
    );
    const chosen = found.slice(0, input.limit ?? 5);
    const counts = await callCounts(
      db,
      chosen.map((c) => c.trackingCode),
    );
    for (const c of chosen) c.calls = counts.get(c.trackingCode) ?? 0;
    return chosen;
  }

  /** Why an open ticket is likely what the caller means, as a candidate; null when it is not. */
  function candidate(
    t: OpenTicket,
    clues: { pointId: string | null; categoryCode: string | null; address: string; lat: number | null; lng: number | null },
  ): DuplicateCandidate | null {
    const tPoint = t.pointId ? catalog.point(t.pointId) : undefined;
    const tLat = t.lat ?? tPoint?.lat ?? null;
    const tLng = t.lng ?? tPoint?.lng ?? null;
    const sameCategory =
      !clues.categoryCode || t.categoryCode === clues.categoryCode || (t.categoryCode ?? '').startsWith(`${clues.categoryCode}.`);
    let reason: DuplicateCandidate['reason'] | null = null;
    let distance: number | null = null;
    if (clues.pointId && t.pointId === clues.pointId) reason = 'point';
    else if (sameCategory && clues.lat !== null && clues.lng !== null && tLat !== null && tLng !== null) {
      distance = Math.round(metresBetween(clues.lat, clues.lng, tLat, tLng));
      if (distance <= NEARBY_METRES) reason = 'nearby';
    }
    if (!reason && sameCategory && clues.address.length >= 4 && (t.address ?? '').includes(clues.address)) reason = 'address';
    if (!reason) return null;
    return {
      trackingCode: t.trackingCode,
      status: t.status,
      statusLabel: STATUS_LABELS[t.status],
      description: t.description.slice(0, 200),
      category: t.categoryCode ? (catalog.category(t.categoryCode)?.name ?? null) : null,
      pointName: tPoint?.name ?? null,
      address: t.address ?? tPoint?.address ?? null,
      createdAt: t.createdAt,
      reason,
      distanceMetres: distance,
      calls: 0,
    };
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
   * `phone` is the whole number or its last four digits (what operators search by): numbers are
   * stored encrypted and found by keyed hashes of both (ADR 019).
   */
  async function recentCalls(
    user: StaffUser,
    filter: { phone?: string | undefined; since?: string | undefined; limit?: number | undefined } = {},
  ): Promise<RecentCall[]> {
    mayTakeCalls(user);
    const digits = filter.phone ? normalizePhone(filter.phone) : '';
    return listCalls(db, {
      ...(digits.length === 4 ? { last4: digits } : digits && { phone: digits }),
      ...(filter.since && { since: new Date(filter.since).toISOString() }),
      limit: Math.min(filter.limit ?? 20, 200),
    });
  }

  return { describeCall, history, duplicates, points, recentCalls };
}
