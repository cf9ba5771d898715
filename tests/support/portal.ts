// A portal on a real database, and a tRPC caller into it, for integration tests.
import path from 'node:path';
import { createPortal, type Portal, type PortalOptions } from '../../server/app.ts';
import { manualClock } from '../../server/clock.ts';
import type { RequestContext } from '../../server/app-services.ts';
import { appRouter } from '../../server/trpc/app-router.ts';
import type { ThrottleLimits } from '../../server/throttle/throttles.ts';
import { makeDatabase, type TestDatabase } from './databases.ts';

export const CONTENT_DIR = path.resolve(import.meta.dirname, '../../content');

export interface TestPortal {
  portal: Portal;
  database: TestDatabase;
  clock: ReturnType<typeof manualClock>;
  caller(request?: Partial<RequestContext>): ReturnType<typeof appRouter.createCaller>;
  close(): Promise<void>;
}

/**
 * Test files submit and upload far more from one address than a resident would; the report and
 * upload limits are raised here (tests/integration/throttles.test.ts checks them with their
 * defaults). Login and tracking keep their defaults.
 */
export const TEST_THROTTLE_LIMITS: Partial<ThrottleLimits> = {
  report: { count: 100_000, windowMs: 60_000 },
  upload: { count: 100_000, windowMs: 60_000 },
};

export async function startTestPortal(
  kind: 'sqlite' | 'postgres',
  contentDir = CONTENT_DIR,
  throttleLimits: Partial<ThrottleLimits> = TEST_THROTTLE_LIMITS,
  /** Further portal options (mail limits …). */
  more: Partial<Omit<PortalOptions, 'databaseUrl' | 'dataDir' | 'contentDir' | 'clock' | 'throttleLimits'>> = {},
): Promise<TestPortal> {
  const database = await makeDatabase(kind);
  const clock = manualClock('2026-11-30T02:00:00.000Z');
  const portal = await createPortal({
    ...more,
    databaseUrl: database.url,
    dataDir: database.dataDir,
    dataKey: database.dataKey,
    contentDir,
    clock,
    throttleLimits,
  });
  return {
    portal,
    database,
    clock,
    caller: (request = {}) =>
      appRouter.createCaller({ app: portal.services, request: { ip: '203.0.113.7', userAgent: 'vitest', ...request }, user: null }),
    async close() {
      await portal.close();
      await database.drop();
    },
  };
}
