// The zod schemas of the seed data in content/ (units, categories, point types, points, routing
// rules, routing keywords, inspection checklists). One set of schemas serves twice: server/catalog/load-catalog.ts
// validates the files at start with them, and src/content.config.ts hands the entry schemas to
// Astro's content collections, so the public site and the back end read the same shapes.
// Every field says what it means (.describe); content/README.md is the editor's guide.
import { z } from 'zod';

/** Stable machine code: lower-case latin letters, digits and dashes, e.g. "zhujianju". */
const code = z.string().regex(/^[a-z][a-z0-9-]*$/, { error: 'use lower-case latin letters, digits and "-", starting with a letter' });

/** Category code: a top-level code, or "parent.child", e.g. "frontage.lighting". */
const categoryCode = z
  .string()
  .regex(/^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)?$/, { error: 'use "code" or "parent.child" (lower-case latin, digits, "-")' });

const chineseText = z.string().trim().min(1);

const weight = z.number().positive().max(20).describe('Weight of the phrase as evidence (0.5 faint … 5 decisive).');

/** phrase → weight */
const weightedPhrases = z.record(z.string().min(1).describe('A phrase as residents write it.'), weight).describe('Phrase → weight.');

export const unitSchema = z.object({
  code: code.describe('Stable code used in data and URLs, e.g. "zhujianju". Never reused for another unit.'),
  name: chineseText.describe('Official Chinese name, e.g. "临城县住房和城乡建设局".'),
  shortName: chineseText.describe('Short name used in lists, e.g. "县住建局".'),
  kind: z
    .enum(['office', 'department', 'township', 'organisation'])
    .describe(
      'office: the campaign office (exactly one; owns the triage queue); department; township (乡镇); organisation (群团、机关工委).',
    ),
  emails: z
    .array(z.email().describe('A contact mailbox of the unit.'))
    .describe('Mailboxes notified of new tickets; may be empty. Seed data uses @lincheng.example.cn placeholders.'),
});

export const categorySchema = z.object({
  code: categoryCode.describe('Stable code: "market" for a top-level category, "market.hygiene" for a sub-category.'),
  name: chineseText.describe('Chinese name shown to residents, e.g. "门前卫生（包净化）".'),
  parentCode: categoryCode.nullable().describe('Code of the top-level category this belongs to; null for a top-level category.'),
  focus: z
    .number()
    .int()
    .min(1)
    .max(8)
    .nullable()
    .describe('Number (1–8) of the focus problem of DOMAIN.md; null for "other". A sub-category has its parent\'s focus.'),
  deadlineDays: z
    .number()
    .int()
    .min(1)
    .max(90)
    .nullable()
    .describe(
      "Rectification deadline in days when it differs from the default (routing-rules.json); null inherits the parent's or the default.",
    ),
  hint: z.string().trim().describe('One line residents see under the name to help them pick.'),
});

export const pointTypeSchema = z.object({
  code: code.describe('Stable code of the kind of evaluation point (测评点位类型), e.g. "market". Each type is one grid (网格).'),
  name: chineseText.describe('Chinese name, e.g. "集贸市场".'),
});

export const pointSchema = z.object({
  id: code.describe('Stable id of the evaluation point, e.g. "market-xiguan".'),
  name: chineseText.describe('Chinese name residents know the point by.'),
  typeCode: code.describe('Code of its point type (point-types.json).'),
  unitCode: code.describe('Unit responsible for the point (网格责任单位), a code of units.json.'),
  responsiblePerson: chineseText.describe('Named responsible person of the grid (网格责任人). Internal: never published.'),
  area: z.enum(['urban', 'village']).describe('urban: the built-up area (建成区); village: a village (行政村). Routing rules may differ.'),
  address: chineseText.describe('Address as a resident would say it.'),
  lat: z.number().min(-90).max(90).nullable().describe('Latitude (WGS 84), or null when unknown.'),
  lng: z.number().min(-180).max(180).nullable().describe('Longitude (WGS 84), or null when unknown.'),
});

export const routingRuleSchema = z.object({
  category: categoryCode.describe("Category code the rule applies to; sub-categories without their own rule use their parent's."),
  area: z
    .enum(['urban', 'village', 'any'])
    .describe('Area the rule applies to; "any" when the area does not matter. A rule for the exact area wins over "any".'),
  lead: code.describe('Lead unit (牵头单位) code. A rule whose lead is the campaign office sends the report to triage.'),
  cooperating: z.array(code).describe('Cooperating unit (配合单位) codes, in the order they are listed to residents.'),
  pointUnitCooperates: z
    .boolean()
    .optional()
    .describe("When true and a report names a point, the point's responsible unit cooperates too (public-service ads)."),
  note: z.string().optional().describe('Why the rule is what it is, for the office (never shown to residents).'),
});

export const routingRulesFileSchema = z.strictObject({
  defaultDeadlineDays: z.number().int().min(1).max(90).describe('Default rectification deadline in days (7: one week).'),
  rules: z.array(z.strictObject(routingRuleSchema.shape)).describe('Category × area → lead unit + cooperating units.'),
});

