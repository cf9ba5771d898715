// Public-service ads (公益广告) as the pages show them: the collection, newest first, and the
// categories a resident picks to report a damaged or missing ad at one of its points.
import { getCollection, getEntry, type CollectionEntry } from 'astro:content';

export type Ad = CollectionEntry<'ads'>;

export async function adsNewestFirst(): Promise<Ad[]> {
  const ads = await getCollection('ads');
  return ads.sort((a, b) => b.data.startDate.getTime() - a.data.startDate.getTime() || a.id.localeCompare(b.id));
}

/** The PSA sub-categories of content/categories.json the report links fill in; a missing one stops the build. */
export async function psaReportCategories(): Promise<{ damaged: string; missing: string }> {
  const damaged = await getEntry('categories', 'psa.damaged');
  const missing = await getEntry('categories', 'psa.missing');
  if (!damaged || !missing)
    throw new Error('content/categories.json must have the categories psa.damaged and psa.missing (ad report links)');
  return { damaged: damaged.data.code, missing: missing.data.code };
}

/** The report form, opened with the point and the category filled in. */
export function reportUrl(pointId: string, category: string): string {
  return `/report?${new URLSearchParams({ point: pointId, category }).toString()}`;
}

/** "2026-09-01" for a YAML date. */
export function isoDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}
