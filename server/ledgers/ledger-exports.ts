// The three ledgers and the monthly report as files: each ledger's columns declared once
// (Chinese headers), written as .xlsx or CSV by table-export.ts. File names carry the CST date
// of the export ("问题台帐-2026-11-30.xlsx") or the month of the report ("工作月报-2026-11.xlsx").
import { chinaDate, chinaDateTime } from '../china-time.ts';
import { NO_CATEGORY_LABEL, NO_UNIT_LABEL } from './ledger-labels.ts';
import type { MonthlyCounts, MonthlyReport } from './monthly-report.ts';
import type { PointLedgerRow } from './point-ledger.ts';
import type { ProblemLedgerRow } from './problem-ledger.ts';
import type { RectificationLedgerRow } from './rectification-ledger.ts';
import {
  csvFile,
  xlsxFile,
  type Column,
  type ExportFile,
  type ExportFormat,
  type Table,
  type TableRows,
  type XlsxFile,
} from './table-export.ts';

/** A table of any row type, as one sheet among others. */
const sheet = <R>(table: Table<R>): Table<unknown> => table as Table<unknown>;

const yesNo = (b: boolean) => (b ? '是' : '否');

export const POINT_LEDGER_COLUMNS: ReadonlyArray<Column<PointLedgerRow>> = [
  { header: '点位名称', kind: 'text', width: 30, value: (r) => r.name },
  { header: '点位类型', kind: 'text', width: 14, value: (r) => r.type.name },
  { header: '责任单位', kind: 'text', width: 18, value: (r) => r.unit.shortName },
  { header: '网格责任人', kind: 'text', width: 11, value: (r) => r.responsiblePerson },
  { header: '区域', kind: 'text', width: 8, value: (r) => r.areaLabel },
  { header: '地址', kind: 'text', width: 34, value: (r) => r.address },
  { header: '最近督导日期', kind: 'date', width: 12, value: (r) => r.lastInspection?.at ?? null },
  { header: '最近督导轮次', kind: 'text', width: 22, value: (r) => r.lastInspection?.roundName ?? null },
  { header: '合格项', kind: 'integer', width: 8, value: (r) => r.lastInspection?.passed ?? null },
  { header: '不合格项', kind: 'integer', width: 9, value: (r) => r.lastInspection?.failed ?? null },
  { header: '未办结问题数', kind: 'integer', width: 13, value: (r) => r.openCount },
  { header: '其中逾期', kind: 'integer', width: 9, value: (r) => r.overdueCount },
  {
    header: '未办结问题（查询码 状态）',
    kind: 'wrapText',
    width: 40,
    value: (r) => r.openProblems.map((p) => `${p.trackingCode} ${p.statusLabel}${p.overdue ? '（逾期）' : ''}`).join('\n') || null,
  },
];

export const PROBLEM_LEDGER_COLUMNS: ReadonlyArray<Column<ProblemLedgerRow>> = [
  { header: '查询码', kind: 'text', width: 13, value: (r) => r.trackingCode },
  { header: '受理时间', kind: 'datetime', width: 17, value: (r) => r.receivedAt },
  { header: '来源渠道', kind: 'text', width: 9, value: (r) => r.channelLabel },
  { header: '问题类别', kind: 'text', width: 18, value: (r) => r.category?.name ?? null },
  { header: '测评点位', kind: 'text', width: 24, value: (r) => r.point?.name ?? null },
  { header: '问题地址', kind: 'text', width: 24, value: (r) => r.locationAddress },
  { header: '问题描述', kind: 'wrapText', width: 60, value: (r) => r.description },
  { header: '办理状态', kind: 'text', width: 18, value: (r) => r.statusLabel },
  { header: '牵头单位', kind: 'text', width: 18, value: (r) => r.leadUnit?.shortName ?? null },
  { header: '配合单位', kind: 'text', width: 26, value: (r) => r.cooperatingUnits.map((u) => u.shortName).join('、') || null },
  { header: '整改期限', kind: 'datetime', width: 17, value: (r) => r.deadlineAt },
  { header: '办结时间', kind: 'datetime', width: 17, value: (r) => r.closedAt },
  { header: '是否逾期', kind: 'text', width: 9, value: (r) => yesNo(r.overdue) },
  { header: '逾期天数', kind: 'integer', width: 9, value: (r) => (r.overdue ? r.daysOverdue : null) },
  { header: '问题来源', kind: 'text', width: 13, value: (r) => r.sourceLabel },
  { header: '领导督办批示', kind: 'wrapText', width: 30, value: (r) => r.supervision?.instruction ?? null },
];

