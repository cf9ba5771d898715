// The one schema of a staff action on a ticket, shared by the tRPC router and the console
// islands. One variant per lifecycle action; what each records is listed in
// docs/decisions/003-staff-side.md.
import { plainText } from '../plain-text.ts';
import { z } from '../validation.ts';

// Reasons and notes are stored and shown to others: without invisible control characters (plain-text.ts).
const reason = z
  .string({ error: '请填写理由' })
  .overwrite(plainText)
  .trim()
  .min(2, { error: '请填写理由（至少2个字）' })
  .max(1000, { error: '理由不能超过1000字' });
const unitCode = z.string().trim().min(1, { error: '请选择责任单位' }).max(60);
const categoryCode = z.string().trim().max(40).nullish();
const cooperating = z.array(z.string().trim().min(1).max(60)).max(10).optional();
const isoDate = z.iso.datetime({ offset: true, error: '日期格式不正确' });
/** The rectification summary residents read on the tracking page once the office has verified it. */
export const publicSummary = z.string().overwrite(plainText).trim().max(2000, { error: '公开的整改情况不能超过2000字' });
/** 交办意见: what the office tells the unit with a dispatch (empty: none). */
const remarks = z.string().overwrite(plainText).trim().max(500, { error: '交办意见不能超过500字' }).optional();

/**
 * 反馈整改结果: at least one after-photo, unless the unit says why none can be taken (the office
 * reads that reason at verification). With photos, a reason is not kept.
 */
const rectificationReport = z
  .object({
    action: z.literal('reportRectification'),
    text: z.string({ error: '请填写整改情况' }).overwrite(plainText).trim().min(5, { error: '请说明整改情况（至少5个字）' }).max(2000),
    photoIds: z.array(z.string().trim().min(1).max(64)).max(6, { error: '最多上传6张整改后照片' }).default([]),
    noPhotoReason: z.string().overwrite(plainText).trim().max(500, { error: '没有照片的原因不能超过500字' }).optional(),
  })
  .refine((report) => report.photoIds.length > 0 || report.noPhotoReason !== undefined, {
    error: '请至少上传一张整改后照片；确实拍不了的，请写明原因。',
    path: ['photoIds'],
    // Also when the text is wrong, so the form shows both at once; not when photoIds is no list at all.
    when: (payload) => Array.isArray((payload.value as { photoIds?: unknown }).photoIds ?? []),
  })
  .refine((report) => report.photoIds.length > 0 || report.noPhotoReason === undefined || report.noPhotoReason.length >= 4, {
    error: '请写清楚为什么拍不了整改后照片（至少4个字）。',
    path: ['noPhotoReason'],
  })
  .transform(({ noPhotoReason, ...report }) => (report.photoIds.length > 0 || !noPhotoReason ? report : { ...report, noPhotoReason }));

export const ticketActionSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('dispatch'), unitCode, categoryCode, cooperatingUnitCodes: cooperating, remarks }),
  z.object({ action: z.literal('reassign'), unitCode, categoryCode, cooperatingUnitCodes: cooperating, remarks, reason }),
  z.object({ action: z.literal('accept') }),
  z.object({ action: z.literal('acceptOnBehalf'), reason }),
  z.object({ action: z.literal('startRectification') }),
  z.object({ action: z.literal('return'), reason, suggestedUnitCode: z.string().trim().max(60).nullish() }),
  z.object({ action: z.literal('requestExtension'), reason, requestedDeadline: isoDate }),
  z.object({ action: z.literal('approveExtension'), deadline: isoDate.optional() }),
  z.object({ action: z.literal('refuseExtension'), reason }),
  rectificationReport,
  z.object({
    action: z.literal('verify'),
    note: z.string().overwrite(plainText).trim().max(1000).optional(),
    /** 向群众公开的整改情况: what the tracking page shows; blank keeps the unit's own text (server/staff/closures.ts). */
    publicSummary: publicSummary.optional(),
  }),
  z.object({ action: z.literal('sendBack'), reason }),
  z.object({ action: z.literal('reject'), reason }),
  z.object({ action: z.literal('merge'), intoTrackingCode: z.string().trim().min(1, { error: '请填写要合并到的工单查询码' }).max(40) }),
  z.object({ action: z.literal('reopen'), reason }),
]);

export const ticketActionInputSchema = z.object({
  trackingCode: z.string().trim().min(1).max(40),
  /** The version the person saw; a change made meanwhile by someone else refuses the action. */
  expectedVersion: z.number().int().min(0).optional(),
  act: ticketActionSchema,
});

export type TicketActionInput = z.output<typeof ticketActionSchema>;

/** A page of the office's queue at most. */
export const BULK_DISPATCH_MAX = 50;

/**
 * 批量派单: several tickets to one unit in one go, with the same category (none: each keeps its
 * own), cooperating units and 交办意见. Each ticket carries the version the person saw.
 */
export const bulkDispatchSchema = z.object({
  tickets: z
    .array(z.object({ trackingCode: z.string().trim().min(1).max(40), expectedVersion: z.number().int().min(0).optional() }))
    .min(1, { error: '请先勾选要派单的工单' })
    .max(BULK_DISPATCH_MAX, { error: `一次最多派${BULK_DISPATCH_MAX}件工单` }),
  unitCode,
  categoryCode,
  cooperatingUnitCodes: cooperating,
  remarks,
});

export type BulkDispatchInput = z.input<typeof bulkDispatchSchema>;
