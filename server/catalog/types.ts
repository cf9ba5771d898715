// The catalog: units, problem categories, point types, points and routing rules, loaded from
// content/ at start (server/catalog/load-catalog.ts) and validated there. It is the only
// source of these facts: editing content/ and restarting changes behaviour (DESIGN rule 3).

/** Built-up area (建成区) or a village (行政村) — routing rules may differ between them. */
export type Area = 'urban' | 'village';

export interface Unit {
  /** Stable code used in data and URLs, e.g. "zhujianju". Never reused. */
  code: string;
  /** Official Chinese name, e.g. "临城县住房和城乡建设局". */
  name: string;
  /** Short name used in lists, e.g. "县住建局". */
  shortName: string;
  kind: 'office' | 'department' | 'township' | 'organisation';
  /** Contact mailboxes for notifications (may be empty). */
  emails: string[];
}

export interface Category {
  /** Stable code, e.g. "frontage.cleanliness". */
  code: string;
  /** Chinese name shown to residents, e.g. "门前卫生（包净化）". */
  name: string;
  /** Parent category code for sub-categories; null for a top-level category. */
  parentCode: string | null;
  /** Number (1–8) of the focus problem in DOMAIN.md this belongs to; null for "other". */
  focus: number | null;
  /** Rectification deadline in days when it differs from the default of 7. */
  deadlineDays: number | null;
  /** Residents see this under the name to help them pick. */
  hint: string;
}

export interface PointType {
  code: string;
  name: string;
}

export interface Point {
  /** Stable id, e.g. "market-xiguan". */
  id: string;
  name: string;
  typeCode: string;
  /** Unit responsible for the point (网格责任单位). */
  unitCode: string;
  /** Named responsible person of the grid (网格责任人) — internal, never public. */
  responsiblePerson: string;
  area: Area;
  address: string;
  lat: number | null;
  lng: number | null;
}

export interface RoutingRule {
  category: string;
  /** Which area the rule applies to; "any" when the area does not matter. */
  area: Area | 'any';
  lead: string;
  cooperating: string[];
}

export interface Catalog {
  units: readonly Unit[];
  categories: readonly Category[];
  pointTypes: readonly PointType[];
  points: readonly Point[];
  rules: readonly RoutingRule[];
  /** Code of the campaign office unit (创城办), which owns the triage queue. */
  officeUnitCode: string;
  /** Default rectification deadline in days (7: one week). */
  defaultDeadlineDays: number;
  unit(code: string): Unit | undefined;
  category(code: string): Category | undefined;
  point(id: string): Point | undefined;
}
