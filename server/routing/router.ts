// Routing v1: from a resident's free Chinese text (plus an optional category, point or location)
// to a category and a lead unit with a confidence; below the threshold the report goes to the
// campaign office's triage queue instead of a guess. A wrong unit costs a week, triage an hour,
// so the router prefers triage whenever two lead units compete.
//
// Everything it knows comes from the catalog (content/): the lexicon of routing-keywords.json
// and the rules of routing-rules.json. There are no unit names or words in this file.
//
// How a report is scored (see content/README.md for the editor's view):
// 1. The text is normalised (NFKC, typos corrected, hotline boilerplate removed) and the address,
//    if any, appended. Phrases are found once each; a phrase inside a longer one is hidden.
// 2. Per family (a top-level category and its sub-categories): `scene` phrases (places: 小区,
//    菜市场, 胡同…), `terms` (evidence on their own: 闯红灯, 公益广告…) and `context` phrases
//    (垃圾, 路灯, 电动车…) that count only once the family is anchored by a scene of at least
//    `sceneMin` or a term. Generic problem words (脏, 坏了…) count for every anchored family.
//    A scene alone is no problem: without any problem word a family scores nothing.
//    An explicit category and a named point's type add their weights.
// 3. Candidates are the sub-categories with evidence of their own, or else the family itself;
//    each resolves to a lead unit through the rules (category × area, falling back to the
//    parent). The area is the point's, else what the text says (村里, 新民居…), else that of
//    a point near the given coordinates, else the built-up area.
// 4. confidence = (1 − e^(−best/scale)) × (1 − (runner-up/best)^exponent), where the runner-up
//    is the best candidate of a *different* lead unit (two sub-categories of one unit do not
//    compete). The "other" family collects evidence of out-of-scope reports (wages, heating,
//    noise…); its rule leads to the office, so when it wins the report is triaged, and when it
//    comes close it lowers the confidence of the rest.
import type { CategoryRef, RoutingSuggestion, UnitRef } from './suggestion.ts';
import type { Area, Catalog, Category, Point, RoutingLexicon, RoutingRule } from '../catalog/types.ts';
import { createNormaliser, lexiconKey, type Normaliser } from './normalise.ts';
import { compilePhrases, type PhraseMatcher } from './phrase-matcher.ts';

export interface RoutingInput {
  text: string;
  category?: string;
  pointId?: string;
  location?: { address?: string; lat?: number; lng?: number };
}

export interface RouterOptions {
  /** Confidence below which a report goes to triage; default from the lexicon (content/). */
  threshold?: number;
}

/** Why the router decided what it did: for tests, tuning and the staff console. */
export interface RoutingExplanation {
  suggestion: RoutingSuggestion;
  area: Area;
  /** Phrases found, with the weight factor (1 exact, < 1 typo-tolerant). */
  matched: Array<{ phrase: string; factor: number }>;
  /** Scored candidates, best first. */
  candidates: Array<{ category: string; lead: string; score: number }>;
}

export interface Router {
  suggest(input: RoutingInput): RoutingSuggestion;
  explain(input: RoutingInput): RoutingExplanation;
}

const Kind = { Scene: 0, Term: 1, Context: 2, Generic: 3 } as const;
type Kind = (typeof Kind)[keyof typeof Kind];

interface Contribution {
  kind: Kind;
  /** Family index for scenes, category index for terms and context; unused for generic. */
  target: number;
  weight: number;
}

interface Family {
  top: number;
  subs: number[];
}

const EMPTY_LEXICON: RoutingLexicon = {
  threshold: 0.5,
  confidenceScale: 2.5,
  marginExponent: 2,
  sceneCap: 3,
  sceneMin: 1,
  issueMin: 1,
  explicitCategoryWeight: 5,
  fuzzy: { minLength: 0, anySubstitutionFrom: 0, confusables: [], factor: 0 },
  pointRadiusMetres: 0,
  boilerplate: [],
  corrections: {},
  neutral: [],
  generic: {},
  area: { village: {}, urban: {} },
  pointTypes: {},
  categories: {},
};

export function metresBetween(lat1: number, lng1: number, lat2: number, lng2: number): number {
  const rad = Math.PI / 180;
  const x = (lng2 - lng1) * rad * Math.cos(((lat1 + lat2) / 2) * rad);
  const y = (lat2 - lat1) * rad;
  return Math.sqrt(x * x + y * y) * 6_371_000;
}

