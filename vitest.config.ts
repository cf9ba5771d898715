import { defineConfig } from 'vitest/config';

// Two projects: `unit` (rules, pure functions; fast) and `integration` (through the tRPC
// routers and the HTTP host against real databases: SQLite always, PostgreSQL when it answers).
// A test that prints a console error fails (tests/setup/fail-on-console-error.ts).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts'],
          setupFiles: ['tests/setup/fail-on-console-error.ts'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          setupFiles: ['tests/setup/fail-on-console-error.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
