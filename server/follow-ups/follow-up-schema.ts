// What an operator records after a follow-up call (回访), validated once for the console and the
// API. Messages are Chinese: the operator reads them with the caller on the line.
import { plainText } from '../plain-text.ts';
import { z } from '../validation.ts';

/** Attempts without reaching the caller before the task is closed as unreached. */
export const MAX_ATTEMPTS = 3;

export const FOLLOW_UP_SATISFACTION = ['satisfied', 'fair', 'unsatisfied'] as const;
export type Satisfaction = (typeof FOLLOW_UP_SATISFACTION)[number];
export const SATISFACTION_LABELS: Record<Satisfaction, string> = {
  satisfied: '满意',
  fair: '基本满意',
  unsatisfied: '不满意',
};

/** Blank means not given; what is given is stored without invisible control characters (plain-text.ts). */
const comment = z.preprocess(
  (v) => (typeof v === 'string' && plainText(v).trim() === '' ? undefined : v),
  z.string().overwrite(plainText).trim().max(1000, { error: '回访意见不能超过1000个字' }).optional(),
);

export const followUpInputSchema = z
  .object({
    id: z.number().int().positive(),
    reached: z.boolean({ error: '请选择是否联系上来电人' }),
    fixed: z.boolean().optional(),
    satisfaction: z.enum(FOLLOW_UP_SATISFACTION).optional(),
    comment,
  })
  .superRefine((v, ctx) => {
    if (!v.reached) return;
    if (v.fixed === undefined) ctx.addIssue({ code: 'custom', path: ['fixed'], message: '请选择问题是否已解决' });
    if (!v.satisfaction) ctx.addIssue({ code: 'custom', path: ['satisfaction'], message: '请选择满意度' });
  });

export type FollowUpInput = z.input<typeof followUpInputSchema>;
