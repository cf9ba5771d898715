// One description of a table (Chinese headers, a kind and a width per column) written two ways:
// an .xlsx sheet (write-excel-file: dates as real dates in CST, numbers as numbers, the header
// row frozen) and CSV (RFC 4180: fields quoted when they hold a comma, quote or line break,
// quotes doubled, CRLF between records; UTF-8 with a byte-order mark, without which Excel
// reads the Chinese as mojibake). Each ledger declares its columns once and gets both.
import writeXlsxFile, { type Cell, type Row, type Sheet } from 'write-excel-file/node';
import { chinaDate, chinaDateTime, spreadsheetDate } from '../china-time.ts';

/**
 * text: one line; wrapText: long text, wrapped in the sheet; datetime/date: an ISO instant shown
 * in CST; integer; percent: a fraction 0–1; auto: a number or a text as it comes.
 */
export type ColumnKind = 'text' | 'wrapText' | 'datetime' | 'date' | 'integer' | 'percent' | 'auto';
export type CellValue = string | number | null;

export interface Column<Row> {
  header: string;
  kind: ColumnKind;
  /** Width in characters (a Chinese character is about two). */
  width: number;
  value(row: Row): CellValue;
}

export interface Table<Row> {
  /** The sheet name (at most 31 characters, none of : \ / ? * [ ]). */
  sheet: string;
  columns: ReadonlyArray<Column<Row>>;
  rows: readonly Row[];
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
  /** Starts with U+FEFF (the BOM); write it as UTF-8. */
  body: string;
}

export type ExportFile = XlsxFile | CsvFile;
export type ExportFormat = ExportFile['format'];

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const DATETIME_FORMAT = 'yyyy-mm-dd hh:mm';
const DATE_FORMAT = 'yyyy-mm-dd';

const numberColumn: Column<number> = { header: '序号', kind: 'integer', width: 6, value: (n) => n };

function withNumbers<R>(table: Table<R>): { columns: ReadonlyArray<Column<R>>; cells: (row: R, index: number) => CellValue[] } {
  if (!table.numbered) return { columns: table.columns, cells: (row) => table.columns.map((c) => c.value(row)) };
  const columns = [{ ...numberColumn, value: () => null } as Column<R>, ...table.columns];
  return { columns, cells: (row, i) => [i + 1, ...table.columns.map((c) => c.value(row))] };
}

function xlsxCell(kind: ColumnKind, value: CellValue): Cell {
  if (value === null || value === '') return null;
  const top = { alignVertical: 'top' as const };
  switch (kind) {
    case 'datetime':
    case 'date':
      return { ...top, type: Date, value: spreadsheetDate(String(value)), format: kind === 'date' ? DATE_FORMAT : DATETIME_FORMAT };
    case 'integer':
      return { ...top, type: Number, value: Number(value), format: '0' };
    case 'percent':
      return { ...top, type: Number, value: Number(value), format: '0.0%' };
    case 'wrapText':
      return { ...top, type: String, value: String(value), wrap: true };
    case 'auto':
      return typeof value === 'number' ? { ...top, type: Number, value } : { ...top, type: String, value };
    case 'text':
      return { ...top, type: String, value: String(value) };
  }
}

export function tableToSheet<R>(table: Table<R>): Sheet<Buffer> {
  const { columns, cells } = withNumbers(table);
  const header: Row = columns.map((c) => ({
    type: String,
    value: c.header,
    fontWeight: 'bold' as const,
    backgroundColor: '#DDE6F0',
    alignVertical: 'center' as const,
  }));
  const data: Row[] = table.rows.map((row, i) => cells(row, i).map((v, j) => xlsxCell(columns[j]!.kind, v)));
  return {
    sheet: table.sheet,
    data: [header, ...data],
    columns: columns.map((c) => ({ width: c.width })),
    stickyRowsCount: 1,
    dateFormat: DATETIME_FORMAT,
  };
}

/** Several tables as the sheets of one workbook. */
export async function tablesToXlsx(tables: ReadonlyArray<Table<unknown>>): Promise<Buffer> {
  return writeXlsxFile(tables.map((t) => tableToSheet(t))).toBuffer();
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

/** RFC 4180 with CRLF, UTF-8 BOM first. */
export function tableToCsv<R>(table: Table<R>): string {
  const { columns, cells } = withNumbers(table);
  const lines = [columns.map((c) => csvField(c.header)).join(',')];
  table.rows.forEach((row, i) => {
    lines.push(
      cells(row, i)
        .map((v, j) => csvField(csvText(columns[j]!.kind, v)))
        .join(','),
    );
  });
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

export async function xlsxFile(name: string, tables: ReadonlyArray<Table<unknown>>): Promise<XlsxFile> {
  return { format: 'xlsx', filename: `${name}.xlsx`, contentType: XLSX_TYPE, body: await tablesToXlsx(tables) };
}

export function csvFile<R>(name: string, table: Table<R>): CsvFile {
  return { format: 'csv', filename: `${name}.csv`, contentType: 'text/csv; charset=utf-8', body: tableToCsv(table) };
}
