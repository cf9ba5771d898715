// The county's scoring rules (考核办法) for the units, as content: content/scoring.json gives each
// part of a unit's score its weight (and, for the parts that count events, how many points each
// costs), how many units the red and black lists (红黑榜) name, and the bands (奖金档次) a score
// falls in. Validated at start like the rest of content/ (server/catalog/load-catalog.ts); the
// office changes its rules by editing the file and restarting. content/README.md documents it.
import { z } from 'zod';
import { readContentFile, type ContentTexts } from '../catalog/load-catalog.ts';

export const SCORING_FILE = 'scoring.json';

const weight = z.number().min(0).max(100).describe('Weight of the part in the total (0 leaves the part out).');
const penalty = z.number().min(0).max(100).describe('Points (of 100) each counted event costs the part.');

const ratePart = z.strictObject({ weight });
const countPart = z.strictObject({ weight, penalty });

export const scoringFileSchema = z
  .strictObject({
    parts: z.strictObject({
      onTimeRectification: ratePart.describe('Rectifications struck off in the period that were reported by their deadline.'),
      acknowledgedOnTime: ratePart.describe('Dispatches in the period the unit itself acknowledged (签收) in time.'),
      rework: ratePart.describe('Rework (返工): rectifications sent back, and re-inspections (复查) that found a problem not fixed.'),
      overdue: countPart.describe('Tickets overdue at the end of the period.'),
      exposures: countPart.describe('Exposure notices (曝光) published about the unit in the period.'),
      escalations: z
        .strictObject({
          weight,
          penaltyByLevel: z
            .strictObject({ '1': penalty, '2': penalty, '3': penalty })
            .describe('Points each 通报 (1), 约谈 (2), 问责 (3) costs.'),
        })
        .describe('Escalations (通报、约谈、问责) of the unit in the period.'),
      satisfaction: ratePart.describe('Follow-up calls (回访) of the period in which the caller was satisfied or fairly satisfied.'),
      inspectionPassRate: ratePart.describe(
        "Checklist items passed at the unit's points in the period's inspection rounds, by item weight.",
      ),
    }),
    honourRoll: z.number().int().min(0).max(20).describe('How many units the red list (红榜) names: the best scores.'),
    blackList: z.number().int().min(0).max(20).describe('How many units the black list (黑榜) names: the lowest scores.'),
    bands: z
      .array(z.strictObject({ min: z.number().min(0).max(100), label: z.string().trim().min(1).max(20) }))
      .min(1)
      .describe('Score bands (奖金档次), highest first; a score falls in the first band whose min it reaches.'),
  })
  .superRefine((rules, ctx) => {
    if (Object.values(rules.parts).every((p) => p.weight === 0)) {
      ctx.addIssue({ code: 'custom', path: ['parts'], message: 'at least one part needs a weight above 0' });
    }
    rules.bands.forEach((band, i) => {
      const before = rules.bands[i - 1];
      if (before && band.min >= before.min) {
        ctx.addIssue({ code: 'custom', path: ['bands', i, 'min'], message: 'bands go from the highest min to the lowest' });
      }
    });
    if (rules.bands.at(-1)?.min !== 0) ctx.addIssue({ code: 'custom', path: ['bands'], message: 'the last band must have min 0' });
  });

export type ScoringRules = z.output<typeof scoringFileSchema>;
export type PartCode = keyof ScoringRules['parts'];

/** Reads content/scoring.json (or its stored text); a CatalogError names the file and the field when it is wrong. */
export function loadScoringRules(contentDir: string, texts?: ContentTexts): Promise<ScoringRules> {
  return readContentFile(contentDir, SCORING_FILE, scoringFileSchema, texts);
}
