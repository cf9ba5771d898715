// The text-message settings, as a fragment for server/env.ts (validated once at start, DESIGN rule 8):
// spread `smsEnvShape` into the env schema and turn the parsed values into `SmsSettings` with
// `smsSettings`, which throws naming the variable when a provider is set without what it needs.
import { z } from 'zod';
import { SMS_KINDS, type SmsKind } from './sms-outbox-repository.ts';
import { ALIYUN_SMS_ENDPOINT } from './sms-provider.ts';

export const DEFAULT_SMS_SIGN_NAME = '临城创城';

export interface QuietHours {
  /** China time, hour of the day the quiet starts (22) and ends (8); equal: no quiet hours. */
  from: number;
  to: number;
}

export interface SmsSettings {
  /** null: each message becomes a line of DATA_DIR/sms-out/outbox.jsonl instead of being sent. */
  provider: { kind: 'aliyun'; endpoint: string; accessKeyId: string; accessKeySecret: string } | null;
  signName: string;
  /** The provider's template code per kind (SMS_TEMPLATE_REPORTER_ACCEPTED …). */
  templates: Partial<Record<SmsKind, string>>;
  /** SMS_KINDS_OFF: kinds neither queued nor sent. */
  kindsOff: SmsKind[];
  perNumberPerDay: number;
  dailyBudget: number;
  quietHours: QuietHours;
}

/** SMS_TEMPLATE_REPORTER_ACCEPTED for 'reporter-accepted'. */
export function templateVariable(kind: SmsKind): string {
  return `SMS_TEMPLATE_${kind.toUpperCase().replace(/-/g, '_')}`;
}

const optional = z
  .string()
  .optional()
  .transform((v) => v?.trim() || undefined);

const templateShape = Object.fromEntries(
  SMS_KINDS.map((kind) => [templateVariable(kind), optional.describe(`The provider's approved template code for '${kind}' messages.`)]),
) as Record<string, typeof optional>;

export const smsEnvShape = {
  SMS_PROVIDER: optional
    .refine((v) => v === undefined || v === 'aliyun', 'must be aliyun (Alibaba Cloud SMS), or unset to write DATA_DIR/sms-out/outbox.jsonl')
    .describe('Text-message provider: aliyun, or unset to write each message as a line of DATA_DIR/sms-out/outbox.jsonl.'),
  SMS_ENDPOINT: z
    .url('must be a URL such as https://dysmsapi.aliyuncs.com')
    .default(ALIYUN_SMS_ENDPOINT)
    .describe('The provider API address (tests point it at a local stand-in).'),
  ALIBABA_CLOUD_ACCESS_KEY_ID: optional.describe('Alibaba Cloud AccessKey ID (a RAM user allowed dysms:SendSms).'),
  ALIBABA_CLOUD_ACCESS_KEY_SECRET: optional.describe('Alibaba Cloud AccessKey secret.'),
  SMS_SIGN_NAME: z
    .string()
    .default(DEFAULT_SMS_SIGN_NAME)
    .transform((v) => v.trim())
    .refine(
      (v) => v.length >= 2 && v.length <= 12 && !/[【】\r\n]/.test(v),
      'must be the registered signature (签名) without 【】, 2–12 characters',
    )
    .describe('The registered signature (签名), shown as 【…】 before every message.'),
  ...templateShape,
  SMS_KINDS_OFF: z
    .string()
    .default('')
    .transform((v, ctx) => {
      const kinds = v
        .split(',')
        .map((k) => k.trim())
        .filter(Boolean);
      const unknown = kinds.filter((k) => !(SMS_KINDS as readonly string[]).includes(k));
      if (unknown.length > 0) {
        ctx.addIssue({ code: 'custom', message: `unknown kind(s) ${unknown.join(', ')}; the kinds are ${SMS_KINDS.join(', ')}` });
        return z.NEVER;
      }
      return kinds as SmsKind[];
    })
    .describe('Comma-separated kinds of text message not to send, e.g. unit-reminder,reporter-dispatched.'),
  SMS_PER_NUMBER_PER_DAY: z.coerce
    .number()
    .int()
    .min(1)
    .max(100)
    .default(5)
    .describe('Messages to one number per China day; more wait for the next day.'),
  SMS_DAILY_BUDGET: z.coerce
    .number()
    .int()
    .min(1)
    .default(2000)
    .describe('Messages sent per China day by the whole deployment; more wait for the next day.'),
  SMS_QUIET_HOURS: z
    .string()
    .default('22-8')
    .transform((v, ctx) => {
      const match = /^(\d{1,2})-(\d{1,2})$/.exec(v.trim());
      const from = Number(match?.[1]);
      const to = Number(match?.[2]);
      if (!match || from > 23 || to > 23) {
        ctx.addIssue({
          code: 'custom',
          message: 'must be two China-time hours FROM-TO, e.g. 22-8 (no messages to residents 22:00–08:00), or 0-0 for none',
        });
        return z.NEVER;
      }
      return { from, to };
    })
    .describe('China-time hours in which residents get no non-urgent messages (FROM-TO, default 22-8).'),
};

type SmsEnvValues = {
  SMS_PROVIDER?: string | undefined;
  SMS_ENDPOINT: string;
  ALIBABA_CLOUD_ACCESS_KEY_ID?: string | undefined;
  ALIBABA_CLOUD_ACCESS_KEY_SECRET?: string | undefined;
  SMS_SIGN_NAME: string;
  SMS_KINDS_OFF: SmsKind[];
  SMS_PER_NUMBER_PER_DAY: number;
  SMS_DAILY_BUDGET: number;
  SMS_QUIET_HOURS: QuietHours;
} & Record<string, unknown>;

/** The settings; throws a message naming the variable when a provider lacks what it needs. */
export function smsSettings(values: SmsEnvValues): SmsSettings {
  const templates: Partial<Record<SmsKind, string>> = {};
  for (const kind of SMS_KINDS) {
    const code = values[templateVariable(kind)];
    if (typeof code === 'string' && code) templates[kind] = code;
  }
  let provider: SmsSettings['provider'] = null;
  if (values.SMS_PROVIDER === 'aliyun') {
    const missing = [
      ...(values.ALIBABA_CLOUD_ACCESS_KEY_ID ? [] : ['ALIBABA_CLOUD_ACCESS_KEY_ID']),
      ...(values.ALIBABA_CLOUD_ACCESS_KEY_SECRET ? [] : ['ALIBABA_CLOUD_ACCESS_KEY_SECRET']),
      ...SMS_KINDS.filter((k) => !values.SMS_KINDS_OFF.includes(k) && !templates[k]).map(templateVariable),
    ];
    if (missing.length > 0) {
      throw new Error(
        `SMS_PROVIDER=aliyun needs ${missing.join(', ')} (a template code for every kind not in SMS_KINDS_OFF, and the AccessKey pair)`,
      );
    }
    provider = {
      kind: 'aliyun',
      endpoint: values.SMS_ENDPOINT,
      accessKeyId: values.ALIBABA_CLOUD_ACCESS_KEY_ID!,
      accessKeySecret: values.ALIBABA_CLOUD_ACCESS_KEY_SECRET!,
    };
  }
  return {
    provider,
    signName: values.SMS_SIGN_NAME,
    templates,
    kindsOff: values.SMS_KINDS_OFF,
    perNumberPerDay: values.SMS_PER_NUMBER_PER_DAY,
    dailyBudget: values.SMS_DAILY_BUDGET,
    quietHours: values.SMS_QUIET_HOURS,
  };
}
