// Import of call records from a phone system's CSV export (issue 5, item 6):
//   npm run hotline:import -- calls.csv [more.csv …]
// Each row is a call and goes through the hotline service like a call the operator logs in the
// console (hotline-service.ts, recordImportedCall): a new ticket through submitReport (channel
// hotline), a "+1" on the ticket named, a consultation answered or a referral recorded. The
// phone system's call id makes a re-import record nothing twice. A bad row is reported with
// the reason and the import goes on.
//
// Phone systems in China export GBK/GB18030 as often as UTF-8, with or without a byte-order mark,
// and name their columns in Chinese: both are accepted (decodeCsv, COLUMN_ALIASES). Parsing the
// CSV itself (quotes, separators and line breaks inside a quoted cell) is csv-parse's job.
import fs from 'node:fs/promises';
import { parse as parseCsv, type CsvError } from 'csv-parse/sync';
import type { Catalog } from '../catalog/types.ts';
import { CST_OFFSET_MS } from '../china-time.ts';
import { InvalidInputError } from '../errors.ts';
import type { CallInput } from './call-schema.ts';
import type { CallOutcome } from './call-types.ts';
import type { Hotline } from './hotline-service.ts';
import { normalizePhone } from '../tickets/phone.ts';

/** The columns, as README.md's "Hotline" section documents them. */
export const CALL_COLUMNS = [
  'call_id',
  'started_at',
  'caller_number',
  'caller_name',
  'anonymous',
  'callback',
  'outcome',
  'description',
  'category',
  'point',
  'address',
  'answer',
  'referred_to',
  'attach_to',
  'operator',
] as const;
export type CallColumn = (typeof CALL_COLUMNS)[number];

/** A file without these columns is not a call record export: nothing of it is imported. */
export const REQUIRED_COLUMNS: readonly CallColumn[] = ['call_id', 'started_at', 'description'];

/** Header names accepted besides the English one (compared without case, spaces, "_" or "-"). */
export const COLUMN_ALIASES: Record<CallColumn, readonly string[]> = {
  call_id: ['通话编号', '通话ID', '呼叫编号', '呼叫ID', '流水号', '录音编号', 'id'],
  started_at: ['来电时间', '呼入时间', '开始时间', '通话开始时间', '通话时间', 'time', 'start_time'],
  caller_number: ['来电号码', '主叫号码', '主叫', '电话号码', '联系电话', 'caller', 'phone'],
  caller_name: ['来电人', '来电人姓名', '姓名', '联系人', 'name'],
  anonymous: ['匿名', '是否匿名'],
  callback: ['回访', '是否回访', '需要回访', '是否回电', 'wants_callback'],
  outcome: ['处理方式', '处理结果', '办理方式', '来电类型'],
  description: ['来电内容', '内容', '问题描述', '反映内容', '诉求内容', 'summary'],
  category: ['问题类别', '类别', '问题分类', '分类'],
  point: ['点位', '点位名称', 'point_id'],
  address: ['地址', '问题地址', '发生地址'],
  answer: ['答复内容', '答复', '回复内容'],
  referred_to: ['转办去向', '转办', '转办单位', '转接', 'referral'],
  attach_to: ['追加工单', '关联工单', '追加到', '工单查询码', '查询码', 'tracking_code'],
  operator: ['话务员', '接线员', '坐席', '坐席工号', '工号', '受理人'],
};

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

export type ImportOutcome = 'created' | 'attached' | 'answered' | 'referred' | 'duplicate' | 'error';

/** One line of the command's output: what a row became. */
export interface CallImportLine {
  file: string;
  /** Line of the file the row starts on (the header is line 1). */
  line: number;
  outcome: ImportOutcome;
  callId?: string;
  trackingCode?: string;
  error?: string;
}

/** What a file as a whole came to; `error` when it could not be read or is no call export. */
export interface CallImportFile {
  file: string;
  encoding: string | null;
  counts: Record<ImportOutcome, number>;
  ignoredColumns: string[];
  error?: string;
}

const OUTCOME_WORDS: Record<CallOutcome, ImportOutcome> = {
  ticket: 'created',
  attached: 'attached',
  answered: 'answered',
  referred: 'referred',
};

export class CsvFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CsvFileError';
  }
}

