// Exposure notices (曝光) and the exposed units' public responses (公开回应), issue 6.
//
// The office (admin, dispatcher) composes a notice from one or more tickets: title, text, photos
// chosen from those tickets (before = the residents' 'report' photos, after = the units'
// 'rectification' photos, each with an alt text), the responsible unit (by default the tickets'
// lead unit) and a response deadline. It saves a draft, edits it, publishes it — the notice gets
// its public address, a slug "2026-12-001" (CST month of publication and a running number in
// that month, never reused) — and may withdraw it. Publishing and withdrawing queue a rebuild of
// the public site in the same transaction (requestBuild), so a notice is never published without
// its rebuild being asked for. A withdrawn notice can be edited and published again (same slug).
//
// Units see the published (and withdrawn) notices about themselves, never drafts. Their staff
// write one response per notice (text, after-photos uploaded through /api/uploads?purpose=
// rectification and referenced by id), save it and submit it; the office publishes it (a rebuild
// again) or returns it with a note, and the unit edits and submits again. A published response
// is final. Leaders read everything and change nothing; hotline operators have no notices.
//
// Response overdue: a published notice whose response deadline has passed with no published
// response. The public site shows it (public-projection.ts); the console lists it.
//
// Exposed three or more times in a row (DOMAIN.md: accountability for inaction, 问责): a unit's
// published notices (withdrawn ones do not count), ordered by publication, form runs; a run
// breaks when more than ESCALATION_RESET_DAYS (90 by default, the escalation ladder's reset
// setting) pass between one notice and the next, and the current run has ended when that long
// has passed since its last notice. A unit whose current run holds three or more notices is
// flagged for the office (`flaggedUnits`). The rule mirrors the escalation ladder's restart.
import type { Kysely, Transaction } from 'kysely';
import { randomBytes } from 'node:crypto';
import type { Catalog } from '../catalog/types.ts';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/schema.ts';
import { chinaDate, DAY_MS } from '../china-time.ts';
import { ConflictError, ForbiddenError, InvalidInputError, NotFoundError } from '../errors.ts';
import { isOffice, type StaffUser } from '../auth/roles.ts';
import { fieldErrors } from '../intake/report-schema.ts';
import { STATUS_LABELS, type Status } from '../tickets/lifecycle.ts';
import { normalizeTrackingCode } from '../tickets/tracking-code.ts';
import type { z } from '../validation.ts';
import { requestBuild } from './publishing.ts';
import {
  DRAFT_SLUG_PREFIX,
  findNotice,
  publicSlug,
  replacePhotos,
  selectNoticePhotos,
  selectNotices,
  selectNoticeTicketIds,
  selectResponses,
  type NoticePhotoRow,
  type NoticeRow,
  type ResponseRow,
} from './notice-repository.ts';
import {
  NOTICE_STATUS_LABELS,
  RESPONSE_STATUS_LABELS,
  noticeDraftSchema,
  noticeListFilterSchema,
  noticeWithdrawSchema,
  responseDraftSchema,
  responseReviewSchema,
  type NoticeDraftInput,
  type NoticeListFilter,
  type NoticeStatus,
  type NoticeWithdrawInput,
  type ResponseDraftInput,
  type ResponseReviewInput,
  type ResponseStatus,
} from './notice-schema.ts';

/** Default days between two notices of a unit after which "in a row" starts again (ESCALATION_RESET_DAYS). */
export const ESCALATION_RESET_DAYS = 90;
/** Notices in a row that flag a unit for accountability (DOMAIN.md). */
export const EXPOSURES_IN_A_ROW = 3;

type Db = Kysely<Database> | Transaction<Database>;

export interface NoticeDeps {
  db: Kysely<Database>;
  catalog: Catalog;
  clock: Clock;
  photoUrls(id: string): { url: string; thumbUrl: string };
  /** ESCALATION_RESET_DAYS; 90 by default. */
  resetDays?: number;
}

export interface UnitName {
  code: string;
  name: string;
  shortName: string;
}

export interface NoticeSummary {
  id: number;
  /** The public address's slug; null for a draft never published. */
  slug: string | null;
  title: string;
  status: NoticeStatus;
  statusLabel: string;
  unit: UnitName;
  responseDueAt: string;
  createdAt: string;
  updatedAt: string;
  publishedAt: string | null;
  ticketCount: number;
  response: { status: ResponseStatus; statusLabel: string } | null;
  /** Published, deadline passed, no published response. */
  responseOverdue: boolean;
}

