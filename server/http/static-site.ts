// The built static site (dist/client): prerendered pages and Astro's hashed assets. A path
// maps to the file itself, `<path>/index.html` or `<path>.html`; nothing outside the folder can
// be reached. Hashed assets under /_astro/ never change and are cached for a year; pages are
// revalidated.
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { sendFile } from './send-file.ts';

export function createStaticSite(root: string) {
  const base = path.resolve(root);

  function candidates(pathname: string): string[] {
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      return [];
    }
    if (decoded.includes('\0')) return [];
    const file = path.join(base, path.normalize(decoded));
    if (file !== base && !file.startsWith(base + path.sep)) return [];
    if (pathname.endsWith('/')) return [path.join(file, 'index.html')];
    return path.extname(file) ? [file] : [path.join(file, 'index.html'), `${file}.html`];
  }

  return function serveStatic(req: IncomingMessage, res: ServerResponse, next: () => void): void {
    const pathname = (req.url ?? '/').split('?')[0] ?? '/';
    const files = candidates(pathname);
    const cacheControl = pathname.startsWith('/_astro/') ? 'public, max-age=31536000, immutable' : 'public, max-age=0, must-revalidate';
    const tryNext = (i: number): void => {
      const file = files[i];
      if (!file) return next();
      sendFile(req, res, file, { cacheControl, missing: () => tryNext(i + 1) });
    };
    tryNext(0);
  };
}
