// `npm run audit:export` (ADR 018): the audit records of a range of China dates as one CSV for
// the assessor — UTF-8 with a byte-order mark (Excel), Chinese headers, one line per record, the
// tables one after another, each by id. Besides who, what and when, each line carries the
// record's other columns as JSON and its place in the chain with both hashes, so a line can be
// checked against `audit:verify`'s checkpoint.
import type { Kysely } from 'kysely';
import { CST_OFFSET_MS, DAY_MS, chinaDayStart } from '../china-time.ts';
import type { Database } from '../db/schema.ts';
import { csvChunks, type Column } from '../ledgers/table-export.ts';
import { AUDITED_TABLES, type AuditedTable } from './audited-tables.ts';
import { selectInRange, type AuditRow } from './audit-repository.ts';

const PAGE = 1000;

interface ExportRow {
  kind: AuditedTable;
  row: AuditRow;
}

const text = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));

/** "2026-12-08 09:47:41": the instant in China time, to the second. */
function chinaTimeToSecond(at: string): string {
  return new Date(new Date(at).getTime() + CST_OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ');
}

/** The columns the export names on their own; the rest go to 内容. */
function namedColumns(kind: AuditedTable): Set<string> {
  return new Set(['id', 'at', 'action', 'chain_seq', 'prev_hash', 'row_hash', kind.subject, ...kind.actor]);
}

function otherColumns({ kind, row }: ExportRow): string {
  const named = namedColumns(kind);
  return JSON.stringify(Object.fromEntries(Object.entries(row).filter(([c, v]) => !named.has(c) && v !== null)));
}

const COLUMNS: ReadonlyArray<Column<ExportRow>> = [
  { header: '记录类别', kind: 'text', width: 10, value: (r) => r.kind.label },
  { header: '记录编号', kind: 'integer', width: 10, value: (r) => r.row.id },
  { header: '时间（北京时间）', kind: 'text', width: 20, value: (r) => chinaTimeToSecond(r.row.at) },
  { header: '时间（UTC，原始值）', kind: 'text', width: 26, value: (r) => r.row.at },
  { header: '操作人', kind: 'text', width: 16, value: (r) => r.kind.actor.map((c) => text(r.row[c]) ?? '').join(':') },
  { header: '动作', kind: 'text', width: 16, value: (r) => text(r.row['action']) },
  { header: '对象', kind: 'text', width: 10, value: (r) => text(r.row[r.kind.subject]) },
  { header: '内容', kind: 'text', width: 60, value: otherColumns },
  { header: '链序号', kind: 'integer', width: 10, value: (r) => (r.row['chain_seq'] === null ? null : Number(r.row['chain_seq'])) },
  { header: '上一条哈希', kind: 'text', width: 66, value: (r) => text(r.row['prev_hash']) },
  { header: '本条哈希', kind: 'text', width: 66, value: (r) => text(r.row['row_hash']) },
];

async function* rowsInRange(db: Kysely<Database>, range: { from: string; to: string }): AsyncGenerator<ExportRow[]> {
  for (const kind of AUDITED_TABLES) {
    for (let after = 0; ;) {
      const rows = await selectInRange(db, kind.table, range, after, PAGE);
      if (rows.length > 0) yield rows.map((row) => ({ kind, row }));
      if (rows.length < PAGE) break;
      after = rows.at(-1)!.id;
    }
  }
}

/** The records of China dates `from` to `to` (both included, "YYYY-MM-DD") as CSV text, a piece at a time. */
export function auditCsv(db: Kysely<Database>, from: string, to: string): AsyncGenerator<string> {
  const range = { from: chinaDayStart(from).toISOString(), to: new Date(chinaDayStart(to).getTime() + DAY_MS).toISOString() };
  return csvChunks({ sheet: '审计记录', columns: COLUMNS, rows: rowsInRange(db, range) });
}
