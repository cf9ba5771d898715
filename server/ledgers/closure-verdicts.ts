// Closure verdicts (migration 034): for each strike-off (verify event), whether the report it
// accepted was on time by the deadline then in force, and which unit reported it — the
// rectification ledger's own rows (rectification-ledger.ts, replayed by ticket-history.ts), so
// there is one definition of both. A verdict depends only on events before its strike-off and the
// log is append-only, so a verdict once kept stays right; each run replays only the tickets with a
// strike-off not judged yet (at a million tickets the first run judges them all, later runs the
// few new ones), and marks again each such ticket's first strike-off of each month and its latest
// — which change only when the ticket gets a new strike-off. The statistics
// (statistics-repository.ts) count the kept verdicts.
import { setImmediate as nextTurn } from 'node:timers/promises';
import { chinaDate, ms } from '../china-time.ts';
import type { LedgerDeps } from './ledger-context.ts';
import { createLabels } from './ledger-labels.ts';
import { selectTicketHistories } from './ledger-repository.ts';
import { rectificationRows, type RectificationLedgerRow } from './rectification-ledger.ts';
import { saveClosureVerdicts, selectTicketsWithoutVerdicts, verdictsMayBeMissing, type ClosureVerdict } from './statistics-repository.ts';

/** Tickets replayed per query, like the ledgers' exports: a turn of the event loop between two. */
const BATCH = 250;

/** The verdicts of whole tickets: every verified report, with the ticket's first strike-off of each month and latest marked. */
function verdictsOf(rows: readonly RectificationLedgerRow[]): ClosureVerdict[] {
  const verdicts = rows
    .filter((r) => r.outcome === 'verified')
    .map((r) => ({
      ticketId: r.ticketId,
      verifiedAt: r.verifiedAt!,
      month: chinaDate(r.verifiedAt!).slice(0, 7),
      unitCode: r.unit?.code ?? null,
      onTime: r.onTime,
    }));
  const earliest = new Map<string, number>();
  const latest = new Map<number, number>();
  for (const v of verdicts) {
    const at = ms(v.verifiedAt);
    const month = `${v.ticketId}:${v.month}`;
    earliest.set(month, Math.min(at, earliest.get(month) ?? Infinity));
    latest.set(v.ticketId, Math.max(at, latest.get(v.ticketId) ?? -Infinity));
  }
  return verdicts.map((v) => ({
    ...v,
    firstOfMonth: earliest.get(`${v.ticketId}:${v.month}`) === ms(v.verifiedAt),
    latest: latest.get(v.ticketId) === ms(v.verifiedAt),
  }));
}

/** Judges every strike-off not judged yet and keeps the verdicts. */
export async function recordClosureVerdicts(deps: Pick<LedgerDeps, 'db' | 'catalog'>): Promise<void> {
  if (!(await verdictsMayBeMissing(deps.db))) return;
  const labels = createLabels(deps.catalog);
  const ids = await selectTicketsWithoutVerdicts(deps.db);
  for (let i = 0; i < ids.length; i += BATCH) {
    const tickets = await selectTicketHistories(deps.db, ids.slice(i, i + BATCH));
    await saveClosureVerdicts(deps.db, verdictsOf(rectificationRows(labels, tickets)));
    await nextTurn();
  }
}
