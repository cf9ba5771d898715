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

/** Types sent as `.br`/`.gz` siblings when they exist (server/publish/site-compress.ts writes them). */
const PRECOMPRESSED_TYPES = new Set(['.html', '.css', '.js', '.mjs', '.json', '.xml', '.svg', '.txt', '.webmanifest']);

export interface SendFileOptions {
  cacheControl: string;
  missing: () => void;
  status?: number;
  /** Send `<file>.br` or `<file>.gz` when the client accepts it and the sibling exists. */
  precompressed?: boolean;
  /** Rewrites an HTML file before it is sent (the elderly mode); such a response is never precompressed. */
  rewriteHtml?: ((html: string) => string) | undefined;
}

/** The encodings a request accepts, best first: `br`, `gzip`, both or none. */
export function acceptedEncodings(req: IncomingMessage): Array<'br' | 'gzip'> {
  const header = String(req.headers['accept-encoding'] ?? '').toLowerCase();
  if (!header) return [];
  const q = new Map<string, number>();
  for (const part of header.split(',')) {
    const [name, ...params] = part.trim().split(';');
    if (!name) continue;
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const value = qParam ? Number(qParam.slice(2)) : 1;
    q.set(name.trim(), Number.isNaN(value) ? 0 : value);
  }
  const star = q.get('*');
  const accepts = (name: string) => (q.get(name) ?? star ?? 0) > 0;
  return (['br', 'gzip'] as const).filter(accepts);
}

/** Stats `file`; calls `missing()` when it is not a regular file, else sends it. */
export function sendFile(req: IncomingMessage, res: ServerResponse, file: string, options: SendFileOptions): void {
  fs.stat(file, (error, stats) => {
    if (error || !stats.isFile()) return options.missing();
    const type = contentType(file);
    const ext = path.extname(file).toLowerCase();
    const compressible = PRECOMPRESSED_TYPES.has(ext);
    const isHtml = ext === '.html';
    const baseTag = `${stats.size.toString(36)}-${Math.floor(stats.mtimeMs).toString(36)}`;
    res.setHeader('content-type', type);
    res.setHeader('cache-control', options.cacheControl);
    if (isHtml) res.setHeader('vary', 'Accept-Encoding, Cookie');
    else if (compressible && options.precompressed) res.setHeader('vary', 'Accept-Encoding');

    if (isHtml && options.rewriteHtml) {
      const rewrite = options.rewriteHtml;
      const etag = `W/"${baseTag}-e"`;
      res.setHeader('etag', etag);
      if (req.headers['if-none-match'] === etag) return void res.writeHead(304).end();
      fs.readFile(file, 'utf8', (readError, html) => {
        if (readError) return options.missing();
        const body = Buffer.from(rewrite(html), 'utf8');
        res.setHeader('content-length', body.length);
        res.statusCode = options.status ?? 200;
        res.end(req.method === 'HEAD' ? undefined : body);
      });
      return;
    }

    const send = (target: string, size: number, encoding: 'br' | 'gzip' | null) => {
      const etag = `W/"${baseTag}${encoding ? `-${encoding}` : ''}"`;
      res.setHeader('etag', etag);
      if (encoding) res.setHeader('content-encoding', encoding);
      if (req.headers['if-none-match'] === etag) return void res.writeHead(304).end();
      res.setHeader('content-length', size);
      res.statusCode = options.status ?? 200;
      if (req.method === 'HEAD') return void res.end();
      fs.createReadStream(target)
        .on('error', () => res.destroy())
        .pipe(res);
    };
    const encodings = compressible && options.precompressed ? acceptedEncodings(req) : [];
    const trySibling = (i: number): void => {
      const encoding = encodings[i];
      if (!encoding) return send(file, stats.size, null);
      const sibling = `${file}.${encoding === 'br' ? 'br' : 'gz'}`;
      fs.stat(sibling, (siblingError, siblingStats) => {
        if (siblingError || !siblingStats.isFile()) return trySibling(i + 1);
        send(sibling, siblingStats.size, encoding);
      });
    };
    trySibling(0);
  });
}
