// Storage of the units' public responses to notices (one per notice) and of the after-photos they
// may show. Explicit selects, plain objects out (DESIGN rule 4); written by notice-responses.ts,
// read by the console's notices and the public projection alike.
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Database, NoticeResponseTable } from '../db/schema.ts';
import type { ResponseStatus } from './notice-schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

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

function toResponse(r: Pick<Selectable<NoticeResponseTable>, (typeof RESPONSE_COLUMNS)[number]>): ResponseRow {
  return {
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
  };
}

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
  for (const r of await q.orderBy('id').execute()) out.set(Number(r.notice_id), toResponse(r));
  return out;
}

/** The unit's text as saved (and submitted, when `submittedAt` is given). */
export interface ResponseWrite {
  body: string;
  status: ResponseStatus;
  authorId: number;
  at: string;
  submittedAt: string | null;
}

export async function insertResponse(db: Db, noticeId: number, w: ResponseWrite): Promise<number> {
  const inserted = await db
    .insertInto('notice_responses')
    .values({
      notice_id: noticeId,
      body: w.body,
      status: w.status,
      author_id: w.authorId,
      created_at: w.at,
      updated_at: w.at,
      submitted_at: w.submittedAt,
      reviewed_by: null,
      reviewed_at: null,
      review_note: null,
      published_at: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(inserted.id);
}

/** Saves the text again; an unsubmitted save keeps the earlier submission time. */
export async function updateResponse(db: Db, id: number, w: ResponseWrite): Promise<void> {
  await db
    .updateTable('notice_responses')
    .set({
      body: w.body,
      status: w.status,
      author_id: w.authorId,
      updated_at: w.at,
      ...(w.submittedAt !== null && { submitted_at: w.submittedAt }),
    })
    .where('id', '=', id)
    .execute();
}

/** The office's review: published (the note cleared) or returned with its note. */
export async function recordReview(
  db: Db,
  id: number,
  review: { by: number; at: string } & ({ decision: 'publish' } | { decision: 'return'; note: string }),
): Promise<void> {
  const reviewed = { reviewed_by: review.by, reviewed_at: review.at, updated_at: review.at };
  await db
    .updateTable('notice_responses')
    .set(
      review.decision === 'publish'
        ? { ...reviewed, status: 'published', published_at: review.at, review_note: null }
        : { ...reviewed, status: 'returned', review_note: review.note },
    )
    .where('id', '=', id)
    .execute();
}

/**
 * Whether every photo may be shown with this response: uploaded for a rectification, attached
 * to no ticket, and shown with no notice and no other response.
 */
export async function afterPhotosAvailable(db: Db, ids: readonly string[], responseId: number | null): Promise<boolean> {
  if (ids.length === 0) return true;
  const free = await db
    .selectFrom('photos')
    .select('id')
    .where('id', 'in', [...ids])
    .where('purpose', '=', 'rectification')
    .where('ticket_id', 'is', null)
    .execute();
  const used = await db
    .selectFrom('notice_photos')
    .select('photo_id')
    .where('photo_id', 'in', [...ids])
    .where((eb) => (responseId !== null ? eb.or([eb('response_id', 'is', null), eb('response_id', '!=', responseId)]) : eb.lit(true)))
    .execute();
  return free.length === ids.length && used.length === 0;
}