export interface NoticePhotoView {
  id: string;
  kind: 'before' | 'after';
  alt: string;
  url: string;
  thumbUrl: string;
}

export interface NoticeDetail extends NoticeSummary {
  body: string;
  tickets: Array<{
    trackingCode: string;
    status: Status;
    statusLabel: string;
    category: string | null;
    leadUnitCode: string | null;
  }>;
  photos: NoticePhotoView[];
  /** The tickets' photos the office may choose from (office only; empty for others). */
  candidatePhotos: Array<{ id: string; kind: 'before' | 'after'; trackingCode: string; url: string; thumbUrl: string }>;
  responseDetail: {
    body: string;
    status: ResponseStatus;
    statusLabel: string;
    photos: NoticePhotoView[];
    updatedAt: string;
    submittedAt: string | null;
    reviewedAt: string | null;
    reviewNote: string | null;
    publishedAt: string | null;
  } | null;
  /** The last withdrawal, with the name of who withdrew it (office only; null for others). */
  withdrawal: { at: string; byName: string | null; reason: string } | null;
  /** What this user may do with it now. */
  can: { edit: boolean; publish: boolean; withdraw: boolean; respond: boolean; review: boolean };
}

export interface FlaggedUnit {
  unit: UnitName;
  /** Notices in the current run (three or more). */
  inARow: number;
  notices: Array<{ id: number; slug: string; title: string; publishedAt: string }>;
}

function parse<S extends z.ZodType>(schema: S, raw: unknown): z.output<S> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const fields = fieldErrors(parsed.error);
    throw new InvalidInputError(Object.values(fields)[0] ?? '提交的内容有误', fields);
  }
  return parsed.data;
}

function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  return e?.code === '23505' || (typeof e?.message === 'string' && /UNIQUE constraint failed/i.test(e.message));
}

/** The next public slug of a CST month: "2026-12-001", "2026-12-002" … (withdrawn ones keep theirs). */
async function nextSlug(db: Db, at: Date): Promise<string> {
  const prefix = chinaDate(at).slice(0, 7);
  const rows = await db.selectFrom('notices').select('slug').where('slug', 'like', `${prefix}-%`).execute();
  const max = rows.reduce((n, r) => Math.max(n, Number(/-(\d+)$/.exec(r.slug)?.[1] ?? 0)), 0);
  return `${prefix}-${String(max + 1).padStart(3, '0')}`;
}

/** Runs of a unit's published notices (oldest first): the current run, or [] when it has ended. */
export function currentRun<N extends { publishedAt: string }>(published: readonly N[], now: Date, resetDays: number): N[] {
  const limit = resetDays * DAY_MS;
  const sorted = [...published].sort((a, b) => Date.parse(a.publishedAt) - Date.parse(b.publishedAt));
  let run: N[] = [];
  for (const n of sorted) {
    const last = run.at(-1);
    if (last && Date.parse(n.publishedAt) - Date.parse(last.publishedAt) > limit) run = [];
    run.push(n);
  }
  const last = run.at(-1);
  return last && now.getTime() - Date.parse(last.publishedAt) <= limit ? run : [];
}