export const RECTIFICATION_LEDGER_COLUMNS: ReadonlyArray<Column<RectificationLedgerRow>> = [
  { header: '查询码', kind: 'text', width: 13, value: (r) => r.trackingCode },
  { header: '责任单位', kind: 'text', width: 18, value: (r) => r.unit?.shortName ?? null },
  { header: '问题类别', kind: 'text', width: 18, value: (r) => r.category?.name ?? null },
  { header: '整改轮次', kind: 'integer', width: 9, value: (r) => r.round },
  { header: '反馈时间', kind: 'datetime', width: 17, value: (r) => r.reportedAt },
  { header: '整改期限', kind: 'datetime', width: 17, value: (r) => r.deadlineAt },
  { header: '是否按期', kind: 'text', width: 9, value: (r) => yesNo(r.onTime) },
  { header: '整改情况', kind: 'wrapText', width: 50, value: (r) => r.text || null },
  { header: '整改后照片数', kind: 'integer', width: 13, value: (r) => r.photoCount },
  { header: '照片编号', kind: 'text', width: 24, value: (r) => r.photoIds.join('、') || null },
  { header: '核验结果', kind: 'text', width: 17, value: (r) => r.outcomeLabel },
  { header: '销号时间', kind: 'datetime', width: 17, value: (r) => r.verifiedAt },
  { header: '退回时间', kind: 'datetime', width: 17, value: (r) => r.sentBackAt },
  { header: '退回理由', kind: 'wrapText', width: 30, value: (r) => r.sendBackReason },
];

export const LEDGER_NAMES = { points: '点位台帐', problems: '问题台帐', rectifications: '整改台帐' } as const;

function ledgerFile<R>(
  name: string,
  columns: ReadonlyArray<Column<R>>,
  rows: TableRows<R>,
  format: ExportFormat,
  now: Date,
): Promise<ExportFile> {
  const table: Table<R> = { sheet: name, columns, rows, numbered: true };
  const filename = `${name}-${chinaDate(now)}`;
  return format === 'xlsx' ? xlsxFile(filename, [sheet(table)]) : Promise.resolve(csvFile(filename, table));
}

export function exportPointLedger(rows: readonly PointLedgerRow[], format: ExportFormat, now: Date): Promise<ExportFile> {
  return ledgerFile(LEDGER_NAMES.points, POINT_LEDGER_COLUMNS, rows, format, now);
}

export function exportProblemLedger(rows: TableRows<ProblemLedgerRow>, format: ExportFormat, now: Date): Promise<ExportFile> {
  return ledgerFile(LEDGER_NAMES.problems, PROBLEM_LEDGER_COLUMNS, rows, format, now);
}

export function exportRectificationLedger(rows: readonly RectificationLedgerRow[], format: ExportFormat, now: Date): Promise<ExportFile> {
  return ledgerFile(LEDGER_NAMES.rectifications, RECTIFICATION_LEDGER_COLUMNS, rows, format, now);
}

interface CountsRow extends MonthlyCounts {
  label: string;
}

function countColumns(firstHeader: string): ReadonlyArray<Column<CountsRow>> {
  return [
    { header: firstHeader, kind: 'text', width: 22, value: (r) => r.label },
    { header: '受理', kind: 'integer', width: 8, value: (r) => r.received },
    { header: '办结', kind: 'integer', width: 8, value: (r) => r.closed },
    { header: '按期办结', kind: 'integer', width: 10, value: (r) => r.closedOnTime },
    { header: '按期整改率', kind: 'percent', width: 11, value: (r) => r.onTimeRate },
    { header: '月末未办结', kind: 'integer', width: 11, value: (r) => r.open },
    { header: '月末逾期', kind: 'integer', width: 10, value: (r) => r.overdue },
  ];
}

const percentText = (rate: number | null) => (rate === null ? '—' : `${(rate * 100).toFixed(1)}%`);

