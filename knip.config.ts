// knip: files, exports and dependencies nothing uses (ADR 007). Entry points are what runs on its
// own: the server (main.ts, found through package.json), scripts/, bench/, the two Astro roots
// (knip's astro plugin finds this root's pages; the public site's are listed), the tests and the
// configs of vitest and Playwright (their plugins).
import type { KnipConfig } from 'knip';

const config: KnipConfig = {
  entry: [
    'scripts/*.ts',
    'bench/*.ts',
    // Loaded by file name, in name order (server/db/database.ts).
    'server/db/migrations/*.ts',
    // Tools run by hand (their header says how).
    'server/routing/make-tables.ts',
    'tests/fixtures/routing/measure.ts',
    'tests/fixtures/mail/make-mails.ts',
    // Started as a child process by the integration tests.
    'tests/support/api-process.ts',
    'site/scripts/*.ts',
    'site/astro.config.mjs',
    'site/src/content.config.ts',
    'site/src/pages/**/*.{astro,ts}',
  ],
  project: ['server/**/*.ts', 'src/**/*.{ts,tsx,astro}', 'site/**/*.{ts,astro,mjs}', 'scripts/**/*.ts', 'bench/**/*.ts', 'tests/**/*.ts'],
  // An export its own file uses is part of that file's story; only exports nobody uses are dead.
  ignoreExportsUsedInFile: true,
  ignoreDependencies: [
    // Run by path from node_modules: the site builder's search index, the Lighthouse benchmark.
    'pagefind',
    'lighthouse',
  ],
  // Debian packages: poppler-utils (installed by scripts/test-all.ts for the printing tests),
  // icu-devtools (uconv, for the routing tables' tool) and e2fsprogs (chattr, a read-only data
  // directory in the readiness test), openssl (a self-signed certificate for the nginx test),
  // systemd (systemd-analyze verify on the units, where it is there).
  ignoreBinaries: ['pdftoppm', 'pdfinfo', 'pdftotext', 'uconv', 'chattr', 'openssl', 'systemd-analyze'],
  // The search page loads Pagefind's script from the built site at run time.
  ignoreUnresolved: ['/pagefind/pagefind.js'],
};

export default config;
