// A built static site: the app's dist/client (prerendered pages and Astro's hashed assets) or
// the public site (DATA_DIR/public-site/current, or dist/public before the first build). A path
// maps to the file itself, `<path>/index.html` or `<path>.html`; nothing outside the folder can
// be reached. Hashed assets under /_astro/ never change and are cached for a year; pages are
// revalidated. Text files go out as their precompressed `.br`/`.gz` siblings when the client
// accepts them.
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { sendFile } from './send-file.ts';

export interface StaticServeOptions {
  /** Rewrites HTML before it is sent (the elderly mode). */
  rewriteHtml?: ((html: string) => string) | undefined;
}

export type ServeStatic = (req: IncomingMessage, res: ServerResponse, next: () => void, options?: StaticServeOptions) => void;

/** Serves from `root`: a folder, or a function naming the folder for each request (null: nothing to serve). */
export function createStaticSite(root: string | (() => Promise<string | null>)): ServeStatic {
  const rootOf = typeof root === 'string' ? () => Promise.resolve(root) : root;

  return function serveStatic(req, res, next, options = {}): void {
    const pathname = (req.url ?? '/').split('?')[0] ?? '/';
    const cacheControl = pathname.startsWith('/_astro/') ? 'public, max-age=31536000, immutable' : 'public, max-age=0, must-revalidate';
    rootOf().then(
      (dir) => {
        const files = dir ? candidates(path.resolve(dir), pathname) : [];
        const tryNext = (i: number): void => {
          const file = files[i];
          if (!file) return next();
          sendFile(req, res, file, { cacheControl, precompressed: true, rewriteHtml: options.rewriteHtml, missing: () => tryNext(i + 1) });
        };
        tryNext(0);
      },
      () => next(),
    );
  };
}

function candidates(base: string, pathname: string): string[] {
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
