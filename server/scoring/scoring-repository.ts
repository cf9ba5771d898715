// The queries the units' scores need beyond the ledgers' own (server/ledgers/ledger-repository.ts):
// exposure notices published in a period, re-inspections (复查) that found a problem not fixed,
// and the inspection results (督导) recorded at points. Plain objects out, no personal data.
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';

type Db = Kysely<Database>;

export interface PublishedNotice {
  id: number;
  unitCode: string;
  title: string;
  publishedAt: string;
  tickets: Array<{ ticketId: number; trackingCode: string }>;
}

/** Notices published in [from, before) and still published (a withdrawn notice no longer counts). */
export async function selectNoticesPublishedIn(db: Db, from: string, before: string): Promise<PublishedNotice[]> {
  const notices = await db
    .selectFrom('notices')
    .select(['id', 'unit_code', 'title', 'published_at'])
    .where('status', '=', 'published')
    .where('published_at', '>=', from)
    .where('published_at', '<', before)
    .orderBy('published_at')
    .execute();
  if (notices.length === 0) return [];
  const links = await db
    .selectFrom('notice_tickets as n')
    .innerJoin('tickets as t', 't.id', 'n.ticket_id')
    .select(['n.notice_id', 't.id', 't.tracking_code'])
    .where(
      'n.notice_id',
      'in',
      notices.map((n) => Number(n.id)),
    )
    .orderBy('t.id')
    .execute();
  return notices.map((n) => ({
    id: Number(n.id),
    unitCode: n.unit_code,
    title: n.title,
    publishedAt: n.published_at!,
    tickets: links
      .filter((l) => Number(l.notice_id) === Number(n.id))
      .map((l) => ({ ticketId: Number(l.id), trackingCode: l.tracking_code })),
  }));
}

export interface ReworkRecheck {
  ticketId: number;
  trackingCode: string;
  /** The ticket's lead unit: a not-fixed problem goes back to the unit that had it. */
  unitCode: string | null;
}

/** Re-inspections recorded in [from, before) that found a reported or closed problem not fixed (返工). */
export async function selectReworkRechecks(db: Db, from: string, before: string): Promise<ReworkRecheck[]> {
  const rows = await db
    .selectFrom('inspection_rechecks as r')
    .innerJoin('tickets as t', 't.id', 'r.ticket_id')
    .select(['t.id', 't.tracking_code', 't.lead_unit_code'])
    .where('r.rework', '=', 1)
    .where('r.recorded_at', '>=', from)
    .where('r.recorded_at', '<', before)
    .orderBy('r.recorded_at')
    .execute();
  return rows.map((r) => ({ ticketId: Number(r.id), trackingCode: r.tracking_code, unitCode: r.lead_unit_code }));
}

export interface InspectedItem {
  pointId: string;
  itemCode: string;
  passed: boolean;
  ticket: { ticketId: number; trackingCode: string } | null;
}

/** Checklist items inspected (observed on the spot) in [from, before). */
export async function selectInspectedItems(db: Db, from: string, before: string): Promise<InspectedItem[]> {
  const rows = await db
    .selectFrom('inspection_results as r')
    .leftJoin('tickets as t', 't.id', 'r.ticket_id')
    .select(['r.point_id', 'r.item_code', 'r.result', 't.id', 't.tracking_code'])
    .where('r.observed_at', '>=', from)
    .where('r.observed_at', '<', before)
    .orderBy('r.id')
    .execute();
  return rows.map((r) => ({
    pointId: r.point_id,
    itemCode: r.item_code,
    passed: r.result === 'pass',
    ticket: r.id !== null && r.tracking_code !== null ? { ticketId: Number(r.id), trackingCode: r.tracking_code } : null,
  }));
}
