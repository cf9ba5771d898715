// What the ticket page shows under each timeline entry: the data worth a person's attention from
// the event (docs/decisions/003-staff-side.md lists what each action records) — chosen against
// suggested unit and category on dispatch, the unit's hint on a return, dates of an extension,
// the rectification text with its photos, the ticket a duplicate went into.
import type { Catalog } from '../../../server/catalog/types.ts';
import type { TicketDetail } from '../../../server/staff/ticket-queries.ts';
import { channelLabel, percent } from './labels.ts';
import { shortDate } from './time.ts';

type Entry = TicketDetail['timeline'][number];

export interface EntryDetails {
  facts: Array<{ term: string; text: string; href?: string; note?: string }>;
  /** The rectification report, shown as written. */
  text: string | null;
  photos: Array<{ url: string; thumbUrl: string }>;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);

export function entryDetails(entry: Entry, catalog: Catalog, afterPhotos: TicketDetail['photos']['after']): EntryDetails {
  const d = entry.data;
  const unit = (code: unknown) => {
    const c = str(code);
    return c ? (catalog.unit(c)?.name ?? c) : null;
  };
  const category = (code: unknown) => {
    const c = str(code);
    return c ? (catalog.category(c)?.name ?? c) : null;
  };
  const out: EntryDetails = { facts: [], text: null, photos: [] };
  switch (entry.action) {
    case 'submit': {
      out.facts.push({ term: '来源', text: channelLabel(String(d['channel'] ?? '')) });
      const routing = d['routing'] as
        { unit?: { name?: string } | null; category?: { name?: string } | null; confidence?: number; needsTriage?: boolean } | undefined;
      if (routing) {
        const parts = [routing.unit?.name ?? (routing.needsTriage ? '需人工分派' : null), routing.category?.name]
          .filter(Boolean)
          .join(' · ');
        out.facts.push({
          term: '系统建议',
          text: `${parts || '无'}${typeof routing.confidence === 'number' ? `（匹配度 ${percent(routing.confidence)}）` : ''}`,
        });
      }
      break;
    }
    case 'dispatch':
    case 'reassign': {
      const chosenUnit = unit(d['leadUnitCode']);
      const suggested = d['suggested'] as { unitCode?: string | null; categoryCode?: string | null } | undefined;
      if (chosenUnit) out.facts.push({ term: '派往', text: chosenUnit });
      const coop = Array.isArray(d['cooperatingUnitCodes']) ? (d['cooperatingUnitCodes'] as unknown[]).map(unit).filter(Boolean) : [];
      if (coop.length > 0) out.facts.push({ term: '配合单位', text: coop.join('、') });
      const chosenCategory = category(d['categoryCode']);
      if (chosenCategory) out.facts.push({ term: '类别', text: chosenCategory });
      if (str(d['deadlineAt'])) out.facts.push({ term: '整改期限', text: shortDate(String(d['deadlineAt'])) });
      const remarks = str(d['dispatchRemarks']);
      if (remarks) out.facts.push({ term: '交办意见', text: remarks });
      if (suggested) {
        const sUnit = unit(suggested.unitCode);
        const sCategory = category(suggested.categoryCode);
        const differs =
          (suggested.unitCode ?? null) !== (str(d['leadUnitCode']) ?? null) ||
          (suggested.categoryCode && suggested.categoryCode !== str(d['categoryCode']));
        out.facts.push({
          term: '系统建议',
          text: [sUnit ?? '没有建议单位', sCategory].filter(Boolean).join(' · '),
          // Without a suggested unit the text says so already.
          ...(sUnit && { note: differs ? '与系统建议不同' : '与系统建议一致' }),
        });
      }
      break;
    }
    case 'acceptOnBehalf': {
      const forUnit = unit(d['unitCode']);
      if (forUnit) out.facts.push({ term: '代为签收的单位', text: forUnit });
      break;
    }
    case 'return': {
      const hint = unit(d['suggestedUnitCode']);
      if (str(d['returnedBy'])) out.facts.push({ term: '退单单位', text: unit(d['returnedBy']) ?? '' });
      out.facts.push({ term: '建议改派', text: hint ?? '未提出' });
      break;
    }
    case 'requestExtension':
      if (str(d['requestedDeadlineAt'])) out.facts.push({ term: '申请延至', text: shortDate(String(d['requestedDeadlineAt'])) });
      break;
    case 'approveExtension':
      if (str(d['deadlineAt'])) out.facts.push({ term: '新的整改期限', text: shortDate(String(d['deadlineAt'])) });
      break;
    case 'reportRectification': {
      out.text = str(d['text']);
      const noPhotoReason = str(d['noPhotoReason']);
      if (noPhotoReason) out.facts.push({ term: '拍不了照片的原因', text: noPhotoReason });
      const ids = Array.isArray(d['photoIds']) ? (d['photoIds'] as unknown[]).filter((x): x is string => typeof x === 'string') : [];
      out.photos = ids.flatMap((id) => afterPhotos.filter((p) => p.url.includes(id)));
      break;
    }
    case 'merge': {
      const code = str(d['mergedIntoCode']);
      if (code) out.facts.push({ term: '并入工单', text: code, href: `/console/tickets/${encodeURIComponent(code)}` });
      break;
    }
  }
  return out;
}
