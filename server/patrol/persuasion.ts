// 劝导: a patrol member records persuading people on the street (crossing on red, littering …) —
// not a ticket, a tally. Recorded once under the device's key; read back by the member; counted by
// member, by kind and by month for the office and leaders (/console/persuasion) and for the
// monthly report (server/ledgers/monthly-report.ts).
import type { Kysely } from 'kysely';
import type { Catalog } from '../catalog/types.ts';
import { chinaDate, monthPeriod } from '../china-time.ts';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/schema.ts';
import { ForbiddenError, InvalidInputError } from '../errors.ts';
import { fieldErrors } from '../field-errors.ts';
import { isOffice, type StaffUser } from '../auth/roles.ts';
import { insertPersuasion, listPersuasionsBetween, listPersuasionsOf, type PersuasionRecord } from './patrol-repository.ts';
import type { PersuasionKind } from './persuasion-kinds.ts';
import { persuasionInputSchema } from './patrol-schema.ts';

export interface PersuasionEntry extends Omit<PersuasionRecord, 'userId'> {
  kindName: string;
  pointName: string | null;
}

export interface TallyRow {
  key: string;
  label: string;
  /** Records. */
  actions: number;
  /** People persuaded. */
  people: number;
}

/** The tally of a period: totals, by member, by kind (in the content's order), by month. */
export interface PersuasionTally {
  from: string;
  to: string;
  actions: number;
  people: number;
  byMember: TallyRow[];
  byKind: TallyRow[];
  byMonth: TallyRow[];
}

export function kindLabel(kinds: readonly PersuasionKind[], code: string): string {
  return kinds.find((k) => k.code === code)?.name ?? code;
}

function group(
  records: readonly PersuasionRecord[],
  keyOf: (r: PersuasionRecord) => [string, string],
  order?: readonly string[],
): TallyRow[] {
  const rows = new Map<string, TallyRow>();
  for (const r of records) {
    const [key, label] = keyOf(r);
    const row = rows.get(key) ?? { key, label, actions: 0, people: 0 };
    row.actions += 1;
    row.people += r.people;
    rows.set(key, row);
  }
  const list = [...rows.values()];
  return order ? list.sort((a, b) => order.indexOf(a.key) - order.indexOf(b.key)) : list.sort((a, b) => a.key.localeCompare(b.key));
}

/** The tally of the records done on the China dates [fromDate, toDate]. */
export async function persuasionTally(
  db: Kysely<Database>,
  kinds: readonly PersuasionKind[],
  fromDate: string,
  toDate: string,
): Promise<PersuasionTally> {
  const records = await listPersuasionsBetween(db, fromDate, toDate);
  return {
    from: fromDate,
    to: toDate,
    actions: records.length,
    people: records.reduce((n, r) => n + r.people, 0),
    // The most people persuaded first; then the most records.
    byMember: group(records, (r) => [String(r.userId), r.memberName]).sort((a, b) => b.people - a.people || b.actions - a.actions),
    byKind: group(
      records,
      (r) => [r.kind, kindLabel(kinds, r.kind)],
      kinds.map((k) => k.code),
    ),
    byMonth: group(records, (r) => [r.doneOn.slice(0, 7), r.doneOn.slice(0, 7)]),
  };
}

/** The China dates of a month ("2026-12" → 2026-12-01 … 2026-12-31). */
export function monthDates(month: string): { from: string; to: string } {
  const period = monthPeriod(month);
  return { from: chinaDate(period.from), to: chinaDate(new Date(new Date(period.to).getTime() - 1)) };
}

export function createPersuasion(deps: {
  db: Kysely<Database>;
  catalog: Catalog;
  clock: Clock;
  /** The kinds of the content version in use (they change without a restart, server/content/). */
  kinds: () => readonly PersuasionKind[];
}) {
  const { db, catalog, clock } = deps;

  function patrolOnly(user: StaffUser): void {
    if (user.role !== 'patrol') throw new ForbiddenError('只有社会巡访监督员账号可以记录劝导');
  }

  function entry(r: PersuasionRecord): PersuasionEntry {
    const { userId: _userId, ...rest } = r;
    return { ...rest, kindName: kindLabel(deps.kinds(), r.kind), pointName: r.pointId ? (catalog.point(r.pointId)?.name ?? null) : null };
  }

  /** Records one persuasion; the same key again answers the first record (`created: false`). */
  async function record(user: StaffUser, raw: unknown): Promise<{ entry: PersuasionEntry; created: boolean }> {
    patrolOnly(user);
    const parsed = persuasionInputSchema.safeParse(raw);
    if (!parsed.success) {
      const fields = fieldErrors(parsed.error);
      throw new InvalidInputError(Object.values(fields)[0] ?? '提交的内容有误，请检查后重试', fields);
    }
    const input = parsed.data;
    const fields: Record<string, string> = {};
    if (!deps.kinds().some((k) => k.code === input.kind)) fields['kind'] = '请从列表中选择劝导类型';
    if (input.pointId && !catalog.point(input.pointId)) fields['pointId'] = '所选点位不存在，请重新选择或不选';
    if (input.doneOn > chinaDate(clock.now())) fields['doneOn'] = '劝导日期不能晚于今天';
    const [first] = Object.values(fields);
    if (first) throw new InvalidInputError(first, fields);
    const { record: stored, created } = await insertPersuasion(db, {
      userId: user.id,
      doneOn: input.doneOn,
      place: input.place,
      pointId: input.pointId || null,
      kind: input.kind,
      people: input.people,
      note: input.note || null,
      recordedAt: clock.now().toISOString(),
      // Namespaced by the account: another member's record can never answer for this one.
      idempotencyKey: `persuasion:${user.id}:${input.idempotencyKey}`,
    });
    return { entry: entry(stored), created };
  }

  /** The member's own records, the latest first. */
  async function mine(user: StaffUser): Promise<PersuasionEntry[]> {
    patrolOnly(user);
    return (await listPersuasionsOf(db, user.id, 50)).map(entry);
  }

  /** The tally of a month for the office and leaders. */
  async function tally(user: StaffUser, month: string): Promise<PersuasionTally> {
    if (!isOffice(user) && user.role !== 'leader') throw new ForbiddenError('劝导统计仅供创城办和领导查看');
    const { from, to } = monthDates(month);
    return persuasionTally(db, deps.kinds(), from, to);
  }

  return { record, mine, tally, kinds: deps.kinds };
}

export type Persuasion = ReturnType<typeof createPersuasion>;
