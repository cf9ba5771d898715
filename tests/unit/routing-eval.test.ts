// The acceptance figures of routing v1 over the evaluation set (tests/fixtures/routing/): of the
// reports that belong to a focus problem, at least 85% reach the right lead unit without triage
// and at most 5% a wrong unit; reports outside every focus problem go to triage.
// The lexicon is tuned on the dev lines only; every 4th line is holdout. Figures are printed for
// the record.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../server/catalog/load-catalog.ts';
import type { Catalog } from '../../server/catalog/types.ts';
import { createRouter, type RoutingInput } from '../../server/routing/router.ts';

interface Report {
  id: string;
  text: string;
  category?: string;
  pointId?: string;
  location?: RoutingInput['location'];
  expectedFocus: number | null;
  expectedUnit: string | null;
}

interface Figures {
  focus: number;
  right: number;
  wrong: number;
  triaged: number;
  outOfScope: number;
  outTriaged: number;
  misses: string[];
}

const FIXTURE = path.resolve(import.meta.dirname, '../fixtures/routing/reports.jsonl');
const reports: Report[] = readFileSync(FIXTURE, 'utf8')
  .split('\n')
  .filter((line) => line.trim())
  .map((line) => JSON.parse(line) as Report);
const isHoldout = (i: number) => i % 4 === 3;

let catalog: Catalog;
const figures: Record<'dev' | 'holdout' | 'all', Figures> = {} as never;

beforeAll(async () => {
  catalog = await loadCatalog(path.resolve(import.meta.dirname, '../../content'));
  const router = createRouter(catalog);
  const empty = (): Figures => ({ focus: 0, right: 0, wrong: 0, triaged: 0, outOfScope: 0, outTriaged: 0, misses: [] });
  figures.dev = empty();
  figures.holdout = empty();
  figures.all = empty();
  reports.forEach((r, i) => {
    const s = router.suggest({
      text: r.text,
      ...(r.category && { category: r.category }),
      ...(r.pointId && { pointId: r.pointId }),
      ...(r.location && { location: r.location }),
    });
    const got = s.needsTriage ? null : (s.unit?.code ?? null);
    for (const f of [figures.all, isHoldout(i) ? figures.holdout : figures.dev]) {
      if (r.expectedUnit === null) {
        f.outOfScope++;
        if (got === null) f.outTriaged++;
        else f.misses.push(`${r.id} out of scope → ${got}`);
      } else {
        f.focus++;
        if (got === r.expectedUnit) f.right++;
        else if (got === null) f.triaged++;
        else f.misses.push(`${r.id} ${r.expectedUnit} → ${got}`);
        if (got !== null && got !== r.expectedUnit) f.wrong++;
      }
    }
  });
  const pct = (n: number, d: number) => `${((100 * n) / d).toFixed(1)}%`;
  const lines = (['dev', 'holdout', 'all'] as const).map((k) => {
    const f = figures[k];
    return (
      `${k.padEnd(8)} focus ${String(f.focus).padStart(3)}: right ${pct(f.right, f.focus).padStart(6)}, ` +
      `triaged ${pct(f.triaged, f.focus).padStart(5)}, wrong ${pct(f.wrong, f.focus).padStart(5)} | ` +
      `out of scope ${String(f.outOfScope).padStart(3)}: triaged ${pct(f.outTriaged, f.outOfScope).padStart(6)}`
    );
  });
  console.log(
    `routing v1 on ${reports.length} reports (threshold ${catalog.lexicon?.threshold})\n${lines.join('\n')}\nrouted wrongly: ${figures.all.misses.join('; ') || 'none'}`,
  );
});

describe('the evaluation set', () => {
  it('is large and varied enough to mean something', () => {
    expect(reports.length).toBeGreaterThanOrEqual(400);
    expect(reports.filter((r) => r.expectedUnit === null).length).toBeGreaterThanOrEqual(100);
    const focuses = new Set(reports.map((r) => r.expectedFocus));
    for (const focus of [1, 2, 3, 4, 5, 6, 7, 8, null]) expect(focuses.has(focus)).toBe(true);
    expect(new Set(reports.map((r) => r.id)).size).toBe(reports.length);
  });

  it('names only units, categories and points the catalog knows', () => {
    for (const r of reports) {
      if (r.expectedUnit) expect(catalog.unit(r.expectedUnit), r.id).toBeDefined();
      if (r.category) expect(catalog.category(r.category), r.id).toBeDefined();
      if (r.pointId) expect(catalog.point(r.pointId), r.id).toBeDefined();
      expect(r.expectedUnit === null, r.id).toBe(r.expectedFocus === null);
    }
  });
});

describe.each(['holdout', 'all'] as const)('routing v1 on %s', (part) => {
  it('sends at least 85% of focus reports to the right lead unit without triage', () => {
    const f = figures[part];
    expect(f.right / f.focus).toBeGreaterThanOrEqual(0.85);
  });

  it('sends at most 5% of focus reports to a wrong unit', () => {
    const f = figures[part];
    expect(f.wrong / f.focus).toBeLessThanOrEqual(0.05);
  });

  it('sends reports outside every focus problem to triage (at least 97%)', () => {
    // Not 100%: the set keeps, labelled out of scope, a few reports a person could fairly route
    // to the housing bureau too — a dispute with the property company over a fee reminder, a
    // wish for more fitness equipment in a compound. Relabelling them would flatter the figure.
    const f = figures[part];
    expect(f.outTriaged / f.outOfScope).toBeGreaterThanOrEqual(0.97);
  });
});
