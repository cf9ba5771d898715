// The ledgers' filter forms as plain GET forms: the query string read into the shape of the
// ledger's zod schema (server/ledgers/ledger-filters.ts), validated by that schema, its Chinese
// messages kept per field; and the links that carry the same filter (pages, downloads).
import type { z } from 'zod';
import { PAGE_SIZE_DEFAULT } from '../../../../server/ledgers/ledger-filters.ts';

/** How a form field travels in the query string. */
export type FieldKind =
  /** One value; empty means "any". */
  | 'text'
  /** A checkbox: "1" is true, absent is "any". */
  | 'flag'
  /** "yes" / "no" / empty, for a tri-state select. */
  | 'yesNo'
  /** A whole number (page, page size). */
  | 'int'
  /** Repeated parameter (checkboxes of one name). */
  | 'list';

export type FieldSpec = Readonly<Record<string, FieldKind>>;

export interface FilterForm<F> {
  /** What the form shows again: the values as sent. */
  values: Record<string, string>;
  lists: Record<string, string[]>;
  /** The validated filter; null when a field is wrong. */
  filter: F | null;
  /** Field name → the schema's Chinese message. */
  errors: Record<string, string>;
}

/** Names of the fields in the error summary. */
export const FIELD_LABELS: Readonly<Record<string, string>> = {
  unitCode: '责任单位',
  typeCode: '点位类型',
  area: '区域',
  hasOpenProblems: '未办结问题',
  statuses: '办理状态',
  includeCooperating: '含配合单位',
  categoryCode: '问题类别',
  pointId: '测评点位',
  channel: '来源渠道',
  source: '问题来源',
  supervisedOnly: '只看督办',
  dateFrom: '开始日期',
  dateTo: '结束日期',
  overdueOnly: '只看逾期',
  outcome: '核验结果',
  page: '页码',
  pageSize: '每页条数',
  month: '月份',
};

/**
 * What to say when a hand-edited address gives a field a value of the wrong type (zod's own
 * message, "无效输入：期望 boolean…", names no field) or the schema has no Chinese message.
 */
const FALLBACK_MESSAGES: Readonly<Record<string, string>> = {
  hasOpenProblems: '未办结问题的选项不正确',
  includeCooperating: '“含配合单位”的选项不正确',
  overdueOnly: '“只看逾期”的选项不正确',
  area: '区域不正确',
  page: '页码应为从 1 开始的整数',
  pageSize: '每页条数不正确',
};

const CJK = /[\u4e00-\u9fff]/;

/** Reads the query string as the schema's input and validates it. */
export function readFilterForm<S extends z.ZodType>(
  schema: S,
  params: URLSearchParams,
  spec: FieldSpec,
  /** Fields the user may not set (a unit's own unit is forced by the server). */
  omit: readonly string[] = [],
): FilterForm<z.output<S>> {
  const values: Record<string, string> = {};
  const lists: Record<string, string[]> = {};
  const raw: Record<string, unknown> = {};
  for (const [name, kind] of Object.entries(spec)) {
    if (omit.includes(name)) continue;
    if (kind === 'list') {
      const all = params
        .getAll(name)
        .map((v) => v.trim())
        .filter(Boolean);
      lists[name] = all;
      if (all.length > 0) raw[name] = all;
      continue;
    }
    const v = (params.get(name) ?? '').trim().slice(0, 200);
    values[name] = v;
    if (v === '') continue;
    switch (kind) {
      case 'text':
        raw[name] = v;
        break;
      case 'flag':
        if (v === '1' || v === 'true' || v === 'on') raw[name] = true;
        else if (v !== '0' && v !== 'false') raw[name] = v; // the schema refuses it
        break;
      case 'yesNo':
        raw[name] = v === 'yes' ? true : v === 'no' ? false : v;
        break;
      case 'int':
        raw[name] = /^\d{1,6}$/.test(v) ? Number(v) : v;
        break;
    }
  }
  const parsed = schema.safeParse(raw);
  if (parsed.success) return { values, lists, filter: parsed.data, errors: {} };
  const errors: Record<string, string> = {};
  for (const issue of parsed.error.issues) {
    const field = String(issue.path[0] ?? '');
    if (errors[field]) continue;
    // A value of the wrong type gets zod's own words ("无效输入：期望 boolean…"): say ours for the field.
    const fallback = FALLBACK_MESSAGES[field];
    const own = issue.code !== 'invalid_type' && CJK.test(issue.message) ? issue.message : undefined;
    errors[field] = own ?? fallback ?? (CJK.test(issue.message) ? issue.message : `${FIELD_LABELS[field] ?? '筛选条件'}不正确`);
  }
  return { values, lists, filter: null, errors };
}

