// Astro content collections over the seed data in content/ — the same JSON files and the same
// zod schemas the server validates them with at start (server/catalog/schema.ts), so the public
// pages and the back end cannot disagree about a unit's name or a category's hint.
// Routing rules and keywords are not collections: only the server reads them.
import { defineCollection } from 'astro:content';
import { file } from 'astro/loaders';
import { categorySchema, pointSchema, pointTypeSchema, unitSchema } from '../server/catalog/schema.ts';

/** The files key their entries by `code`; Astro's file loader wants an `id`. */
function keyedByCode(text: string): Array<Record<string, unknown>> {
  return (JSON.parse(text) as Array<Record<string, unknown>>).map((entry) => ({ ...entry, id: String(entry['code']) }));
}

export const collections = {
  units: defineCollection({
    loader: file('content/units.json', { parser: keyedByCode }),
    schema: unitSchema,
  }),
  categories: defineCollection({
    loader: file('content/categories.json', { parser: keyedByCode }),
    schema: categorySchema,
  }),
  pointTypes: defineCollection({
    loader: file('content/point-types.json', { parser: keyedByCode }),
    schema: pointTypeSchema,
  }),
  points: defineCollection({
    loader: file('content/points.json'),
    // The grid's responsible person is internal (DESIGN rule 5): it never enters the site build.
    schema: pointSchema.omit({ responsiblePerson: true }),
  }),
};
