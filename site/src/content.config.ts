// Content collections of the public site: the public-service ads (公益广告) the office edits in
// content/ads/, and the points and categories they refer to (the same files and schemas the
// server reads, server/catalog/schema.ts). CONTENT_DIR is made absolute by site/astro.config.mjs.
import { defineCollection, reference } from 'astro:content';
import { file, glob } from 'astro/loaders';
import { z } from 'astro/zod';
import { categorySchema, pointSchema } from '../../server/catalog/schema.ts';

const contentDir = process.env['CONTENT_DIR'] ?? '../content';

/** content/categories.json keys its entries by `code`; Astro's file loader wants an `id`. */
function keyedByCode(text: string): Array<Record<string, unknown>> {
  return (JSON.parse(text) as Array<Record<string, unknown>>).map((entry) => ({ ...entry, id: String(entry['code']) }));
}

/** A day written 2026-12-01 (YAML reads it as a date). */
const day = z.coerce.date({ error: '日期写成 2026-12-01' });

export const collections = {
  points: defineCollection({
    loader: file(`${contentDir}/points.json`),
    // The grid's responsible person is internal (DESIGN rule 5): it never enters the site build.
    schema: pointSchema.omit({ responsiblePerson: true }),
  }),
  categories: defineCollection({
    loader: file(`${contentDir}/categories.json`, { parser: keyedByCode }),
    schema: categorySchema,
  }),
  /**
   * One Markdown file per ad in content/ads/ (the file name is the ad's address, /ads/<name>/);
   * the body is the ad's text. Images are local files (content/ads/images/), paths relative to
   * the ad's file, published through Astro's image pipeline (AVIF/WebP, several widths).
   */
  ads: defineCollection({
    loader: glob({ base: `${contentDir}/ads`, pattern: '*.md' }),
    schema: ({ image }) =>
      z.object({
        /** The ad's title as printed, e.g. 讲文明 树新风. */
        title: z.string().min(1),
        /** Theme (主题), e.g. 文明风尚, 文明交通, 历史文化, 环境卫生. */
        theme: z.string().min(1),
        /** One line for lists and the page description. */
        summary: z.string().min(1),
        /** The designs, first one shown in the gallery; `alt` says what the picture shows. */
        images: z.array(z.object({ src: image(), alt: z.string().min(1, '每张图片都要写替代文字 alt') })).min(1, '至少一张图片'),
        /** Where it is put up: a point of content/points.json, how many boards/posters, and where exactly. */
        placements: z
          .array(
            z.object({
              point: reference('points'),
              quantity: z.number().int().positive(),
              /** e.g. 东门内侧围墙. */
              location: z.string().min(1).optional(),
            }),
          )
          .min(1, '至少一个投放点位'),
        /** First day up. */
        startDate: day,
        /** Last day up, if the campaign ends; absent for a permanent ad. */
        endDate: day.optional(),
        /** Who designed or provided it (设计/提供单位), optional. */
        source: z.string().min(1).optional(),
      }),
  }),
};
