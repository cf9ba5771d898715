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
  /**
   * When true and the report names a point, the point's responsible unit cooperates too
   * (public-service ads: the department or township that owns the ad point).
   */
  pointUnitCooperates?: boolean;
  /** Why the rule is what it is, for the office editing it (never shown to residents). */
  note?: string;
}

/** Phrase → weight. Weights are positive; see content/README.md for the scale. */
export type WeightedPhrases = Readonly<Record<string, number>>;

/** The evidence the router counts for one category (content/routing-keywords.json). */
export interface CategoryLexicon {
  /** Places typical of the category (top-level categories only); count only with a problem. */
  scene?: WeightedPhrases;
  /** Phrases that are evidence on their own. */
  terms?: WeightedPhrases;
  /** Phrases that count only when the category's family is anchored by a scene or a term. */
  context?: WeightedPhrases;
  /**
   * When true, the category's phrases count with diminishing weight (strongest in full, the
   * next half, then a quarter…): for evidence that marks a topic, where side remarks in a long
   * report must not add up ("other").
   */
  diminishing?: boolean;
  /** Top-level categories: whether the generic problem words count for the family (default true; not for "other"). */
  generic?: boolean;
}

/** Routing data besides the rules: what the router reads in a report (content/routing-keywords.json). */
export interface RoutingLexicon {
  /** Confidence (0–1) below which a report goes to triage, unless the caller overrides it. */
  threshold: number;
  /** Score at which confidence reaches 1 − 1/e ≈ 0.63 with no competitor. */
  confidenceScale: number;
  /** How sharply a competing lead unit lowers confidence: (1 − (runner-up/best)^marginExponent). */
  marginExponent: number;
  /** Upper bound of the scene score of one family. */
  sceneCap: number;
  /** Scene score a family needs before its context phrases count. */
  sceneMin: number;
  /** Weight of a category the resident chose explicitly. */
  explicitCategoryWeight: number;
  /**
   * One-character-substitution matching of longer phrases, at a reduced weight. Phrases shorter
   * than anySubstitutionFrom only match with a character of the same confusable group.
   */
  fuzzy: { minLength: number; anySubstitutionFrom: number; confusables: readonly string[]; factor: number };
  /** Problem evidence a family needs beyond its scene (a place alone is no problem). */
  issueMin: number;
  /** A location within this distance of a point takes the point's area. */
  pointRadiusMetres: number;
  /** Operator and courtesy boilerplate removed before matching ("来电人反映" …). */
  boilerplate: readonly string[];
  /** Misspelling → spelling, applied before matching (homophone typos). */
  corrections: Readonly<Record<string, string>>;
  /** Phrases that contain a keyword but are no evidence (they hide what they contain). */
  neutral: readonly string[];
  /** General problem words, counted for every family anchored by a scene or a term. */
  generic: WeightedPhrases;
  /** Words that place a report in a village or the built-up area. */
  area: { village: WeightedPhrases; urban: WeightedPhrases };
  /** What a point of each type suggests: its category family, with a weight. */
  pointTypes: Readonly<Record<string, { category: string; weight: number }>>;
  /** Per category code. "other" (focus null) collects evidence of out-of-scope reports. */
  categories: Readonly<Record<string, CategoryLexicon>>;
}

/** One standard an inspector checks at a point of a type (content/inspection-checklists.json). */
export interface ChecklistItem {
  /** Stable within its point type, e.g. "stalls". */
  code: string;
  /** The standard in plain Chinese, one observable line. */
  standard: string;
  /** Category of the ticket a failed item becomes. */
  category: string;
  /** Weight in a point's pass rate. */
  weight: number;
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
  /** What the router reads in a report; without it only explicit categories and points route. */
  lexicon?: RoutingLexicon;
  unit(code: string): Unit | undefined;
  category(code: string): Category | undefined;
  point(id: string): Point | undefined;
  /** What an inspector checks at a point of this type, in order; every point type has one. */
  checklist(pointTypeCode: string): readonly ChecklistItem[];
}
