// What staff read about the ladder: the recorded escalations with the tickets behind them, and
// where each unit stands now. The office and leaders see every unit; unit staff their own unit;
// hotline operators none (escalations are the office's instrument, not a hotline matter).
import type { Kysely } from 'kysely';
import { z } from '../validation.ts';
import type { Catalog } from '../catalog/types.ts';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/schema.ts';
import { ForbiddenError } from '../errors.ts';
import type { StaffUser } from '../auth/roles.ts';
import { STATUS_LABELS, type Status } from '../tickets/lifecycle.ts';
import { latestEscalationPerUnit, listEscalations, overdueCountsByUnit, ticketsByIds } from './escalation-repository.ts';
import { DEFAULT_RESET_DAYS, ESCALATION_LEVEL_LABELS, currentLevel, resetsAt, runIsLive, type EscalationLevel } from './ladder.ts';

export const escalationFilterSchema = z.object({
  unitCode: z.string().trim().min(1).max(60).optional(),
  /** ISO instant: only escalations at or after it. */
  since: z.iso.datetime({ offset: true, error: '日期格式不正确' }).optional(),
  limit: z.number().int().min(1).max(500).default(200),
});
export type EscalationFilterInput = z.input<typeof escalationFilterSchema>;

export interface EscalationView {
  id: number;
  unitCode: string;
  unitName: string;
  level: EscalationLevel;
  levelLabel: '通报' | '约谈' | '问责';
  at: string;
  reason: string;
  /** The run of the ladder: CST date of its first 通报. */
  period: string;
  tickets: Array<{ trackingCode: string; status: Status; statusLabel: string; deadlineAt: string | null }>;
}

export interface LadderRow {
  unitCode: string;
  unitName: string;
  /** The rung reached in the current period; 0 when the unit has none (never, or reset). */
  level: 0 | EscalationLevel;
  levelLabel: '通报' | '约谈' | '问责' | null;
  /** The current period (CST date of its first 通报), or null. */
  period: string | null;
  /** Escalations in the current period (above 3 the level stays 问责). */
  escalationsInPeriod: number;
  lastEscalationAt: string | null;
  /** When the ladder restarts if nothing more goes overdue; null without a current period. */
  resetsAt: string | null;
  /** Tickets of the unit open past their deadline now. */
  openOverdue: number;
}

export interface EscalationServiceDeps {
  db: Kysely<Database>;
  catalog: Catalog;
  clock: Clock;
  resetDays?: number;
}

function scopeOf(user: StaffUser): { unitCode: string | null } {
  if (user.role === 'operator') throw new ForbiddenError('热线话务员账号不能查看通报、约谈、问责记录');
  if (user.role === 'unit') {
    if (!user.unitCode) throw new ForbiddenError('账号未绑定责任单位');
    return { unitCode: user.unitCode };
  }
  return { unitCode: null };
}

export function createEscalationService({ db, catalog, clock, resetDays = DEFAULT_RESET_DAYS }: EscalationServiceDeps) {
  const unitName = (code: string) => catalog.unit(code)?.name ?? code;

  /** Newest first. Unit staff get their own unit's, whatever unit they ask for. */
  async function list(user: StaffUser, rawFilter: EscalationFilterInput = {}): Promise<EscalationView[]> {
    const scope = scopeOf(user);
    const filter = escalationFilterSchema.parse(rawFilter);
    const since = filter.since ? new Date(filter.since).toISOString() : undefined;
    const rows = await listEscalations(db, { unitCode: scope.unitCode ?? filter.unitCode, since, limit: filter.limit });
    const tickets = await ticketsByIds(
      db,
      rows.flatMap((r) => r.ticketIds),
    );
    return rows.map((r) => ({
      id: r.id,
      unitCode: r.unitCode,
      unitName: unitName(r.unitCode),
      level: r.level,
      levelLabel: ESCALATION_LEVEL_LABELS[r.level],
      at: r.at,
      reason: r.reason,
      period: r.period,
      tickets: r.ticketIds.flatMap((id) => {
        const t = tickets.get(id);
        return t
          ? [{ trackingCode: t.trackingCode, status: t.status, statusLabel: STATUS_LABELS[t.status] ?? t.status, deadlineAt: t.deadlineAt }]
          : [];
      }),
    }));
  }

  /**
   * Every unit of the catalog (and any other unit that was ever escalated), highest rung and
   * most overdue first. Unit staff get their own unit's row only.
   */
  async function ladder(user: StaffUser): Promise<LadderRow[]> {
    const scope = scopeOf(user);
    const now = clock.now();
    const [latest, overdue] = await Promise.all([latestEscalationPerUnit(db), overdueCountsByUnit(db, now)]);
    const latestOf = new Map(latest.map((e) => [e.unitCode, e]));
    // The office's own unit holds the triage queue, not problems to rectify: listed only when
    // something was in fact dispatched to it.
    const units = catalog.units.filter((u) => u.code !== catalog.officeUnitCode).map((u) => u.code);
    const codes = new Set([...units, ...latestOf.keys(), ...overdue.keys()]);
    const rows: LadderRow[] = [];
    for (const code of codes) {
      if (scope.unitCode && code !== scope.unitCode) continue;
      const last = latestOf.get(code) ?? null;
      const live = last !== null && runIsLive(last.at, now, resetDays);
      const level = currentLevel(last, now, resetDays);
      rows.push({
        unitCode: code,
        unitName: unitName(code),
        level,
        levelLabel: level === 0 ? null : ESCALATION_LEVEL_LABELS[level],
        period: live ? last.period : null,
        escalationsInPeriod: live ? last.countInPeriod : 0,
        lastEscalationAt: last?.at ?? null,
        resetsAt: live ? resetsAt(last.at, resetDays) : null,
        openOverdue: overdue.get(code) ?? 0,
      });
    }
    return rows.sort((a, b) => b.level - a.level || b.openOverdue - a.openOverdue || a.unitCode.localeCompare(b.unitCode));
  }

  return { list, ladder };
}

export type EscalationService = ReturnType<typeof createEscalationService>;
