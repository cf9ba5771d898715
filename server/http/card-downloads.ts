// GET /api/inspection/rounds/<id>/cards.docx[?unit=<code>]: a round's supervision cards
// (督办交办卡) as a Word document, for signed-in staff — every unit's in one file, or one unit's.
// Who may have which card is decided in the domain (server/inspection/supervision-card.ts): the
// office and leaders any unit's, unit staff only their own (their own card when no unit is named).
// Each download is recorded as an account action (安全审计): the round, the unit, who, from where.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PortalServices } from '../app-services.ts';
import { statusOf, UnauthorizedError } from '../errors.ts';
import { clientContext, sendJson } from './request.ts';
import { log } from '../observability/log.ts';

const CARDS = /^\/api\/inspection\/rounds\/(\d{1,9})\/cards\.docx$/;
const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

export function createCardDownloads(app: PortalServices, trustProxy: number) {
  return async function handleCardDownload(req: IncomingMessage, res: ServerResponse, notFound: () => void): Promise<void> {
    const error = (status: number, message: string) => sendJson(res, status, { error: { message } });
    try {
      if (req.method !== 'GET') return error(405, '请用 GET 下载');
      const url = new URL(req.url ?? '/', 'http://portal');
      const match = CARDS.exec(url.pathname);
      if (!match) return notFound();
      const client = clientContext(req, trustProxy);
      const user = await app.userOf(client);
      if (!user) throw new UnauthorizedError('请先登录');
      const unit = url.searchParams.get('unit')?.trim() || undefined;
      const roundId = Number(match[1]);
      const file = await app.inspectionReports.cardsFile(user, roundId, unit);
      const scope = { roundId, ...(unit && { unitCode: unit }) };
      await app.accounts.recordExport(user, client, { kind: 'supervision-cards', format: 'docx', scope });
      res.writeHead(200, {
        'content-type': DOCX,
        'content-length': file.body.length,
        'cache-control': 'no-store',
        'content-disposition': `attachment; filename="cards.docx"; filename*=UTF-8''${encodeURIComponent(file.filename)}`,
      });
      res.end(file.body);
    } catch (e) {
      const { status } = statusOf(e);
      if (status !== 500) return error(status, (e as Error).message);
      log.error('[inspection cards] the cards could not be made', e);
      error(500, '生成督办交办卡失败，请稍后再试');
    }
  };
}
