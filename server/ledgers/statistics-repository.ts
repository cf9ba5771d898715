// The statistics' queries: the closure verdicts kept once made (migration 031, written by
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

/** Keeps verdicts; one already kept (another process got there first) is left as it is. */
export async function insertClosureVerdicts(db: Db, verdicts: readonly ClosureVerdict[]): Promise<void> {
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
      })),
    )
    .onConflict((oc) => oc.columns(['ticket_id', 'verified_at']).doNothing())
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
 * Tickets closed now, by the unit whose rectification their last strike-off accepted (its kept
 * verdict), or their lead unit now when no verdict names one; and how many of them that verdict
 * found on time.
 */
export async function countClosedTickets(db: Db): Promise<ClosedCount[]> {
  const unit = sql<string | null>`coalesce(v.unit_code, t.lead_unit_code)`;
  const rows = await db
    .selectFrom('tickets as t')
    .leftJoin('closure_verdicts as v', (join) =>
      join.onRef('v.ticket_id', '=', 't.id').on((eb) =>
        eb(
          'v.verified_at',
          '=',
          eb
            .selectFrom('closure_verdicts as w')
            .select((w) => w.fn.max('w.verified_at').as('last'))
            .whereRef('w.ticket_id', '=', 't.id'),
        ),
      ),
    )
    .select((eb) => [
      unit.as('unit_code'),
      eb.fn.countAll<number | string>().as('closed'),
      eb.fn.sum<number | string | null>(eb.fn.coalesce('v.on_time', sql.lit(0))).as('on_time'),
    ])
    .where('t.status', '=', 'closed')
    .groupBy(unit)
    .execute();
  return rows.map((r) => ({ unitCode: r.unit_code, closed: Number(r.closed), closedOnTime: Number(r.on_time ?? 0) }));
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
    .selectFrom('closure_verdicts as v')
    .select((eb) => ['v.month', eb.fn.countAll<number | string>().as('closed'), eb.fn.sum<number | string>('v.on_time').as('on_time')])
    .where('v.verified_at', '<', before)
    .where((eb) =>
      eb(
        'v.verified_at',
        '=',
        eb
          .selectFrom('closure_verdicts as w')
          .select((w) => w.fn.min('w.verified_at').as('first'))
          .whereRef('w.ticket_id', '=', 'v.ticket_id')
          .whereRef('w.month', '=', 'v.month'),
      ),
    )
    .groupBy('v.month')
    .execute();
  return new Map(rows.map((r) => [r.month, { closed: Number(r.closed), closedOnTime: Number(r.on_time) }]));
}
