// The office queue's filters as a plain GET form: what the URL says, checked against the catalog
// (an unknown value is ignored, never passed on), and the list filter it becomes.
import type { Catalog } from '../../../server/catalog/types.ts';
import type { TicketFilter } from '../../../server/staff/ticket-queries.ts';
import {
  DEADLINE_RUNNING_STATUSES,
  OFFICE_QUEUE_STATUSES,
  STATUSES,
  STATUS_LABELS,
  type Status,
} from '../../../server/tickets/lifecycle.ts';
import { CHANNEL_LABELS } from './labels.ts';
import { SOURCES, type Source } from '../../../server/tickets/ticket-source.ts';

export const PAGE_SIZE = 50;

/** Presets first, then every single status. */
export const STATUS_CHOICES: Array<{ value: string; label: string; statuses: Status[] | null }> = [
  { value: 'all', label: '全部状态', statuses: null },
  // 待分派: new, returned (退单) and reopened tickets; 办理中: with a unit, not yet reported.
  { value: 'triage', label: '待分派', statuses: [...OFFICE_QUEUE_STATUSES] },
  { value: 'verify', label: '待核验', statuses: ['reported'] },
  { value: 'open', label: '办理中', statuses: [...DEADLINE_RUNNING_STATUSES] },
  ...STATUSES.map((s) => ({ value: s, label: STATUS_LABELS[s], statuses: [s] })),
];

export interface QueueForm {
  status: string;
  unit: string;
  category: string;
  point: string;
  channel: string;
  /** 来源 (media, leader …); empty: any. */
  source: string;
  overdue: boolean;
  q: string;
  page: number;
}

/** With no parameters at all the queue opens on 待分派, the office's work. */
export function readQueueForm(params: URLSearchParams, catalog: Catalog): QueueForm {
  const fresh = [...params.keys()].length === 0;
  const status = params.get('status') ?? (fresh ? 'triage' : 'all');
  const page = Number.parseInt(params.get('page') ?? '1', 10);
  const pick = (name: string, known: (v: string) => boolean) => {
    const v = (params.get(name) ?? '').trim();
    return v && known(v) ? v : '';
  };
  return {
    status: STATUS_CHOICES.some((c) => c.value === status) ? status : 'all',
    unit: pick('unit', (v) => catalog.unit(v) !== undefined),
    category: pick('category', (v) => catalog.category(v) !== undefined),
    point: pick('point', (v) => catalog.point(v) !== undefined),
    channel: pick('channel', (v) => v in CHANNEL_LABELS),
    source: pick('source', (v) => (SOURCES as readonly string[]).includes(v)),
    overdue: params.get('overdue') === '1',
    q: (params.get('q') ?? '').trim().slice(0, 100),
    page: Number.isFinite(page) && page >= 1 && page <= 10_000 ? page : 1,
  };
}

export function toFilter(form: QueueForm): TicketFilter {
  const statuses = STATUS_CHOICES.find((c) => c.value === form.status)?.statuses ?? null;
  return {
    ...(statuses && { statuses }),
    ...(form.unit && { unitCode: form.unit }),
    ...(form.category && { categoryCode: form.category }),
    ...(form.point && { pointId: form.point }),
    ...(form.channel && { channel: form.channel }),
    ...(form.source && { source: form.source as Source }),
    ...(form.overdue && { overdue: true }),
    ...(form.q && { search: form.q }),
    limit: PAGE_SIZE,
    offset: (form.page - 1) * PAGE_SIZE,
  };
}

/** The query string of the form, for paging links (the page itself replaced). */
export function queueHref(form: QueueForm, page: number): string {
  const p = new URLSearchParams();
  p.set('status', form.status);
  if (form.unit) p.set('unit', form.unit);
  if (form.category) p.set('category', form.category);
  if (form.point) p.set('point', form.point);
  if (form.channel) p.set('channel', form.channel);
  if (form.source) p.set('source', form.source);
  if (form.overdue) p.set('overdue', '1');
  if (form.q) p.set('q', form.q);
  if (page > 1) p.set('page', String(page));
  return `/console?${p.toString()}`;
}

/** Categories as select options: each top level followed by its sub-categories, indented. */
export function categoryOptions(catalog: Catalog): Array<{ code: string; label: string }> {
  const out: Array<{ code: string; label: string }> = [];
  for (const top of catalog.categories.filter((c) => c.parentCode === null)) {
    out.push({ code: top.code, label: top.name });
    for (const sub of catalog.categories.filter((c) => c.parentCode === top.code)) out.push({ code: sub.code, label: `　${sub.name}` });
  }
  return out;
}
