// A table's plain cell values as a sheet of write-excel-file: dates as real dates in CST, numbers
// as numbers, long text wrapped, the header row bold and frozen. Runs in the .xlsx worker
// (xlsx-worker.ts), so it takes only what crosses a thread — column descriptions and rows of
// strings, numbers and nulls — never the ledgers' row objects or their column functions.
import writeXlsxFile, { type Cell, type Row, type Sheet } from 'write-excel-file/node';
import { spreadsheetDate } from '../china-time.ts';

/**
 * text: one line; wrapText: long text, wrapped in the sheet; datetime/date: an ISO instant shown
 * in CST; integer; percent: a fraction 0–1; auto: a number or a text as it comes.
 */
export type ColumnKind = 'text' | 'wrapText' | 'datetime' | 'date' | 'integer' | 'percent' | 'auto';
export type CellValue = string | number | null;

/** A column as the sheet needs it. */
export interface SheetColumn {
  header: string;
  kind: ColumnKind;
  /** Width in characters (a Chinese character is about two). */
  width: number;
}

const DATETIME_FORMAT = 'yyyy-mm-dd hh:mm';
const DATE_FORMAT = 'yyyy-mm-dd';

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

/** One sheet, filled a batch of rows at a time. */
export class SheetBuilder {
  readonly #name: string;
  readonly #columns: readonly SheetColumn[];
  readonly #data: Row[];

  constructor(name: string, columns: readonly SheetColumn[]) {
    this.#name = name;
    this.#columns = columns;
    this.#data = [
      columns.map((c) => ({
        type: String,
        value: c.header,
        fontWeight: 'bold' as const,
        backgroundColor: '#DDE6F0',
        alignVertical: 'center' as const,
      })),
    ];
  }

  add(rows: ReadonlyArray<readonly CellValue[]>): void {
    for (const values of rows) this.#data.push(values.map((v, j) => xlsxCell(this.#columns[j]!.kind, v)));
  }

  sheet(): Sheet<Buffer> {
    return {
      sheet: this.#name,
      data: this.#data,
      columns: this.#columns.map((c) => ({ width: c.width })),
      stickyRowsCount: 1,
      dateFormat: DATETIME_FORMAT,
    };
  }
}

export function writeWorkbook(sheets: readonly SheetBuilder[]): Promise<Buffer> {
  return writeXlsxFile(sheets.map((s) => s.sheet())).toBuffer();
}
