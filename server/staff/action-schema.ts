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

export const ticketActionSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('dispatch'), unitCode, categoryCode, cooperatingUnitCodes: cooperating }),
  z.object({ action: z.literal('reassign'), unitCode, categoryCode, cooperatingUnitCodes: cooperating, reason }),
  z.object({ action: z.literal('accept') }),
  z.object({ action: z.literal('startRectification') }),
  z.object({ action: z.literal('return'), reason, suggestedUnitCode: z.string().trim().max(60).nullish() }),
  z.object({ action: z.literal('requestExtension'), reason, requestedDeadline: isoDate }),
  z.object({ action: z.literal('approveExtension'), deadline: isoDate.optional() }),
  z.object({ action: z.literal('refuseExtension'), reason }),
  z.object({
    action: z.literal('reportRectification'),
    text: z.string({ error: '请填写整改情况' }).overwrite(plainText).trim().min(5, { error: '请说明整改情况（至少5个字）' }).max(2000),
    photoIds: z.array(z.string().trim().min(1).max(64)).max(6, { error: '最多上传6张整改后照片' }).default([]),
  }),
  z.object({ action: z.literal('verify'), note: z.string().overwrite(plainText).trim().max(1000).optional() }),
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
