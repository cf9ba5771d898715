// The three ledgers (三本帐) and the monthly report, as the API and console call them: one
// object built once with the database, catalog and clock. Routers stay thin: `.input(schema)`
// from ledger-filters.ts, then one call here. Who may read which ledger (the office and leaders
// everything, a unit its own) is the caller's check; these functions filter, they do not authorise.
import type { LedgerDeps, LedgerPage } from './ledger-context.ts';
import { exportMonthlyReport, exportPointLedger, exportProblemLedger, exportRectificationLedger } from './ledger-exports.ts';
import type { PointLedgerFilter, ProblemLedgerFilter, RectificationLedgerFilter } from './ledger-filters.ts';
import { monthlyReport, type MonthlyReport, type MonthlyReportOptions } from './monthly-report.ts';
import { pointLedgerRows, type PointLedgerRow } from './point-ledger.ts';
import { problemLedgerBatches, problemLedgerPage, type ProblemLedgerRow } from './problem-ledger.ts';
import { rectificationLedgerPage, rectificationLedgerRows, type RectificationLedgerRow } from './rectification-ledger.ts';
import type { ExportFile, ExportFormat, Table, XlsxFile } from './table-export.ts';

export interface Ledgers {
  /** 点位台帐: every point of the catalog matching the filter, in catalog order (no paging: the catalog is small). */
  points(filter?: PointLedgerFilter): Promise<PointLedgerRow[]>;
  /** 问题台帐: one page, newest first. */
  problems(filter?: ProblemLedgerFilter): Promise<LedgerPage<ProblemLedgerRow>>;
  /** 整改台帐: one page, newest report first. */
  rectifications(filter?: RectificationLedgerFilter): Promise<LedgerPage<RectificationLedgerRow>>;
  /**
   * Every matching row (paging ignored) as .xlsx or CSV, named e.g. "问题台帐-2026-11-30.xlsx". A
   * CSV file's rows are read as its chunks are; the .xlsx is written on a worker thread.
   */
  exportPoints(filter: PointLedgerFilter, format: ExportFormat): Promise<ExportFile>;
  exportProblems(filter: ProblemLedgerFilter, format: ExportFormat): Promise<ExportFile>;
  exportRectifications(filter: RectificationLedgerFilter, format: ExportFormat): Promise<ExportFile>;
  /** 工作月报 of a month ("2026-11"); throws InvalidInputError for a month not begun. */
  monthlyReport(month: string, options?: MonthlyReportOptions): Promise<MonthlyReport>;
  /** The same report as a workbook, "工作月报-2026-11.xlsx"; `sheets` are added after the report's own (the units' scores). */
  exportMonthlyReport(month: string, options?: MonthlyReportOptions & { sheets?: ReadonlyArray<Table<unknown>> }): Promise<XlsxFile>;
}

export function createLedgers(deps: LedgerDeps): Ledgers {
  const now = () => deps.clock.now();
  return {
    points: (filter = {}) => pointLedgerRows(deps, filter),
    problems: (filter = {}) => problemLedgerPage(deps, filter),
    rectifications: (filter = {}) => rectificationLedgerPage(deps, filter),
    exportPoints: async (filter, format) => exportPointLedger(await pointLedgerRows(deps, filter), format, now()),
    exportProblems: (filter, format) => exportProblemLedger(problemLedgerBatches(deps, filter), format, now()),
    exportRectifications: async (filter, format) => exportRectificationLedger(await rectificationLedgerRows(deps, filter), format, now()),
    monthlyReport: (month, options) => monthlyReport(deps, month, options),
    exportMonthlyReport: async (month, options) => exportMonthlyReport(await monthlyReport(deps, month, options), options?.sheets),
  };
}

export type { LedgerDeps, LedgerPage } from './ledger-context.ts';
export * from './ledger-filters.ts';
export type { MonthlyReport, MonthlyReportOptions, MonthlyCounts } from './monthly-report.ts';
export type { PointLedgerRow } from './point-ledger.ts';
export type { ProblemLedgerRow } from './problem-ledger.ts';
export type { RectificationLedgerRow } from './rectification-ledger.ts';
export type { ExportFile, ExportFormat, XlsxFile } from './table-export.ts';
