// The export formats (server/ledgers/table-export.ts) and China time (china-time.ts).
import { readSheet } from 'read-excel-file/node';
import { describe, expect, it } from 'vitest';
import { chinaDate, chinaDateRange, chinaDateTime, chinaDayStart, monthPeriod, spreadsheetDate } from '../../server/china-time.ts';
import { problemLedgerFilterSchema, monthlyReportInputSchema } from '../../server/ledgers/ledger-filters.ts';
import { csvField, guardFormula, tablesToXlsx, tableToCsv, type Table } from '../../server/ledgers/table-export.ts';

interface Row {
  name: string;
  at: string | null;
  n: number | null;
  rate: number | null;
}

const table = {
  sheet: '测试',
  numbered: true,
  columns: [
    { header: '名称', kind: 'wrapText', width: 20, value: (r) => r.name },
    { header: '时间', kind: 'datetime', width: 17, value: (r) => r.at },
    { header: '日期', kind: 'date', width: 11, value: (r) => r.at },
    { header: '数量', kind: 'integer', width: 6, value: (r) => r.n },
    { header: '比率', kind: 'percent', width: 8, value: (r) => r.rate },
  ],
  rows: [
    { name: '逗号,引号"和\n换行', at: '2026-11-30T16:30:00.000Z', n: 3, rate: 2 / 3 },
    { name: '=1+1', at: null, n: null, rate: null },
  ],
} satisfies Table<Row>;

describe('China time', () => {
  it('shows instants as CST dates and times', () => {
    expect(chinaDate('2026-11-30T15:59:59.999Z')).toBe('2026-11-30');
    expect(chinaDate('2026-11-30T16:00:00.000Z')).toBe('2026-12-01');
    expect(chinaDateTime('2026-11-02T02:05:00.000Z')).toBe('2026-11-02 10:05');
    expect(spreadsheetDate('2026-11-02T02:05:00.000Z').toISOString()).toBe('2026-11-02T10:05:00.000Z');
  });

  it('turns CST dates and months into UTC bounds', () => {
    expect(chinaDayStart('2026-11-01').toISOString()).toBe('2026-10-31T16:00:00.000Z');
    expect(chinaDateRange('2026-11-01', '2026-11-30')).toEqual({ from: '2026-10-31T16:00:00.000Z', to: '2026-11-30T16:00:00.000Z' });
    expect(chinaDateRange(undefined, undefined)).toEqual({});
    expect(monthPeriod('2026-11')).toEqual({
      month: '2026-11',
      from: '2026-10-31T16:00:00.000Z',
      to: '2026-11-30T16:00:00.000Z',
      dueDate: '2026-12-05',
    });
    expect(monthPeriod('2026-12')).toMatchObject({ to: '2026-12-31T16:00:00.000Z', dueDate: '2027-01-05' });
    expect(() => monthPeriod('2026-13')).toThrow(RangeError);
  });

  it('validates filters in Chinese', () => {
    const bad = problemLedgerFilterSchema.safeParse({ dateFrom: '2026-12-01', dateTo: '2026-11-01' });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.message).toBe('开始日期不能晚于结束日期');
    expect(problemLedgerFilterSchema.safeParse({ dateFrom: '2026/11/01' }).error?.issues[0]?.message).toBe('日期格式应为 2026-11-30');
    expect(problemLedgerFilterSchema.safeParse({ unitCode: "x' or 1=1" }).success).toBe(false);
    expect(problemLedgerFilterSchema.safeParse({ statuses: ['closed', 'overdue'] }).success).toBe(false);
    expect(monthlyReportInputSchema.safeParse({ month: '2026-1' }).error?.issues[0]?.message).toBe('月份格式应为 2026-11');
  });
});

describe('CSV', () => {
  it('quotes only what needs quoting, doubling quotes', () => {
    expect(csvField('plain 文本')).toBe('plain 文本');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('说"好"')).toBe('"说""好"""');
    expect(csvField('一\n二')).toBe('"一\n二"');
    expect(csvField('一\r\n二')).toBe('"一\r\n二"');
  });

  it('keeps a spreadsheet from taking residents’ text for a formula', () => {
    for (const text of ['=HYPERLINK("x")', '+86 123', '-2', '@SUM(A1)', '\t=1']) expect(guardFormula(text)).toBe(`'${text}`);
    expect(guardFormula('路灯坏了 =')).toBe('路灯坏了 =');
  });

  it('writes a BOM, a header, CRLF records, CST times and percentages', () => {
    expect(tableToCsv(table)).toBe(
      '\uFEFF序号,名称,时间,日期,数量,比率\r\n' + '1,"逗号,引号""和\n换行",2026-12-01 00:30,2026-12-01,3,66.7%\r\n' + "2,'=1+1,,,,\r\n",
    );
  });
});

describe('xlsx', () => {
  it('writes headers, numbers, percentages and CST dates as real dates, and nothing for empty cells', async () => {
    const data = await readSheet(await tablesToXlsx([table]));
    // A spreadsheet date is a fraction of days: read back, 00:30 may come out a millisecond early.
    const [, first] = data;
    for (const i of [2, 3]) {
      expect(first![i]).toBeInstanceOf(Date);
      expect(Math.abs((first![i] as unknown as Date).getTime() - Date.parse('2026-12-01T00:30:00.000Z'))).toBeLessThan(5);
      first![i] = null;
    }
    expect(data).toEqual([
      ['序号', '名称', '时间', '日期', '数量', '比率'],
      [1, '逗号,引号"和\n换行', null, null, 3, 2 / 3],
      // Text stays text in a workbook: no formula, no guard.
      [2, '=1+1', null, null, null, null],
    ]);
  });
});
