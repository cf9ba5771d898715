// What JavaScript a page loaded, measured for the budget tests (report-budget, inspect-budget).
// The scripts' paths are noted as the browser requests them; their bytes are fetched again once
// the page is done — reading a response's body from the browser fails when the page has
// navigated (or its service worker reloaded it) in between.
import { gzipSync } from 'node:zlib';
import type { Page, Response } from '@playwright/test';

export interface ScriptSize {
  name: string;
  raw: number;
  gzip: number;
}

export const gzipSize = (body: Buffer | string) => gzipSync(body, { level: 9 }).length;

/** Starts noting the scripts `page` loads; the function returned measures them (and the inline scripts of `document`). */
export function watchScripts(page: Page): (document: Response | null) => Promise<ScriptSize[]> {
  const paths = new Set<string>();
  page.on('request', (request) => {
    if (request.resourceType() === 'script') paths.add(new URL(request.url()).pathname);
  });
  return async (document) => {
    const rows: ScriptSize[] = [];
    for (const path of paths) {
      const response = await page.request.get(path);
      if (!response.ok()) throw new Error(`${path}: ${response.status()}`);
      const bytes = await response.body();
      rows.push({ name: path, raw: bytes.length, gzip: gzipSize(bytes) });
    }
    const html = (await document?.text()) ?? '';
    const inline = [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1] ?? '');
    inline.forEach((code, i) => rows.push({ name: `(inline script ${i + 1})`, raw: Buffer.byteLength(code), gzip: gzipSize(code) }));
    return rows.sort((a, b) => b.gzip - a.gzip);
  };
}
