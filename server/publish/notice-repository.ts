// Storage of exposure notices, their tickets and photos, and the units' responses. Explicit
// selects, plain objects out (DESIGN rule 4); read by the console's notices (notices.ts) and the
// public projection (public-projection.ts) alike. Nothing here reads ticket_reporters.
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { NoticeStatus, ResponseStatus } from './notice-schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

export interface NoticeRow {
  id: number;
  slug: string;
  title: string;
  body: string;
  unitCode: string;
  status: NoticeStatus;
  responseDueAt: string;
  createdBy: number | null;
  createdAt: string;
  updatedAt: string;
  publishedAt: string | null;
  /** The last withdrawal (the office's reason), if it was ever withdrawn. */
  withdrawal: { at: string; by: number | null; reason: string } | null;
}

export interface NoticePhotoRow {
  noticeId: number | null;
  responseId: number | null;
  photoId: string;
  kind: 'before' | 'after';
  position: number;
  alt: string | null;
  width: number | null;
  height: number | null;
}

export interface ResponseRow {
  id: number;
  noticeId: number;
  body: string;
  status: ResponseStatus;
  authorId: number | null;
  createdAt: string;
  updatedAt: string;
  submittedAt: string | null;
  reviewedAt: string | null;
  reviewNote: string | null;
  publishedAt: string | null;
}

/** Drafts have no public address yet: a placeholder slug keeps the column unique and not null. */
export const DRAFT_SLUG_PREFIX = 'draft-';

export function publicSlug(slug: string): string | null {
  return slug.startsWith(DRAFT_SLUG_PREFIX) ? null : slug;
}

const NOTICE_COLUMNS = [
  'id',
  'slug',
  'title',
  'body',
  'unit_code',
  'status',
  'response_due_at',
  'created_by',
  'created_at',
  'updated_at',
  'published_at',
  'withdrawn_at',
  'withdrawn_by',
  'withdrawal_reason',
] as const;

function toNotice(r: Pick<Selectable<Database['notices']>, (typeof NOTICE_COLUMNS)[number]>): NoticeRow {
  return {
    id: Number(r.id),
    slug: r.slug,
    title: r.title,
    body: r.body,
    unitCode: r.unit_code,
    status: r.status as NoticeStatus,
    responseDueAt: r.response_due_at,
    createdBy: r.created_by === null ? null : Number(r.created_by),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    publishedAt: r.published_at,
    withdrawal: r.withdrawn_at
      ? { at: r.withdrawn_at, by: r.withdrawn_by === null ? null : Number(r.withdrawn_by), reason: r.withdrawal_reason ?? '' }
      : null,
  };
}

export async function findNotice(db: Db, id: number): Promise<NoticeRow | null> {
  const r = await db.selectFrom('notices').select(NOTICE_COLUMNS).where('id', '=', id).executeTakeFirst();
  return r ? toNotice(r) : null;
}

/** Notices newest first, optionally of some statuses and one unit. */
export async function selectNotices(db: Db, where: { statuses?: readonly NoticeStatus[]; unitCode?: string } = {}): Promise<NoticeRow[]> {
  let q = db.selectFrom('notices').select(NOTICE_COLUMNS);
  if (where.statuses) q = q.where('status', 'in', where.statuses.length > 0 ? [...where.statuses] : ['-']);
  if (where.unitCode) q = q.where('unit_code', '=', where.unitCode);
  const rows = await q.orderBy('id', 'desc').execute();
  return rows.map(toNotice);
}

/** Ticket ids of notices, in the order they were chosen (by ticket id). */
export async function selectNoticeTicketIds(db: Db, noticeIds: readonly number[]): Promise<Map<number, number[]>> {
  const out = new Map<number, number[]>();
  if (noticeIds.length === 0) return out;
  const rows = await db
    .selectFrom('notice_tickets')
    .select(['notice_id', 'ticket_id'])
    .where('notice_id', 'in', [...noticeIds])
    .orderBy('notice_id')
    .orderBy('ticket_id')
    .execute();
  for (const r of rows) {
    const id = Number(r.notice_id);
    let list = out.get(id);
    if (!list) out.set(id, (list = []));
    list.push(Number(r.ticket_id));
  }
  return out;
}

