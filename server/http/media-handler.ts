// GET /media/<id>.webp and /media/<id>.thumb.webp: photo renditions, metadata already stripped,
// streamed from the blob store (disk or a private bucket: never linked to directly). The id is
// checked against the store's format before it becomes a key, so nothing else in the store can
// be reached. Renditions never change, so they are cached for a year.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream';
import { isPhotoId, type PhotoStore } from '../media/photo-store.ts';
import { log as serverLog, type Log } from '../observability/log.ts';

const RENDITION = /^\/media\/([^/.]+)(\.thumb)?\.webp$/;

export function createMediaHandler(store: Pick<PhotoStore, 'open'>, log: Pick<Log, 'error'> = serverLog) {
  return function handleMedia(req: IncomingMessage, res: ServerResponse, notFound: () => void): void {
    const match = RENDITION.exec((req.url ?? '').split('?')[0] ?? '');
    const id = match?.[1];
    if (!match || !isPhotoId(id) || (req.method !== 'GET' && req.method !== 'HEAD')) return notFound();
    store.open(id, match[2] ? 'thumb' : 'full').then(
      (object) => {
        if (!object) return notFound();
        // The validator of before the store: size and time, so caches keep what they hold.
        const etag = `W/"${object.size.toString(36)}-${Math.floor(object.lastModified.getTime()).toString(36)}"`;
        res.setHeader('content-type', 'image/webp');
        res.setHeader('cache-control', 'public, max-age=31536000, immutable');
        res.setHeader('etag', etag);
        if (req.headers['if-none-match'] === etag || req.method === 'HEAD') {
          object.body.destroy();
          if (req.headers['if-none-match'] === etag) return void res.writeHead(304).end();
          res.setHeader('content-length', object.size);
          return void res.end();
        }
        res.setHeader('content-length', object.size);
        res.statusCode = 200;
        // pipeline, not pipe: a client that goes away mid-photo also ends the read (on a bucket,
        // its socket goes back to the pool instead of hanging on an unread response).
        pipeline(object.body, res, () => {});
      },
      (error: unknown) => {
        log.error(`[media] could not read photo ${id}:`, error);
        if (!res.headersSent)
          res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'retry-after': '5' }).end('照片暂时无法读取，请稍后再试。');
        else res.destroy();
      },
    );
  };
}
