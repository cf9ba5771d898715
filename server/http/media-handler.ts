// GET /media/<id>.webp and /media/<id>.thumb.webp: photo renditions, metadata already stripped.
// The id is checked against the store's format before it becomes a path, so nothing else under
// DATA_DIR can be reached. Renditions never change, so they are cached for a year.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isPhotoId, type PhotoStore } from '../media/photo-store.ts';
import { sendFile } from './send-file.ts';

const RENDITION = /^\/media\/([^/.]+)(\.thumb)?\.webp$/;

export function createMediaHandler(store: PhotoStore) {
  return function handleMedia(req: IncomingMessage, res: ServerResponse, notFound: () => void): void {
    const match = RENDITION.exec((req.url ?? '').split('?')[0] ?? '');
    const id = match?.[1];
    if (!match || !isPhotoId(id) || (req.method !== 'GET' && req.method !== 'HEAD')) return notFound();
    const paths = store.paths(id);
    sendFile(req, res, match[2] ? paths.thumb : paths.full, { cacheControl: 'public, max-age=31536000, immutable', missing: notFound });
  };
}
