// The exposed unit's public response (公开回应) and the office's review of it (notices.ts
// assembles them): the unit saves and submits its text and after-photos; the office publishes
// the response (a rebuild of the public site in the same transaction) or returns it with a note.
import type { StaffUser } from '../auth/roles.ts';
import { ConflictError, ForbiddenError, InvalidInputError } from '../errors.ts';
import { parse, type NoticeContext } from './notice-context.ts';
import type { NoticeDetail, NoticeQueries } from './notice-queries.ts';
import { replacePhotos, selectResponses } from './notice-repository.ts';
import {
  responseDraftSchema,
  responseReviewSchema,
  type ResponseDraftInput,
  type ResponseReviewInput,
  type ResponseStatus,
} from './notice-schema.ts';
import { requestBuild } from './publishing.ts';

export function createNoticeResponses(ctx: NoticeContext, queries: NoticeQueries) {
  const { db, clock, officeOnly, noticeFor, notify } = ctx;
  const detail = queries.detail;

  /**
   * The unit's response saved (and submitted, when `submit`): its own unit's published notice,
   * response not yet submitted or published. Every photo of a submitted response carries the
   * unit's caption (the public page shows it): a submission with a photo not yet captioned — a
   * fresh upload — is refused (the console saves the response first, so nothing is lost).
   */
  async function writeResponse(user: StaffUser, raw: ResponseDraftInput, submit: boolean): Promise<NoticeDetail> {
    if (user.role !== 'unit') throw new ForbiddenError('公开回应由被曝光单位的工作人员填写');
    const input = parse(responseDraftSchema, raw);
    const at = clock.now().toISOString();
    const uncaptioned = input.photos.filter((p) => p.alt === undefined).length;
    if (submit && uncaptioned > 0) {
      throw new InvalidInputError(`还有${uncaptioned}张整改后照片没有填写说明，请为每张照片填写说明后再提交审核`, {
        photos: '请为每张整改后照片填写说明，例如：东门垃圾已清运，地面已冲洗干净',
      });
    }
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
      await replacePhotos(
        trx,
        { noticeId: notice.id, responseId },
        input.photos.map((p) => ({ id: p.id, kind: 'after' as const, alt: p.alt ?? null })),
      );
      if (submit) {
        const response = { body: input.body, photoCount: input.photos.length, resubmitted: existing?.status === 'returned' };
        await notify(trx, { kind: 'response-submitted', at, notice, response });
      }
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
        await notify(trx, { kind: 'response-returned', at: at.toISOString(), notice, note: input.note });
      }
    });
    return detail(user, input.noticeId);
  }

  return {
    saveResponse: (user: StaffUser, raw: ResponseDraftInput) => writeResponse(user, raw, false),
    submitResponse: (user: StaffUser, raw: ResponseDraftInput) => writeResponse(user, raw, true),
    reviewResponse,
  };
}
