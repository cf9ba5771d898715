import type { Catalog } from '../catalog/types.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * When rectification is due: one week from dispatch by default (DOMAIN.md), or the category's
 * own number of days when content/ configures one. A sub-category without its own setting
 * inherits its parent's.
 */
export function deadlineFor(catalog: Catalog, categoryCode: string | null, dispatchedAt: Date): Date {
  let days: number | null = null;
  for (let code = categoryCode; code && days === null;) {
    const category = catalog.category(code);
    days = category?.deadlineDays ?? null;
    code = category?.parentCode ?? null;
  }
  return new Date(dispatchedAt.getTime() + (days ?? catalog.defaultDeadlineDays) * DAY_MS);
}

/** What a dispatch sets: when it happened, when the unit must acknowledge it, and the deadline. */
export function dispatchTimes(catalog: Catalog, categoryCode: string | null, now: Date, acknowledgeHours: number) {
  return {
    dispatchedAt: now.toISOString(),
    acknowledgeDueAt: new Date(now.getTime() + acknowledgeHours * 3600_000).toISOString(),
    deadlineAt: deadlineFor(catalog, categoryCode, now).toISOString(),
  };
}