/** Photos of notices (their own, response_id null) and of responses, with the pipeline's dimensions. */
export async function selectNoticePhotos(
  db: Db,
  where: { noticeIds?: readonly number[]; responseIds?: readonly number[] },
): Promise<NoticePhotoRow[]> {
  const noticeIds = where.noticeIds ?? [];
  const responseIds = where.responseIds ?? [];
  if (noticeIds.length === 0 && responseIds.length === 0) return [];
  const rows = await db
    .selectFrom('notice_photos as np')
    .leftJoin('photos as p', 'p.id', 'np.photo_id')
    .select(['np.notice_id', 'np.response_id', 'np.photo_id', 'np.kind', 'np.position', 'np.alt', 'p.width', 'p.height'])
    .where((eb) =>
      eb.or([
        ...(noticeIds.length > 0 ? [eb.and([eb('np.notice_id', 'in', [...noticeIds]), eb('np.response_id', 'is', null)])] : []),
        ...(responseIds.length > 0 ? [eb('np.response_id', 'in', [...responseIds])] : []),
      ]),
    )
    .orderBy('np.position')
    .execute();
  return rows.map((r) => ({
    noticeId: r.notice_id === null ? null : Number(r.notice_id),
    responseId: r.response_id === null ? null : Number(r.response_id),
    photoId: r.photo_id,
    kind: r.kind === 'after' ? 'after' : 'before',
    position: Number(r.position),
    alt: r.alt,
    width: r.width === null ? null : Number(r.width),
    height: r.height === null ? null : Number(r.height),
  }));
}

const RESPONSE_COLUMNS = [
  'id',
  'notice_id',
  'body',
  'status',
  'author_id',
  'created_at',
  'updated_at',
  'submitted_at',
  'reviewed_at',
  'review_note',
  'published_at',
] as const;

/** Each notice's response (one per notice: the unit edits it until it is published), by notice id. */
export async function selectResponses(
  db: Db,
  noticeIds: readonly number[],
  statuses?: readonly ResponseStatus[],
): Promise<Map<number, ResponseRow>> {
  const out = new Map<number, ResponseRow>();
  if (noticeIds.length === 0) return out;
  let q = db
    .selectFrom('notice_responses')
    .select(RESPONSE_COLUMNS)
    .where('notice_id', 'in', [...noticeIds]);
  if (statuses) q = q.where('status', 'in', [...statuses]);
  for (const r of await q.orderBy('id').execute()) {
    out.set(Number(r.notice_id), {
      id: Number(r.id),
      noticeId: Number(r.notice_id),
      body: r.body,
      status: r.status as ResponseStatus,
      authorId: r.author_id === null ? null : Number(r.author_id),
      createdAt: r.created_at,
      updatedAt: r.updated_at,
      submittedAt: r.submitted_at,
      reviewedAt: r.reviewed_at,
      reviewNote: r.review_note,
      publishedAt: r.published_at,
    });
  }
  return out;
}

/** Replaces the photos of a notice (responseId null) or of a response. */
export async function replacePhotos(
  db: Db,
  owner: { noticeId: number; responseId: number | null },
  /** alt: the caption; null for a response photo its unit has not captioned yet. */
  photos: ReadonlyArray<{ id: string; kind: 'before' | 'after'; alt: string | null }>,
): Promise<void> {
  let del = db.deleteFrom('notice_photos');
  del =
    owner.responseId === null
      ? del.where('notice_id', '=', owner.noticeId).where('response_id', 'is', null)
      : del.where('response_id', '=', owner.responseId);
  await del.execute();
  if (photos.length === 0) return;
  await db
    .insertInto('notice_photos')
    .values(
      photos.map((p, position) => ({
        notice_id: owner.noticeId,
        response_id: owner.responseId,
        photo_id: p.id,
        kind: p.kind,
        position,
        alt: p.alt,
      })),
    )
    .execute();
}
