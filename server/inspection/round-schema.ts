// What the office and the inspectors send to the inspection service (server/inspection/rounds.ts):
// one schema per use case, shared by the tRPC router and the console's forms. Messages are
// Chinese and say what to fix; the inspector reads them outdoors on a phone.
import type { Area } from '../catalog/types.ts';
import { DATE_PATTERN } from '../china-time.ts';
import { plainText } from '../plain-text.ts';
import { z } from '../validation.ts';

export const MAX_ROUND_NAME = 40;
export const MAX_ROUND_DAYS = 31;
export const MAX_ROUND_POINTS = 200;
export const MAX_ROUND_INSPECTORS = 20;
export const MAX_NOTE = 300;
export const MAX_RECORD_PHOTOS = 6;

/** Blank means not given; what is given is stored without invisible control characters. */
const blankToUndefined = (v: unknown) => (typeof v === 'string' && plainText(v).trim() === '' ? undefined : v);

const date = (label: string) =>
  z
    .string({ error: `请填写${label}` })
    .trim()
    .regex(DATE_PATTERN, { error: `${label}格式应为 年-月-日，例如 2026-12-07` });

const codes = (label: string) =>
  z
    .array(z.string().trim().min(1).max(60), { error: `${label}格式不正确` })
    .max(300)
    .default([]);

export const planInputSchema = z
  .object({
    name: z
      .string({ error: '请填写本轮督导的名称' })
      .overwrite(plainText)
      .trim()
      .min(1, { error: '请填写本轮督导的名称' })
      .max(MAX_ROUND_NAME, { error: `名称不能超过${MAX_ROUND_NAME}个字` }),
    startsOn: date('开始日期'),
    endsOn: date('结束日期'),
    typeCodes: codes('点位类型'),
    areas: z
      .array(z.string(), { error: '区域格式不正确' })
      .max(2)
      .default([])
      .refine((areas) => areas.every((a) => a === 'urban' || a === 'village'), { error: '区域只能是建成区或行政村' })
      .transform((areas) => areas as Area[]),
    pointIds: codes('点位'),
    inspectorIds: z
      .array(z.number({ error: '督导员格式不正确' }).int().positive(), { error: '请选择督导员' })
      .min(1, { error: '请至少选择一名督导员' })
      .max(MAX_ROUND_INSPECTORS, { error: `一轮督导最多安排${MAX_ROUND_INSPECTORS}名督导员` }),
    recheck: z.boolean().default(false),
  })
  .superRefine((v, ctx) => {
    if (v.endsOn < v.startsOn) ctx.addIssue({ code: 'custom', path: ['endsOn'], message: '结束日期不能早于开始日期' });
    const days = (Date.parse(v.endsOn) - Date.parse(v.startsOn)) / 86_400_000 + 1;
    if (days > MAX_ROUND_DAYS) {
      ctx.addIssue({ code: 'custom', path: ['endsOn'], message: `一轮督导最长${MAX_ROUND_DAYS}天，请缩短日期范围` });
    }
  });
export type PlanInput = z.input<typeof planInputSchema>;

export const roundListSchema = z.object({ status: z.enum(['open', 'closed']).optional() }).default({});

export const roundIdSchema = z.object({ roundId: z.number({ error: '请指明是哪一轮督导' }).int().positive() });

const note = z.preprocess(
  blankToUndefined,
  z
    .string()
    .overwrite(plainText)
    .trim()
    .max(MAX_NOTE, { error: `说明不能超过${MAX_NOTE}个字` })
    .optional(),
);

const photoIds = z
  .array(z.string().trim().min(1).max(64))
  .max(MAX_RECORD_PHOTOS, { error: `每项最多${MAX_RECORD_PHOTOS}张照片` })
  .default([]);

const recording = {
  roundId: z.number({ error: '请指明是哪一轮督导' }).int().positive(),
  note,
  photoIds,
  observedAt: z.iso.datetime({ offset: true, error: '检查时间格式不正确' }),
  idempotencyKey: z
    .string({ error: '缺少提交编号，请刷新页面后重试' })
    .trim()
    .min(8, { error: '提交编号格式不正确，请刷新页面后重试' })
    .max(100, { error: '提交编号格式不正确，请刷新页面后重试' }),
};

export const recordItemSchema = z.object({
  ...recording,
  pointId: z.string({ error: '请指明点位' }).trim().min(1, { error: '请指明点位' }).max(60),
  itemCode: z.string({ error: '请指明检查项' }).trim().min(1, { error: '请指明检查项' }).max(60),
  verdict: z.enum(['pass', 'fail'], { error: '请选择合格或不合格' }),
});
export type RecordItemInput = z.input<typeof recordItemSchema>;

export const recordRecheckSchema = z
  .object({
    ...recording,
    ticketId: z.number({ error: '请指明复查的工单' }).int().positive(),
    verdict: z.enum(['fixed', 'not_fixed'], { error: '请选择已整改或未整改' }),
  })
  .superRefine((v, ctx) => {
    if (v.verdict === 'not_fixed' && !v.note) {
      ctx.addIssue({ code: 'custom', path: ['note'], message: '未整改到位的，请写明哪里没有整改好' });
    }
    if (v.verdict === 'fixed' && v.photoIds.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['photoIds'], message: '确认已整改的，请拍一张整改后的照片' });
    }
  });
export type RecordRecheckInput = z.input<typeof recordRecheckSchema>;
