// GET /media/<id>.webp and /media/<id>.thumb.webp: photo renditions, metadata already stripped.
// The id is checked against the store's format before it becomes a path, so nothing else under
// DATA_DIR can be reached. Renditions never change, so they are cached for a year.
import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isPhotoId, type PhotoStore } from '../media/photo-store.ts';

const RENDITION = /^\/media\/([^/.]+)(\.thumb)?\.webp$/;

export function createMediaHandler(store: PhotoStore) {
  return function handleMedia(req: IncomingMessage, res: ServerResponse, notFound: () => void): void {
    const match = RENDITION.exec((req.url ?? '').split('?')[0] ?? '');
    const id = match?.[1];
    if (!match || !isPhotoId(id) || (req.method !== 'GET' && req.method !== 'HEAD')) return notFound();
    const paths = store.paths(id);
    const file = match[2] ? paths.thumb : paths.full;
    fs.stat(file, (error, stats) => {
      if (error || !stats.isFile()) return notFound();
      const etag = `"${stats.size.toString(36)}-${stats.mtimeMs.toString(36)}"`;
      res.setHeader('content-type', 'image/webp');
      res.setHeader('cache-control', 'public, max-age=31536000, immutable');
      res.setHeader('etag', etag);
      if (req.headers['if-none-match'] === etag) return void res.writeHead(304).end();
      res.setHeader('content-length', stats.size);
      if (req.method === 'HEAD') return void res.end();
      fs.createReadStream(file).on('error', () => res.destroy()).pipe(res);
    });
  };
}
