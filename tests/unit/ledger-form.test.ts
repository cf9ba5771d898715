// The ledgers' filter forms read from a hand-edited address: every wrong field gets a Chinese
// message that names it — the schema's own where it has one, ours where zod would only say
// "无效输入：期望 boolean，实际接收 string".
import { describe, expect, it } from 'vitest';
import { problemLedgerFilterSchema } from '../../server/ledgers/ledger-filters.ts';
import '../../server/validation.ts';
import { readFilterForm, type FieldSpec } from '../../src/components/console/ledgers/ledger-form.ts';

const SPEC: FieldSpec = { overdueOnly: 'flag', dateFrom: 'text', dateTo: 'text', page: 'int', unitCode: 'text' };
const read = (query: string) => readFilterForm(problemLedgerFilterSchema, new URLSearchParams(query), SPEC);

describe('readFilterForm', () => {
  it('reads a good filter', () => {
    const form = read('overdueOnly=1&dateFrom=2026-11-01&page=2');
    expect(form.errors).toEqual({});
    expect(form.filter).toMatchObject({ overdueOnly: true, dateFrom: '2026-11-01', page: 2 });
  });

  it('says which option is wrong instead of zod’s generic message', () => {
    const form = read('overdueOnly=q&page=x');
    expect(form.filter).toBeNull();
    expect(form.errors).toEqual({ overdueOnly: '“只看逾期”的选项不正确', page: '页码应为从 1 开始的整数' });
    expect(form.values['overdueOnly']).toBe('q');
  });

  it('keeps the schema’s own message where it has one', () => {
    const form = read('dateFrom=30/11/2026&unitCode=Bad Code&page=0');
    expect(form.errors).toEqual({ dateFrom: '日期格式应为 2026-11-30', unitCode: '编码格式不正确', page: '页码从 1 开始' });
  });

  it('names a reversed date range together with the other mistakes', () => {
    const form = read('dateFrom=2026-12-01&dateTo=2026-11-01&overdueOnly=q');
    expect(form.errors).toEqual({ dateTo: '开始日期不能晚于结束日期', overdueOnly: '“只看逾期”的选项不正确' });
    expect(read('dateFrom=2026-12-01&dateTo=2026-11-01').errors).toEqual({ dateTo: '开始日期不能晚于结束日期' });
    expect(read('dateFrom=2026-12-01&dateTo=11/01').errors).toEqual({ dateTo: '日期格式应为 2026-11-30' });
  });
});
