// The one schema of a resident's report (DESIGN rule 2). Shared by the tRPC router, the no-JS
// form handler, the mail and hotline adapters, and the report form island, so that a message a
// resident sees is the same wherever the input is checked. Messages are Chinese and say how to
// fix the input.
import { z } from '../validation.ts';

export const MAX_DESCRIPTION_CHARS = 2000;
export const MIN_DESCRIPTION_CHARS = 5;
export const MAX_PHOTOS = 6;

const trimmed = (max: number, label: string) =>
  z
    .string({ error: `${label}格式不正确` })
    .trim()
    .max(max, { error: `${label}不能超过${max}个字` });

/** Mainland mobile or landline, digits with optional +86 / separators; normalised to digits. */
export const phoneSchema = z
  .string({ error: '电话号码格式不正确' })
  .trim()
  .transform((s) => s.replace(/[\s\-()（）]/g, '').replace(/^(\+?86)(?=1\d{10}$)/, ''))
  .refine((s) => /^(1[3-9]\d{9}|0\d{2,3}\d{7,8}|\d{7,8})$/.test(s), {
    error: '请填写正确的电话号码，例如 13812345678 或 0319-1234567',
  });

export const emailSchema = z
  .string({ error: '电子邮箱格式不正确' })
  .trim()
  .max(254, { error: '电子邮箱太长' })
  .pipe(z.email({ error: '请填写正确的电子邮箱，例如 name@example.com' }));

/** Empty strings from HTML forms mean "not given". */
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), schema.optional());

export const reporterSchema = z.object({
  name: optional(trimmed(50, '姓名')),
  phone: optional(phoneSchema),
  email: optional(emailSchema),
});

export const locationSchema = z.object({
  address: optional(trimmed(200, '地址')),
  lat: optional(z.number({ error: '位置坐标不正确' }).min(-90).max(90)),
  lng: optional(z.number({ error: '位置坐标不正确' }).min(-180).max(180)),
  /** Accuracy radius in metres as the browser reported it. */
  accuracy: optional(z.number().min(0).max(100000)),
});

export const reportInputSchema = z.object({
  description: z
    .string({ error: '请描述您看到的问题' })
    .trim()
    .min(MIN_DESCRIPTION_CHARS, { error: `请把问题说得具体一些（至少${MIN_DESCRIPTION_CHARS}个字）：在哪里、是什么问题` })
    .max(MAX_DESCRIPTION_CHARS, { error: `问题描述不能超过${MAX_DESCRIPTION_CHARS}个字，请精简后再提交` }),
  category: optional(z.string().trim().max(40)),
  pointId: optional(z.string().trim().max(60)),
  location: optional(locationSchema),
  reporter: optional(reporterSchema),
  anonymous: optional(z.boolean()),
  photoIds: optional(z.array(z.string().trim().min(1).max(64)).max(MAX_PHOTOS, { error: `最多上传${MAX_PHOTOS}张照片` })),
  idempotencyKey: optional(z.string().trim().min(8).max(100)),
});

export type ReportInput = z.output<typeof reportInputSchema>;
export type ReportInputRaw = z.input<typeof reportInputSchema>;

export const trackInputSchema = z.object({
  trackingCode: z
    .string({ error: '请输入查询码' })
    .trim()
    .min(1, { error: '请输入查询码' })
    .max(40, { error: '查询码格式不正确，请核对后重新输入' }),
});

export const suggestInputSchema = z.object({
  text: z.string().max(MAX_DESCRIPTION_CHARS),
  category: optional(z.string().trim().max(40)),
  pointId: optional(z.string().trim().max(60)),
});

/** Turns a zod error into {fieldPath: message}, first message per field. */
export function fieldErrors(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.join('.') || '_';
    if (!(key in out)) out[key] = issue.message;
  }
  return out;
}
