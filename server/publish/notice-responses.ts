// The exposed unit's public response (公开回应) and the office's review of it (notices.ts
// assembles them): the unit saves and submits its text and after-photos; the office publishes
// the response (a rebuild of the public site in the same transaction) or returns it with a note.
import type { StaffUser } from '../auth/roles.ts';
import { ConflictError, ForbiddenError, InvalidInputError } from '../errors.ts';
import { parse, type NoticeContext } from './notice-context.ts';
import type { NoticeDetail, NoticeQueries } from './notice-queries.ts';
import { replacePhotos } from './notice-repository.ts';
import { afterPhotosAvailable, insertResponse, recordReview, selectResponses, updateResponse } from './notice-response-repository.ts';
import { responseDraftSchema, responseReviewSchema, type ResponseDraftInput, type ResponseReviewInput } from './notice-schema.ts';
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
      if (!(await afterPhotosAvailable(trx, ids, existing?.id ?? null)))
        throw new InvalidInputError('有整改后照片已失效，请重新上传', { photos: '有整改后照片已失效，请重新上传' });

      const write = {
        body: input.body,
        status: submit ? ('submitted' as const) : (existing?.status ?? 'draft'),
        authorId: user.id,
        at,
        submittedAt: submit ? at : null,
      };
      let responseId: number;
      if (existing) {
        responseId = existing.id;
        await updateResponse(trx, responseId, write);
      } else {
        responseId = await insertResponse(trx, notice.id, write);
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
      const review = { by: user.id, at: at.toISOString() };
      if (input.decision === 'publish') {
        await recordReview(trx, response.id, { ...review, decision: 'publish' });
        await requestBuild(trx, `response:${response.id} published`, at);
      } else {
        await recordReview(trx, response.id, { ...review, decision: 'return', note: input.note });
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
