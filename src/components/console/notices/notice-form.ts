// The console's notice forms (plain POST forms, they work without JavaScript) turned into the
// notice schemas' input (server/publish/notice-schema.ts); the domain validates them again.
import type { NoticeDraftInput } from '../../../../server/publish/notice-schema.ts';

const CST_OFFSET_MS = 8 * 3600_000;

/** "2026-12-08" (a CST date from <input type="date">) → the end of that day in Lincheng, as ISO with offset. */
export function dueFromDate(date: string): string {
  return /^\d{4}-\d{2}-\d{2}$/.test(date) ? `${date}T23:59:59+08:00` : date;
}

/** The CST date of an instant, for <input type="date">. */
export function dateOf(iso: string): string {
  const d = new Date(Date.parse(iso) + CST_OFFSET_MS);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString().slice(0, 10);
}

/** A week from now (CST date): the default response deadline offered on a new notice. */
export function defaultDueDate(now = new Date()): string {
  return dateOf(new Date(now.getTime() + 7 * 24 * 3600_000).toISOString());
}

/** Tracking codes typed one per line, or separated by spaces, commas or 、. */
export function trackingCodesOf(text: string): string[] {
  return text
    .split(/[\s,，;；、]+/)
    .map((c) => c.trim())
    .filter(Boolean);
}

/** The compose/edit form: fields, and the photos ticked (`photo` = "kind:id") with their alt texts (`alt-<id>`). */
export function noticeDraftFromForm(form: FormData, id?: number): NoticeDraftInput {
  const photos = form
    .getAll('photo')
    .map(String)
    .map((value) => {
      const [kind, photoId = ''] = value.split(':');
      return {
        id: photoId,
        kind: kind === 'after' ? ('after' as const) : ('before' as const),
        alt: String(form.get(`alt-${photoId}`) ?? ''),
      };
    });
  return {
    ...(id !== undefined && { id }),
    trackingCodes: trackingCodesOf(String(form.get('trackingCodes') ?? '')),
    title: String(form.get('title') ?? ''),
    body: String(form.get('body') ?? ''),
    unitCode: String(form.get('unitCode') ?? '') || null,
    responseDueAt: dueFromDate(String(form.get('responseDue') ?? '')),
    photos,
  };
}

/** The photos ticked on the compose/edit form and the caption typed for each, by photo id (to show them again after a refusal). */
export function pickedPhotos(form: FormData): Map<string, string> {
  return new Map((noticeDraftFromForm(form).photos ?? []).map((p) => [p.id, p.alt]));
}

/**
 * The schema's messages about photos' captions ("photos.2.alt": the third photo sent) by photo
 * id, for the form that sent them: `ids` are the photos in the order the form sent them.
 */
export function captionErrors(ids: readonly string[], fields: Record<string, string>): Map<string, string> {
  const out = new Map<string, string>();
  ids.forEach((id, i) => {
    const message = fields[`photos.${i}.alt`];
    if (message) out.set(id, message);
  });
  return out;
}

/** The unit's response form: its text, the after-photos kept (`keep`) with their captions (`alt-<id>`, absent when empty). */
export function responsePhotosFromForm(form: FormData): Array<{ id: string; alt?: string }> {
  return form
    .getAll('keep')
    .map(String)
    .map((id) => {
      const alt = String(form.get(`alt-${id}`) ?? '').trim();
      return alt ? { id, alt } : { id };
    });
}
