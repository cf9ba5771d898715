// GET /api/ledgers/<points|problems|rectifications>.<xlsx|csv>?filter=<JSON> and
// GET /api/ledgers/monthly-report/<YYYY-MM>.xlsx: the ledgers as files, for signed-in staff.
// The filter is the same JSON the console's list sends (the same zod schema validates it); the
// rows are scoped by ledgersFor() exactly as on screen.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import type { PortalServices } from '../app-services.ts';
import { ForbiddenError, InvalidInputError } from '../errors.ts';
import {
  monthlyReportInputSchema,
  pointLedgerFilterSchema,
  problemLedgerFilterSchema,
  rectificationLedgerFilterSchema,
  type ExportFile,
  type Ledgers,
} from '../ledgers/ledgers.ts';
import { clientContext, sendJson } from './request.ts';

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

function exportOf(ledgers: Ledgers, url: URL): Promise<ExportFile> | null {
  const monthly = MONTHLY.exec(url.pathname);
  if (monthly) return ledgers.exportMonthlyReport(parse(monthlyReportInputSchema, JSON.stringify({ month: monthly[1] })).month);
  const match = LEDGER.exec(url.pathname);
  if (!match) return null;
  const format = match[2] as 'xlsx' | 'csv';
  const filter = url.searchParams.get('filter');
  switch (match[1]) {
    case 'points':
      return ledgers.exportPoints(parse(pointLedgerFilterSchema, filter), format);
    case 'problems':
      return ledgers.exportProblems(parse(problemLedgerFilterSchema, filter), format);
    default:
      return ledgers.exportRectifications(parse(rectificationLedgerFilterSchema, filter), format);
  }
}

export function createLedgerDownloads(app: PortalServices, trustProxy: number) {
  return async function handleLedgerDownload(req: IncomingMessage, res: ServerResponse, notFound: () => void): Promise<void> {
    const error = (status: number, message: string) => sendJson(res, status, { error: { message } });
    try {
      if (req.method !== 'GET') return error(405, '请用 GET 下载');
      const user = await app.userOf(clientContext(req, trustProxy));
      if (!user) return error(401, '请先登录');
      const file = await exportOf(app.ledgersFor(user), new URL(req.url ?? '/', 'http://portal'));
      if (!file) return notFound();
      const body = typeof file.body === 'string' ? Buffer.from(file.body, 'utf8') : file.body;
      res.writeHead(200, {
        'content-type': file.contentType,
        'content-length': body.length,
        'cache-control': 'no-store',
        'content-disposition': `attachment; filename="ledger.${file.format}"; filename*=UTF-8''${encodeURIComponent(file.filename)}`,
      });
      res.end(body);
    } catch (e) {
      if (e instanceof ForbiddenError) return error(403, e.message);
      if (e instanceof InvalidInputError) return error(400, e.message);
      console.error('[ledgers]', e);
      error(500, '导出失败，请稍后再试');
    }
  };
}
