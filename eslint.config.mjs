// @ts-check
// ESLint checks the house rules (DESIGN.md, ADR 007) — not style: Prettier formats. A few
// type-aware rules that catch real bugs, the layering of server/ (rule 11), what the pages may
// take from server/, and where SQL may be written (rule 4).
import { globSync } from 'node:fs';
import { defineConfig } from 'eslint/config';
import astro from 'eslint-plugin-astro';
import tseslint from 'typescript-eslint';

// ---------------------------------------------------------------------------------------------
// Layers of server/ (DESIGN rule 11): edges → channels → domain → db/ and catalog.

/**
 * Edges: they take requests, processes and settings from outside and assemble the rest.
 * server/worker/ is domain (its jobs and scheduler are imported by escalation/ and notify/),
 * except portal-worker.ts, which assembles the worker a deployment runs from the channels.
 * env.ts gathers every folder's settings schema (rule 8), channels' included.
 */
const SERVER_EDGES = [
  'server/http/',
  'server/trpc/',
  'server/main.ts',
  'server/app.ts',
  'server/app-services.ts',
  'server/env.ts',
  'server/worker/portal-worker.ts',
];
const SERVER_CHANNELS = ['server/intake/', 'server/hotline/'];
// The patrol group's form and the office's entry of findings are channels too: both end in submitReport.
SERVER_CHANNELS.push('server/patrol/patrol-reports.ts', 'server/patrol/findings.ts');

// Imports are matched as written (relative), so a folder is matched at any depth of `../`.
/** @param {string} folder */
const upward = (folder) => ({
  regex: `^(\\.\\./|\\./)+${folder}/`,
  message: `Dependencies point down (DESIGN rule 11): ${folder}/ is an edge; pass what you need in from the edge.`,
});
const EDGE_FOLDER_IMPORTS = [
  upward('http'),
  upward('trpc'),
  upward('src'),
  { regex: '^astro(:|/|$)', message: 'Domain code does not depend on Astro (DESIGN rule 1).' },
];
const APP_SERVICES_IMPORT = {
  regex: '^(\\.\\./|\\./)+app-services\\.ts$',
  message: 'app-services.ts only assembles; only edges import it (DESIGN rule 11). Keep the type in its domain.',
};
const CHANNEL_IMPORTS = ['intake', 'hotline'].map((folder) => ({
  regex: `^(\\.\\./)+${folder}/`,
  message: `${folder}/ is a channel; what every channel shares belongs in the domain (DESIGN rule 11).`,
}));

// ---------------------------------------------------------------------------------------------
// What the pages and islands (src/) and the public site (site/) take from server/. Derived from
// their imports when this list was written: schemas, labels and pure functions, which are safe to
// bundle for a browser and do not reach the database. Add a module here only if it is one of those.

/** Modules src/ and site/ may import values from. */
const SERVER_MODULES_FOR_PAGES = [
  'auth/roles',
  'auth/password-policy', // the policy's text beside the password fields
  'catalog/schema',
  'catalog/types',
  'china-time',
  'errors', // the domain errors and statusOf: the one error boundary (pages read an error's kind)
  'field-errors',
  'follow-ups/follow-up-schema',
  'hotline/call-schema',
  'inspection/round-schema',
  'http/same-site-path', // a pure check of a redirect target, shared by the console's forms
  'http/session-cookie', // the cookie's name, set by the host and cleared by the logout page
  'intake/report-schema',
  'ledgers/ledger-filters',
  'ledgers/ledger-labels',
  'publish/notice-schema',
  'publish/photo-caption',
  'publish/public-snapshot',
  'staff/action-schema',
  'tickets/channels',
  'tickets/lifecycle',
  'tickets/phone',
  'tickets/ticket-source', // SOURCES and their labels (the queue's and the ledger's filters, the findings form)
  'patrol/patrol-schema', // the persuasion form's limits (/console/patrol)
  // A constant of a module that also runs SQL; the constant is what the page takes.
  'publish/publishing', // MANUAL_REBUILD
];
/**
 * Modules src/ may import types from only (erased at build, so no server code reaches a page):
 * the results the console pages render, which the services return.
 */
