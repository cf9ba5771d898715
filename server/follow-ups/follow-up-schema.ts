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

/** How a follow-up was done: an operator's call (电话回访) or the reporter's answer online (网上回访). */
export const FOLLOW_UP_CHANNELS = ['phone', 'online'] as const;
export type FollowUpChannel = (typeof FOLLOW_UP_CHANNELS)[number];
export const FOLLOW_UP_CHANNEL_LABELS: Record<FollowUpChannel, string> = { phone: '电话回访', online: '网上回访' };

/** Days an online answer may be changed after it was first given; then it is shown read-only. */
export const ONLINE_CHANGE_DAYS = 7;

/**
 * The reporter's online answer on the tracking page (a plain form) or through the API. Proof of
 * being the reporter: the last four digits of the phone number given when reporting, or the key of
 * the one-time link in the closing e-mail.
 */
export const onlineAnswerSchema = z
  .object({
    trackingCode: z.string({ error: '请填写查询码' }).trim().min(1, { error: '请填写查询码' }).max(40),
    phoneLast4: z.preprocess(
      (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
      z
        .string()
        .trim()
        .regex(/^\d{4}$/, { error: '请填写您反映问题时留的手机号码的最后四位数字' })
        .optional(),
    ),
    key: z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), z.string().trim().max(100).optional()),
    fixed: z.boolean({ error: '请选择问题解决了没有' }),
    satisfaction: z.enum(FOLLOW_UP_SATISFACTION, { error: '请选择您对办理结果是否满意' }),
    comment,
  })
  .superRefine((v, ctx) => {
    if (!v.phoneLast4 && !v.key) {
      ctx.addIssue({ code: 'custom', path: ['phoneLast4'], message: '请填写您反映问题时留的手机号码的最后四位数字' });
    }
  });
