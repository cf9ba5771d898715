// A built static site: the app's dist/client (prerendered pages and Astro's hashed assets) or
// the public site (the live build, server/http/live-site.ts, or dist/public before the first
// build). A path maps to the file itself, `<path>/index.html` or `<path>.html`, looked up in a
// SiteSource: a folder (nothing outside it can be reached) or the live build's manifest. Hashed
// assets under /_astro/ never change and are cached for a year; pages are revalidated. Text
// files go out as their precompressed `.br`/`.gz` siblings when the client accepts them.
import type { IncomingMessage, ServerResponse } from 'node:http';
import fs from 'node:fs/promises';
import path from 'node:path';
import { sendFile } from './send-file.ts';

/** Where a site's files are: the local file for a path in the site (`notices/x/index.html`), its `.br`/`.gz` beside it. */
export interface SiteSource {
  file(relative: string): Promise<string | null>;
}

/** A folder of this disk as a site. */
export function folderSource(dir: string): SiteSource {
  const base = path.resolve(dir);
  return {
    file: async (relative) => {
      const file = path.join(base, ...relative.split('/'));
      return (await isFile(file)) ? file : null;
    },
  };
}

/** The first source that has the site's home page: the live build, else the initial site. */
export function firstServable(...sources: SiteSource[]): SiteSource {
  return {
    async file(relative) {
      for (const source of sources) {
        if (await source.file('index.html')) return source.file(relative);
      }
      return null;
    },
  };
}

async function isFile(file: string): Promise<boolean> {
  return fs.stat(file).then(
    (s) => s.isFile(),
    () => false,
  );
}

export interface StaticServeOptions {
  /** Rewrites HTML before it is sent (the elderly mode). */
  rewriteHtml?: ((html: string) => string) | undefined;
}

export type ServeStatic = (req: IncomingMessage, res: ServerResponse, next: () => void, options?: StaticServeOptions) => void;

/** Serves from a source, or a folder. */
export function createStaticSite(root: string | SiteSource): ServeStatic {
  const source = typeof root === 'string' ? folderSource(root) : root;

  return function serveStatic(req, res, next, options = {}): void {
    const pathname = (req.url ?? '/').split('?')[0] ?? '/';
    const cacheControl = pathname.startsWith('/_astro/') ? 'public, max-age=31536000, immutable' : 'public, max-age=0, must-revalidate';
    const names = candidates(pathname);
    const tryNext = (i: number): void => {
      const name = names[i];
      if (name === undefined) return next();
      source.file(name).then(
        (file) =>
          file
            ? sendFile(req, res, file, {
                cacheControl,
                precompressed: true,
                rewriteHtml: options.rewriteHtml,
                missing: () => tryNext(i + 1),
              })
            : tryNext(i + 1),
        () => tryNext(i + 1),
      );
    };
    tryNext(0);
  };
}

/** The paths in the site a URL path may name, `/`-separated and relative; none that leaves the site. */
function candidates(pathname: string): string[] {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return [];
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return [];
  const normal = path.posix.normalize(`/${decoded}`);
  if (normal.split('/').includes('..')) return [];
  const file = normal.replace(/^\/+|\/+$/g, '');
  if (!file) return ['index.html'];
  if (pathname.endsWith('/')) return [`${file}/index.html`];
  return path.posix.extname(file) ? [file] : [`${file}/index.html`, `${file}.html`];
}