export const categoryLexiconSchema = z.strictObject({
  scene: weightedPhrases
    .optional()
    .describe('Top-level categories only: places typical of the family (小区, 菜市场, 胡同…). Count only together with a problem.'),
  terms: weightedPhrases.optional().describe('Phrases that are evidence on their own (闯红灯, 公益广告, 占道经营…).'),
  context: weightedPhrases
    .optional()
    .describe('Phrases that count only when the family is anchored by a scene or a term (垃圾, 路灯, 电动车…).'),
  diminishing: z
    .boolean()
    .optional()
    .describe(
      'Phrases count with diminishing weight (strongest in full, next half, then a quarter…): topic markers whose side mentions in a long report must not add up ("other").',
    ),
  generic: z
    .boolean()
    .optional()
    .describe('Top-level categories: whether the generic problem words (脏, 坏了…) count for the family; default true, false for "other".'),
});

export const routingLexiconSchema = z.strictObject({
  threshold: z.number().min(0).max(1).describe('Confidence below which a report goes to triage (callers may override).'),
  confidenceScale: z.number().positive().describe('Score at which confidence reaches 1 − 1/e ≈ 0.63 when no other unit competes.'),
  marginExponent: z
    .number()
    .positive()
    .describe(
      'Confidence is multiplied by 1 − (runner-up ÷ best)^marginExponent, the runner-up being the best candidate of another lead unit.',
    ),
  sceneCap: z.number().positive().describe('Upper bound of the scene score of one family, so that a list of places is not a problem.'),
  sceneMin: z.number().min(0).describe('Scene score a family needs before its context phrases count.'),
  issueMin: z.number().min(0).describe('Problem evidence a family needs beyond its scene (a place alone is no problem).'),
  explicitCategoryWeight: z.number().min(0).describe('Weight of the category a resident chose explicitly.'),
  fuzzy: z
    .strictObject({
      minLength: z.number().int().min(2).describe('Phrases at least this long also match with one character substituted (typos).'),
      anySubstitutionFrom: z
        .number()
        .int()
        .min(2)
        .describe('From this length on any Han character may be substituted; shorter phrases only with a confusable one.'),
      confusables: z.array(z.string().min(2)).describe('Groups of characters residents confuse when typing (homophones), e.g. "闯创窗".'),
      factor: z.number().min(0).max(1).describe('Weight factor of such a match.'),
    })
    .describe('Tolerant matching of homophone typos.'),
  pointRadiusMetres: z.number().min(0).describe("A location within this distance of a point takes the point's area."),
  boilerplate: z.array(z.string().min(1)).describe('Operator and courtesy phrases removed before matching ("来电人反映" …).'),
  corrections: z
    .record(z.string().min(1), z.string().min(1))
    .describe('Misspelling → spelling, applied before matching ("路登" → "路灯").'),
  neutral: z
    .array(z.string().min(1))
    .describe('Phrases that contain a keyword but are no evidence ("等红灯" is not "闯红灯"); they hide what they contain.'),
  generic: weightedPhrases.describe('General problem words (脏, 坏了, 没人管…), counted for every family anchored by a scene or a term.'),
  area: z
    .strictObject({
      village: weightedPhrases.describe('Words that place the report in a village (村里, 村委会, 新民居…).'),
      urban: weightedPhrases.describe('Words that place it in the built-up area (县城, 商品房…).'),
    })
    .describe('Area evidence: the higher total wins; the built-up area is the default.'),
  pointTypes: z
    .record(
      code.describe('Point type code.'),
      z.strictObject({
        category: categoryCode.describe('Category family a point of this type suggests.'),
        weight: weight,
      }),
    )
    .describe('What naming a point of each type suggests.'),
  categories: z.record(categoryCode, categoryLexiconSchema).describe('Per category code: scene, terms and context phrases.'),
});

export const checklistItemSchema = z.strictObject({
  code: code.describe(
    'Stable code of the item within its point type, e.g. "stalls". Recorded with every inspection result; never reused for another standard.',
  ),
  standard: chineseText
    .max(60)
    .describe('The standard as the inspector reads it on site, one observable line, e.g. "地面无积存垃圾、无污水，排水沟通畅".'),
  category: categoryCode.describe('Category of the ticket a failed item becomes (categories.json).'),
  weight: z
    .number()
    .positive()
    .max(10)
    .default(1)
    .describe("The item's weight in a point's pass rate (1 if left out; 2 for what the evaluation weighs double)."),
});

/** Point type code → the items an inspector checks at a point of that type, in the order walked through. */
export const checklistsFileSchema = z.record(code.describe('Point type code (point-types.json).'), z.array(checklistItemSchema).min(1));

export const unitsFileSchema = z.array(z.strictObject(unitSchema.shape));
export const categoriesFileSchema = z.array(z.strictObject(categorySchema.shape));
export const pointTypesFileSchema = z.array(z.strictObject(pointTypeSchema.shape));
export const pointsFileSchema = z.array(z.strictObject(pointSchema.shape));

/** The files of content/ and what each holds. */
export const CONTENT_FILES = {
  units: 'units.json',
  categories: 'categories.json',
  pointTypes: 'point-types.json',
  points: 'points.json',
  routingRules: 'routing-rules.json',
  routingKeywords: 'routing-keywords.json',
  checklists: 'inspection-checklists.json',
} as const;