/** A row that cannot become a call; `column` names the CSV column at fault. */
class RowError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RowError';
  }
}

/**
 * The file's text: UTF-8 when the bytes are valid UTF-8 (with or without a BOM), UTF-16 when a
 * UTF-16 BOM says so (Excel's "Unicode text"), else GB18030 — the superset of GBK and GB2312 that
 * Chinese phone systems and Excel write.
 */
export function decodeCsv(bytes: Uint8Array): { text: string; encoding: 'utf-8' | 'utf-16le' | 'utf-16be' | 'gb18030' } {
  const strip = (s: string) => s.replace(/^\uFEFF/, '');
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { text: strip(new TextDecoder('utf-16le').decode(bytes)), encoding: 'utf-16le' };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { text: strip(new TextDecoder('utf-16be').decode(bytes)), encoding: 'utf-16be' };
  try {
    return { text: strip(new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes)), encoding: 'utf-8' };
  } catch {
    // GB18030's own BOM is 84 31 95 33; TextDecoder gives it as U+FEFF.
    return { text: strip(new TextDecoder('gb18030').decode(bytes)), encoding: 'gb18030' };
  }
}

const headerKey = (s: string) =>
  s
    .replace(/^\uFEFF/, '')
    .replace(/[\s_\-]/g, '')
    .toLowerCase();
const HEADER_INDEX = new Map<string, CallColumn>(
  CALL_COLUMNS.flatMap((c) => [[headerKey(c), c] as const, ...COLUMN_ALIASES[c].map((a) => [headerKey(a), c] as const)]),
);

export type CsvRow = { line: number; cells: Partial<Record<CallColumn, string>> } | { line: number; error: string };

/**
 * The rows of a call export: the first record is the header. Separator: a comma, or a tab or
 * semicolon when the header line has more of those. Blank rows are skipped; a record csv-parse
 * cannot read (a quote never closed) is a row error.
 */
export function readCallRows(text: string): { rows: CsvRow[]; ignoredColumns: string[] } {
  const normalized = text.replace(/\r\n?/g, '\n');
  const firstLine = normalized.slice(0, normalized.indexOf('\n') === -1 ? undefined : normalized.indexOf('\n'));
  const count = (ch: string) => firstLine.split(ch).length - 1;
  const delimiter = [',', '\t', ';'].reduce((best, d) => (count(d) > count(best) ? d : best), ',');
  const skipped: CsvRow[] = [];
  const startLine = (endLine: number, raw: string | undefined) =>
    endLine - ((raw ?? '').replace(/^\n+/, '').replace(/\n$/, '').match(/\n/g)?.length ?? 0);
  const records = parseCsv(normalized, {
    delimiter,
    info: true,
    raw: true,
    relax_quotes: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    on_skip: (err: CsvError | undefined, raw: string | undefined) => {
      skipped.push({
        line: startLine(Number(err?.lines ?? 0), raw),
        error: `CSV 格式错误（${err?.code ?? 'unreadable'}）：${err?.message ?? ''}`,
      });
      return undefined;
    },
  }) as unknown as Array<{ record: string[]; info: { lines: number }; raw: string }>;

  const [header, ...body] = records;
  if (!header) throw new CsvFileError('文件是空的：第一行应为列名（call_id,started_at,description …）');
  const columns: Array<CallColumn | null> = [];
  const ignoredColumns: string[] = [];
  for (const name of header.record) {
    const column = HEADER_INDEX.get(headerKey(name)) ?? null;
    if (column && !columns.includes(column)) columns.push(column);
    else {
      columns.push(null);
      if (name.trim()) ignoredColumns.push(name.trim());
    }
  }
  const missing = REQUIRED_COLUMNS.filter((c) => !columns.includes(c));
  if (missing.length > 0) {
    throw new CsvFileError(
      `缺少必需的列：${missing.map((c) => `${c}（${COLUMN_ALIASES[c][0]}）`).join('、')}；第一行应为列名，见 README 的 Hotline 一节`,
    );
  }

  const rows: CsvRow[] = [...skipped];
  for (const r of body) {
    const cells: Partial<Record<CallColumn, string>> = {};
    for (const [i, column] of columns.entries()) {
      const value = cleanCell(r.record[i] ?? '');
      if (column && value) cells[column] = value;
    }
    // A row of empty cells (",,,," as spreadsheets leave them) is no call.
    if (Object.keys(cells).length === 0) continue;
    rows.push({ line: startLine(r.info.lines, r.raw), cells });
  }
  rows.sort((a, b) => a.line - b.line);
  return { rows, ignoredColumns };
}