export function createNotices(deps: NoticeDeps) {
  const { db, catalog, clock, photoUrls } = deps;
  const resetDays = deps.resetDays ?? ESCALATION_RESET_DAYS;

  function unitName(code: string): UnitName {
    const u = catalog.unit(code);
    return { code, name: u?.name ?? code, shortName: u?.shortName ?? code };
  }

  function mayRead(user: StaffUser): void {
    if (user.role === 'operator') throw new ForbiddenError('热线话务员账号不能查看曝光');
    if (user.role === 'unit' && !user.unitCode) throw new ForbiddenError('账号未绑定责任单位，不能查看曝光');
  }

  function officeOnly(user: StaffUser): void {
    if (!isOffice(user)) throw new ForbiddenError(user.role === 'leader' ? '您的账号为只读账号，不能办理曝光' : '曝光由创城办编辑和发布');
  }

  /** The notice if this user may see it; otherwise the same "not found" as an unknown id. */
  async function noticeFor(trx: Db, user: StaffUser, id: number): Promise<NoticeRow> {
    mayRead(user);
    const notice = await findNotice(trx, id);
    const visible = notice && (user.role !== 'unit' || (notice.unitCode === user.unitCode && notice.status !== 'draft'));
    if (!notice || !visible) throw new NotFoundError('没有找到这条曝光');
    return notice;
  }

  function overdue(notice: NoticeRow, response: ResponseRow | undefined, now: Date): boolean {
    return notice.status === 'published' && response?.status !== 'published' && Date.parse(notice.responseDueAt) < now.getTime();
  }

  function summary(n: NoticeRow, ticketCount: number, response: ResponseRow | undefined, now: Date): NoticeSummary {
    return {
      id: n.id,
      slug: publicSlug(n.slug),
      title: n.title,
      status: n.status,
      statusLabel: NOTICE_STATUS_LABELS[n.status] ?? n.status,
      unit: unitName(n.unitCode),
      responseDueAt: n.responseDueAt,
      createdAt: n.createdAt,
      updatedAt: n.updatedAt,
      publishedAt: n.publishedAt,
      ticketCount,
      response: response ? { status: response.status, statusLabel: RESPONSE_STATUS_LABELS[response.status] ?? response.status } : null,
      responseOverdue: overdue(n, response, now),
    };
  }

  async function list(user: StaffUser, rawFilter: NoticeListFilter = {}): Promise<NoticeSummary[]> {
    mayRead(user);
    const filter = parse(noticeListFilterSchema, rawFilter);
    const unitScope = user.role === 'unit' ? user.unitCode! : filter.unitCode;
    const statuses: NoticeStatus[] | undefined =
      user.role === 'unit'
        ? (filter.status ? [filter.status] : (['published', 'withdrawn'] as NoticeStatus[])).filter((s) => s !== 'draft')
        : filter.status
          ? [filter.status]
          : undefined;
    const notices = await selectNotices(db, { ...(statuses && { statuses }), ...(unitScope && { unitCode: unitScope }) });
    const ids = notices.map((n) => n.id);
    const [tickets, responses] = await Promise.all([selectNoticeTicketIds(db, ids), selectResponses(db, ids)]);
    const now = clock.now();
    return notices.map((n) => summary(n, tickets.get(n.id)?.length ?? 0, responses.get(n.id), now));
  }

  function photoView(p: NoticePhotoRow): NoticePhotoView {
    return { id: p.photoId, kind: p.kind, alt: p.alt ?? '', ...photoUrls(p.photoId) };
  }

  async function detail(user: StaffUser, id: number): Promise<NoticeDetail> {
    const notice = await noticeFor(db, user, id);
    const [ticketIds, responses] = await Promise.all([selectNoticeTicketIds(db, [id]), selectResponses(db, [id])]);
    const ids = ticketIds.get(id) ?? [];
    const response = responses.get(id);
    const [tickets, photos, candidates] = await Promise.all([
      ids.length === 0
        ? []
        : db
            .selectFrom('tickets')
            .select(['id', 'tracking_code', 'status', 'category_code', 'lead_unit_code'])
            .where('id', 'in', ids)
            .orderBy('id')
            .execute(),
      selectNoticePhotos(db, { noticeIds: [id], ...(response && { responseIds: [response.id] }) }),
      isOffice(user) && ids.length > 0
        ? db
            .selectFrom('photos as p')
            .innerJoin('tickets as t', 't.id', 'p.ticket_id')
            .select(['p.id', 'p.purpose', 't.tracking_code'])
            .where('p.ticket_id', 'in', ids)
            .orderBy('p.ticket_id')
            .orderBy('p.purpose', 'desc')
            .orderBy('p.position')
            .execute()
        : [],
    ]);
    const now = clock.now();
    const office = isOffice(user);
    const ownUnit = user.role === 'unit' && user.unitCode === notice.unitCode;
    const withdrawnBy =
      office && notice.withdrawal?.by != null
        ? await db.selectFrom('users').select('display_name').where('id', '=', notice.withdrawal.by).executeTakeFirst()
        : undefined;
    const responseOpen = !response || response.status === 'draft' || response.status === 'returned';
    return {
      ...summary(notice, ids.length, response, now),
      body: notice.body,
      tickets: tickets.map((t) => ({
        trackingCode: t.tracking_code,
        status: t.status as Status,
        statusLabel: STATUS_LABELS[t.status as Status] ?? t.status,
        category: t.category_code ? (catalog.category(t.category_code)?.name ?? t.category_code) : null,
        leadUnitCode: t.lead_unit_code,
      })),
      photos: photos.filter((p) => p.responseId === null).map(photoView),
      candidatePhotos: candidates.map((c) => ({
        id: c.id,
        kind: c.purpose === 'rectification' ? ('after' as const) : ('before' as const),
        trackingCode: c.tracking_code,
        ...photoUrls(c.id),
      })),
      responseDetail: response
        ? {
            body: response.body,
            status: response.status,
            statusLabel: RESPONSE_STATUS_LABELS[response.status] ?? response.status,
            photos: photos.filter((p) => p.responseId === response.id).map(photoView),
            updatedAt: response.updatedAt,
            submittedAt: response.submittedAt,
            reviewedAt: response.reviewedAt,
            reviewNote: response.reviewNote,
            publishedAt: response.publishedAt,
          }
        : null,
      withdrawal:
        office && notice.withdrawal
          ? { at: notice.withdrawal.at, byName: withdrawnBy?.display_name ?? null, reason: notice.withdrawal.reason }
          : null,
      can: {
        edit: office && notice.status !== 'published',
        publish: office && notice.status !== 'published',
        withdraw: office && notice.status === 'published',
        respond: ownUnit && notice.status === 'published' && responseOpen,
        review: office && notice.status === 'published' && response?.status === 'submitted',
      },
    };
  }

  /** Tickets by tracking code, checked; the photos chosen must be theirs and of the right kind. */
  async function resolveDraft(trx: Db, input: z.output<typeof noticeDraftSchema>) {
    const codes = [...new Set(input.trackingCodes.map((c) => normalizeTrackingCode(c) ?? c.trim().toUpperCase()))];
    const tickets = await trx
      .selectFrom('tickets')
      .select(['id', 'tracking_code', 'lead_unit_code'])
      .where('tracking_code', 'in', codes)
      .execute();
    const missing = codes.filter((c) => !tickets.some((t) => t.tracking_code === c));
    if (missing.length > 0)
      throw new InvalidInputError(`没有找到工单 ${missing.join('、')}`, { trackingCodes: `没有找到工单 ${missing.join('、')}` });
    const ticketIds = tickets.map((t) => Number(t.id));

    let unitCode = input.unitCode?.trim() || null;
    if (!unitCode) {
      // The tickets' lead unit: the one leading most of them (the first named on a tie).
      const counts = new Map<string, number>();
      for (const c of codes) {
        const lead = tickets.find((t) => t.tracking_code === c)?.lead_unit_code;
        if (lead) counts.set(lead, (counts.get(lead) ?? 0) + 1);
      }
      unitCode =
        [...counts.entries()].reduce<[string, number] | null>((best, e) => (!best || e[1] > best[1] ? e : best), null)?.[0] ?? null;
      if (!unitCode) throw new InvalidInputError('这些工单尚未分派责任单位，请选择曝光的责任单位', { unitCode: '请选择责任单位' });
    }
    if (!catalog.unit(unitCode)) throw new InvalidInputError('所选单位不存在', { unitCode: '所选单位不存在' });

    const photoIds = [...new Set(input.photos.map((p) => p.id))];
    if (photoIds.length !== input.photos.length) throw new InvalidInputError('同一张照片选了两次', { photos: '同一张照片选了两次' });
    if (photoIds.length > 0) {
      const rows = await trx
        .selectFrom('photos')
        .select(['id', 'purpose'])
        .where('id', 'in', photoIds)
        .where('ticket_id', 'in', ticketIds)
        .execute();
      const purpose = new Map(rows.map((r) => [r.id, r.purpose]));
      for (const p of input.photos) {
        const want = p.kind === 'before' ? 'report' : 'rectification';
        if (purpose.get(p.id) !== want) {
          const message = purpose.has(p.id)
            ? p.kind === 'before'
              ? '整改前照片只能选群众反映时上传的照片'
              : '整改后照片只能选责任单位上报的整改照片'
            : '所选照片不属于这些工单';
          throw new InvalidInputError(message, { photos: message });
        }
      }
    }
    return { ticketIds, unitCode };
  }

  async function saveDraft(user: StaffUser, raw: NoticeDraftInput): Promise<NoticeDetail> {
    officeOnly(user);
    const input = parse(noticeDraftSchema, raw);
    const now = clock.now().toISOString();
    const id = await db.transaction().execute(async (trx) => {
      const { ticketIds, unitCode } = await resolveDraft(trx, input);
      let noticeId: number;
      if (input.id === undefined) {
        const inserted = await trx
          .insertInto('notices')
          .values({
            slug: `${DRAFT_SLUG_PREFIX}${randomBytes(8).toString('hex')}`,
            title: input.title,
            body: input.body,
            unit_code: unitCode,
            status: 'draft',
            response_due_at: new Date(input.responseDueAt).toISOString(),
            created_by: user.id,
            created_at: now,
            updated_at: now,
            published_at: null,
            published_by: null,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        noticeId = Number(inserted.id);
      } else {
        const existing = await findNotice(trx, input.id);
        if (!existing) throw new NotFoundError('没有找到这条曝光');
        if (existing.status === 'published') throw new ConflictError('已发布的曝光不能修改，请先撤回再修改');
        noticeId = existing.id;
        await trx
          .updateTable('notices')
          .set({
            title: input.title,
            body: input.body,
            unit_code: unitCode,
            response_due_at: new Date(input.responseDueAt).toISOString(),
            updated_at: now,
          })
          .where('id', '=', noticeId)
          .execute();
        await trx.deleteFrom('notice_tickets').where('notice_id', '=', noticeId).execute();
      }
      await trx
        .insertInto('notice_tickets')
        .values(ticketIds.map((ticket_id) => ({ notice_id: noticeId, ticket_id })))
        .execute();
      await replacePhotos(trx, { noticeId, responseId: null }, input.photos);
      return noticeId;
    });
    return detail(user, id);
  }

  async function publish(user: StaffUser, id: number): Promise<NoticeDetail> {
    officeOnly(user);
    const at = clock.now();
    // Two publications in the same month at once may pick the same number: the unique slug
    // refuses the second, which then takes the next number.
    for (let attempt = 0; ; attempt++) {
      try {
        await db.transaction().execute(async (trx) => {
          const notice = await findNotice(trx, id);
          if (!notice) throw new NotFoundError('没有找到这条曝光');
          if (notice.status === 'published') throw new ConflictError('这条曝光已经发布');
          if (Date.parse(notice.responseDueAt) <= at.getTime())
            throw new InvalidInputError('回应期限应晚于发布时间，请修改后再发布', { responseDueAt: '回应期限应晚于发布时间' });
          const slug = publicSlug(notice.slug) ?? (await nextSlug(trx, at));
          await trx
            .updateTable('notices')
            .set({ status: 'published', slug, published_at: at.toISOString(), published_by: user.id, updated_at: at.toISOString() })
            .where('id', '=', id)
            .execute();
          await requestBuild(trx, `notice:${id} published`, at);
        });
        break;
      } catch (err) {
        if (attempt >= 4 || !isUniqueViolation(err)) throw err;
      }
    }
    return detail(user, id);
  }

  async function withdraw(user: StaffUser, raw: NoticeWithdrawInput): Promise<NoticeDetail> {
    officeOnly(user);
    const { id, reason } = parse(noticeWithdrawSchema, raw);
    const at = clock.now();
    await db.transaction().execute(async (trx) => {
      const notice = await findNotice(trx, id);
      if (!notice) throw new NotFoundError('没有找到这条曝光');
      if (notice.status !== 'published') throw new ConflictError('只有已发布的曝光可以撤回');
      await trx
        .updateTable('notices')
        .set({
          status: 'withdrawn',
          updated_at: at.toISOString(),
          withdrawn_at: at.toISOString(),
          withdrawn_by: user.id,
          withdrawal_reason: reason,
        })
        .where('id', '=', id)
        .execute();
      await requestBuild(trx, `notice:${id} withdrawn`, at);
    });
    return detail(user, id);
  }

  /** The unit's response saved (and submitted, when `submit`): its own unit's published notice, response not yet submitted or published. */
  async function writeResponse(user: StaffUser, raw: ResponseDraftInput, submit: boolean): Promise<NoticeDetail> {
    if (user.role !== 'unit') throw new ForbiddenError('公开回应由被曝光单位的工作人员填写');
    const input = parse(responseDraftSchema, raw);
    const at = clock.now().toISOString();
    await db.transaction().execute(async (trx) => {
      const notice = await noticeFor(trx, user, input.noticeId);
      if (notice.status !== 'published') throw new ConflictError('这条曝光已撤回，不能再回应');
      const existing = (await selectResponses(trx, [notice.id])).get(notice.id);
      if (existing?.status === 'submitted') throw new ConflictError('回应已提交，正在等待创城办审核');
      if (existing?.status === 'published') throw new ConflictError('回应已公开，不能再修改');

      // After-photos: uploaded for a rectification, not attached to a ticket, not shown with another response.
      const ids = [...new Set(input.photos.map((p) => p.id))];
      if (ids.length > 0) {
        const free = await trx
          .selectFrom('photos')
          .select('id')
          .where('id', 'in', ids)
          .where('purpose', '=', 'rectification')
          .where('ticket_id', 'is', null)
          .execute();
        const used = await trx
          .selectFrom('notice_photos')
          .select('photo_id')
          .where('photo_id', 'in', ids)
          .where((eb) => (existing ? eb.or([eb('response_id', 'is', null), eb('response_id', '!=', existing.id)]) : eb.lit(true)))
          .execute();
        if (free.length !== ids.length || used.length > 0)
          throw new InvalidInputError('有整改后照片已失效，请重新上传', { photos: '有整改后照片已失效，请重新上传' });
      }

      const status: ResponseStatus = submit ? 'submitted' : (existing?.status ?? 'draft');
      let responseId: number;
      if (existing) {
        responseId = existing.id;
        await trx
          .updateTable('notice_responses')
          .set({ body: input.body, status, author_id: user.id, updated_at: at, ...(submit && { submitted_at: at }) })
          .where('id', '=', responseId)
          .execute();
      } else {
        const inserted = await trx
          .insertInto('notice_responses')
          .values({
            notice_id: notice.id,
            body: input.body,
            status,
            author_id: user.id,
            created_at: at,
            updated_at: at,
            submitted_at: submit ? at : null,
            reviewed_by: null,
            reviewed_at: null,
            review_note: null,
            published_at: null,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        responseId = Number(inserted.id);
      }
      const title = notice.title;
      await replacePhotos(
        trx,
        { noticeId: notice.id, responseId },
        input.photos.map((p, i) => ({ id: p.id, kind: 'after' as const, alt: p.alt ?? `整改后：${title}（${i + 1}）` })),
      );
    });
    return detail(user, input.noticeId);
  }

  async function reviewResponse(user: StaffUser, raw: ResponseReviewInput): Promise<NoticeDetail> {
    officeOnly(user);
    const input = parse(responseReviewSchema, raw);
    const at = clock.now();
    await db.transaction().execute(async (trx) => {
      const notice = await noticeFor(trx, user, input.noticeId);
      if (notice.status !== 'published') throw new ConflictError('这条曝光已撤回，不能公开回应');
      const response = (await selectResponses(trx, [notice.id])).get(notice.id);
      if (!response || response.status !== 'submitted') throw new ConflictError('没有待审核的回应');
      const reviewed = { reviewed_by: user.id, reviewed_at: at.toISOString(), updated_at: at.toISOString() };
      if (input.decision === 'publish') {
        await trx
          .updateTable('notice_responses')
          .set({ ...reviewed, status: 'published', published_at: at.toISOString(), review_note: null })
          .where('id', '=', response.id)
          .execute();
        await requestBuild(trx, `response:${response.id} published`, at);
      } else {
        await trx
          .updateTable('notice_responses')
          .set({ ...reviewed, status: 'returned', review_note: input.note })
          .where('id', '=', response.id)
          .execute();
      }
    });
    return detail(user, input.noticeId);
  }

  /** Units exposed three or more times in a row (see the header): for the office and leaders. */
  async function flaggedUnits(user: StaffUser): Promise<FlaggedUnit[]> {
    mayRead(user);
    if (user.role === 'unit') throw new ForbiddenError('仅创城办和领导可以查看');
    const now = clock.now();
    const published = (await selectNotices(db, { statuses: ['published'] })).filter(
      (n): n is NoticeRow & { publishedAt: string } => n.publishedAt !== null,
    );
    const byUnit = new Map<string, Array<NoticeRow & { publishedAt: string }>>();
    for (const n of published) {
      let list = byUnit.get(n.unitCode);
      if (!list) byUnit.set(n.unitCode, (list = []));
      list.push(n);
    }
    const flagged: FlaggedUnit[] = [];
    for (const [code, notices] of byUnit) {
      const run = currentRun(notices, now, resetDays);
      if (run.length < EXPOSURES_IN_A_ROW) continue;
      flagged.push({
        unit: unitName(code),
        inARow: run.length,
        notices: run.map((n) => ({ id: n.id, slug: n.slug, title: n.title, publishedAt: n.publishedAt })),
      });
    }
    return flagged.sort((a, b) => b.inARow - a.inARow || a.unit.code.localeCompare(b.unit.code));
  }

  return {
    list,
    get: detail,
    saveDraft,
    publish,
    withdraw,
    saveResponse: (user: StaffUser, raw: ResponseDraftInput) => writeResponse(user, raw, false),
    submitResponse: (user: StaffUser, raw: ResponseDraftInput) => writeResponse(user, raw, true),
    reviewResponse,
    flaggedUnits,
  };
}

export type Notices = ReturnType<typeof createNotices>;
