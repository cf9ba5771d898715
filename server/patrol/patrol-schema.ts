// What a patrol member (社会巡访监督员) records from the phone besides reports: a persuasion (劝导).
// zod/mini, like the report schema, so the phone page's island checks the same way and stays light.
// (The report's schema is the channel's: server/patrol/patrol-reports.ts.)
import * as z from 'zod/mini';
import { DATE_PATTERN } from '../china-time.ts';
import { plainText } from '../plain-text.ts';

export const MAX_PERSUADED_PEOPLE = 500;
export const MAX_PERSUASION_NOTE_CHARS = 500;

const text = (max: number, empty: string, tooLong: string) =>
  z
    .string({ error: empty })
    .check(z.overwrite(plainText), z.trim(), z.minLength(1, { error: empty }), z.maxLength(max, { error: tooLong }));

export const persuasionInputSchema = z.object({
  /** The device's key for this record: sent twice, recorded once. */
  idempotencyKey: z.string({ error: '缺少提交编号，请刷新页面后重试' }).check(z.trim(), z.minLength(8), z.maxLength(100)),
  doneOn: z.string({ error: '请选择劝导日期' }).check(z.trim(), z.regex(DATE_PATTERN, { error: '日期格式应为 2026-12-07' })),
  place: text(200, '请填写劝导地点，例如：东街与建设路路口', '地点不能超过200个字'),
  pointId: z.optional(z.string().check(z.trim(), z.maxLength(60))),
  kind: z.string({ error: '请选择劝导类型' }).check(z.trim(), z.minLength(1, { error: '请选择劝导类型' }), z.maxLength(40)),
  people: z
    .number({ error: '请填写劝导人数（数字）' })
    .check(
      z.int({ error: '劝导人数应为整数' }),
      z.gte(1, { error: '劝导人数至少为1人' }),
      z.lte(MAX_PERSUADED_PEOPLE, { error: `劝导人数不能超过${MAX_PERSUADED_PEOPLE}人，人数多时请分几次记录` }),
    ),
  note: z.optional(
    z
      .string()
      .check(
        z.overwrite(plainText),
        z.trim(),
        z.maxLength(MAX_PERSUASION_NOTE_CHARS, { error: `备注不能超过${MAX_PERSUASION_NOTE_CHARS}个字` }),
      ),
  ),
});
