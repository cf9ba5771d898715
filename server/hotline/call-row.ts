// One row of a call export → what the hotline's recordImportedCall takes: the time as China time,
// yes/no words, outcomes, categories and points by code or name, as phone systems write them.
import type { Catalog } from '../catalog/types.ts';
import { CST_OFFSET_MS } from '../china-time.ts';
import { normalizePhone } from '../tickets/phone.ts';
import type { CallColumn } from './call-csv.ts';
import type { CallInput } from './call-schema.ts';
import type { ImportedCallMeta } from './call-types.ts';

const OUTCOME_ALIASES: Record<string, CallInput['outcome']> = {
  ticket: 'ticket',
  new: 'ticket',
  created: 'ticket',
  新建工单: 'ticket',
  新建: 'ticket',
  工单: 'ticket',
  受理: 'ticket',
  attached: 'attach',
  attach: 'attach',
  '+1': 'attach',
  追加: 'attach',
  追加工单: 'attach',
  重复来电: 'attach',
  answered: 'answer',
  answer: 'answer',
  已答复: 'answer',
  答复: 'answer',
  咨询: 'answer',
  直接答复: 'answer',
  referred: 'refer',
  refer: 'refer',
  已转办: 'refer',
  转办: 'refer',
  转接: 'refer',
};

const TRUE_WORDS = new Set(['是', '1', 'true', 'yes', 'y', '需要', '要']);
const FALSE_WORDS = new Set(['否', '0', 'false', 'no', 'n', '不需要', '不要']);
/** What phone systems write for a withheld number: the call has no number, which is no error. */
const WITHHELD = new Set(['未知', '未知号码', '隐藏', '隐藏号码', '无', '-', 'anonymous', 'unknown', 'private', 'withheld']);
/** A row that cannot become a call; the message begins with the CSV column at fault. */
class RowError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RowError';
  }
}

/**
 * "2026-11-30 09:15:00", "2026/11/30 9:15" or "2026年11月30日 09:15" as China time; ISO-8601
 * with "Z" or an offset as written. Null when it is no valid date and time.
 */
export function parseCallTime(raw: string): Date | null {
  const value = raw
    .trim()
    .replace(/(\d)\s*年\s*(\d)/, '$1-$2')
    .replace(/(\d)\s*月\s*(\d)/, '$1-$2')
    .replace(/日/, '');
  const m = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})[ T]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i.exec(
    value,
  );
  if (!m) return null;
  const [, y, mo, d, h, mi, s = '0', ms = '0', zone] = m;
  const parts = [y, mo, d, h, mi, s].map(Number) as [number, number, number, number, number, number];
  const [year, month, day, hour, minute, second] = parts;
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return null;
  const wall = Date.UTC(year, month - 1, day, hour, minute, second, Number(ms.padEnd(3, '0')));
  // 2026-02-30 rolls over into March: no such day.
  if (new Date(wall).getUTCDate() !== day) return null;
  let offsetMs = CST_OFFSET_MS;
  if (zone && zone.toUpperCase() === 'Z') offsetMs = 0;
  else if (zone) {
    const z = /^([+-])(\d{2}):?(\d{2})$/.exec(zone)!;
    offsetMs = (z[1] === '-' ? -1 : 1) * (Number(z[2]) * 60 + Number(z[3])) * 60_000;
  }
  return new Date(wall - offsetMs);
}

function parseFlag(value: string | undefined, column: CallColumn): boolean | undefined {
  if (value === undefined) return undefined;
  const v = value.trim().toLowerCase();
  if (TRUE_WORDS.has(v)) return true;
  if (FALSE_WORDS.has(v)) return false;
  throw new RowError(`${column}: “${value}”应为 是/否、1/0 或 true/false`);
}

function parseOutcome(cells: Partial<Record<CallColumn, string>>): CallInput['outcome'] {
  const value = cells.outcome;
  if (value === undefined) {
    // Left empty: what else the row says tells which it is.
    if (cells.attach_to) return 'attach';
    if (cells.answer) return 'answer';
    if (cells.referred_to) return 'refer';
    return 'ticket';
  }
  const outcome = OUTCOME_ALIASES[value.trim().toLowerCase()];
  if (!outcome)
    throw new RowError(`outcome: 未知的处理方式“${value}”，应为 ticket/answered/referred/attached（新建工单/已答复/已转办/追加）`);
  return outcome;
}

function categoryCode(catalog: Catalog, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const bare = (s: string) => s.replace(/（[^）]*）|\([^)]*\)/g, '').trim();
  const found =
    catalog.category(value) ??
    catalog.categories.find((c) => c.name === value) ??
    catalog.categories.find((c) => bare(c.name) === bare(value));
  if (!found) throw new RowError(`category: 未知的问题类别“${value}”（填类别代码或名称，见 content/categories.json）`);
  return found.code;
}

function pointId(catalog: Catalog, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const found = catalog.point(value) ?? catalog.points.find((p) => p.name === value);
  if (!found) throw new RowError(`point: 未知的点位“${value}”（填点位编号或名称，见 content/points.json）`);
  return found.id;
}

/** The number as the hotline keeps it; a PBX's trunk "0" before a mobile number dropped. */
function callerNumber(value: string | undefined): string | undefined {
  if (value === undefined || WITHHELD.has(value.trim().toLowerCase())) return undefined;
  const digits = normalizePhone(value);
  return /^01[3-9]\d{9}$/.test(digits) ? digits.slice(1) : value;
}

/** A row → what recordImportedCall takes. Throws RowError for what is wrong with it. */
export function rowToCall(catalog: Catalog, cells: Partial<Record<CallColumn, string>>): { input: CallInput; meta: ImportedCallMeta } {
  const externalId = cells.call_id;
  if (!externalId) throw new RowError('call_id: 缺少通话编号（call_id），重复导入时靠它识别同一通电话');
  if (externalId.length > 80) throw new RowError('call_id: 通话编号太长（最多80个字符）');
  if (!cells.started_at) throw new RowError('started_at: 缺少来电时间');
  const at = parseCallTime(cells.started_at);
  if (!at) throw new RowError(`started_at: 无法识别的来电时间“${cells.started_at}”，应如 2026-11-30 09:15:00（北京时间）或 ISO 8601`);
  const anonymous = parseFlag(cells.anonymous, 'anonymous');
  const wantsCallback = parseFlag(cells.callback, 'callback');
  const phone = callerNumber(cells.caller_number);
  const input: CallInput = {
    caller: {
      ...(phone !== undefined && { phone }),
      ...(cells.caller_name && { name: cells.caller_name }),
      ...(anonymous !== undefined && { anonymous }),
      ...(wantsCallback !== undefined && { wantsCallback }),
    },
    outcome: parseOutcome(cells),
    description: cells.description ?? '',
    ...(cells.category && { categoryCode: categoryCode(catalog, cells.category) }),
    ...(cells.point && { pointId: pointId(catalog, cells.point) }),
    ...(cells.address && { address: cells.address }),
    ...(cells.answer && { answer: cells.answer }),
    ...(cells.referred_to && { referredTo: cells.referred_to }),
    ...(cells.attach_to && { attachTo: cells.attach_to }),
  };
  return { input, meta: { at: at.toISOString(), externalId, operatorName: cells.operator ?? null } };
}
