// @ts-check
// The public site (ADR 006): a second Astro root, static, built from the public snapshot.
//   PUBLIC_SNAPSHOT  path of the snapshot JSON (server/publish/public-snapshot.ts); unset: an
//                    empty snapshot, the site from content alone
//   SITE_OUT_DIR     where the built site goes (default dist/public)
//   CONTENT_DIR      the office's content (default ./content): ads, site.json, points, categories
//   PUBLIC_SITE_URL  absolute URL of the site for the feed and sitemap (default https://<domain>)
// Built by server/publish/site-builder.ts in a child process, or by hand with `npm run build:site`.
import { defineConfig } from 'astro/config';
import { copyFile, link, mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { siteConfig } from './src/site-config.ts';
import { snapshot } from './src/snapshot.ts';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));

// Relative paths are taken from where the build was started; the pages read them from process.env.
process.env['CONTENT_DIR'] = resolve(process.env['CONTENT_DIR'] ?? join(repoRoot, 'content'));
if (process.env['PUBLIC_SNAPSHOT']) process.env['PUBLIC_SNAPSHOT'] = resolve(process.env['PUBLIC_SNAPSHOT']);

const outDir = resolve(process.env['SITE_OUT_DIR'] ?? join(repoRoot, 'dist', 'public'));
const site = process.env['PUBLIC_SITE_URL'] ?? `https://${siteConfig().domain}`;

/**
 * Copies the notices' photos (the photo pipeline's WebP renditions, <id>.webp and
 * <id>.thumb.webp as server/media/photo-store.ts names them) into <out>/notices/media/ as they
 * are: a hard link when the output is on the same file system, a copy otherwise, never
 * re-encoded. The site builder (server/publish/site-builder.ts) does the same after this build
 * and leaves these files as they are; this hook makes a build by hand complete. A photo the
 * snapshot names but the store no longer has (purged) is left out with a warning, as the
 * builder does: one missing photo does not keep a notice off the site.
 */
function noticePhotos() {
  return {
    name: 'notice-photos',
    hooks: {
      /** @param {{ dir: URL, logger: { warn: (message: string) => void } }} options */
      'astro:build:done': async ({ dir, logger }) => {
        const data = snapshot();
        const ids = new Set(data.notices.flatMap((n) => [...n.photos, ...(n.response?.photos ?? [])].map((p) => p.id)));
        if (ids.size === 0) return;
        const target = join(fileURLToPath(dir), 'notices', 'media');
        await mkdir(target, { recursive: true });
        const files = [...ids].flatMap((id) => [`${id}.webp`, `${id}.thumb.webp`]);
        /** @type {string[]} */
        const missing = [];
        for (let i = 0; i < files.length; i += 64) {
          await Promise.all(
            files.slice(i, i + 64).map(async (f) => {
              if (!(await publishFile(join(data.mediaDir, f), join(target, f)))) missing.push(f);
            }),
          );
        }
        if (missing.length > 0)
          logger.warn(
            `${missing.length} photo file(s) named by the snapshot are not in ${data.mediaDir}: ${missing.slice(0, 5).join(', ')}`,
          );
      },
    },
  };
}

/**
 * @param {string} from
 * @param {string} to
 * @returns {Promise<boolean>} false when `from` does not exist
 */
async function publishFile(from, to) {
  try {
    await link(from, to);
    return true;
  } catch (error) {
    const code = /** @type {NodeJS.ErrnoException} */ (error).code;
    if (code === 'EEXIST') return true;
    if (code === 'ENOENT') return false;
    if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'EMLINK') throw error;
    await copyFile(from, to);
    return true;
  }
}

export default defineConfig({
  site,
  outDir,
  // One image cache for every build, wherever its output goes: a rebuild re-uses the ad images.
  cacheDir: join(repoRoot, 'node_modules', '.astro-site'),
  output: 'static',
  integrations: [noticePhotos()],
  image: {
    // Ads' images come from content/ads/images, outside this root.
    responsiveStyles: false,
  },
  build: { format: 'directory', inlineStylesheets: 'auto' },
  devToolbar: { enabled: false },
  server: { host: '127.0.0.1' },
  vite: {
    // The pages import the app's stylesheet and the snapshot schema from the repository.
    server: { fs: { allow: [repoRoot] } },
  },
});
