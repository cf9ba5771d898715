// The worker builds the public site from an installed release, which is read-only to it
// (docs/deploy.md): Astro then runs from a build root beside the working copy, with its caches
// there (server/publish/site-build-root.ts). A checkout, writable, builds in place as before. The
// read-only case itself (a read-only bind mount, an unprivileged user) was tried by hand; here the
// build root is forced on a writable checkout.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { emptySnapshot } from '../../server/publish/public-snapshot.ts';
import { siteBuildRoot } from '../../server/publish/site-build-root.ts';
import { buildSite } from '../../server/publish/site-builder.ts';

const project = path.resolve(import.meta.dirname, '../..');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'site-build-root-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

it('builds in place in a writable checkout', async () => {
  expect(await siteBuildRoot(project, path.join(work, 'in-place'))).toEqual({
    root: project,
    siteRoot: path.join(project, 'site'),
    env: {},
  });
  expect(fs.existsSync(path.join(work, 'in-place'))).toBe(false);
});

it('makes a build root of its own afresh: a copy of site/ without caches, links to the rest', async () => {
  const base = path.join(work, 'layout');
  fs.mkdirSync(path.join(base, 'build-root', 'site'), { recursive: true });
  fs.writeFileSync(path.join(base, 'build-root', 'site', 'left-over.txt'), 'from an earlier build');

  const build = await siteBuildRoot(project, base, { separate: true });
  expect(build.root).toBe(path.join(base, 'build-root'));
  expect(build.siteRoot).toBe(path.join(base, 'build-root', 'site'));
  expect(build.env).toEqual({
    SITE_BUILD_CACHE: path.join(base, 'build-cache'),
    CONTENT_DIR: path.resolve(process.env['CONTENT_DIR'] ?? path.join(project, 'content')),
  });
  const site = fs.readdirSync(build.siteRoot).sort();
  expect(site).toContain('astro.config.mjs');
  expect(site).not.toContain('left-over.txt');
  expect(site).not.toContain('.astro');
  expect(site).not.toContain('node_modules');
  for (const name of ['node_modules', 'server', 'src', 'content', 'package.json']) {
    expect(fs.realpathSync(path.join(build.root, name)), name).toBe(fs.realpathSync(path.join(project, name)));
  }
});

it('builds the site from the build root, with the caches beside the working copy', { timeout: 180_000 }, async () => {
  const dataDir = path.join(work, 'data');
  const result = await buildSite({
    snapshot: emptySnapshot(path.join(dataDir, 'media')),
    dataDir,
    root: project,
    separateRoot: true,
    pagefind: false,
  });
  expect(result.pages).toBeGreaterThan(5);
  expect(fs.existsSync(path.join(dataDir, 'public-site', 'site', 'index.html'))).toBe(true);
  // Astro's content store went where SITE_BUILD_CACHE says, not into the project's node_modules.
  expect(fs.existsSync(path.join(dataDir, 'public-site', 'build-cache', 'data-store.json'))).toBe(true);
});
