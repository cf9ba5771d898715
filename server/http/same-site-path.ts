// Where a redirect whose target comes from a request (`/elderly?next=`, the console login's
// `next`) may send the browser: a path on this site, nothing else. The target is resolved the
// way a browser resolves a Location — WHATWG URL parsing, which drops tabs and newlines anywhere,
// trims leading spaces and control characters, and reads `\` as `/` — and kept only if it stays
// on our origin; the Location is then the resolved path, query and fragment, never the raw text.
// Checking the raw text instead let `/%09/evil.example` through: the browser drops the tab after
// our check and goes to //evil.example.
//
// Pure (no Node APIs): the host imports it, and so do Astro pages (the console login), which
// must redirect with the same rule.

/** Stands for "this site": only whether a target stays on it matters, never which host it is. */
const OUR_ORIGIN = 'http://portal.invalid';

/**
 * The path (+ query + fragment) `target` leads to on this site, or null when it leads elsewhere
 * (another host, `//host`, `/\host`, `javascript:` …) or is empty. Callers redirect to their own
 * fallback on null.
 */
export function sameSitePath(target: string | null | undefined): string | null {
  if (typeof target !== 'string' || target.trim() === '') return null;
  let url: URL;
  try {
    url = new URL(target, `${OUR_ORIGIN}/`);
  } catch {
    return null;
  }
  if (url.origin !== OUR_ORIGIN) return null;
  const path = `${url.pathname}${url.search}${url.hash}`;
  // `/.//evil.example` resolves to the path `//evil.example`, which a browser takes for a host.
  if (!path.startsWith('/') || path.startsWith('//')) return null;
  return path;
}
