// Storage of escalations (table `escalations`, migration 005) and the ticket reads the ladder
// needs. Plain objects from explicit selects; no row type leaves this file.
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { Status } from '../tickets/lifecycle.ts';
import { isEscalationLevel, type EscalationLevel } from './ladder.ts';
import { DEADLINE_RUNNING_STATUSES } from '../tickets/lifecycle.ts';

type Db = Kysely<Database> | Transaction<Database>;

export interface EscalationRecord {
  id: number;
  unitCode: string;
  seq: number;
  level: EscalationLevel;
  at: string;
  ticketIds: number[];
  reason: string;
  period: string;
}

export interface NewEscalation {
  unitCode: string;
  seq: number;
  level: EscalationLevel;
  at: string;
  ticketIds: number[];
  reason: string;
  period: string;
}

const columns = ['id', 'unit_code', 'seq', 'level', 'at', 'ticket_ids', 'reason', 'period'] as const;

function toRecord(row: {
  id: number;
  unit_code: string;
  seq: number;
  level: number;
  at: string;
  ticket_ids: string;
  reason: string;
  period: string;
}): EscalationRecord {
  const level = Number(row.level);
  return {
    id: Number(row.id),
    unitCode: row.unit_code,
    seq: Number(row.seq),
    level: isEscalationLevel(level) ? level : 3,
    at: row.at,
    ticketIds: (JSON.parse(row.ticket_ids) as unknown[]).map(Number),
    reason: row.reason,
    period: row.period,
  };
}

export async function insertEscalation(db: Db, e: NewEscalation): Promise<number> {
  const row = await db
    .insertInto('escalations')
    .values({
      unit_code: e.unitCode,
      seq: e.seq,
      level: e.level,
      at: e.at,
      ticket_ids: JSON.stringify(e.ticketIds),
      reason: e.reason,
      period: e.period,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

/** Every escalation of one unit, in order. */
export async function escalationsOfUnit(db: Db, unitCode: string): Promise<EscalationRecord[]> {
  const rows = await db.selectFrom('escalations').select(columns).where('unit_code', '=', unitCode).orderBy('seq').execute();
  return rows.map(toRecord);
}

export interface EscalationFilter {
  unitCode?: string | undefined;
  /** ISO instant: escalations at or after it. */
  since?: string | undefined;
  limit: number;
}

/** Newest first. */
export async function listEscalations(db: Db, filter: EscalationFilter): Promise<EscalationRecord[]> {
  let q = db.selectFrom('escalations').select(columns);
  if (filter.unitCode) q = q.where('unit_code', '=', filter.unitCode);
  if (filter.since) q = q.where('at', '>=', filter.since);
  const rows = await q.orderBy('at', 'desc').orderBy('id', 'desc').limit(filter.limit).execute();
  return rows.map(toRecord);
}

/** Each unit's latest escalation, with how many its period has had. */
export async function latestEscalationPerUnit(db: Db): Promise<Array<EscalationRecord & { countInPeriod: number }>> {
  const latest = await db
    .selectFrom('escalations as e')
    .select(columns.map((c) => `e.${c}` as const))
    .where(({ eb, selectFrom }) =>
      eb(
        'e.seq',
        '=',
        selectFrom('escalations as l')
          .select((l) => l.fn.max('l.seq').as('m'))
          .whereRef('l.unit_code', '=', 'e.unit_code'),
      ),
    )
    .execute();
  const counts = await db
    .selectFrom('escalations')
    .select(['unit_code', 'period', (eb) => eb.fn.countAll().as('n')])
    .groupBy(['unit_code', 'period'])
    .execute();
  const countOf = new Map(counts.map((c) => [`${c.unit_code}\u0000${c.period}`, Number(c.n)]));
  return latest.map((row) => ({ ...toRecord(row), countInPeriod: countOf.get(`${row.unit_code}\u0000${row.period}`) ?? 1 }));
}

// ——— tickets, as the ladder sees them ———

/** Units holding at least one overdue ticket at `now`. */
export async function unitsWithOverdueTickets(db: Db, now: Date): Promise<string[]> {
  const rows = await db
    .selectFrom('tickets')
    .select('lead_unit_code')
    .distinct()
    .where('status', 'in', DEADLINE_RUNNING_STATUSES)
    .where('deadline_at', '<', now.toISOString())
    .where('lead_unit_code', 'is not', null)
    .orderBy('lead_unit_code')
    .execute();
  return rows.flatMap((r) => (r.lead_unit_code ? [r.lead_unit_code] : []));
}

/** A unit's overdue tickets at `now`, earliest deadline first. */
export async function overdueTicketsOfUnit(db: Db, unitCode: string, now: Date): Promise<Array<{ id: number; trackingCode: string }>> {
  const rows = await db
    .selectFrom('tickets')
    .select(['id', 'tracking_code'])
    .where('lead_unit_code', '=', unitCode)
    .where('status', 'in', DEADLINE_RUNNING_STATUSES)
    .where('deadline_at', '<', now.toISOString())
    .orderBy('deadline_at')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ id: Number(r.id), trackingCode: r.tracking_code }));
}

/** Number of overdue tickets per unit at `now`. */
export async function overdueCountsByUnit(db: Db, now: Date): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('tickets')
    .select(['lead_unit_code', (eb) => eb.fn.countAll().as('n')])
    .where('status', 'in', DEADLINE_RUNNING_STATUSES)
    .where('deadline_at', '<', now.toISOString())
    .where('lead_unit_code', 'is not', null)
    .groupBy('lead_unit_code')
    .execute();
  return new Map(rows.flatMap((r) => (r.lead_unit_code ? [[r.lead_unit_code, Number(r.n)] as const] : [])));
}

export interface EscalatedTicket {
  id: number;
  trackingCode: string;
  status: Status;
  deadlineAt: string | null;
}

export async function ticketsByIds(db: Db, ids: readonly number[]): Promise<Map<number, EscalatedTicket>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  const rows = await db.selectFrom('tickets').select(['id', 'tracking_code', 'status', 'deadline_at']).where('id', 'in', unique).execute();
  return new Map(
    rows.map((r) => [
      Number(r.id),
      { id: Number(r.id), trackingCode: r.tracking_code, status: r.status as Status, deadlineAt: r.deadline_at },
    ]),
  );
}
