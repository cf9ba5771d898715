// Words the inspection pages of the console share: a round's state, an item's and a re-check's result.
import type { ItemVerdict, RecheckVerdict, RoundSummary } from '../../../../server/inspection/inspection-types.ts';

export const ROUND_STATUS_LABELS: Record<RoundSummary['status'], string> = { open: '进行中', closed: '已结束' };
export const ITEM_VERDICT_LABELS: Record<ItemVerdict, string> = { pass: '合格', fail: '不合格' };
export const RECHECK_VERDICT_LABELS: Record<RecheckVerdict, string> = { fixed: '已整改', not_fixed: '未整改到位' };
export const AREA_LABELS = { urban: '建成区', village: '行政村' } as const;