const SERVER_TYPES_FOR_PAGES = [
  'app-services',
  'auth/accounts',
  'backup/backup-status', // the backups the system page lists
  'auth/account-rules', // SessionStep: which page a sign-in step opens
  'follow-ups/follow-ups',
  'hotline/call-types',
  'inspection/bulletin', // the bulletin (通报) the console page renders
  'inspection/supervision-card', // the supervision cards (督办交办卡) the console page renders
  'inspection/inspection-types',
  'intake/submit-result',
  'ledgers/ledgers',
  'publish/notices',
  'staff/ticket-commands',
  'staff/ticket-queries',
  'tickets/track-result',
  'routing/suggestion',
  'scoring/scoring',
  'trpc/app-router', // AppRouter: the islands' typed client (src/lib/api-client.ts)
];
/** @param {string[]} modules */
const modulesPattern = (modules) => `(${modules.map((m) => m.replace(/[./]/g, '\\$&')).join('|')})\\.ts$`;
const PAGE_IMPORTS = [
  {
    regex: `(^|/)server/(?!${modulesPattern([...SERVER_MODULES_FOR_PAGES, ...SERVER_TYPES_FOR_PAGES])})`,
    message: 'Pages import from server/ only the schemas and pure modules listed in eslint.config.mjs.',
  },
  {
    regex: `(^|/)server/${modulesPattern(SERVER_TYPES_FOR_PAGES)}`,
    allowTypeImports: true,
    message: 'Pages import only types from this server module (eslint.config.mjs lists what they may import).',
  },
];

// ---------------------------------------------------------------------------------------------
// SQL lives in repositories (DESIGN rule 4) and migrations. tests/ and bench/ arrange and assert
// data with SQL freely. server/db/ itself needs no exception: database.ts opens connections and
// runs the migrator through kysely's API, which writes no query.
const QUERY_BUILDERS = ['selectFrom', 'insertInto', 'updateTable', 'deleteFrom', 'replaceInto', 'mergeInto'];
const SQL_OUTSIDE_REPOSITORIES = [
  {
    selector: `CallExpression[callee.property.name=/^(${QUERY_BUILDERS.join('|')})$/]`,
    message: 'Queries are built in a *-repository.ts file (DESIGN rule 4).',
  },
  {
    selector: "ImportDeclaration[source.value='kysely'] ImportSpecifier[imported.name='sql']",
    message: "kysely's sql tag is used in a *-repository.ts file or a migration (DESIGN rule 4).",
  },
];

/**
 * What a non-edge server/ file may not import, by its layer.
 * @param {string} file
 */
function layerPatterns(file) {
  const isChannel = SERVER_CHANNELS.some((folder) => file.startsWith(folder));
  return [...EDGE_FOLDER_IMPORTS, APP_SERVICES_IMPORT, ...(isChannel ? [] : CHANNEL_IMPORTS)];
}

/**
 * One config per set of restrictions, naming the server/ files it applies to.
 * @returns {import('eslint').Linter.Config[]}
 */
function layerConfigs() {
  /** @type {Map<string, { patterns: ReturnType<typeof layerPatterns>, files: string[] }>} */
  const groups = new Map();
  for (const file of globSync('server/**/*.ts', { cwd: import.meta.dirname })) {
    if (SERVER_EDGES.some((edge) => file.startsWith(edge))) continue;
    const patterns = layerPatterns(file);
    const key = patterns.map((p) => p.regex).join('\n');
    groups.set(key, { patterns, files: [...(groups.get(key)?.files ?? []), file] });
  }
  return [...groups.values()].map(({ patterns, files }) => ({
    files,
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns }] },
  }));
}

const CODE = ['server', 'src', 'site', 'tests', 'scripts', 'bench'].map((dir) => `${dir}/**/*.{ts,tsx}`);

export default defineConfig(
  { ignores: ['dist/', '.astro/', 'site/.astro/', 'node_modules/', 'data/', 'test-results/', 'playwright-report/'] },
  {
    files: [...CODE, '*.ts', '*.mjs', 'site/*.mjs'],
    extends: [tseslint.configs.base],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      // A switch over a union without `default` (ticket states, actions, channels) must name
      // every member, so adding one shows each place to decide. A written `default` is such a
      // decision already; and most of ours switch over `string | undefined` from a regex or a
      // path, where listing `undefined` would be noise.
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true, requireDefaultForNonUnion: false },
      ],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
    },
  },
  ...astro.configs['flat/base'],
  // Layers of server/: nothing points up to the edges; domain does not reach into channels.
  ...layerConfigs(),
  // The pages, islands and the public site's pages. site/build-site.ts is a script (an edge, like
  // scripts/): it runs the builder in server/publish/.
  {
    files: ['src/**/*.{ts,tsx,astro}', 'site/src/**/*.{ts,astro}'],
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: PAGE_IMPORTS }] },
  },
  // The server logs through its logger (server/observability/log.ts): JSON lines with request ids
  // and without personal data. The console is for scripts/ (the operator's output) and the browser.
  { files: ['server/**/*.ts'], rules: { 'no-console': 'error' } },
  {
    files: ['server/**/*.ts', 'src/**/*.{ts,tsx,astro}', 'site/**/*.{ts,astro}', 'scripts/**/*.ts'],
    ignores: ['**/*-repository.ts', 'server/db/migrations/**'],
    rules: { 'no-restricted-syntax': ['error', ...SQL_OUTSIDE_REPOSITORIES] },
  },
);
