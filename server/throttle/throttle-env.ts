// The throttles' limits as settings, for server/env.ts (validated once at start). Each is
// "COUNT/WINDOW" with the window in s, m, h or d: `20/10m` is 20 per 10 minutes.
import { z } from 'zod';
import { formatLimit, parseLimit, type Limit } from './sliding-window.ts';
import { DEFAULT_LIMITS, type ThrottleLimits, type ThrottleScope } from './throttles.ts';

const VARIABLES = {
  THROTTLE_REPORTS: ['report', 'Reports one client address may submit on the web form or API (hotline and mail are not limited).'],
  THROTTLE_UPLOADS: ['upload', 'Photos one client address may upload.'],
  THROTTLE_TRACK_MISSES: ['track', 'Wrong tracking codes one client address may try.'],
  THROTTLE_LOGIN_ACCOUNT: ['login-account', 'Failed staff logins for one account, from anywhere.'],
  THROTTLE_LOGIN_ADDRESS: ['login-address', 'Failed staff logins from one client address, for any account.'],
  THROTTLE_ANSWER_TICKET: ['answer-ticket', 'Wrong last four phone digits tried on one ticket to answer "fixed?" online (网上回访).'],
  THROTTLE_ANSWER_ADDRESS: ['answer-address', 'Wrong last four phone digits (or links) tried from one client address, for any ticket.'],
  THROTTLE_NEARBY: ['nearby', 'Look-ups of open problems nearby ("我也遇到了" on the report form) one client address may make.'],
  THROTTLE_LOOKUP_NUMBER: [
    'lookup-number',
    'One-time codes one mobile number may be sent to look up its reports (/track/phone), per hour.',
  ],
  THROTTLE_LOOKUP_NUMBER_DAY: ['lookup-number-day', 'The same per mobile number, per day.'],
  THROTTLE_LOOKUP_ADDRESS: ['lookup-address', 'One-time codes one client address may ask for, for any number.'],
} as const satisfies Record<string, readonly [ThrottleScope, string]>;

type Variable = keyof typeof VARIABLES;

function limitSetting(scope: ThrottleScope, description: string) {
  return z
    .string()
    .default(formatLimit(DEFAULT_LIMITS[scope]))
    .transform((text, ctx): Limit => {
      const limit = parseLimit(text);
      if (!limit) {
        ctx.addIssue({ code: 'custom', message: 'must be COUNT/WINDOW, e.g. 20/10m (window 1s–7d; units s, m, h, d)' });
        return z.NEVER;
      }
      return limit;
    })
    .describe(description);
}

export const throttleEnvShape = Object.fromEntries(
  Object.entries(VARIABLES).map(([name, [scope, description]]) => [name, limitSetting(scope, description)]),
) as Record<Variable, ReturnType<typeof limitSetting>>;

export function throttleLimits(values: Record<Variable, Limit>): ThrottleLimits {
  return Object.fromEntries(Object.entries(VARIABLES).map(([name, [scope]]) => [scope, values[name as Variable]])) as ThrottleLimits;
}