/** The filter as a query string again (for paging links), in the form's own encoding. */
export function filterParams(filter: Record<string, unknown>, spec: FieldSpec): URLSearchParams {
  const p = new URLSearchParams();
  for (const [name, kind] of Object.entries(spec)) {
    const v = filter[name];
    if (v === undefined || v === null) continue;
    if (kind === 'list' && Array.isArray(v)) for (const item of v) p.append(name, String(item));
    else if (kind === 'flag') {
      if (v === true) p.set(name, '1');
    } else if (kind === 'yesNo') p.set(name, v ? 'yes' : 'no');
    else p.set(name, String(v));
  }
  return p;
}

/** The page `page` of the same filter. */
export function pageHref(path: string, filter: Record<string, unknown>, spec: FieldSpec, page: number): string {
  const p = filterParams({ ...filter, page: page > 1 ? page : undefined }, spec);
  const qs = p.toString();
  return qs ? `${path}?${qs}` : path;
}

/** Where a paged ledger stands, with the links to its other pages (same filter). */
export interface Paging {
  page: number;
  pages: number;
  href: (page: number) => string;
}

export function pagingOf(
  result: { total: number; page: number; pageSize: number },
  path: string,
  filter: Record<string, unknown>,
  spec: FieldSpec,
): Paging {
  return {
    page: result.page,
    pages: Math.max(1, Math.ceil(result.total / result.pageSize)),
    href: (page) => pageHref(path, filter, spec, page),
  };
}

/** The 每页 select: the usual sizes and the one asked for (a hand-edited address), in order. */
export function pageSizeChoice(values: Record<string, string>): { value: string; options: Array<{ value: string; label: string }> } {
  const value = values['pageSize'] || String(PAGE_SIZE_DEFAULT);
  const sizes = [...new Set(['20', '50', '100', '200', value])].sort((a, b) => Number(a) - Number(b));
  return { value, options: sizes.map((n) => ({ value: n, label: `${n} 条` })) };
}

export type LedgerName = 'points' | 'problems' | 'rectifications';

/**
 * The download address of a ledger with the same filter as JSON (server/http/ledger-downloads.ts);
 * paging is left out: a download has every matching row.
 */
export function downloadHref(ledger: LedgerName, format: 'xlsx' | 'csv', filter: Record<string, unknown>): string {
  const { page: _page, pageSize: _pageSize, ...rest } = filter;
  const clean = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
  const base = `/api/ledgers/${ledger}.${format}`;
  return Object.keys(clean).length > 0 ? `${base}?filter=${encodeURIComponent(JSON.stringify(clean))}` : base;
}

/** The ids of the error summary's links: each field's input. */
export function fieldId(field: string): string {
  return `lf-${field}`;
}

/** A field's control as the form shows it again: `<FilterSelect {...formField(form, 'area')} …>`. */
export function formField(
  form: Pick<FilterForm<unknown>, 'values' | 'errors'>,
  name: string,
): { id: string; name: string; value: string | undefined; error: string | undefined } {
  return { id: fieldId(name), name, value: form.values[name], error: form.errors[name] };
}

/** The error summary's entries in the order of the form. */
export function errorList(errors: Record<string, string>, spec: FieldSpec): Array<{ field: string; label: string; message: string }> {
  const order = [...Object.keys(spec), ...Object.keys(errors)];
  return [...new Set(order)]
    .filter((f) => errors[f])
    .map((field) => ({ field, label: FIELD_LABELS[field] ?? '筛选条件', message: errors[field]! }));
}
