// Where the public site's Astro build runs. Astro writes into its project while it builds: its
// caches (node_modules/.astro-site, site/node_modules/.vite), generated types (site/.astro) and —
// the output folder lying outside its working directory — the prerendered chunks
// (.astro/.prerender), which it then renames into the output. An installed release is read-only
// to the worker (systemd's ProtectSystem=strict; owned by root: docs/deploy.md), so there the
// build runs from a folder of its own beside the working copy, on DATA_DIR's filesystem: a copy of
// site/ (small), links to what it imports from the project, and SITE_BUILD_CACHE for Astro's and
// Vite's caches (site/astro.config.mjs). A writable project (a checkout) builds in place.
import { constants } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';

/** What the site's folder reads from the project, linked into a build root of its own. */
const LINKED = ['node_modules', 'server', 'src', 'content', 'package.json', 'tsconfig.json'];

export interface SiteBuildRoot {
  /** The project root the Astro child runs in (its cwd, and where node_modules/ is). */
  root: string;
  /** The site's Astro root (`--root`). */
  siteRoot: string;
  /** More environment for the Astro child. */
  env: Record<string, string>;
}

/**
 * The project itself when Astro can write there; else a build root made afresh under `base`
 * (DATA_DIR/public-site), with the caches kept in `base/build-cache` from one build to the next.
 * `separate`: make it whatever the project allows (tests).
 */
export async function siteBuildRoot(projectRoot: string, base: string, options: { separate?: boolean } = {}): Promise<SiteBuildRoot> {
  const project = path.resolve(projectRoot);
  if (!options.separate && (await writable(path.join(project, 'node_modules'))) && (await writable(path.join(project, 'site')))) {
    return { root: project, siteRoot: path.join(project, 'site'), env: {} };
  }
  const root = path.join(path.resolve(base), 'build-root');
  await fs.rm(root, { recursive: true, force: true });
  await fs.mkdir(root, { recursive: true });
  await fs.cp(path.join(project, 'site'), path.join(root, 'site'), {
    recursive: true,
    filter: (source) => !/[\\/](\.astro|node_modules)$/.test(source),
  });
  for (const name of LINKED) {
    const target = path.join(project, name);
    if (await fs.stat(target).catch(() => null)) await fs.symlink(target, path.join(root, name));
  }
  return {
    root,
    siteRoot: path.join(root, 'site'),
    env: {
      SITE_BUILD_CACHE: path.join(path.resolve(base), 'build-cache'),
      // The site's default (the project's content/) would name the build root's link; a relative
      // setting is the worker's, taken from where the worker runs.
      CONTENT_DIR: path.resolve(process.env['CONTENT_DIR'] ?? path.join(project, 'content')),
    },
  };
}

async function writable(p: string): Promise<boolean> {
  return fs.access(p, constants.W_OK).then(
    () => true,
    () => false,
  );
}
