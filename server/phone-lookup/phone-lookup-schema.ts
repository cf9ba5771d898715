// The inputs of the lookup by mobile number (API and /track/phone alike). Loose on purpose: the
// domain (phone-lookup.ts) says in Chinese what is wrong with a number or a code.
import { z } from 'zod';

export const lookupCodeInputSchema = z.object({
  phone: z.string({ error: '请填写手机号码' }).max(40, { error: '手机号码太长了，请填写11位手机号码' }),
});

export const lookupTicketsInputSchema = lookupCodeInputSchema.extend({
  code: z.string({ error: '请填写短信里的6位验证码' }).max(20, { error: '验证码是6位数字，请对照短信重新填写' }),
});
