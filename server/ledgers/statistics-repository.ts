// The statistics' queries: the closure verdicts kept once made (migration 034, written by
// closure-verdicts.ts) and the grouped counts the public statistics are made of. Every count is a
// GROUP BY in the database, the same on SQLite and PostgreSQL: no query here returns a row per
// ticket, and months are bounded by instants computed in TypeScript (china-time.ts), not by date
// functions, which the two databases do not share.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';

type Db = Kysely<Database>;

/** The rectification ledger's verdict on the report one strike-off accepted. */
export interface ClosureVerdict {
  ticketId: number;
  verifiedAt: string;
  /** CST month of verifiedAt, "2026-11". */
  month: string;
  /** The unit that reported it; null when none led the ticket then. */
  unitCode: string | null;
  onTime: boolean;
  /** The ticket's first strike-off in `month`. */
  firstOfMonth: boolean;
  /** The ticket's latest strike-off. */
  latest: boolean;
}

/**
 * Whether a strike-off may lack its verdict: fewer verdicts kept than verify events (each verdict
 * is one verify event's, so equal counts mean every one is judged). Two index-only counts, so a
 * run with nothing new to judge does not look for it.
 */
export async function verdictsMayBeMissing(db: Db): Promise<boolean> {
  const [events, verdicts] = await Promise.all([
    db
      .selectFrom('ticket_events')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('action', '=', 'verify')
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('closure_verdicts')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow(),
  ]);
  return Number(events.n) !== Number(verdicts.n);
}

/**
 * Ids of the tickets with a strike-off (verify event) whose verdict is not kept yet, ascending.
 * One anti-join over the verify events (ticket_events_action_at_idx) and the kept verdicts' key.
 */
export async function selectTicketsWithoutVerdicts(db: Db): Promise<number[]> {
  const rows = await db
    .selectFrom('ticket_events as e')
    .select('e.ticket_id')
    .distinct()
    .where('e.action', '=', 'verify')
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('closure_verdicts as v')
            .select('v.ticket_id')
            .whereRef('v.ticket_id', '=', 'e.ticket_id')
            .whereRef('v.verified_at', '=', 'e.at'),
        ),
      ),
    )
    .orderBy('e.ticket_id')
    .execute();
  return rows.map((r) => Number(r.ticket_id));
}

/**
 * Keeps the verdicts of whole tickets (every strike-off of each): new ones are added, kept ones
 * get their first-of-month and latest marks again (another process may have kept them first).
 */
export async function saveClosureVerdicts(db: Db, verdicts: readonly ClosureVerdict[]): Promise<void> {
  if (verdicts.length === 0) return;
  await db
    .insertInto('closure_verdicts')
    .values(
      verdicts.map((v) => ({
        ticket_id: v.ticketId,
        verified_at: v.verifiedAt,
        month: v.month,
        unit_code: v.unitCode,
        on_time: v.onTime ? 1 : 0,
        first_of_month: v.firstOfMonth ? 1 : 0,
        latest: v.latest ? 1 : 0,
      })),
    )
    .onConflict((oc) =>
      oc.columns(['ticket_id', 'verified_at']).doUpdateSet((eb) => ({
        first_of_month: eb.ref('excluded.first_of_month'),
        latest: eb.ref('excluded.latest'),
      })),
    )
    .execute();
}

/** Tickets counted by what the statistics group them by: their state now. */
export interface TicketGroupCount {
  leadUnitCode: string | null;
  categoryCode: string | null;
  channel: string;
  status: string;
  count: number;
  /** The newest ticket's receipt in the group. */
  newestReceivedAt: string;
}

/** Tickets by lead unit, category, channel and status now: one index read in order (tickets_statistics_idx, migration 034). */
export async function countTicketsByGroup(db: Db): Promise<TicketGroupCount[]> {
  const rows = await db
    .selectFrom('tickets')
    .select((eb) => [
      'lead_unit_code',
      'category_code',
      'channel',
      'status',
      eb.fn.countAll<number | string>().as('n'),
      eb.fn.max('created_at').as('newest'),
    ])
    .groupBy(['lead_unit_code', 'category_code', 'channel', 'status'])
    .execute();
  return rows.map((r) => ({
    leadUnitCode: r.lead_unit_code,
    categoryCode: r.category_code,
    channel: r.channel,
    status: r.status,
    count: Number(r.n),
    newestReceivedAt: r.newest,
  }));
}

export interface ClosedCount {
  /** The unit the closures count for. */
  unitCode: string | null;
  closed: number;
  closedOnTime: number;
}

/**
 * Tickets closed now, by the unit whose rectification their latest strike-off accepted (its kept
 * verdict), or their lead unit now when it names none; and how many of them that verdict found
 * on time. Read from the latest verdicts that name a unit, leaving out those of tickets in
 * another state now (reopened since): an anti-join, which PostgreSQL runs as a hash anti join at
 * any size (a NOT IN list would be hashed only while it fits work_mem). When these do not add up
 * to every closed ticket, the rest are counted by lead unit.
 */
