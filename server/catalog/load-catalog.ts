// Loads the catalog (units, categories, point types, points, routing rules and keywords, inspection
// checklists) from content/ at start, validates every file with the schemas of ./schema.ts, cross-checks the
// references between them, and builds the lookups the rest of the back end uses. Anything wrong
// stops the start with an error that names the file, the entry and the field, so the office can
// fix its edit: a rule naming an unknown unit must never silently route reports nowhere.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { z } from 'zod';
import {
  CONTENT_FILES,
  categoriesFileSchema,
  pointsFileSchema,
  pointTypesFileSchema,
  checklistsFileSchema,
  routingLexiconSchema,
  routingRulesFileSchema,
  unitsFileSchema,
} from './schema.ts';
import type { Area, Catalog, Category, ChecklistItem, Point, PointType, RoutingLexicon, RoutingRule, Unit } from './types.ts';

/** A content file is wrong. The message names the file, the entry and the field. */
export class CatalogError extends Error {
  override name = 'CatalogError';
}

type Path = readonly PropertyKey[];

/** "entry #3 (code "zhujianju")" for arrays of entries, the key path otherwise. */
function describeEntry(data: unknown, at: Path): string {
  const [first, ...rest] = at;
  if (typeof first === 'number' && Array.isArray(data)) {
    const entry: unknown = data[first];
    const key =
      entry && typeof entry === 'object'
        ? ['code', 'id', 'category'].map((k) => [k, (entry as Record<string, unknown>)[k]] as const).find(([, v]) => typeof v === 'string')
        : undefined;
    const who = key ? ` (${key[0]} "${String(key[1])}")` : '';
    return `entry #${first + 1}${who}${rest.length ? `, field "${rest.map(String).join('.')}"` : ''}`;
  }
  if (first === 'rules' && typeof rest[0] === 'number' && data && typeof data === 'object') {
    return describeEntry((data as { rules?: unknown }).rules, rest).replace(/^entry/, 'rule');
  }
  return at.length ? `field "${at.map(String).join('.')}"` : 'the file';
}

function fail(file: string, where: string, message: string): never {
  throw new CatalogError(`${file}: ${where}: ${message}`);
}

/**
 * The text of content files by name (units.json …), as stored with a content version in the
 * database (server/content/). Given to a loader instead of reading the folder, so every process
 * checks and uses the same bytes; the folder's path only names the file in messages.
 */
export type ContentTexts = ReadonlyMap<string, string>;

async function readText(file: string, name: string, texts?: ContentTexts): Promise<string> {
  if (texts) {
    const text = texts.get(name);
    if (text === undefined) throw new CatalogError(`${file}: cannot read the file: file not found`);
    return text;
  }
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (error as Error).message;
    throw new CatalogError(`${file}: cannot read the file: ${reason}`);
  }
}

async function readJson(dir: string, name: string, texts?: ContentTexts): Promise<{ file: string; data: unknown }> {
  const file = path.join(dir, name);
  const text = await readText(file, name, texts);
  try {
    return { file, data: JSON.parse(text) as unknown };
  } catch (error) {
    throw new CatalogError(`${file}: not valid JSON: ${(error as Error).message}`);
  }
}

function parse<S extends z.ZodType>(schema: S, file: string, data: unknown): z.output<S> {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const [issue] = result.error.issues;
  if (!issue) fail(file, 'the file', 'invalid content');
  const at = issue.code === 'unrecognized_keys' ? [...issue.path, ...issue.keys.slice(0, 1)] : issue.path;
  const message = issue.code === 'unrecognized_keys' ? `unknown field (misspelt?): ${issue.keys.join(', ')}` : issue.message;
  fail(file, describeEntry(data, at), message);
}

/**
 * One content file read (from `dir`, or from `texts` when given) and checked with its schema; a
 * CatalogError names the file, the entry and the field.
 */
export async function readContentFile<S extends z.ZodType>(
  dir: string,
  name: string,
  schema: S,
  texts?: ContentTexts,
): Promise<z.output<S>> {
  const { file, data } = await readJson(dir, name, texts);
  return parse(schema, file, data);
}

function uniqueBy<T>(file: string, items: readonly T[], key: (item: T) => string, label: string): Map<string, T> {
  const map = new Map<string, T>();
  items.forEach((item, i) => {
    const k = key(item);
    if (map.has(k)) fail(file, `entry #${i + 1} (${label} "${k}")`, `duplicate ${label}: "${k}" is already used by an earlier entry`);
    map.set(k, item);
  });
  return map;
}

/**
 * Reads and checks content/ (the folder `dir`, or the stored `texts` of its files, named as in
 * `dir`). Throws CatalogError naming the file, the entry and the field when anything is wrong;
 * the caller (server start, `npm run content:load`) stops then.
 */
