// A photo upload's multipart/form-data body, streamed into a temp file as it arrives — never
// held in memory: sixty uploads held just short of their end used to cost 15 MB each (issue 11).
// The file in field `file` goes to `<incoming>/<random>.upload` (mode 600: the original still
// carries its GPS position), other parts are skipped. The caller reads and removes the file.
// Bounds: the file ≤ maxFileBytes, the whole body ≤ maxBodyBytes, and no more than `idleMs`
// without a byte (then the request is ended and its socket destroyed). Whatever goes wrong, the
// temp file is removed before the promise settles; a crash leaves it to housekeeping.
import { Busboy, type BusboyInstance } from '@fastify/busboy';
import { randomBytes } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { bodyIdleTimer, PayloadTooLargeError, RequestBodyAbortedError } from './request.ts';

/** The body is not multipart/form-data we can read (no boundary, cut short, damaged). */
export class MalformedUploadError extends Error {
  constructor(cause?: unknown) {
    super('malformed multipart body', { cause });
    this.name = 'MalformedUploadError';
  }
}

export interface ReceivedFile {
  /** The temp file; the caller removes it. */
  path: string;
  bytes: number;
}

export interface ReceiveOptions {
  /** The folder for the temp file (created when missing). */
  dir: string;
  /** The file itself (PayloadTooLargeError beyond). */
  maxFileBytes: number;
  /** The whole body, parts' headers and other fields included (PayloadTooLargeError beyond). */
  maxBodyBytes: number;
  idleMs: number;
  /** The form field of the file. */
  field?: string;
}

/**
 * Receives the body of `req` into a temp file. Resolves with the file of field `file`, or null
 * when the form has none. Rejects with PayloadTooLargeError (the request is left unread: answer
 * with `connection: close`), MalformedUploadError, or RequestBodyAbortedError (the client went
 * away or stalled; the socket is destroyed, nothing can be answered).
 */
export async function receiveUpload(req: IncomingMessage, options: ReceiveOptions): Promise<ReceivedFile | null> {
  const field = options.field ?? 'file';
  let busboy: BusboyInstance;
  try {
    busboy = new Busboy({
      headers: { ...req.headers, 'content-type': String(req.headers['content-type'] ?? '') },
      // Our form sends one file and nothing else, so a few small parts are plenty. Files in
      // other fields are skipped (streamed past, counted in maxBodyBytes).
      limits: { fileSize: options.maxFileBytes, fields: 20, fieldSize: 64 * 1024, parts: 30, headerPairs: 100 },
    });
  } catch (error) {
    throw new MalformedUploadError(error); // no boundary
  }
  await mkdir(options.dir, { recursive: true, mode: 0o700 });

  return new Promise<ReceivedFile | null>((resolve, reject) => {
    let received = 0;
    let settled = false;
    let temp: { path: string; out: WriteStream; written: Promise<void> } | null = null;

    const idle = bodyIdleTimer(
      options.idleMs,
      () => fail(new RequestBodyAbortedError('idle', received, options.idleMs)),
      // Paused because our disk is behind: not the client's silence.
      () => busboy.writableNeedDrain || (temp?.out.writableNeedDrain ?? false),
    );

    function stopReading() {
      idle.stop();
      req.off('data', onData);
      req.off('close', onClose);
      req.unpipe(busboy);
      req.pause();
    }

    function fail(error: Error) {
      if (settled) return;
      settled = true;
      stopReading();
      // A client that went away or stalled gets nothing more; its socket goes now. For a body
      // too large or damaged the socket stays, to carry the answer (with connection: close).
      if (error instanceof RequestBodyAbortedError) {
        req.destroy();
        req.socket.destroy();
      }
      busboy.destroy();
      const removal = temp ? (temp.out.destroy(), temp.written.catch(() => {}), rm(temp.path, { force: true })) : Promise.resolve();
      void removal.then(
        () => reject(error),
        () => reject(error),
      );
    }

    function onData(chunk: Buffer) {
      idle.touch();
      received += chunk.length;
      if (received > options.maxBodyBytes) fail(new PayloadTooLargeError());
    }

    function onClose() {
      if (!req.complete) fail(new RequestBodyAbortedError('client', received));
    }

    busboy.on('file', (name, stream) => {
      // A part cut short errors on its stream; the body's outcome is decided below, not there.
      stream.on('error', () => {});
      if (name !== field || temp || settled) {
        stream.resume();
        return;
      }
      const file = path.join(options.dir, `${randomBytes(16).toString('hex')}.upload`);
      const out = createWriteStream(file, { flags: 'wx', mode: 0o600 });
      let diskError: Error | undefined;
      out.once('error', (error) => (diskError = error));
      stream.on('limit', () => fail(new PayloadTooLargeError()));
      temp = { path: file, out, written: pipeline(stream, out) };
      // Our disk failing is ours to report (a 500); a part cut short is the body's fault.
      temp.written.catch((error: unknown) => fail(diskError ?? new MalformedUploadError(error)));
    });
    busboy.on('error', (error: unknown) => fail(new MalformedUploadError(error)));
    busboy.on('finish', () => {
      if (settled) return;
      if (!temp) {
        settled = true;
        stopReading();
        resolve(null);
        return;
      }
      const { path: file, out, written } = temp;
      written.then(
        () => {
          if (settled) return;
          settled = true;
          stopReading();
          resolve({ path: file, bytes: out.bytesWritten });
        },
        () => {}, // fail() was called by the catch above
      );
    });

    req.on('data', onData);
    req.on('close', onClose);
    req.pipe(busboy);
    if (req.destroyed) onClose(); // gone while the folder was made
  });
}
