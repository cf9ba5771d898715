// "Me too" (我也遇到了, issue 15 item 4): the inputs of the nearby list and of joining a ticket, one
// schema each, shared by the router and the domain. The report form's island does not load them
// (its first script stays small): the server answers in Chinese, field by field.
import * as z from 'zod/mini';
import { phoneSchema } from './report-schema.ts';

const code = (max: number) => z.string().check(z.trim(), z.minLength(1), z.maxLength(max));

/** Where and what the resident is about to report: a category, and a point or coordinates (or both). */
export const nearbyInputSchema = z.object({
  category: code(40),
  pointId: z.optional(code(60)),
  lat: z.optional(z.number({ error: '位置坐标不正确' }).check(z.gte(-90), z.lte(90))),
  lng: z.optional(z.number({ error: '位置坐标不正确' }).check(z.gte(-180), z.lte(180))),
});
export type NearbyInput = z.output<typeof nearbyInputSchema>;

export const joinInputSchema = z.extend(nearbyInputSchema, {
  /** The problem as the nearby list named it (`ref`). */
  problem: z.number({ error: '请选择要加入的反映' }).check(z.int(), z.positive()),
  name: z.optional(z.string({ error: '姓名格式不正确' }).check(z.trim(), z.maxLength(50, { error: '姓名不能超过50个字' }))),
  phone: z.optional(phoneSchema),
  idempotencyKey: z.string().check(z.trim(), z.minLength(8), z.maxLength(100)),
});