export async function loadCatalog(dir: string, texts?: ContentTexts): Promise<Catalog> {
  const read = (name: string) => readJson(dir, name, texts);
  // Read in parallel, but report the first broken file in a fixed order, so the message an
  // office sees does not depend on which read happened to finish first.
  const results = await Promise.allSettled([
    read(CONTENT_FILES.units),
    read(CONTENT_FILES.categories),
    read(CONTENT_FILES.pointTypes),
    read(CONTENT_FILES.points),
    read(CONTENT_FILES.routingRules),
    read(CONTENT_FILES.routingKeywords),
    read(CONTENT_FILES.checklists),
  ]);
  const broken = results.find((r) => r.status === 'rejected');
  if (broken) throw broken.reason;
  const [unitsFile, categoriesFile, pointTypesFile, pointsFile, rulesFile, keywordsFile, checklistsFile] = results.map(
    (r) => (r as PromiseFulfilledResult<{ file: string; data: unknown }>).value,
  ) as [
    { file: string; data: unknown },
    { file: string; data: unknown },
    { file: string; data: unknown },
    { file: string; data: unknown },
    { file: string; data: unknown },
    { file: string; data: unknown },
    { file: string; data: unknown },
  ];

  // Each file on its own.
  const units: Unit[] = parse(unitsFileSchema, unitsFile.file, unitsFile.data);
  const categories: Category[] = parse(categoriesFileSchema, categoriesFile.file, categoriesFile.data);
  const pointTypes: PointType[] = parse(pointTypesFileSchema, pointTypesFile.file, pointTypesFile.data);
  const points: Point[] = parse(pointsFileSchema, pointsFile.file, pointsFile.data).map((p) => ({ ...p, area: p.area as Area }));
  const rulesData = parse(routingRulesFileSchema, rulesFile.file, rulesFile.data);
  const lexicon: RoutingLexicon = parse(routingLexiconSchema, keywordsFile.file, keywordsFile.data);
  const checklists: Record<string, ChecklistItem[]> = parse(checklistsFileSchema, checklistsFile.file, checklistsFile.data);
  const rules: RoutingRule[] = rulesData.rules.map((r) => ({
    category: r.category,
    area: r.area,
    lead: r.lead,
    cooperating: r.cooperating,
    ...(r.pointUnitCooperates !== undefined && { pointUnitCooperates: r.pointUnitCooperates }),
    ...(r.note !== undefined && { note: r.note }),
  }));

  // Uniqueness and references between files.
  const unitByCode = uniqueBy(unitsFile.file, units, (u) => u.code, 'code');
  const offices = units.filter((u) => u.kind === 'office');
  if (offices.length !== 1) {
    fail(unitsFile.file, 'field "kind"', `exactly one unit must be of kind "office" (the campaign office); found ${offices.length}`);
  }
  const officeUnitCode = offices[0]!.code;

  const categoryByCode = uniqueBy(categoriesFile.file, categories, (c) => c.code, 'code');
  categories.forEach((c, i) => {
    const where = `entry #${i + 1} (code "${c.code}")`;
    if (c.parentCode === null) {
      if (c.code.includes('.'))
        fail(categoriesFile.file, `${where}, field "parentCode"`, 'a code with "." is a sub-category and needs its parentCode');
      return;
    }
    const parent = categoryByCode.get(c.parentCode);
    if (!parent) fail(categoriesFile.file, `${where}, field "parentCode"`, `unknown category "${c.parentCode}"`);
    if (parent.parentCode !== null)
      fail(categoriesFile.file, `${where}, field "parentCode"`, `"${parent.code}" is itself a sub-category; only two levels are allowed`);
    if (!c.code.startsWith(`${parent.code}.`))
      fail(categoriesFile.file, `${where}, field "code"`, `a sub-category of "${parent.code}" must be coded "${parent.code}.…"`);
    if (c.focus !== parent.focus)
      fail(categoriesFile.file, `${where}, field "focus"`, `must equal the focus of its parent "${parent.code}" (${String(parent.focus)})`);
  });

  const pointTypeByCode = uniqueBy(pointTypesFile.file, pointTypes, (t) => t.code, 'code');
  const pointById = uniqueBy(pointsFile.file, points, (p) => p.id, 'id');
  points.forEach((p, i) => {
    const where = `entry #${i + 1} (id "${p.id}")`;
    if (!pointTypeByCode.has(p.typeCode))
      fail(pointsFile.file, `${where}, field "typeCode"`, `unknown point type "${p.typeCode}" (see ${CONTENT_FILES.pointTypes})`);
    if (!unitByCode.has(p.unitCode))
      fail(pointsFile.file, `${where}, field "unitCode"`, `unknown unit "${p.unitCode}" (see ${CONTENT_FILES.units})`);
    if ((p.lat === null) !== (p.lng === null)) fail(pointsFile.file, `${where}, field "lat"`, 'give both lat and lng, or neither');
  });

  const ruleKeys = new Set<string>();
  rules.forEach((r, i) => {
    const where = `rule #${i + 1} (category "${r.category}", area "${r.area}")`;
    if (!categoryByCode.has(r.category))
      fail(rulesFile.file, `${where}, field "category"`, `unknown category "${r.category}" (see ${CONTENT_FILES.categories})`);
    if (!unitByCode.has(r.lead)) fail(rulesFile.file, `${where}, field "lead"`, `unknown unit "${r.lead}" (see ${CONTENT_FILES.units})`);
    r.cooperating.forEach((u, j) => {
      if (!unitByCode.has(u))
        fail(rulesFile.file, `${where}, field "cooperating.${j}"`, `unknown unit "${u}" (see ${CONTENT_FILES.units})`);
      if (u === r.lead) fail(rulesFile.file, `${where}, field "cooperating.${j}"`, `"${u}" is already the lead unit`);
    });
    if (new Set(r.cooperating).size !== r.cooperating.length)
      fail(rulesFile.file, `${where}, field "cooperating"`, 'a unit is listed twice');
    const key = `${r.category}|${r.area}`;
    if (ruleKeys.has(key)) fail(rulesFile.file, where, 'duplicate rule: an earlier rule has the same category and area');
    ruleKeys.add(key);
  });
  // Every category must route somewhere in both areas, through its own rule or its parent's.
  for (const c of categories) {
    for (const area of ['urban', 'village'] as const) {
      let found = false;
      for (let code: string | null = c.code; code && !found; code = categoryByCode.get(code)?.parentCode ?? null) {
        found = ruleKeys.has(`${code}|${area}`) || ruleKeys.has(`${code}|any`);
      }
      if (!found)
        fail(
          rulesFile.file,
          'field "rules"',
          `no rule routes category "${c.code}" in area "${area}" (add one for it or its parent, area "${area}" or "any")`,
        );
    }
  }

  const kw = keywordsFile.file;
  for (const [code, entry] of Object.entries(lexicon.categories)) {
    const category = categoryByCode.get(code);
    if (!category) fail(kw, `field "categories.${code}"`, `unknown category "${code}" (see ${CONTENT_FILES.categories})`);
    if (entry.scene && category.parentCode !== null)
      fail(kw, `field "categories.${code}.scene"`, 'scenes belong to top-level categories only');
  }
  for (const [typeCode, hint] of Object.entries(lexicon.pointTypes)) {
    if (!pointTypeByCode.has(typeCode))
      fail(kw, `field "pointTypes.${typeCode}"`, `unknown point type "${typeCode}" (see ${CONTENT_FILES.pointTypes})`);
    if (!categoryByCode.has(hint.category)) fail(kw, `field "pointTypes.${typeCode}.category"`, `unknown category "${hint.category}"`);
  }

  checkChecklists(checklistsFile.file, checklists, pointTypeByCode, categoryByCode);

  return Object.freeze({
    units: Object.freeze(units),
    categories: Object.freeze(categories),
    pointTypes: Object.freeze(pointTypes),
    points: Object.freeze(points),
    rules: Object.freeze(rules),
    officeUnitCode,
    defaultDeadlineDays: rulesData.defaultDeadlineDays,
    lexicon,
    unit: (code: string) => unitByCode.get(code),
    category: (code: string) => categoryByCode.get(code),
    point: (id: string) => pointById.get(id),
    checklist: (pointTypeCode: string) => checklists[pointTypeCode] ?? [],
  });
}

/** Every point type has its checklist; each names a known type and known categories, each item code once. */
function checkChecklists(
  file: string,
  checklists: Record<string, ChecklistItem[]>,
  pointTypes: ReadonlyMap<string, PointType>,
  categories: ReadonlyMap<string, Category>,
): void {
  for (const [typeCode, items] of Object.entries(checklists)) {
    if (!pointTypes.has(typeCode)) fail(file, `field "${typeCode}"`, `unknown point type "${typeCode}" (see ${CONTENT_FILES.pointTypes})`);
    const seen = new Set<string>();
    items.forEach((item, i) => {
      const where = `field "${typeCode}", item #${i + 1} (code "${item.code}")`;
      if (seen.has(item.code)) fail(file, where, `duplicate code: "${item.code}" is already used by an earlier item of "${typeCode}"`);
      seen.add(item.code);
      if (!categories.has(item.category))
        fail(file, `${where}, field "category"`, `unknown category "${item.category}" (see ${CONTENT_FILES.categories})`);
    });
  }
  for (const typeCode of pointTypes.keys()) {
    if (!Object.hasOwn(checklists, typeCode))
      fail(file, 'the file', `no checklist for point type "${typeCode}": add the items an inspector checks at such a point`);
  }
}
