// The filters of the three ledgers and the month of the monthly report: one zod schema per use
// case (DESIGN rule 2), for the router's `.input()` and the console's filter form alike. Dates
// are CST calendar dates as the office types them ("2026-11-30"), both ends inclusive.
import { z } from '../validation.ts';
import { STATUSES } from '../tickets/lifecycle.ts';
import { SOURCES } from '../tickets/ticket-source.ts';
import { DATE_PATTERN, MONTH_PATTERN } from '../china-time.ts';

const code = z
  .string()
  .trim()
  .regex(/^[a-z][a-z0-9-]*$/, { error: '编码格式不正确' });
const categoryCode = z
  .string()
  .trim()
  .regex(/^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)?$/, { error: '问题类别编码格式不正确' });
const date = z.string().trim().regex(DATE_PATTERN, { error: '日期格式应为 2026-11-30' });

const dateRange = {
  dateFrom: date.optional(),
  dateTo: date.optional(),
};

const checkRange = (f: { dateFrom?: string | undefined; dateTo?: string | undefined }) =>
  !f.dateFrom || !f.dateTo || f.dateFrom <= f.dateTo;
const rangeError = {
  error: '开始日期不能晚于结束日期',
  path: ['dateTo'],
  // Checked also when another field is wrong (zod skips refinements after any issue by default),
  // so every mistake is named at once; not when a date itself is wrong.
  when: (payload: { value: unknown; issues: ReadonlyArray<{ path?: ReadonlyArray<PropertyKey> }> }) =>
    typeof payload.value === 'object' &&
    payload.value !== null &&
    !payload.issues.some((i) => i.path?.[0] === 'dateFrom' || i.path?.[0] === 'dateTo'),
};

export const PAGE_SIZE_DEFAULT = 50;
export const PAGE_SIZE_MAX = 500;

const paging = {
  page: z.number().int().min(1, { error: '页码从 1 开始' }).optional(),
  pageSize: z
    .number()
    .int()
    .min(1)
    .max(PAGE_SIZE_MAX, { error: `每页最多 ${PAGE_SIZE_MAX} 条` })
    .optional(),
};

export const pointLedgerFilterSchema = z.object({
  /** The point's responsible unit (网格责任单位). */
  unitCode: code.optional(),
  typeCode: code.optional(),
  area: z.enum(['urban', 'village']).optional(),
  /** true: only points with open problems; false: only points without. */
  hasOpenProblems: z.boolean().optional(),
});
export type PointLedgerFilter = z.output<typeof pointLedgerFilterSchema>;

export const problemLedgerFilterSchema = z
  .object({
    statuses: z.array(z.enum(STATUSES, { error: '办理状态不正确' })).optional(),
    /** The lead unit (牵头单位). */
    unitCode: code.optional(),
    /** With unitCode: also tickets on which the unit cooperates (配合单位). */
    includeCooperating: z.boolean().optional(),
    /** A category; a top-level one includes its sub-categories. */
    categoryCode: categoryCode.optional(),
    pointId: code.optional(),
    channel: z.enum(['web', 'mail', 'hotline', 'patrol', 'inspection'], { error: '来源渠道不正确' }).optional(),
    /** 来源 (server/tickets/ticket-source.ts). */
    source: z.enum(SOURCES, { error: '问题来源不正确' }).optional(),
    /** Only tickets under a leader's 督办 mark. */
    supervisedOnly: z.boolean().optional(),
    /** Received (受理) on or after this CST date … */
    ...dateRange,
    /** Only tickets overdue now. */
    overdueOnly: z.boolean().optional(),
    ...paging,
  })
  .refine(checkRange, rangeError);
export type ProblemLedgerFilter = z.output<typeof problemLedgerFilterSchema>;

export const rectificationLedgerFilterSchema = z
  .object({
    /** The unit that reported the rectification. */
    unitCode: code.optional(),
    outcome: z.enum(['verified', 'sentBack', 'pending'], { error: '核验结果不正确' }).optional(),
    /** Reported (反馈) on or after this CST date … */
    ...dateRange,
    ...paging,
  })
  .refine(checkRange, rangeError);
export type RectificationLedgerFilter = z.output<typeof rectificationLedgerFilterSchema>;

export const monthlyReportInputSchema = z.object({
  month: z.string().trim().regex(MONTH_PATTERN, { error: '月份格式应为 2026-11' }),
});
