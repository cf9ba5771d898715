// Names for codes, from the catalog. A code the catalog no longer knows (a unit renamed away, a
// category removed) shows as itself rather than breaking a ledger of older tickets.
import { CHANNEL_LABELS, type Channel } from '../tickets/channels.ts';
import type { Area, Catalog } from '../catalog/types.ts';

export interface UnitLabel {
  code: string;
  /** Official name, e.g. "临城县住房和城乡建设局". */
  name: string;
  /** Short name used in lists and exports, e.g. "县住建局". */
  shortName: string;
}

export interface CategoryLabel {
  code: string;
  name: string;
}

export interface PointLabel {
  id: string;
  name: string;
}

export const AREA_LABELS: Readonly<Record<Area, string>> = {
  urban: '建成区',
  village: '行政村',
};

/** Group label for tickets no unit holds (the campaign office's triage queue). */
export const NO_UNIT_LABEL = '待分派（创城办）';
export const NO_CATEGORY_LABEL = '未分类';

export function createLabels(catalog: Catalog) {
  return {
    unit(code: string | null): UnitLabel | null {
      if (code === null) return null;
      const unit = catalog.unit(code);
      return { code, name: unit?.name ?? code, shortName: unit?.shortName ?? code };
    },
    category(code: string | null): CategoryLabel | null {
      if (code === null) return null;
      return { code, name: catalog.category(code)?.name ?? code };
    },
    /** The top-level category (one of the eight focus problems, or "other") a category belongs to. */
    topCategory(code: string | null): CategoryLabel | null {
      let current = code === null ? undefined : catalog.category(code);
      while (current?.parentCode) current = catalog.category(current.parentCode) ?? undefined;
      return current ? { code: current.code, name: current.name } : code === null ? null : { code, name: code };
    },
    point(id: string | null): PointLabel | null {
      if (id === null) return null;
      return { id, name: catalog.point(id)?.name ?? id };
    },
    channel(code: string): string {
      return CHANNEL_LABELS[code as Channel] ?? code;
    },
    /** A category and every category under it. */
    withSubcategories(code: string): string[] {
      const out = [code];
      for (let i = 0; i < out.length; i++) {
        for (const c of catalog.categories) if (c.parentCode === out[i]) out.push(c.code);
      }
      return out;
    },
  };
}

export type Labels = ReturnType<typeof createLabels>;
