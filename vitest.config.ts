import { defineConfig } from 'vitest/config';

// Three projects: `unit` (rules, pure functions; fast), `integration` (through the tRPC routers
// and the HTTP host against real databases: SQLite always, PostgreSQL when it answers), and
// `measured` — the integration tests that measure the portal itself (an answer within 200 ms
// during a 70,000-row export; a server's memory with 60 held uploads). Those run after the other
// two, one file at a time, so that other test files competing for the two cores are not what
// they measure. A fourth, `deployed`, holds the integration tests that start the portal as a
// deployment does (server/main.ts in processes of its own), which serve the build: `npm test`
// runs it after `npm run build`. A fifth, `packaging`, holds the tests of the deployment's
// packaging (tests/packaging: the offline bundle …), which also reuse the build. A test that
// prints a console error fails (tests/setup/fail-on-console-error.ts).
//
// Three test files at a time even on two cores (vitest's default would be one there): most
// integration tests wait — on PostgreSQL, on a child process, on a worker's pass — more than they
// compute.
const MEASURED = ['tests/integration/ledger-export-stall.test.ts', 'tests/integration/upload-limits.test.ts'];
const DEPLOYED = ['tests/integration/scale-out.test.ts'];

const integration = {
  setupFiles: ['tests/setup/fail-on-console-error.ts'],
  testTimeout: 30_000,
  hookTimeout: 60_000,
};

export default defineConfig({
  test: {
    maxWorkers: 3,
    projects: [
      {
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts'],
          setupFiles: ['tests/setup/fail-on-console-error.ts'],
        },
      },
      {
        test: { name: 'integration', include: ['tests/integration/**/*.test.ts'], exclude: [...MEASURED, ...DEPLOYED], ...integration },
      },
      {
        test: { name: 'deployed', include: DEPLOYED, ...integration },
      },
      {
        // Issue 19: the deployment's pieces (nginx in front …) tried as shipped; after `npm run build`.
        test: { name: 'packaging', include: ['tests/packaging/**/*.test.ts'], ...integration },
      },
      {
        test: { name: 'measured', include: MEASURED, fileParallelism: false, sequence: { groupOrder: 1 }, ...integration },
      },
    ],
  },
});
