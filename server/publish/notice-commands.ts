// The office's commands on notices (notices.ts assembles them): compose and edit a draft from
// tickets, publish it under its public number, withdraw it with a reason. Publishing and
// withdrawing queue a rebuild of the public site in the same transaction.
import { randomBytes } from 'node:crypto';
import type { StaffUser } from '../auth/roles.ts';
import { chinaDate } from '../china-time.ts';
import { ConflictError, InvalidInputError, NotFoundError } from '../errors.ts';
import { normalizeTrackingCode } from '../tickets/tracking-code.ts';
import type { z } from '../validation.ts';
import { parse, type Db, type NoticeContext } from './notice-context.ts';
import { noticeVersion, type NoticeDetail, type NoticeQueries } from './notice-queries.ts';
import {
  DRAFT_SLUG_PREFIX,
  findNotice,
  insertDraft,
  markPublished,
  markWithdrawn,
  publicSlug,
  replaceNoticeTickets,
  replacePhotos,
  selectTicketPhotoPurposes,
  selectTicketsByCode,
  slugsOfMonth,
  updateDraft,
} from './notice-repository.ts';
import {
  noticeDraftSchema,
  noticePublishSchema,
  noticeWithdrawSchema,
  type NoticeDraftInput,
  type NoticePublishInput,
  type NoticeWithdrawInput,
} from './notice-schema.ts';
import { requestBuild } from './publishing.ts';

function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  return e?.code === '23505' || (typeof e?.message === 'string' && /UNIQUE constraint failed/i.test(e.message));
}

/** The next public slug of a CST month: "2026-12-001", "2026-12-002" … (withdrawn ones keep theirs). */
async function nextSlug(db: Db, at: Date): Promise<string> {
  const prefix = chinaDate(at).slice(0, 7);
  const slugs = await slugsOfMonth(db, prefix);
  const max = slugs.reduce((n, slug) => Math.max(n, Number(/-(\d+)$/.exec(slug)?.[1] ?? 0)), 0);
  return `${prefix}-${String(max + 1).padStart(3, '0')}`;
}

export function createNoticeCommands(ctx: NoticeContext, queries: NoticeQueries) {
  const { db, catalog, clock, officeOnly, notify } = ctx;
  const detail = queries.detail;

  /** Tickets by tracking code, checked; the photos chosen must be theirs and of the right kind. */
  async function resolveDraft(trx: Db, input: z.output<typeof noticeDraftSchema>) {
    const codes = [...new Set(input.trackingCodes.map((c) => normalizeTrackingCode(c) ?? c.trim().toUpperCase()))];
    const tickets = await selectTicketsByCode(trx, codes);
    const missing = codes.filter((c) => !tickets.some((t) => t.trackingCode === c));
    if (missing.length > 0)
      throw new InvalidInputError(`没有找到工单 ${missing.join('、')}`, { trackingCodes: `没有找到工单 ${missing.join('、')}` });
    const ticketIds = tickets.map((t) => t.id);

    let unitCode = input.unitCode?.trim() || null;
    if (!unitCode) {
      // The tickets' lead unit: the one leading most of them (the first named on a tie).
      const counts = new Map<string, number>();
      for (const c of codes) {
        const lead = tickets.find((t) => t.trackingCode === c)?.leadUnitCode;
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
      const purpose = await selectTicketPhotoPurposes(trx, photoIds, ticketIds);
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
      const draft = { title: input.title, body: input.body, unitCode, responseDueAt: new Date(input.responseDueAt).toISOString(), at: now };
      let noticeId: number;
      if (input.id === undefined) {
        noticeId = await insertDraft(trx, { ...draft, slug: `${DRAFT_SLUG_PREFIX}${randomBytes(8).toString('hex')}`, createdBy: user.id });
      } else {
        const existing = await findNotice(trx, input.id);
        if (!existing) throw new NotFoundError('没有找到这条曝光');
        if (existing.status === 'published') throw new ConflictError('已发布的曝光不能修改，请先撤回再修改');
        noticeId = existing.id;
        await updateDraft(trx, noticeId, draft);
      }
      await replaceNoticeTickets(trx, noticeId, ticketIds);
      await replacePhotos(trx, { noticeId, responseId: null }, input.photos);
      return noticeId;
    });
    return detail(user, id);
  }

  /** Publishes a draft or withdrawn notice: as it is now, or only as the `version` the office confirmed. */
  async function publish(user: StaffUser, raw: NoticePublishInput): Promise<NoticeDetail> {
    officeOnly(user);
    const { id, version } = parse(noticePublishSchema, raw);
    const at = clock.now();
    // Two publications in the same month at once may pick the same number: the unique slug
    // refuses the second, which then takes the next number.
    for (let attempt = 0; ; attempt++) {
      try {
        await db.transaction().execute(async (trx) => {
          const notice = await findNotice(trx, id);
          if (!notice) throw new NotFoundError('没有找到这条曝光');
          if (notice.status === 'published') throw new ConflictError('这条曝光已经发布');
          if (version !== undefined && (await noticeVersion(trx, notice)) !== version)
            throw new ConflictError('这条曝光在您确认之后又被修改过，没有发布。请重新核对要公开的内容，确认无误后再发布');
          if (Date.parse(notice.responseDueAt) <= at.getTime())
            throw new InvalidInputError('回应期限应晚于发布时间，请修改后再发布', { responseDueAt: '回应期限应晚于发布时间' });
          const slug = publicSlug(notice.slug) ?? (await nextSlug(trx, at));
          await markPublished(trx, id, { slug, at: at.toISOString(), by: user.id });
          await requestBuild(trx, `notice:${id} published`, at);
          const published = { ...notice, status: 'published' as const, slug, publishedAt: at.toISOString(), updatedAt: at.toISOString() };
          await notify(trx, { kind: 'published', at: at.toISOString(), notice: published, republished: notice.status === 'withdrawn' });
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
      await markWithdrawn(trx, id, { at: at.toISOString(), by: user.id, reason });
      await requestBuild(trx, `notice:${id} withdrawn`, at);
    });
    return detail(user, id);
  }

  return { saveDraft, publish, withdraw };
}