/** Trimmed; Excel's text-forcing `="0319…"` and a leading apostrophe undone. */
function cleanCell(raw: string): string {
  const value = raw.trim();
  const formula = /^="(.*)"$/s.exec(value);
  if (formula) return formula[1]!.trim();
  return value.startsWith("'") ? value.slice(1).trim() : value;
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
export function rowToCall(
  catalog: Catalog,
  cells: Partial<Record<CallColumn, string>>,
): { input: CallInput; meta: { at: string; externalId: string; operatorName: string | null } } {
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

/** Input paths of the call and report schemas → the CSV column an operator fixes. */
const FIELD_COLUMNS: Record<string, CallColumn> = {
  'caller.phone': 'caller_number',
  'reporter.phone': 'caller_number',
  'caller.name': 'caller_name',
  'reporter.name': 'caller_name',
  'caller.anonymous': 'anonymous',
  'caller.wantsCallback': 'callback',
  outcome: 'outcome',
  description: 'description',
  categoryCode: 'category',
  category: 'category',
  pointId: 'point',
  address: 'address',
  'location.address': 'address',
  answer: 'answer',
  referredTo: 'referred_to',
  attachTo: 'attach_to',
};

function describeError(error: unknown): string {
  if (error instanceof InvalidInputError) {
    const [field, message] = Object.entries(error.fields)[0] ?? [];
    const column = field ? FIELD_COLUMNS[field] : undefined;
    return column ? `${column}: ${message ?? error.message}` : error.message;
  }
  return (error instanceof Error ? error.message : String(error)).slice(0, 500);
}

export interface CallImportDeps {
  hotline: Pick<Hotline, 'recordImportedCall'>;
  catalog: Catalog;
}

const emptyCounts = (): Record<ImportOutcome, number> => ({ created: 0, attached: 0, answered: 0, referred: 0, duplicate: 0, error: 0 });

/**
 * One export's bytes → a line per row, in file order, one row after the other (a "+1" may name
 * the ticket a row above it created). Throws CsvFileError when the file is no call export.
 */
export async function importCallCsv(
  deps: CallImportDeps,
  bytes: Uint8Array,
  file: string,
  onLine: (line: CallImportLine) => void = () => {},
): Promise<CallImportFile> {
  const { text, encoding } = decodeCsv(bytes);
  const { rows, ignoredColumns } = readCallRows(text);
  const counts = emptyCounts();
  for (const row of rows) {
    const line = await importRow(deps, file, row);
    counts[line.outcome]++;
    onLine(line);
  }
  return { file, encoding, counts, ignoredColumns };
}

async function importRow(deps: CallImportDeps, file: string, row: CsvRow): Promise<CallImportLine> {
  if ('error' in row) return { file, line: row.line, outcome: 'error', error: row.error };
  const callId = row.cells.call_id;
  const base = { file, line: row.line, ...(callId && { callId }) };
  try {
    const { input, meta } = rowToCall(deps.catalog, row.cells);
    const call = await deps.hotline.recordImportedCall(input, meta);
    return {
      ...base,
      outcome: call.duplicate ? 'duplicate' : OUTCOME_WORDS[call.outcome],
      ...(call.trackingCode && { trackingCode: call.trackingCode }),
    };
  } catch (error) {
    return { ...base, outcome: 'error', error: describeError(error) };
  }
}

/** Each file in turn; a file that cannot be read or is no call export is reported and skipped. */
export async function importCallFiles(
  deps: CallImportDeps,
  files: readonly string[],
  onLine: (line: CallImportLine) => void = () => {},
): Promise<CallImportFile[]> {
  const results: CallImportFile[] = [];
  for (const file of files) {
    try {
      results.push(await importCallCsv(deps, await fs.readFile(file), file, onLine));
    } catch (error) {
      const message = error instanceof CsvFileError ? error.message : `无法读取文件：${describeError(error)}`;
      results.push({ file, encoding: null, counts: emptyCounts(), ignoredColumns: [], error: message });
    }
  }
  return results;
}
