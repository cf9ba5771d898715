// POST /api/uploads: one photo per request (plain multipart/form-data, the file in field
// `file`), so the form shows a progress bar and a retry for each photo. Answers
// {id, url, thumbUrl}, or {error: {message, fields: {file}}} with a Chinese message.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PortalServices } from '../app-services.ts';
import { ForbiddenError, InvalidInputError, TooManyRequestsError, UnsupportedContentError } from '../errors.ts';
import { PHOTO_LIMITS } from '../media/photo-pipeline.ts';
import { clientContext, parseForm, PayloadTooLargeError, readBody, sendJson } from './request.ts';

const MULTIPART_OVERHEAD = 64 * 1024;
const TOO_LARGE = `照片太大了，每张不能超过${Math.round(PHOTO_LIMITS.maxBytes / 1024 / 1024)}MB，请压缩或截图后重新上传`;

function sendError(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}) {
  sendJson(res, status, { error: { message, fields: { file: message } } }, headers);
}

export function createUploadHandler(app: PortalServices, trustProxy: number) {
  return async function handleUpload(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST') return sendError(res, 405, '请用 POST 上传照片', { allow: 'POST' });
    if (!String(req.headers['content-type'] ?? '').startsWith('multipart/form-data')) {
      return sendError(res, 400, '请以 multipart/form-data 格式上传，照片放在 file 字段');
    }
    try {
      const body = await readBody(req, PHOTO_LIMITS.maxBytes + MULTIPART_OVERHEAD);
      const form = await parseForm(req, body).catch(() => null);
      const file = form?.get('file');
      if (!form || !(file instanceof File)) return sendError(res, 400, '没有收到照片，请重新选择照片上传');
      const purpose = new URL(req.url ?? '/', 'http://portal').searchParams.get('purpose') === 'rectification' ? 'rectification' : 'report';
      const ctx = clientContext(req, trustProxy);
      if (purpose === 'rectification' && !ctx.sameOrigin) return sendError(res, 403, '跨站请求被拒绝');
      const result = await app.uploadPhoto(new Uint8Array(await file.arrayBuffer()), ctx, purpose);
      sendJson(res, 200, result);
    } catch (error) {
      if (error instanceof PayloadTooLargeError) return sendError(res, 413, TOO_LARGE, { connection: 'close' });
      if (error instanceof TooManyRequestsError) {
        return sendError(res, 429, error.message, { 'retry-after': String(error.retryAfterSeconds) });
      }
      if (error instanceof UnsupportedContentError) return sendError(res, 415, error.message);
      if (error instanceof ForbiddenError) return sendError(res, 403, error.message);
      if (error instanceof InvalidInputError) return sendError(res, 400, error.message);
      console.error('[upload]', error);
      sendError(res, 500, '照片上传失败，请稍后重试');
    }
  };
}
