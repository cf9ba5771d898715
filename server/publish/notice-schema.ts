// The schemas of exposure notices (曝光) and units' public responses (公开回应): one per use case,
// shared by the tRPC router and the console's forms (DESIGN rule 2). Messages are Chinese and say
// how to fix the input.
import { plainText } from '../plain-text.ts';
import { z } from '../validation.ts';

const photoId = z
  .string()
  .trim()
  .regex(/^[0-9a-f]{32}$/, { error: '照片编号不正确，请重新选择照片' });
const alt = z
  .string({ error: '请为每张照片填写说明文字' })
  .overwrite(plainText)
  .trim()
  .min(2, { error: '请为每张照片填写说明文字（至少2个字，供读屏软件朗读）' })
  .max(200, { error: '照片说明不能超过200字' });
const isoDate = z.iso.datetime({ offset: true, error: '日期格式不正确' });

export const NOTICE_STATUSES = ['draft', 'published', 'withdrawn'] as const;
export type NoticeStatus = (typeof NOTICE_STATUSES)[number];
export const NOTICE_STATUS_LABELS: Record<NoticeStatus, string> = { draft: '草稿', published: '已发布', withdrawn: '已撤回' };

export const RESPONSE_STATUSES = ['draft', 'submitted', 'returned', 'published'] as const;
export type ResponseStatus = (typeof RESPONSE_STATUSES)[number];
export const RESPONSE_STATUS_LABELS: Record<ResponseStatus, string> = {
  draft: '草稿（未提交）',
  submitted: '已提交，待创城办审核',
  returned: '已退回修改',
  published: '已公开',
};

export const MAX_NOTICE_PHOTOS = 12;
export const MAX_RESPONSE_PHOTOS = 6;

/** A notice as the office composes it: a new draft without `id`, an edit of a draft (or a withdrawn notice) with it. */
export const noticeDraftSchema = z.object({
  id: z.number().int().positive().optional(),
  trackingCodes: z
    .array(z.string().trim().min(1, { error: '工单查询码不能为空' }).max(40))
    .min(1, { error: '请至少选择一件工单' })
    .max(20, { error: '一条曝光最多关联20件工单' }),
  title: z
    .string({ error: '请填写标题' })
    .overwrite(plainText)
    .trim()
    .min(4, { error: '请填写标题（至少4个字）' })
    .max(100, { error: '标题不能超过100字' }),
  body: z
    .string({ error: '请填写曝光内容' })
    .overwrite(plainText)
    .trim()
    .min(10, { error: '请填写曝光内容（至少10个字）' })
    .max(10000, { error: '曝光内容不能超过10000字' }),
  /** The responsible unit; empty: the tickets' lead unit. */
  unitCode: z.string().trim().max(60).nullish(),
  responseDueAt: isoDate,
  /** Before-photos are the tickets' report photos, after-photos their rectification photos. */
  photos: z
    .array(z.object({ id: photoId, kind: z.enum(['before', 'after']), alt }))
    .max(MAX_NOTICE_PHOTOS, { error: `最多选择${MAX_NOTICE_PHOTOS}张照片` })
    .default([]),
});
export type NoticeDraftInput = z.input<typeof noticeDraftSchema>;

export const noticeIdSchema = z.object({ id: z.number().int().positive() });

/**
 * Publishing a notice. `version` is the one the office confirmed (NoticeDetail.version, a
 * fingerprint of everything that goes public): publishing is refused when the notice has changed
 * since, so what goes public is exactly what was confirmed. Without it, the notice as it is now.
 */
export const noticePublishSchema = z.object({
  id: z.number().int().positive(),
  version: z
    .string()
    .trim()
    .regex(/^[0-9a-f]{16}$/, { error: '确认信息不完整，请重新打开曝光页面确认后再发布' })
    .optional(),
});
export type NoticePublishInput = z.input<typeof noticePublishSchema>;

/** Withdrawing a published notice: the office says why (kept with the notice, shown in the console). */
export const noticeWithdrawSchema = z.object({
  id: z.number().int().positive(),
  reason: z
    .string({ error: '请填写撤回原因' })
    .overwrite(plainText)
    .trim()
    .min(4, { error: '请填写撤回原因（至少4个字），例如：核实有误、单位已整改到位' })
    .max(500, { error: '撤回原因不能超过500字' }),
});
export type NoticeWithdrawInput = z.input<typeof noticeWithdrawSchema>;

export const noticeListFilterSchema = z
  .object({
    status: z.enum(NOTICE_STATUSES).optional(),
    unitCode: z.string().trim().max(60).optional(),
  })
  .default({});
export type NoticeListFilter = z.input<typeof noticeListFilterSchema>;

/** The unit's response: text and after-photos uploaded with purpose=rectification. */
export const responseDraftSchema = z.object({
  noticeId: z.number().int().positive(),
  body: z
    .string({ error: '请填写回应内容' })
    .overwrite(plainText)
    .trim()
    .min(10, { error: '请填写回应内容（至少10个字）' })
    .max(5000, { error: '回应内容不能超过5000字' }),
  photos: z
    .array(z.object({ id: photoId, alt: alt.optional() }))
    .max(MAX_RESPONSE_PHOTOS, { error: `最多上传${MAX_RESPONSE_PHOTOS}张整改后照片` })
    .default([]),
});
export type ResponseDraftInput = z.input<typeof responseDraftSchema>;

export const responseReviewSchema = z.discriminatedUnion('decision', [
  z.object({ noticeId: z.number().int().positive(), decision: z.literal('publish') }),
  z.object({
    noticeId: z.number().int().positive(),
    decision: z.literal('return'),
    note: z
      .string({ error: '请填写退回意见' })
      .overwrite(plainText)
      .trim()
      .min(2, { error: '请填写退回意见（至少2个字）' })
      .max(1000, { error: '退回意见不能超过1000字' }),
  }),
]);
export type ResponseReviewInput = z.input<typeof responseReviewSchema>;
