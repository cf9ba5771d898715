// Reading a phone system's call export (CSV): its bytes decoded, its header mapped to the columns
// the import knows, its rows as cells per column. What the cells mean is call-row.ts's business.
//
// Phone systems in China export GBK/GB18030 as often as UTF-8, with or without a byte-order mark,
// and name their columns in Chinese: both are accepted (decodeCsv, COLUMN_ALIASES). Parsing the
// CSV itself (quotes, separators and line breaks inside a quoted cell) is csv-parse's job.
import { parse as parseCsv, type CsvError } from 'csv-parse/sync';

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
export class CsvFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CsvFileError';
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