export function createRouter(catalog: Catalog, options: RouterOptions = {}): Router {
  const lexicon = catalog.lexicon ?? EMPTY_LEXICON;
  const threshold = options.threshold ?? lexicon.threshold;
  const normalise: Normaliser = createNormaliser(lexicon.corrections, lexicon.boilerplate);

  // Categories by index; families by top-level category.
  const categories: readonly Category[] = catalog.categories;
  const index = new Map(categories.map((c, i) => [c.code, i]));
  const familyOf: number[] = [];
  const families: Family[] = [];
  const familyIndex = new Map<string, number>();
  categories.forEach((c, i) => {
    if (c.parentCode === null) {
      familyIndex.set(c.code, families.length);
      families.push({ top: i, subs: [] });
    }
  });
  categories.forEach((c, i) => {
    const f = familyIndex.get(c.parentCode ?? c.code)!;
    familyOf[i] = f;
    if (c.parentCode !== null) families[f]!.subs.push(i);
  });

  // Rules: category × area → rule, falling back to "any" and then to the parent.
  const ruleFor = new Map<string, RoutingRule>();
  for (const r of catalog.rules) ruleFor.set(`${r.category}|${r.area}`, r);
  function resolveRule(categoryIndex: number, area: Area): RoutingRule | undefined {
    for (let c: Category | undefined = categories[categoryIndex]; c; c = c.parentCode ? catalog.category(c.parentCode) : undefined) {
      const rule = ruleFor.get(`${c.code}|${area}`) ?? ruleFor.get(`${c.code}|any`);
      if (rule) return rule;
    }
    return undefined;
  }
  const rules: Record<Area, Array<RoutingRule | undefined>> = {
    urban: categories.map((_, i) => resolveRule(i, 'urban')),
    village: categories.map((_, i) => resolveRule(i, 'village')),
  };

  // One dictionary for category evidence (with neutral phrases that only hide), one for area.
  const contributions = new Map<string, Contribution[]>();
  const add = (phrase: string, c: Contribution | null) => {
    const key = lexiconKey(phrase);
    const list = contributions.get(key) ?? [];
    if (c) list.push(c);
    contributions.set(key, list);
  };
  for (const [code, entry] of Object.entries(lexicon.categories)) {
    const i = index.get(code);
    if (i === undefined) continue;
    for (const [p, w] of Object.entries(entry.scene ?? {})) add(p, { kind: Kind.Scene, target: familyOf[i]!, weight: w });
    for (const [p, w] of Object.entries(entry.terms ?? {})) add(p, { kind: Kind.Term, target: i, weight: w });
    for (const [p, w] of Object.entries(entry.context ?? {})) add(p, { kind: Kind.Context, target: i, weight: w });
  }
  for (const [p, w] of Object.entries(lexicon.generic)) add(p, { kind: Kind.Generic, target: -1, weight: w });
  for (const p of lexicon.neutral) add(p, null);
  const evidence: PhraseMatcher<Contribution[]> = compilePhrases(inheritContained(contributions), {
    fuzzyMinLength: lexicon.fuzzy.minLength,
    anySubstitutionFrom: lexicon.fuzzy.anySubstitutionFrom,
    confusables: lexicon.fuzzy.confusables,
    fuzzyFactor: lexicon.fuzzy.factor,
  });

  /**
   * A matched phrase hides the phrases inside it. So that an editor adding an elaboration
   * ("垃圾堆" beside "垃圾", "当志愿者" beside "志愿者") loses nothing, a phrase keeps what the
   * phrases inside it say about families it says nothing about (context words), and
   * the family anchor (scene or top-level term) of a family it speaks for only through a
   * sub-category ("当志愿者" is volunteer.join context and keeps 志愿者's anchor). What changes meaning ("马路市场" is not a 市场, "非机动车" not a 机动车, "公益
   * 广告牌" not a shop's 广告牌) stays hidden: scenes and terms of other families, context of
   * the same family, and generic words ("乱" inside "乱停乱放" is about parking, not about any
   * place nearby). A neutral phrase hides everything.
   */
  function inheritContained(own: Map<string, Contribution[]>): Map<string, Contribution[]> {
    const familyOfContribution = (c: Contribution) =>
      c.kind === Kind.Scene ? c.target : c.kind === Kind.Generic ? -1 : familyOf[c.target]!;
    const familyLevel = (c: Contribution) => c.kind === Kind.Scene || (c.kind === Kind.Term && categories[c.target]!.parentCode === null);
    const result = new Map<string, Contribution[]>();
    for (const [phrase, list] of own) {
      if (list.length === 0 || phrase.length < 2) {
        result.set(phrase, list);
        continue;
      }
      const spoken = new Set(list.map(familyOfContribution));
      // Families the phrase speaks for at the top level (scene, term or context of the family
      // itself) need no anchor from inside: "停车位" is a place, not a 停车 problem.
      const topLevel = new Set(
        list
          .filter((c) => c.kind === Kind.Scene || (c.kind !== Kind.Generic && categories[c.target]!.parentCode === null))
          .map(familyOfContribution),
      );
      const inherited = new Map<string, Contribution>();
      for (let a = 0; a < phrase.length; a++) {
        for (let b = a + 1; b <= phrase.length; b++) {
          if (b - a === phrase.length) continue;
          for (const c of own.get(phrase.slice(a, b)) ?? []) {
            const f = familyOfContribution(c);
            const keep = (c.kind === Kind.Context && !spoken.has(f)) || (familyLevel(c) && spoken.has(f) && !topLevel.has(f));
            if (!keep) continue;
            const key = `${c.kind}:${c.target}`;
            if ((inherited.get(key)?.weight ?? 0) < c.weight) inherited.set(key, c);
          }
        }
      }
      result.set(phrase, inherited.size ? [...list, ...inherited.values()] : list);
    }
    return result;
  }
  const areaWords = new Map<string, { village: number; urban: number }>();
  for (const [p, w] of Object.entries(lexicon.area.village)) areaWords.set(lexiconKey(p), { village: w, urban: 0 });
  for (const [p, w] of Object.entries(lexicon.area.urban)) {
    const k = lexiconKey(p);
    areaWords.set(k, { village: areaWords.get(k)?.village ?? 0, urban: w });
  }
  const areaMatcher = compilePhrases(areaWords, { fuzzyMinLength: 0, fuzzyFactor: 0 });

  const locatedPoints = catalog.points.filter((p) => p.lat !== null && p.lng !== null);
  const diminishing = categories.map((c) => lexicon.categories[c.code]?.diminishing === true);
  const takesGeneric = categories.map((c) => lexicon.categories[c.code]?.generic !== false);

  function unitRef(code: string): UnitRef {
    const unit = catalog.unit(code);
    return { code, name: unit?.name ?? code };
  }
  function categoryRef(i: number): CategoryRef {
    const c = categories[i]!;
    return { code: c.code, name: c.name };
  }

  function decideArea(text: string, point: Point | undefined, location: RoutingInput['location']): Area {
    if (point) return point.area;
    let village = 0;
    let urban = 0;
    for (const m of areaMatcher.match(text)) {
      village += m.payload.village;
      urban += m.payload.urban;
    }
    if (village > urban) return 'village';
    if (urban > 0) return 'urban';
    const { lat, lng } = location ?? {};
    if (typeof lat === 'number' && typeof lng === 'number' && lexicon.pointRadiusMetres > 0) {
      let nearest: Point | undefined;
      let distance = lexicon.pointRadiusMetres;
      for (const p of locatedPoints) {
        const d = metresBetween(lat, lng, p.lat!, p.lng!);
        if (d <= distance) {
          nearest = p;
          distance = d;
        }
      }
      if (nearest) return nearest.area;
    }
    return 'urban';
  }

  function explain(input: RoutingInput): RoutingExplanation {
    const address = input.location?.address;
    const text = normalise(address ? `${input.text ?? ''}\n${address}` : (input.text ?? ''));
    const point = input.pointId ? catalog.point(input.pointId) : undefined;
    const area = decideArea(text, point, input.location);

    const n = categories.length;
    const terms = new Float64Array(n);
    const context = new Float64Array(n);
    const bonus = new Float64Array(n);
    const scene = new Float64Array(families.length);
    let generic = 0;
    const matches = evidence.match(text);
    let topical: Array<{ target: number; kind: Kind; weight: number }> | undefined;
    for (const m of matches) {
      for (const c of m.payload) {
        const w = c.weight * m.factor;
        if (c.kind !== Kind.Scene && c.kind !== Kind.Generic && diminishing[c.target])
          (topical ??= []).push({ target: c.target, kind: c.kind, weight: w });
        else if (c.kind === Kind.Scene) scene[c.target]! += w;
        else if (c.kind === Kind.Term) terms[c.target]! += w;
        else if (c.kind === Kind.Context) context[c.target]! += w;
        else generic += w;
      }
    }
    if (topical) {
      // Strongest in full, the next half, then a quarter…, per category.
      topical.sort((a, b) => b.weight - a.weight);
      const seen = new Map<number, number>();
      for (const t of topical) {
        const k = seen.get(t.target) ?? 0;
        seen.set(t.target, k + 1);
        (t.kind === Kind.Term ? terms : context)[t.target]! += t.weight / 2 ** k;
      }
    }
    const chosen = input.category ? index.get(input.category) : undefined;
    if (chosen !== undefined) bonus[chosen]! += lexicon.explicitCategoryWeight;
    const hint = point ? lexicon.pointTypes[point.typeCode] : undefined;
    const hinted = hint ? index.get(hint.category) : undefined;
    if (hint && hinted !== undefined) bonus[families[familyOf[hinted]!]!.top]! += hint.weight;

    const candidates: Array<{ i: number; score: number; lead: string }> = [];
    families.forEach((family, f) => {
      const s = Math.min(scene[f]!, lexicon.sceneCap);
      const own = (i: number) => terms[i]! + bonus[i]!;
      const anchored = s >= lexicon.sceneMin || own(family.top) > 0 || family.subs.some((i) => own(i) > 0);
      if (!anchored) return;
      const topIssue = terms[family.top]! + context[family.top]! + (takesGeneric[family.top] ? generic : 0);
      const subIssues = family.subs.map((i) => terms[i]! + context[i]! + bonus[i]!);
      const hasIssue = topIssue + bonus[family.top]! + subIssues.reduce((a, b) => Math.max(a, b), 0) >= lexicon.issueMin;
      if (!hasIssue) return;
      const base = topIssue + s + bonus[family.top]!;
      const withOwn = family.subs.filter((_, k) => subIssues[k]! > 0);
      const scored = withOwn.length
        ? withOwn.map((i) => ({ i, score: base + subIssues[family.subs.indexOf(i)]! }))
        : [{ i: family.top, score: base }];
      for (const c of scored) {
        const rule = rules[area][c.i];
        if (rule) candidates.push({ ...c, lead: rule.lead });
      }
    });
    candidates.sort((a, b) => b.score - a.score || a.i - b.i);

    const matched = matches.map((m) => ({ phrase: m.phrase, factor: m.factor }));
    const listed = candidates.map((c) => ({ category: categories[c.i]!.code, lead: c.lead, score: Math.round(c.score * 100) / 100 }));
    const best = candidates[0];
    if (!best || best.score <= 0) {
      return {
        suggestion: { category: null, unit: null, cooperating: [], confidence: 0, needsTriage: true },
        area,
        matched,
        candidates: listed,
      };
    }
    const runner = candidates.find((c) => c.lead !== best.lead)?.score ?? 0;
    const strength = 1 - Math.exp(-best.score / lexicon.confidenceScale);
    const confidence = Math.round(strength * (1 - (runner / best.score) ** lexicon.marginExponent) * 1000) / 1000;
    const needsTriage = best.lead === catalog.officeUnitCode || confidence < threshold;
    if (needsTriage) {
      return {
        suggestion: { category: categoryRef(best.i), unit: null, cooperating: [], confidence, needsTriage: true },
        area,
        matched,
        candidates: listed,
      };
    }
    const rule = rules[area][best.i]!;
    const cooperating = [...rule.cooperating];
    if (rule.pointUnitCooperates && point && point.unitCode !== rule.lead && !cooperating.includes(point.unitCode)) {
      cooperating.push(point.unitCode);
    }
    return {
      suggestion: {
        category: categoryRef(best.i),
        unit: unitRef(rule.lead),
        cooperating: cooperating.map(unitRef),
        confidence,
        needsTriage: false,
      },
      area,
      matched,
      candidates: listed,
    };
  }

  return {
    suggest: (input) => explain(input).suggestion,
    explain,
  };
}
