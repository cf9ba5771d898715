// @ts-check
// The public site (ADR 006): a second Astro root, static, built from the public snapshot.
//   PUBLIC_SNAPSHOT  path of the snapshot JSON (server/publish/public-snapshot.ts); unset: an
//                    empty snapshot, the site from content alone
//   SITE_OUT_DIR     where the built site goes (default dist/public)
//   CONTENT_DIR      the office's content (default ./content): ads, site.json, points, categories
//   PUBLIC_SITE_URL  absolute URL of the site for the feed and sitemap (default https://<domain>)
//   SITE_BUILD_CACHE Astro's and Vite's cache folder (default node_modules/.astro-site, site/node_modules/.vite)
// Built by server/publish/site-builder.ts in a child process (which then links the notices'
// photos, runs Pagefind and compresses), also by hand with `npm run build:site`.
import { defineConfig } from 'astro/config';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { siteConfig } from './src/site-config.ts';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));

// Relative paths are taken from where the build was started; the pages read them from process.env.
process.env['CONTENT_DIR'] = resolve(process.env['CONTENT_DIR'] ?? join(repoRoot, 'content'));
if (process.env['PUBLIC_SNAPSHOT']) process.env['PUBLIC_SNAPSHOT'] = resolve(process.env['PUBLIC_SNAPSHOT']);

const outDir = resolve(process.env['SITE_OUT_DIR'] ?? join(repoRoot, 'dist', 'public'));
const buildCache = process.env['SITE_BUILD_CACHE'] ? resolve(process.env['SITE_BUILD_CACHE']) : null;
const site = process.env['PUBLIC_SITE_URL'] ?? `https://${siteConfig().domain}`;

export default defineConfig({
  site,
  outDir,
  // One image cache for every build, wherever its output goes: a rebuild re-uses the ad images.
  // SITE_BUILD_CACHE: the worker's builds from a read-only release (server/publish/site-build-root.ts).
  cacheDir: buildCache ?? join(repoRoot, 'node_modules', '.astro-site'),
  output: 'static',
  image: {
    // Ads' images come from content/ads/images, outside this root.
    responsiveStyles: false,
  },
  build: { format: 'directory', inlineStylesheets: 'auto' },
  devToolbar: { enabled: false },
  server: { host: '127.0.0.1' },
  vite: {
    // Vite's own cache, by default site/node_modules/.vite.
    ...(buildCache && { cacheDir: join(buildCache, 'vite') }),
    // The pages import the app's stylesheet and the snapshot schema from the repository.
    server: { fs: { allow: [repoRoot] } },
  },
});
