// GET /api/ledgers/<points|problems|rectifications>.<xlsx|csv>?filter=<JSON> and
// GET /api/ledgers/monthly-report/<YYYY-MM>.xlsx: the ledgers as files, for signed-in staff.
// The filter is the same JSON the console's list sends (the same zod schema validates it); the
// rows are scoped by ledgersFor() exactly as on screen. CSV goes out as its rows are read; the
// .xlsx is written on a worker thread: a ledger of 70,000 rows holds no other request (issue 11).
// Each download is recorded as an account action (安全审计): which ledger, the filter, who, from where.
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { z } from 'zod';
import type { PortalServices } from '../app-services.ts';
import { InvalidInputError, statusOf, UnauthorizedError } from '../errors.ts';
import {
  monthlyReportInputSchema,
  pointLedgerFilterSchema,
  problemLedgerFilterSchema,
  rectificationLedgerFilterSchema,
  type ExportFile,
} from '../ledgers/ledgers.ts';
import type { ExportRecord } from '../auth/account-exports.ts';
import type { StaffUser } from '../auth/roles.ts';
import { scoreSheet } from '../scoring/score-sheet.ts';
import { clientContext, sendJson } from './request.ts';
import { log } from '../observability/log.ts';

const LEDGER = /^\/api\/ledgers\/(points|problems|rectifications)\.(xlsx|csv)$/;
const MONTHLY = /^\/api\/ledgers\/monthly-report\/(\d{4}-\d{2})\.xlsx$/;

function parse<S extends z.ZodType>(schema: S, raw: string | null): z.output<S> {
  let value: unknown = {};
  try {
    if (raw) value = JSON.parse(raw);
  } catch {
    throw new InvalidInputError('筛选条件格式不正确');
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new InvalidInputError(parsed.error.issues[0]?.message ?? '筛选条件不正确');
  return parsed.data;
}

/** The monthly report's workbook, with the month's ranking of the units (考核) as its last sheet. */
async function monthlyWorkbook(app: PortalServices, user: StaffUser, monthText: string): Promise<ExportFile> {
  const { month } = parse(monthlyReportInputSchema, JSON.stringify({ month: monthText }));
  const sheets = [scoreSheet(await app.scores.board(user, month))];
  return app.ledgersFor(user).exportMonthlyReport(month, { sheets });
}

/** What the record of a ledger's download says: the filter as validated (codes, dates, flags), less the paging. */
function ledgerRecord(kind: ExportRecord['kind'], format: string, filter: object): ExportRecord {
  const { dateFrom, dateTo, page: _page, pageSize: _size, ...scope } = filter as Record<string, unknown>;
  const date = (value: unknown) => (typeof value === 'string' ? value : undefined);
  return { kind, format, from: date(dateFrom), to: date(dateTo), scope };
}

async function exportOf(app: PortalServices, user: StaffUser, url: URL): Promise<{ file: ExportFile; record: ExportRecord } | null> {
  const monthly = MONTHLY.exec(url.pathname);
  if (monthly) {
    const file = await monthlyWorkbook(app, user, monthly[1]!);
    return { file, record: { kind: 'monthly-report', format: 'xlsx', scope: { month: monthly[1]! } } };
  }
  const ledgers = app.ledgersFor(user);
  const match = LEDGER.exec(url.pathname);
  if (!match) return null;
  const format = match[2] as 'xlsx' | 'csv';
  const raw = url.searchParams.get('filter');
  switch (match[1]) {
    case 'points': {
      const filter = parse(pointLedgerFilterSchema, raw);
      return { file: await ledgers.exportPoints(filter, format), record: ledgerRecord('ledger-points', format, filter) };
    }
    case 'problems': {
      const filter = parse(problemLedgerFilterSchema, raw);
      return { file: await ledgers.exportProblems(filter, format), record: ledgerRecord('ledger-problems', format, filter) };
    }
    default: {
      const filter = parse(rectificationLedgerFilterSchema, raw);
      return { file: await ledgers.exportRectifications(filter, format), record: ledgerRecord('ledger-rectifications', format, filter) };
    }
  }
}

/**
 * A file written as its pieces come (chunked, no length known ahead), at the pace the client reads
 * it. A failure before the first piece is answered like any other; one after it can only cut the
 * response short, so the client sees an incomplete download rather than a file that looks whole.
 */
async function sendChunks(res: ServerResponse, headers: OutgoingHttpHeaders, chunks: AsyncIterable<string>): Promise<void> {
  const pieces = chunks[Symbol.asyncIterator]();
  const first = await pieces.next();
  res.writeHead(200, headers);
  const all = (async function* () {
    try {
      if (first.done) return;
      yield first.value;
      for (let next = await pieces.next(); !next.done; next = await pieces.next()) yield next.value;
    } finally {
      // The client went away: stop reading the ledger.
      await pieces.return?.();
    }
  })();
  try {
    await pipeline(Readable.from(all), res);
  } catch (e) {
    // The client went away: nothing to report.
    if ((e as NodeJS.ErrnoException).code === 'ERR_STREAM_PREMATURE_CLOSE') return;
    log.error('[ledgers] export stopped part-way', e);
  }
}

export function createLedgerDownloads(app: PortalServices, trustProxy: number) {
  return async function handleLedgerDownload(req: IncomingMessage, res: ServerResponse, notFound: () => void): Promise<void> {
    const error = (status: number, message: string) => sendJson(res, status, { error: { message } });
    try {
      if (req.method !== 'GET') return error(405, '请用 GET 下载');
      const client = clientContext(req, trustProxy);
      const user = await app.userOf(client);
      if (!user) throw new UnauthorizedError('请先登录');
      const exported = await exportOf(app, user, new URL(req.url ?? '/', 'http://portal'));
      if (!exported) return notFound();
      const { file } = exported;
      await app.accounts.recordExport(user, client, exported.record);
      const headers = {
        'content-type': file.contentType,
        'cache-control': 'no-store',
        'content-disposition': `attachment; filename="ledger.${file.format}"; filename*=UTF-8''${encodeURIComponent(file.filename)}`,
      };
      if (file.format === 'csv') return await sendChunks(res, headers, file.chunks);
      res.writeHead(200, { ...headers, 'content-length': file.body.length });
      res.end(file.body);
    } catch (e) {
      const { status } = statusOf(e);
      if (status !== 500) return error(status, (e as Error).message);
      log.error('[ledgers] the export failed', e);
      error(500, '导出失败，请稍后再试');
    }
  };
}
