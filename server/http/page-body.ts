// Bodies of requests that Astro's pages answer, received by the host before Astro reads them —
// else Astro would read each into memory (up to the adapter's bodySizeLimit, 100 MB) for as long
// as the client takes, and a held no-JS report form would do what held uploads did (issue 11):
// - multipart/form-data (the no-JS report form posts up to 6 photos of ≤ 15 MB in one body) is
//   streamed to a temp file in the photo store's incoming folder, then handed to Astro as
//   `req.body` (@astrojs/node reads that before the socket). At most PAGE_UPLOAD_LIMIT, at most
//   2 at once from one address and 4 per process: Astro's formData() reads a completed body
//   into memory, and such posts are rare (the form uploads through /api/uploads when scripts
//   run), so few at once is plenty. More are refused at once, before their body is read.
// - any other body (the console's forms: a few fields) is read into memory, at most 1 MB.
// Both are ended after REQUEST_BODY_IDLE_SECONDS without a byte.
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { addressKey } from '../throttle/throttles.ts';
import { bodyIdleTimer, clientContext, PayloadTooLargeError, readBody, RequestBodyAbortedError } from './request.ts';
import { createUploadGate } from './upload-admission.ts';
import { log } from '../observability/log.ts';

/** The largest page body: astro.config.mjs gives the adapter the same bodySizeLimit. */
export const PAGE_UPLOAD_LIMIT = 100 * 1024 * 1024;
/** A page form without files. */
const PAGE_FORM_LIMIT = 1024 * 1024;
const RETRY_AFTER_SECONDS = 5;

const TOO_LARGE = '提交的内容太大了。请少选几张照片，或换小一些的照片（每张不超过15MB）后再提交。';
const FORM_TOO_LARGE = '提交的内容太长了，请精简后再提交。';
const TOO_MANY_FROM_CLIENT = '您同时提交的表单太多了，请等上一次提交完成后再试。';
const BUSY = '现在提交的人较多，请稍等几秒后重新提交。';

export interface PageBodyOptions {
  /** The photo store's incoming folder. */
  incomingDir: string;
  trustProxy: number;
  idleMs: number;
}

/** A page in Chinese for a body we refuse; the form's page is not rendered. */
function sendRefusal(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  const body = `<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>${message}</title><p>${message}</p><p>请返回上一页重试。</p>\n`;
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(body);
}

/**
 * What @astrojs/node reads instead of the socket (astro/app/node: makeRequestBody): a Buffer, or
 * an async iterable with no own enumerable keys — one with keys (a stream) would be sent as JSON.
 */
function setBody(req: IncomingMessage, body: Buffer | { file: string }): void {
  if (Buffer.isBuffer(body)) return void Reflect.set(req, 'body', body);
  // Opened when Astro reads it (a page that 404s never does).
  Reflect.set(req, 'body', { [Symbol.asyncIterator]: () => createReadStream(body.file)[Symbol.asyncIterator]() });
}

/**
 * Receives the body of a request for a page. Resolves with a function to call once the response
 * has gone (it frees the upload slot and removes the temp file), or null when the request was
 * answered here (refused) or given up (the client went away or stalled: one log line).
 */
export function createPageBodies(options: PageBodyOptions) {
  const gate = createUploadGate({ perClient: 2, inAll: 4 });

  function failed(res: ServerResponse, error: unknown, tooLarge: string): null {
    if (error instanceof RequestBodyAbortedError) log.warn(`[page] ${error.message}`, { bytes: error.bytes });
    else if (error instanceof PayloadTooLargeError) sendRefusal(res, 413, tooLarge, { connection: 'close' });
    else throw error;
    return null;
  }

  return async function receivePageBody(req: IncomingMessage, res: ServerResponse): Promise<(() => void) | null> {
    if (!String(req.headers['content-type'] ?? '').startsWith('multipart/form-data')) {
      try {
        setBody(req, await readBody(req, PAGE_FORM_LIMIT, options.idleMs));
        return () => {};
      } catch (error) {
        return failed(res, error, FORM_TOO_LARGE);
      }
    }
    if (Number(req.headers['content-length'] ?? NaN) > PAGE_UPLOAD_LIMIT) {
      sendRefusal(res, 413, TOO_LARGE, { connection: 'close' });
      return null;
    }
    const admission = gate.enter(addressKey(clientContext(req, options.trustProxy).ip));
    if (!admission.admitted) {
      const [status, message] = admission.reason === 'client' ? [429, TOO_MANY_FROM_CLIENT] : [503, BUSY];
      sendRefusal(res, status, message, { 'retry-after': String(RETRY_AFTER_SECONDS), connection: 'close' });
      return null;
    }
    try {
      const file = await spoolBody(req, { dir: options.incomingDir, maxBytes: PAGE_UPLOAD_LIMIT, idleMs: options.idleMs });
      setBody(req, { file });
      return () => {
        admission.release();
        void rm(file, { force: true });
      };
    } catch (error) {
      admission.release();
      return failed(res, error, TOO_LARGE);
    }
  };
}

/**
 * Streams the body of `req` into a new temp file in `dir`, and resolves with its path once the
 * body is complete. Rejects with PayloadTooLargeError past `maxBytes` (the rest is left unread),
 * or RequestBodyAbortedError (the socket is destroyed); the temp file is removed then.
 */
async function spoolBody(req: IncomingMessage, o: { dir: string; maxBytes: number; idleMs: number }): Promise<string> {
  await mkdir(o.dir, { recursive: true, mode: 0o700 });
  const file = path.join(o.dir, `${randomBytes(16).toString('hex')}.page`);
  const out = createWriteStream(file, { flags: 'wx', mode: 0o600 });
  return new Promise<string>((resolve, reject) => {
    let received = 0;
    let settled = false;
    const idle = bodyIdleTimer(
      o.idleMs,
      () => fail(new RequestBodyAbortedError('idle', received, o.idleMs)),
      () => out.writableNeedDrain,
    );
    const stopReading = () => {
      idle.stop();
      req.off('data', onData);
      req.off('close', onClose);
      req.unpipe(out);
    };
    function fail(error: Error) {
      if (settled) return;
      settled = true;
      stopReading();
      if (error instanceof RequestBodyAbortedError) {
        req.destroy();
        req.socket.destroy();
      } else {
        req.pause();
      }
      out.destroy();
      void rm(file, { force: true }).finally(() => reject(error));
    }
    function onData(chunk: Buffer) {
      idle.touch();
      received += chunk.length;
      if (received > o.maxBytes) fail(new PayloadTooLargeError());
    }
    function onClose() {
      if (!req.complete) fail(new RequestBodyAbortedError('client', received));
    }
    out.once('error', fail);
    out.once('finish', () => {
      if (settled) return;
      settled = true;
      stopReading();
      resolve(file);
    });
    req.on('data', onData);
    req.on('close', onClose);
    req.pipe(out);
    if (req.destroyed) onClose(); // gone while the folder was made
  });
}
