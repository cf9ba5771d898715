// The catalog as the options of the console's filter selects (the office queue and the ledgers):
// one list per kind, so a unit, category or point reads the same in every filter.
import type { Catalog } from '../../../server/catalog/types.ts';
import { CHANNEL_LABELS } from './labels.ts';
import { SOURCE_LABELS } from '../../../server/tickets/ticket-source.ts';
import { categoryOptions } from './queue-filter.ts';

export interface SelectOption {
  value: string;
  label: string;
}

/** Units by their short names. */
export function unitOptions(catalog: Catalog): SelectOption[] {
  return catalog.units.map((u) => ({ value: u.code, label: u.shortName }));
}

/** Each top-level category followed by its sub-categories, indented. */
export function categorySelectOptions(catalog: Catalog): SelectOption[] {
  return categoryOptions(catalog).map((c) => ({ value: c.code, label: c.label }));
}

/** Points grouped by type, each named "type：point". */
export function pointOptions(catalog: Catalog): SelectOption[] {
  const typeNames = new Map(catalog.pointTypes.map((t) => [t.code, t.name]));
  return [...catalog.points]
    .sort((a, b) => a.typeCode.localeCompare(b.typeCode))
    .map((p) => ({ value: p.id, label: `${typeNames.get(p.typeCode) ?? ''}：${p.name}` }));
}

export function pointTypeOptions(catalog: Catalog): SelectOption[] {
  return catalog.pointTypes.map((t) => ({ value: t.code, label: t.name }));
}

export const CHANNEL_OPTIONS: readonly SelectOption[] = Object.entries(CHANNEL_LABELS).map(([value, label]) => ({ value, label }));
/** 来源 (issue 14): residents, the inspection group, the patrol group, media, leaders, NPC/CPPCC. */
export const SOURCE_OPTIONS: readonly SelectOption[] = Object.entries(SOURCE_LABELS).map(([value, label]) => ({ value, label }));