/** The monthly report as a workbook, one sheet per section; `more` sheets (the units' scores) follow. */
export function exportMonthlyReport(report: MonthlyReport, more: ReadonlyArray<Table<unknown>> = []): Promise<XlsxFile> {
  const t = report.totals;
  const levelCount = (level: number) => report.escalations.filter((e) => e.level === level).length;
  const summary: Array<{ item: string; value: string | number }> = [
    { item: '月份', value: report.month },
    { item: '统计截至', value: chinaDateTime(report.asOf) },
    { item: '报送期限', value: report.dueDate },
    { item: '受理问题', value: t.received },
    { item: '办结问题', value: t.closed },
    { item: '其中按期整改', value: t.closedOnTime },
    { item: '按期整改率', value: percentText(t.onTimeRate) },
    { item: '月末未办结', value: t.open },
    { item: '月末逾期', value: t.overdue },
    { item: '通报', value: levelCount(1) },
    { item: '约谈', value: levelCount(2) },
    { item: '问责', value: levelCount(3) },
    { item: '生成时间', value: chinaDateTime(report.generatedAt) },
  ];
  const total: CountsRow = { label: '合计', ...t };
  const tables: Array<Table<unknown>> = [
    sheet({
      sheet: '概况',
      columns: [
        { header: '项目', kind: 'text', width: 16, value: (r) => r.item },
        { header: '数值', kind: 'auto', width: 20, value: (r) => r.value },
      ],
      rows: summary,
    }),
    sheet<CountsRow>({
      sheet: '按单位',
      columns: countColumns('单位'),
      rows: [...report.byUnit.map((u) => ({ ...u, label: u.unit?.shortName ?? NO_UNIT_LABEL })), total],
    }),
    sheet<CountsRow>({
      sheet: '按问题类别',
      columns: countColumns('问题类别'),
      rows: [...report.byCategory.map((c) => ({ ...c, label: c.category?.name ?? NO_CATEGORY_LABEL })), total],
    }),
    sheet({
      sheet: '月末逾期问题',
      columns: PROBLEM_LEDGER_COLUMNS.filter((c) =>
        ['查询码', '受理时间', '问题类别', '测评点位', '问题描述', '办理状态', '牵头单位', '整改期限', '逾期天数'].includes(c.header),
      ),
      rows: report.overdue,
      numbered: true,
    }),
    sheet({
      sheet: '办结问题',
      columns: RECTIFICATION_LEDGER_COLUMNS.filter((c) =>
        ['查询码', '责任单位', '问题类别', '整改轮次', '反馈时间', '整改期限', '是否按期', '销号时间'].includes(c.header),
      ),
      rows: report.closures,
      numbered: true,
    }),
    sheet<MonthlyReport['escalations'][number]>({
      sheet: '通报约谈问责',
      columns: [
        { header: '时间', kind: 'datetime', width: 17, value: (e) => e.at },
        { header: '单位', kind: 'text', width: 18, value: (e) => e.unit.shortName },
        { header: '措施', kind: 'text', width: 8, value: (e) => e.levelLabel },
        {
          header: '涉及问题（查询码）',
          kind: 'wrapText',
          width: 30,
          value: (e) => e.tickets.map((x) => x.trackingCode ?? `#${x.ticketId}`).join('、') || null,
        },
        { header: '事由', kind: 'wrapText', width: 40, value: (e) => e.reason },
      ],
      rows: report.escalations,
      numbered: true,
    }),
    sheet<MonthlyReport['followUps'][number] & { label: string }>({
      sheet: '回访满意度',
      columns: [
        { header: '责任单位', kind: 'text', width: 22, value: (r) => r.label },
        { header: '应回访', kind: 'integer', width: 8, value: (r) => r.due },
        { header: '已联系上', kind: 'integer', width: 10, value: (r) => r.reached },
        { header: '其中电话回访', kind: 'integer', width: 12, value: (r) => r.byPhone },
        { header: '其中网上回访', kind: 'integer', width: 12, value: (r) => r.online },
        { header: '回访率', kind: 'percent', width: 9, value: (r) => r.followUpRate },
        { header: '问题已解决', kind: 'integer', width: 11, value: (r) => r.fixed },
        { header: '满意', kind: 'integer', width: 7, value: (r) => r.satisfied },
        { header: '基本满意', kind: 'integer', width: 10, value: (r) => r.fair },
        { header: '不满意', kind: 'integer', width: 8, value: (r) => r.unsatisfied },
        { header: '满意率', kind: 'percent', width: 9, value: (r) => r.satisfactionRate },
      ],
      rows: [
        ...report.followUps.map((f) => ({ ...f, label: f.unit?.shortName ?? NO_UNIT_LABEL })),
        { ...report.followUpTotals, unit: null, label: '合计' },
      ],
    }),
    sheet<CountsRow>({
      sheet: '按问题来源',
      columns: countColumns('问题来源'),
      rows: [...report.bySource.map((r) => ({ ...r, label: r.source?.name ?? '—' })), total],
    }),
    sheet<MonthlyReport['supervised'][number]>({
      sheet: '领导督办件',
      columns: [
        { header: '查询码', kind: 'text', width: 13, value: (r) => r.trackingCode },
        { header: '督办时间', kind: 'datetime', width: 17, value: (r) => r.markedAt },
        { header: '督办批示', kind: 'wrapText', width: 40, value: (r) => r.instruction },
        { header: '责任单位', kind: 'text', width: 18, value: (r) => r.unit?.shortName ?? NO_UNIT_LABEL },
        { header: '办理状态', kind: 'text', width: 18, value: (r) => r.statusLabel },
        { header: '是否按期', kind: 'text', width: 9, value: (r) => (r.onTime === null ? '未到期' : yesNo(r.onTime)) },
        { header: '解除督办时间', kind: 'datetime', width: 17, value: (r) => r.liftedAt },
      ],
      rows: report.supervised,
      numbered: true,
    }),
    sheet<{ label: string; actions: number; people: number }>({
      sheet: '劝导统计',
      columns: [
        { header: '劝导类型', kind: 'text', width: 20, value: (r) => r.label },
        { header: '劝导次数', kind: 'integer', width: 10, value: (r) => r.actions },
        { header: '劝导人数', kind: 'integer', width: 10, value: (r) => r.people },
      ],
      rows: [...report.persuasion.byKind, { label: '合计', actions: report.persuasion.actions, people: report.persuasion.people }],
    }),
    ...more,
  ];
  return xlsxFile(`工作月报-${report.month}`, tables);
}
