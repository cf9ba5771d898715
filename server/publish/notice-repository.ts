// Storage of exposure notices, the tickets and photos they are composed from, and the photos they
// show (the units' responses: notice-response-repository.ts). Explicit selects, plain objects out
// (DESIGN rule 4); written by notice-commands.ts, read by the console's notices (notices.ts) and
// the public projection (public-projection.ts) alike. Nothing here reads ticket_reporters.
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Database, NoticeTable } from '../db/schema.ts';
import type { NoticeStatus } from './notice-schema.ts';

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

function toNotice(r: Pick<Selectable<NoticeTable>, (typeof NOTICE_COLUMNS)[number]>): NoticeRow {
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

/** The public slugs already given in a CST month ("2026-12"), withdrawn notices' included. */
export async function slugsOfMonth(db: Db, month: string): Promise<string[]> {
  const rows = await db.selectFrom('notices').select('slug').where('slug', 'like', `${month}-%`).execute();
  return rows.map((r) => r.slug);
}

/** What the office writes into a draft. */
export interface NoticeDraft {
  title: string;
  body: string;
  unitCode: string;
  responseDueAt: string;
}

export async function insertDraft(db: Db, draft: NoticeDraft & { slug: string; createdBy: number; at: string }): Promise<number> {
  const inserted = await db
    .insertInto('notices')
    .values({
      slug: draft.slug,
      title: draft.title,
      body: draft.body,
      unit_code: draft.unitCode,
      status: 'draft',
      response_due_at: draft.responseDueAt,
      created_by: draft.createdBy,
      created_at: draft.at,
      updated_at: draft.at,
      published_at: null,
      published_by: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(inserted.id);
}

export async function updateDraft(db: Db, id: number, draft: NoticeDraft & { at: string }): Promise<void> {
  await db
    .updateTable('notices')
    .set({ title: draft.title, body: draft.body, unit_code: draft.unitCode, response_due_at: draft.responseDueAt, updated_at: draft.at })
    .where('id', '=', id)
    .execute();
}

/** The notice's tickets are exactly these (at least one). */
export async function replaceNoticeTickets(db: Db, noticeId: number, ticketIds: readonly number[]): Promise<void> {
  await db.deleteFrom('notice_tickets').where('notice_id', '=', noticeId).execute();
  await db
    .insertInto('notice_tickets')
    .values(ticketIds.map((ticket_id) => ({ notice_id: noticeId, ticket_id })))
    .execute();
}

export async function markPublished(db: Db, id: number, p: { slug: string; at: string; by: number }): Promise<void> {
  await db
    .updateTable('notices')
    .set({ status: 'published', slug: p.slug, published_at: p.at, published_by: p.by, updated_at: p.at })
    .where('id', '=', id)
    .execute();
}

export async function markWithdrawn(db: Db, id: number, w: { at: string; by: number; reason: string }): Promise<void> {
  await db
    .updateTable('notices')
    .set({ status: 'withdrawn', updated_at: w.at, withdrawn_at: w.at, withdrawn_by: w.by, withdrawal_reason: w.reason })
    .where('id', '=', id)
    .execute();
}

/** The tickets a notice may be composed from, found by their tracking codes. */
export async function selectTicketsByCode(
  db: Db,
  codes: readonly string[],
): Promise<Array<{ id: number; trackingCode: string; leadUnitCode: string | null }>> {
  if (codes.length === 0) return [];
  const rows = await db
    .selectFrom('tickets')
    .select(['id', 'tracking_code', 'lead_unit_code'])
    .where('tracking_code', 'in', [...codes])
    .execute();
  return rows.map((t) => ({ id: Number(t.id), trackingCode: t.tracking_code, leadUnitCode: t.lead_unit_code }));
}

export interface NoticeTicketRow {
  trackingCode: string;
  status: string;
  categoryCode: string | null;
  leadUnitCode: string | null;
}

/** A notice's tickets as the console shows them, by ticket id. */
export async function selectNoticeTickets(db: Db, ticketIds: readonly number[]): Promise<NoticeTicketRow[]> {
  if (ticketIds.length === 0) return [];
  const rows = await db
    .selectFrom('tickets')
    .select(['tracking_code', 'status', 'category_code', 'lead_unit_code'])
    .where('id', 'in', [...ticketIds])
    .orderBy('id')
    .execute();
  return rows.map((t) => ({
    trackingCode: t.tracking_code,
    status: t.status,
    categoryCode: t.category_code,
    leadUnitCode: t.lead_unit_code,
  }));
}

/** The tickets' categories (all that goes public of a ticket), by ticket id; read 500 at a time. */
export async function selectTicketCategories(db: Db, ticketIds: readonly number[]): Promise<Map<number, string | null>> {
  const out = new Map<number, string | null>();
  for (let i = 0; i < ticketIds.length; i += 500) {
    const rows = await db
      .selectFrom('tickets')
      .select(['id', 'category_code'])
      .where('id', 'in', ticketIds.slice(i, i + 500))
      .execute();
    for (const r of rows) out.set(Number(r.id), r.category_code);
  }
  return out;
}

/** The purpose ('report', 'rectification') of each of these photos that belongs to one of the tickets. */
export async function selectTicketPhotoPurposes(
  db: Db,
  photoIds: readonly string[],
  ticketIds: readonly number[],
): Promise<Map<string, string>> {
  if (photoIds.length === 0 || ticketIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('photos')
    .select(['id', 'purpose'])
    .where('id', 'in', [...photoIds])
    .where('ticket_id', 'in', [...ticketIds])
    .execute();
  return new Map(rows.map((r) => [r.id, r.purpose]));
}

/** The tickets' photos, by ticket, reports' before rectifications', each in its order. */
export async function selectTicketPhotos(
  db: Db,
  ticketIds: readonly number[],
): Promise<Array<{ id: string; purpose: string; trackingCode: string }>> {
  if (ticketIds.length === 0) return [];
  const rows = await db
    .selectFrom('photos as p')
    .innerJoin('tickets as t', 't.id', 'p.ticket_id')
    .select(['p.id', 'p.purpose', 't.tracking_code'])
    .where('p.ticket_id', 'in', [...ticketIds])
    .orderBy('p.ticket_id')
    .orderBy('p.purpose', 'desc')
    .orderBy('p.position')
    .execute();
  return rows.map((r) => ({ id: r.id, purpose: r.purpose, trackingCode: r.tracking_code }));
}

/** The name of the staff member (who withdrew a notice), if the account still exists. */
export async function staffDisplayName(db: Db, userId: number): Promise<string | null> {
  const row = await db.selectFrom('users').select('display_name').where('id', '=', userId).executeTakeFirst();
  return row?.display_name ?? null;
}
