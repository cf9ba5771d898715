// One description of a table (Chinese headers, a kind and a width per column) written two ways:
// an .xlsx sheet (write-excel-file: dates as real dates in CST, numbers as numbers, the header
// row frozen) and CSV (RFC 4180: fields quoted when they hold a comma, quote or line break,
// quotes doubled, CRLF between records; UTF-8 with a byte-order mark, without which Excel
// reads the Chinese as mojibake). Each ledger declares its columns once and gets both.
// Rows may come a batch at a time as they are read; CSV then goes out a piece per batch and the
// .xlsx is written on a worker thread (xlsx-in-worker.ts), so a ledger of 70,000 rows does not
// hold the web process (issue 11).
import { setImmediate as nextTurn } from 'node:timers/promises';
import { chinaDate, chinaDateTime } from '../china-time.ts';
import { xlsxInWorker, type WorkerSheet } from './xlsx-in-worker.ts';
import type { CellValue, ColumnKind, SheetColumn } from './xlsx-workbook.ts';

export type { CellValue } from './xlsx-workbook.ts';

export interface Column<Row> extends SheetColumn {
  value(row: Row): CellValue;
}

/** Rows all at once, or a batch at a time as they are read (an export of any size). */
export type TableRows<Row> = readonly Row[] | AsyncIterable<readonly Row[]>;

export interface Table<Row> {
  /** The sheet name (at most 31 characters, none of : \ / ? * [ ]). */
  sheet: string;
  columns: ReadonlyArray<Column<Row>>;
  rows: TableRows<Row>;
  /** Number the rows in a first column "序号", as paper ledgers do. */
  numbered?: boolean;
}

export interface XlsxFile {
  format: 'xlsx';
  filename: string;
  contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
  body: Buffer;
}

export interface CsvFile {
  format: 'csv';
  filename: string;
  contentType: 'text/csv; charset=utf-8';
  /**
   * The file a piece at a time as its rows are read, U+FEFF (the BOM) first; write each as UTF-8
   * as it comes (csvFileText() collects them). Read once.
   */
  chunks: AsyncIterable<string>;
}

export type ExportFile = XlsxFile | CsvFile;
export type ExportFormat = ExportFile['format'];

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** Rows turned into text or cells per batch; between batches, other requests get their turn. */
const BATCH_ROWS = 250;

const numberColumn: Column<number> = { header: '序号', kind: 'integer', width: 6, value: (n) => n };

function withNumbers<R>(table: Table<R>): { columns: ReadonlyArray<Column<R>>; cells: (row: R, index: number) => CellValue[] } {
  if (!table.numbered) return { columns: table.columns, cells: (row) => table.columns.map((c) => c.value(row)) };
  const columns = [{ ...numberColumn, value: () => null } as Column<R>, ...table.columns];
  return { columns, cells: (row, i) => [i + 1, ...table.columns.map((c) => c.value(row))] };
}

/**
 * The table's rows in batches of at most BATCH_ROWS, each with the index of its first row, and a
 * turn of the event loop after each: an export of 70,000 rows never holds the web process.
 */
async function* batchesOf<R>(rows: TableRows<R>): AsyncGenerator<{ rows: readonly R[]; first: number }> {
  let first = 0;
  const sources: Iterable<readonly R[]> | AsyncIterable<readonly R[]> = Array.isArray(rows)
    ? [rows as readonly R[]]
    : (rows as AsyncIterable<readonly R[]>);
  for await (const source of sources) {
    for (let i = 0; i < source.length; i += BATCH_ROWS) {
      const batch = source.length <= BATCH_ROWS ? source : source.slice(i, i + BATCH_ROWS);
      yield { rows: batch, first };
      first += batch.length;
      await nextTurn();
    }
  }
}

/** The table as a sheet for the .xlsx worker: column descriptions and plain cell values. */
function workerSheet<R>(table: Table<R>): WorkerSheet {
  const { columns, cells } = withNumbers(table);
  return {
    name: table.sheet,
    columns: columns.map(({ header, kind, width }) => ({ header, kind, width })),
    rows: (async function* () {
      for await (const batch of batchesOf(table.rows)) yield batch.rows.map((row, i) => cells(row, batch.first + i));
    })(),
  };
}

/** Several tables as the sheets of one workbook, written on a worker thread (xlsx-in-worker.ts). */
export function tablesToXlsx(tables: ReadonlyArray<Table<unknown>>): Promise<Buffer> {
  return xlsxInWorker(tables.map((t) => workerSheet(t)));
}

/**
 * A text a spreadsheet would take for a formula (=, +, -, @, or a leading tab or CR) gets a
 * leading apostrophe in CSV: residents write these texts, staff open the file in Excel (CSV
 * injection). The .xlsx export stores texts as texts and needs no such guard.
 */
export function guardFormula(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

export function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function csvText(kind: ColumnKind, value: CellValue): string {
  if (value === null) return '';
  switch (kind) {
    case 'datetime':
      return chinaDateTime(String(value));
    case 'date':
      return chinaDate(String(value));
    case 'percent':
      return `${(Number(value) * 100).toFixed(1)}%`;
    case 'integer':
      return String(value);
    case 'auto':
      return typeof value === 'number' ? String(value) : guardFormula(value);
    case 'text':
    case 'wrapText':
      return guardFormula(String(value));
  }
}

function csvHeader<R>(columns: ReadonlyArray<Column<R>>): string {
  return `\uFEFF${columns.map((c) => csvField(c.header)).join(',')}\r\n`;
}

function csvRecord<R>(columns: ReadonlyArray<Column<R>>, values: readonly CellValue[]): string {
  return `${values.map((v, j) => csvField(csvText(columns[j]!.kind, v))).join(',')}\r\n`;
}

/** RFC 4180 with CRLF, UTF-8 BOM first: the header, then one piece per batch of rows. */
export async function* csvChunks<R>(table: Table<R>): AsyncGenerator<string> {
  const { columns, cells } = withNumbers(table);
  yield csvHeader(columns);
  for await (const batch of batchesOf(table.rows)) {
    yield batch.rows.map((row, i) => csvRecord(columns, cells(row, batch.first + i))).join('');
  }
}

/** A table held in memory as one CSV text (the same text csvChunks writes in pieces). */
export function tableToCsv<R>(table: Table<R> & { rows: readonly R[] }): string {
  const { columns, cells } = withNumbers(table);
  return csvHeader(columns) + table.rows.map((row, i) => csvRecord(columns, cells(row, i))).join('');
}

/** A CSV file's whole text. */
export async function csvFileText(file: CsvFile): Promise<string> {
  let text = '';
  for await (const chunk of file.chunks) text += chunk;
  return text;
}

export async function xlsxFile(name: string, tables: ReadonlyArray<Table<unknown>>): Promise<XlsxFile> {
  return { format: 'xlsx', filename: `${name}.xlsx`, contentType: XLSX_TYPE, body: await tablesToXlsx(tables) };
}

export function csvFile<R>(name: string, table: Table<R>): CsvFile {
  return { format: 'csv', filename: `${name}.csv`, contentType: 'text/csv; charset=utf-8', chunks: csvChunks(table) };
}
