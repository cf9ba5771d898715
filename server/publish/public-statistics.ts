// The public figures (public-projection.ts's header says what each means): totals, by channel,
// by category, by month, and each unit's counts — made from grouped counts
// (server/ledgers/statistics-repository.ts), never from one row per ticket. "Closed on time" and
// the unit a closure counts for are the rectification ledger's verdicts, kept once made
// (server/ledgers/closure-verdicts.ts); the run first judges the strike-offs not judged yet.
import type { Kysely } from 'kysely';
import type { Catalog } from '../catalog/types.ts';
import type { Database } from '../db/schema.ts';
import { chinaDate, monthPeriod } from '../china-time.ts';
import { recordClosureVerdicts } from '../ledgers/closure-verdicts.ts';
import { createLabels, NO_CATEGORY_LABEL } from '../ledgers/ledger-labels.ts';
import {
  countClosedTickets,
  countClosuresByMonth,
  countReceivedByMonth,
  countTicketsByGroup,
  selectFirstReceivedAt,
  type MonthRange,
} from '../ledgers/statistics-repository.ts';
import { CHANNELS } from '../tickets/channels.ts';
import { TERMINAL_STATUSES, type Status } from '../tickets/lifecycle.ts';
import type { PublicSnapshot, PublicUnitRecord } from './public-snapshot.ts';

const NO_CATEGORY_CODE = 'none';

type Counts = PublicUnitRecord['counts'];
type LabelledCount = PublicSnapshot['stats']['byChannel'][number];

export interface PublicStatistics {
  stats: PublicSnapshot['stats'];
  /** A catalog unit's counts and categories. */
  unit(code: string): Pick<PublicUnitRecord, 'counts' | 'byCategory'>;
}

const zero = (): Counts => ({ received: 0, closed: 0, closedOnTime: 0, onTimeRate: null });
const withRate = <C extends Counts>(c: C): C => ({ ...c, onTimeRate: c.closed > 0 ? c.closedOnTime / c.closed : null });

/**
 * Counts by code with each code's newest receipt: codes outside the catalog's order are listed
 * after it, newest first — where the problem ledger (newest first) meets them first.
 */
class Tally {
  readonly #counts = new Map<string, { count: number; newest: string }>();
  add(code: string, count: number, newest: string): void {
    const seen = this.#counts.get(code);
    if (!seen) this.#counts.set(code, { count, newest });
    else this.#counts.set(code, { count: seen.count + count, newest: newest > seen.newest ? newest : seen.newest });
  }
  labelled(order: readonly string[], label: (code: string) => string): LabelledCount[] {
    const others = [...this.#counts.entries()]
      .filter(([code]) => !order.includes(code))
      .sort(([, a], [, b]) => (a.newest < b.newest ? 1 : a.newest > b.newest ? -1 : 0))
      .map(([code]) => code);
    return [...order.filter((c) => this.#counts.has(c)), ...others].map((code) => ({
      code,
      label: label(code),
      count: this.#counts.get(code)!.count,
    }));
  }
}

/** The CST months from the month of `from` to the month of `to`, each as instants up to `to` at most. */
function monthsBetween(from: string, to: Date): MonthRange[] {
  const out: MonthRange[] = [];
  let month = chinaDate(from).slice(0, 7);
  const last = chinaDate(to).slice(0, 7);
  while (month <= last) {
    const period = monthPeriod(month);
    out.push({ month, from: period.from, before: month === last ? to.toISOString() : period.to });
    month = chinaDate(period.to).slice(0, 7);
  }
  return out;
}

async function byMonth(db: Kysely<Database>, at: Date): Promise<PublicSnapshot['stats']['byMonth']> {
  const first = await selectFirstReceivedAt(db);
  const months = first ? monthsBetween(first, at) : [];
  const [received, closures] = await Promise.all([countReceivedByMonth(db, months), countClosuresByMonth(db, at.toISOString())]);
  return months.map(({ month }) => {
    const closed = closures.get(month) ?? { closed: 0, closedOnTime: 0 };
    return { month, ...withRate({ received: received.get(month) ?? 0, ...closed, onTimeRate: null }) };
  });
}

export async function publicStatistics(deps: { db: Kysely<Database>; catalog: Catalog }, at: Date): Promise<PublicStatistics> {
  const { db, catalog } = deps;
  const labels = createLabels(catalog);
  await recordClosureVerdicts(deps);
  const [groups, closedCounts, months] = await Promise.all([countTicketsByGroup(db), countClosedTickets(db), byMonth(db, at)]);

  const totals = { ...zero(), open: 0 };
  const unitCounts = new Map<string, Counts>();
  const unitCategories = new Map<string, Tally>();
  const byChannel = new Tally();
  const byCategory = new Tally();
  const unitTally = (code: string) => {
    let c = unitCounts.get(code);
    if (!c) unitCounts.set(code, (c = zero()));
    return c;
  };
  for (const g of groups) {
    const category = labels.topCategory(g.categoryCode)?.code ?? NO_CATEGORY_CODE;
    totals.received += g.count;
    if (!TERMINAL_STATUSES.includes(g.status as Status)) totals.open += g.count;
    byChannel.add(g.channel, g.count, g.newestReceivedAt);
    byCategory.add(category, g.count, g.newestReceivedAt);
    if (g.leadUnitCode === null) continue;
    unitTally(g.leadUnitCode).received += g.count;
    let cats = unitCategories.get(g.leadUnitCode);
    if (!cats) unitCategories.set(g.leadUnitCode, (cats = new Tally()));
    cats.add(category, g.count, g.newestReceivedAt);
  }
  for (const c of closedCounts) {
    totals.closed += c.closed;
    totals.closedOnTime += c.closedOnTime;
    if (c.unitCode === null) continue;
    unitTally(c.unitCode).closed += c.closed;
    unitTally(c.unitCode).closedOnTime += c.closedOnTime;
  }

  const categoryOrder = [...catalog.categories.filter((c) => c.parentCode === null).map((c) => c.code), NO_CATEGORY_CODE];
  const categoryLabel = (code: string) => (code === NO_CATEGORY_CODE ? NO_CATEGORY_LABEL : (labels.topCategory(code)?.name ?? code));
  return {
    stats: {
      totals: withRate(totals),
      byChannel: byChannel.labelled(CHANNELS, (c) => labels.channel(c)),
      byCategory: byCategory.labelled(categoryOrder, categoryLabel),
      byMonth: months,
    },
    unit: (code) => ({
      counts: withRate(unitCounts.get(code) ?? zero()),
      byCategory: (unitCategories.get(code) ?? new Tally()).labelled(categoryOrder, categoryLabel),
    }),
  };
}
