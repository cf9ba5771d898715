// Sends a file from disk with validators and caching headers. Shared by the static site and
// the photo renditions. A file that vanishes between stat and read ends that response only.
import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.gif': 'image/gif',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.webmanifest': 'application/manifest+json',
};

export function contentType(file: string): string {
  return CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/** Stats `file`; calls `missing()` when it is not a regular file, else sends it. */
export function sendFile(
  req: IncomingMessage,
  res: ServerResponse,
  file: string,
  options: { cacheControl: string; missing: () => void; status?: number },
): void {
  fs.stat(file, (error, stats) => {
    if (error || !stats.isFile()) return options.missing();
    const etag = `W/"${stats.size.toString(36)}-${Math.floor(stats.mtimeMs).toString(36)}"`;
    res.setHeader('content-type', contentType(file));
    res.setHeader('cache-control', options.cacheControl);
    res.setHeader('etag', etag);
    if (req.headers['if-none-match'] === etag) return void res.writeHead(304).end();
    res.setHeader('content-length', stats.size);
    res.statusCode = options.status ?? 200;
    if (req.method === 'HEAD') return void res.end();
    fs.createReadStream(file)
      .on('error', () => res.destroy())
      .pipe(res);
  });
}
