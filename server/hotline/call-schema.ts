// What an operator records about a call (issue 5, items 1 and 3), validated once for the console
// and the API. Messages are Chinese: the operator reads them with the caller on the line.
import { hasLetterOrDigit, plainText } from '../plain-text.ts';
import { z } from '../validation.ts';
import { normalizePhone } from '../tickets/phone.ts';

export const CALL_OUTCOMES = ['ticket', 'attach', 'answer', 'refer'] as const;

/** Where a caller is referred: the emergency numbers, the citizens' hotline, or named elsewhere. */
export const REFERRALS: Record<string, string> = {
  '110': '110 报警',
  '119': '119 火警',
  '120': '120 急救',
  '122': '122 交通事故',
  '12345': '12345 政务服务便民热线',
};

/** Blank means not given; what is given is stored without invisible control characters (plain-text.ts). */
const optionalText = (max: number, label: string) =>
  z.preprocess(
    (v) => (typeof v === 'string' && plainText(v).trim() === '' ? undefined : v),
    z
      .string()
      .overwrite(plainText)
      .trim()
      .max(max, { error: `${label}不能超过${max}个字` })
      .optional(),
  );

/** A caller number as the phone system shows it; digits kept (withheld numbers are left empty). */
export const callerPhoneSchema = z.preprocess(
  (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
  z
    .string()
    .trim()
    .max(30, { error: '来电号码太长' })
    .transform(normalizePhone)
    .refine((s) => /^\d{3,15}$/.test(s), { error: '来电号码应为数字，例如 13812345678 或 03191234567' })
    .optional(),
);

export const callInputSchema = z
  .object({
    caller: z.object({
      phone: callerPhoneSchema,
      name: optionalText(50, '来电人姓名'),
      anonymous: z.boolean().default(false),
      wantsCallback: z.boolean().default(true),
    }),
    outcome: z.enum(CALL_OUTCOMES, { error: '请选择来电的处理方式' }),
    /** What the caller said: the problem, or the question. */
    description: z
      .string({ error: '请记录来电内容' })
      .overwrite(plainText)
      .trim()
      .min(2, { error: '请记录来电内容' })
      .max(2000, { error: '来电内容不能超过2000个字' }),
    categoryCode: optionalText(40, '问题类别'),
    pointId: optionalText(60, '点位'),
    address: optionalText(200, '地址'),
    /** The ticket a "+1" call is added to. */
    attachTo: optionalText(20, '工单查询码'),
    /** The answer given to a consultation. */
    answer: optionalText(2000, '答复内容'),
    /** A referral: one of REFERRALS' numbers, or another body named. */
    referredTo: optionalText(100, '转办去向'),
    idempotencyKey: optionalText(200, 'idempotencyKey'),
  })
  .superRefine((v, ctx) => {
    if (v.outcome === 'attach' && !v.attachTo) ctx.addIssue({ code: 'custom', path: ['attachTo'], message: '请选择要追加到的工单' });
    if (v.outcome === 'answer' && !v.answer) ctx.addIssue({ code: 'custom', path: ['answer'], message: '请记录给来电人的答复' });
    if (v.outcome === 'refer' && !v.referredTo) ctx.addIssue({ code: 'custom', path: ['referredTo'], message: '请选择转办去向' });
    if (v.outcome === 'ticket' && v.description.length < 5) {
      ctx.addIssue({ code: 'custom', path: ['description'], message: '请把问题记录得具体一些（至少5个字）：在哪里、是什么问题' });
    } else if (v.outcome === 'ticket' && !hasLetterOrDigit(v.description)) {
      // The report schema refuses it too; said here, on the operator's field.
      ctx.addIssue({ code: 'custom', path: ['description'], message: '请用文字记录来电反映的问题：在哪里、是什么问题' });
    }
  });

export type CallInput = z.input<typeof callInputSchema>;
export type ParsedCall = z.output<typeof callInputSchema>;
