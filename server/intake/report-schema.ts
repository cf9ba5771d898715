// The one schema of a resident's report (DESIGN rule 2). Shared by the tRPC router, the no-JS
// form handler, the mail and hotline adapters, and the report form island, so that a message a
// resident sees is the same wherever the input is checked. Messages are Chinese and say how to
// fix the input.
//
// Written with zod/mini, the tree-shakable form of zod 4: the island loads this file lazily and
// only what it uses comes along (classic zod cannot be tree-shaken and would triple the report
// page's JavaScript; issue 6 caps it at 40 KB). The schemas are the same core zod objects the
// server's classic schemas are made of, so they parse and fail the same way on both sides.
import * as z from 'zod/mini';
import { zhCN } from 'zod/locales';
import { hasLetterOrDigit, plainText } from '../plain-text.ts';

// Messages zod writes itself (a number sent as text and the like) are Chinese, on the server as
// in the island, which does not load server/validation.ts. Only the zh-CN locale is bundled.
z.config(zhCN());

export const MAX_DESCRIPTION_CHARS = 2000;
export const MIN_DESCRIPTION_CHARS = 5;
export const MAX_PHOTOS = 6;
export const DESCRIPTION_WITHOUT_WORDS = '请用文字写明您看到的问题：在哪里、是什么问题（不能只有标点、符号或表情）';

/** Free text a person wrote, as stored: invisible control and direction characters removed (plain-text.ts), trimmed. */
const trimmed = (max: number, label: string) =>
  z
    .string({ error: `${label}格式不正确` })
    .check(z.overwrite(plainText), z.trim(), z.maxLength(max, { error: `${label}不能超过${max}个字` }));

/** Mainland mobile or landline, digits with optional +86 / separators; normalised to digits. */
export const phoneSchema = z
  .pipe(
    z.string({ error: '电话号码格式不正确' }).check(z.trim()),
    z.transform((s: string) => s.replace(/[\s\-()（）]/g, '').replace(/^(\+?86)(?=1\d{10}$)/, '')),
  )
  .check(
    z.refine((s) => /^(1[3-9]\d{9}|0\d{2,3}\d{7,8}|\d{7,8})$/.test(s), {
      error: '请填写正确的电话号码，例如 13812345678 或 0319-1234567',
    }),
  );

export const emailSchema = z.pipe(
  z.string({ error: '电子邮箱格式不正确' }).check(z.trim(), z.maxLength(254, { error: '电子邮箱太长' })),
  z.email({ error: '请填写正确的电子邮箱，例如 name@example.com' }),
);

const blankToUndefined = (v: unknown) => (typeof v === 'string' && plainText(v).trim() === '' ? undefined : v);

/**
 * Empty strings from HTML forms mean "not given". zod/mini has no `preprocess`; classic's is this
 * very pipe (a transform into the schema), typed so that the key is optional in the input.
 */
const optional = <T extends z.core.SomeType>(schema: T) =>
  z.pipe(z.transform(blankToUndefined), z.optional(schema)) as unknown as z.core.$ZodPreprocess<z.ZodMiniOptional<T>>;

export const reporterSchema = z.object({
  name: optional(trimmed(50, '姓名')),
  phone: optional(phoneSchema),
  email: optional(emailSchema),
});

export const locationSchema = z.object({
  address: optional(trimmed(200, '地址')),
  lat: optional(z.number({ error: '位置坐标不正确' }).check(z.gte(-90), z.lte(90))),
  lng: optional(z.number({ error: '位置坐标不正确' }).check(z.gte(-180), z.lte(180))),
  /** Accuracy radius in metres as the browser reported it. */
  accuracy: optional(z.number().check(z.gte(0), z.lte(100000))),
});

const shortText = (max: number, min?: number) =>
  min === undefined ? z.string().check(z.trim(), z.maxLength(max)) : z.string().check(z.trim(), z.minLength(min), z.maxLength(max));

export const reportInputSchema = z.object({
  description: z.string({ error: '请描述您看到的问题' }).check(
    z.overwrite(plainText),
    z.trim(),
    z.minLength(MIN_DESCRIPTION_CHARS, {
      error: `请把问题说得具体一些（至少${MIN_DESCRIPTION_CHARS}个字）：在哪里、是什么问题`,
    }),
    z.maxLength(MAX_DESCRIPTION_CHARS, { error: `问题描述不能超过${MAX_DESCRIPTION_CHARS}个字，请精简后再提交` }),
    // Only dots, exclamation marks or emoji: nothing a unit could act on.
    z.refine(hasLetterOrDigit, { error: DESCRIPTION_WITHOUT_WORDS }),
  ),
  category: optional(shortText(40)),
  pointId: optional(shortText(60)),
  location: optional(locationSchema),
  reporter: optional(reporterSchema),
  anonymous: optional(z.boolean()),
  photoIds: optional(z.array(shortText(64, 1)).check(z.maxLength(MAX_PHOTOS, { error: `最多上传${MAX_PHOTOS}张照片` }))),
  idempotencyKey: optional(shortText(100, 8)),
});

export type ReportInput = z.output<typeof reportInputSchema>;
export type ReportInputRaw = z.input<typeof reportInputSchema>;

export const trackInputSchema = z.object({
  trackingCode: z
    .string({ error: '请输入查询码' })
    .check(z.trim(), z.minLength(1, { error: '请输入查询码' }), z.maxLength(40, { error: '查询码格式不正确，请核对后重新输入' })),
});

export const suggestInputSchema = z.object({
  text: z.string().check(z.maxLength(MAX_DESCRIPTION_CHARS)),
  category: optional(shortText(40)),
  pointId: optional(shortText(60)),
});
