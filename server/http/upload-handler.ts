// POST /api/uploads: one photo per request (plain multipart/form-data, the file in field
// `file`), so the form shows a progress bar and a retry for each photo. Answers
// {id, url, thumbUrl}, or {error: {message, fields: {file}}} with a Chinese message.
// The body is streamed into a temp file (upload-body.ts), never held in memory while it
// arrives; at most `uploadsPerClient` uploads per client address and `uploadsInAll` in all are
// received at once, and more are refused before their body is read (request-limits.ts).
import { readFile, rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PortalServices } from '../app-services.ts';
import { asDomainError, statusOf } from '../errors.ts';
import { PHOTO_LIMITS } from '../media/photo-pipeline.ts';
import { BUSY_MESSAGE } from '../media/work-limiter.ts';
import { addressKey } from '../throttle/throttles.ts';
import { clientContext, PayloadTooLargeError, RequestBodyAbortedError, sendJson } from './request.ts';
import { DEFAULT_REQUEST_LIMITS, type RequestLimits } from './request-limits.ts';
import { createUploadGate } from './upload-admission.ts';
import { MalformedUploadError, receiveUpload, type ReceivedFile } from './upload-body.ts';
import { log } from '../observability/log.ts';

const MULTIPART_OVERHEAD = 64 * 1024;
const TOO_LARGE = `照片太大了，每张不能超过${Math.round(PHOTO_LIMITS.maxBytes / 1024 / 1024)}MB，请压缩或截图后重新上传`;
const NO_FILE = '没有收到照片，请重新选择照片上传';
const TOO_MANY_FROM_CLIENT = '您同时上传的照片太多了，请等正在上传的照片传完，再重新上传这张照片。';
/** Seconds a refused upload is asked to wait: a photo takes a few seconds to go up. */
const RETRY_AFTER_SECONDS = 5;

function sendError(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}) {
  sendJson(res, status, { error: { message, fields: { file: message } } }, headers);
}

export function createUploadHandler(
  app: PortalServices,
  trustProxy: number,
  photos: { incomingDir: string },
  limits: RequestLimits = DEFAULT_REQUEST_LIMITS,
) {
  const gate = createUploadGate({ perClient: limits.uploadsPerClient, inAll: limits.uploadsInAll });
  const maxBodyBytes = PHOTO_LIMITS.maxBytes + MULTIPART_OVERHEAD;

  return async function handleUpload(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST') return sendError(res, 405, '请用 POST 上传照片', { allow: 'POST' });
    if (!String(req.headers['content-type'] ?? '').startsWith('multipart/form-data')) {
      return sendError(res, 400, '请以 multipart/form-data 格式上传，照片放在 file 字段');
    }
    // Refusals that need no body come before a byte of it is read; `connection: close` ends
    // the socket instead of reading (and discarding) what the client still sends.
    if (Number(req.headers['content-length'] ?? NaN) > maxBodyBytes) return sendError(res, 413, TOO_LARGE, { connection: 'close' });
    const purpose = new URL(req.url ?? '/', 'http://portal').searchParams.get('purpose') === 'rectification' ? 'rectification' : 'report';
    const ctx = clientContext(req, trustProxy);
    if (purpose === 'rectification' && !ctx.sameOrigin) return sendError(res, 403, '跨站请求被拒绝', { connection: 'close' });
    // By address as the throttles count it: an IPv6 client by its /64, which it has whole.
    const admission = gate.enter(addressKey(ctx.ip));
    if (!admission.admitted) {
      const [status, message] = admission.reason === 'client' ? [429, TOO_MANY_FROM_CLIENT] : [503, BUSY_MESSAGE];
      return sendError(res, status, message, { 'retry-after': String(RETRY_AFTER_SECONDS), connection: 'close' });
    }

    let received: ReceivedFile | null = null;
    try {
      received = await receiveUpload(req, {
        dir: photos.incomingDir,
        maxFileBytes: PHOTO_LIMITS.maxBytes,
        maxBodyBytes,
        idleMs: limits.bodyIdleMs,
      });
      if (!received) return sendError(res, 400, NO_FILE);
      const bytes = await readFile(received.path);
      // The original (with its GPS position) leaves the disk before it is processed.
      await rm(received.path, { force: true });
      const result = await app.uploadPhoto(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), ctx, purpose);
      sendJson(res, 200, result);
    } catch (error) {
      if (error instanceof RequestBodyAbortedError) {
        // A phone that lost its connection, or a client holding the upload open: one line, no
        // stack trace — nothing is wrong on our side, and the socket is already gone.
        log.warn(`[upload] ${error.message}`, { bytes: error.bytes });
        return;
      }
      if (error instanceof PayloadTooLargeError) return sendError(res, 413, TOO_LARGE, { connection: 'close' });
      if (error instanceof MalformedUploadError) return sendError(res, 400, NO_FILE, { connection: 'close' });
      const { status } = statusOf(error);
      if (status !== 500) {
        const retryAfter = asDomainError(error)?.retryAfterSeconds;
        return sendError(res, status, (error as Error).message, retryAfter === undefined ? {} : { 'retry-after': String(retryAfter) });
      }
      log.error('[upload] the photo could not be taken', error);
      if (!res.headersSent) sendError(res, 500, '照片上传失败，请稍后重试');
    } finally {
      if (received) await rm(received.path, { force: true }).catch(() => {});
      admission.release();
    }
  };
}