export async function countClosedTickets(db: Db): Promise<ClosedCount[]> {
  const [byUnit, closed] = await Promise.all([
    db
      .selectFrom('closure_verdicts as v')
      .select((eb) => [
        'v.unit_code',
        eb.fn.countAll<number | string>().as('closed'),
        eb.fn.sum<number | string>('v.on_time').as('on_time'),
      ])
      .where('v.latest', '=', 1)
      .where('v.unit_code', 'is not', null)
      .where(({ not, exists, selectFrom }) =>
        not(exists(selectFrom('tickets as o').select('o.id').whereRef('o.id', '=', 'v.ticket_id').where('o.status', '<>', 'closed'))),
      )
      .groupBy('v.unit_code')
      .execute(),
    db
      .selectFrom('tickets')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('status', '=', 'closed')
      .executeTakeFirstOrThrow(),
  ]);
  const counts = byUnit.map((r) => ({ unitCode: r.unit_code, closed: Number(r.closed), closedOnTime: Number(r.on_time) }));
  const counted = counts.reduce((n, c) => n + c.closed, 0);
  return counted === Number(closed.n) ? counts : [...counts, ...(await countClosedByLeadUnit(db))];
}

/**
 * Closed tickets whose latest verdict names no unit, or that have no verdict at all, by lead unit
 * (on time only by a verdict). The lifecycle makes neither — every closure is a strike-off of a
 * unit's report — but data from elsewhere might; this runs only when there are such tickets.
 */
async function countClosedByLeadUnit(db: Db): Promise<ClosedCount[]> {
  const rows = await db
    .selectFrom('tickets as t')
    .leftJoin('closure_verdicts as v', (join) => join.onRef('v.ticket_id', '=', 't.id').on('v.latest', '=', 1))
    .select((eb) => [
      't.lead_unit_code',
      eb.fn.countAll<number | string>().as('closed'),
      eb.fn.sum<number | string | null>('v.on_time').as('on_time'),
    ])
    .where('t.status', '=', 'closed')
    .where('v.unit_code', 'is', null)
    .groupBy('t.lead_unit_code')
    .execute();
  return rows.map((r) => ({ unitCode: r.lead_unit_code, closed: Number(r.closed), closedOnTime: Number(r.on_time ?? 0) }));
}

/** The first ticket's receipt; null when there is none. */
export async function selectFirstReceivedAt(db: Db): Promise<string | null> {
  const row = await db
    .selectFrom('tickets')
    .select((eb) => eb.fn.min('created_at').as('first'))
    .executeTakeFirst();
  return row?.first ?? null;
}

/** A calendar month as instants: [from, before). */
export interface MonthRange {
  month: string;
  from: string;
  before: string;
}

/** Tickets received in each month, one grouped query over all of them (months with none left out). */
export async function countReceivedByMonth(db: Db, months: readonly MonthRange[]): Promise<Map<string, number>> {
  if (months.length === 0) return new Map();
  // The months as a derived table (SELECT … UNION ALL SELECT …: both databases take it), joined
  // to the tickets by range, so each month is a range of tickets_created_idx.
  const text = (value: string) => sql<string>`cast(${value} as text)`;
  const rangeOf = (m: MonthRange) =>
    db.selectNoFrom([text(m.month).as('month'), text(m.from).as('from_at'), text(m.before).as('before_at')]);
  const [first, ...rest] = months.map(rangeOf);
  const ranges = rest.reduce((union, next) => union.unionAll(next), first!);
  const rows = await db
    .selectFrom(ranges.as('m'))
    .innerJoin('tickets as t', (join) => join.onRef('t.created_at', '>=', 'm.from_at').onRef('t.created_at', '<', 'm.before_at'))
    .select((eb) => ['m.month', eb.fn.countAll<number | string>().as('n')])
    .groupBy('m.month')
    .execute();
  return new Map(rows.map((r) => [r.month, Number(r.n)]));
}

export interface MonthClosures {
  closed: number;
  closedOnTime: number;
}

/**
 * Per CST month, the tickets struck off in it before `before` — each once, by its first
 * strike-off in the month — and how many of those first strike-offs accepted an on-time report.
 */
export async function countClosuresByMonth(db: Db, before: string): Promise<Map<string, MonthClosures>> {
  const rows = await db
    .selectFrom('closure_verdicts')
    .select((eb) => ['month', eb.fn.countAll<number | string>().as('closed'), eb.fn.sum<number | string>('on_time').as('on_time')])
    .where('first_of_month', '=', 1)
    .where('verified_at', '<', before)
    .groupBy('month')
    .execute();
  return new Map(rows.map((r) => [r.month, { closed: Number(r.closed), closedOnTime: Number(r.on_time) }]));
}
