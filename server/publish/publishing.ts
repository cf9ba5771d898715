// Asking for the public site to be rebuilt, and what the console shows of its builds (ADR 006).
// Publishing a notice or a response, a change of the content the site reads (site-publisher.ts),
// the worker's start and the office's 重新生成网站 (`rebuild`, reason 'manual': after fixing the
// cause of a failed build) call requestBuild; the worker's publish job (site-publisher.ts,
// building with site-builder.ts) takes every queued request into its next build, so requests
// made while a build runs are coalesced, and records when the site went live or why it failed.
import type { Kysely, Transaction } from 'kysely';
import { isOffice, type StaffUser } from '../auth/roles.ts';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/schema.ts';
import { ForbiddenError } from '../errors.ts';
import { anyBuildIn, findLiveBuild, insertBuildRequest, selectRecentBuilds, type SiteBuildRecord } from './site-build-repository.ts';

export type { SiteBuildRecord } from './site-build-repository.ts';

/** One build and the requests it took: what the console lists as recent builds. */
export interface SiteBuildSummary {
  buildDir: string;
  status: 'building' | 'live' | 'failed';
  startedAt: string | null;
  finishedAt: string | null;
  pages: number | null;
  error: string | null;
  /** What asked for it, oldest first. */
  reasons: string[];
  firstRequestedAt: string;
  /** From the oldest request to live (or to the failure): the publish-to-live latency. */
  latencyMs: number | null;
  /** From the newest request to live. */
  latestLatencyMs: number | null;
  buildMs: number | null;
}

export interface PublishingStatus {
  /** The build serving the public site now, if any. */
  live: SiteBuildRecord | null;
  /** Requests waiting for the next build, oldest first. */
  queued: SiteBuildRecord[];
  building: SiteBuildRecord | null;
  /** The newest failed build after the live one: the public site still shows the live one. */
  lastFailure: SiteBuildRecord | null;
  recent: SiteBuildRecord[];
  /** The last builds, newest first, each with the requests it took. */
  builds: SiteBuildSummary[];
}

/**
 * Queues a rebuild of the public site; inside the publishing transaction when one is given. A
 * change of the content carries the manifest of the files it saw (site-content.ts), so the same
 * change is not asked for again.
 */
export async function requestBuild(
  db: Kysely<Database> | Transaction<Database>,
  reason: string,
  at: Date,
  contentManifest: string | null = null,
): Promise<void> {
  await insertBuildRequest(db, reason.slice(0, 200), at.toISOString(), contentManifest);
}

/** The reason of a rebuild the office asked for on the console. */
export const MANUAL_REBUILD = 'manual';

/**
 * The reason of a statistics refresh: a build on top of the live one (site-publisher.ts) that
 * renders the pages that list or count, and the notices whose public data changed (a response
 * deadline passed) — none of the others.
 */
export const STATS_REFRESH = 'stats';

export function createPublishing(deps: { db: Kysely<Database>; clock: Clock }) {
  const { db, clock } = deps;

  async function status(): Promise<PublishingStatus> {
    const records = await selectRecentBuilds(db, 50);
    // The live build may lie further back than the rows listed (a long run of failures).
    const live = records.find((r) => r.status === 'live') ?? (await findLiveBuild(db));
    const lastFailure = records.find((r) => r.status === 'failed' && (!live || r.id > live.id)) ?? null;
    return {
      live,
      queued: records.filter((r) => r.status === 'queued').reverse(),
      building: records.find((r) => r.status === 'building') ?? null,
      lastFailure,
      recent: records.slice(0, 20),
      builds: summarize(records).slice(0, 10),
    };
  }

  /**
   * The office asks for a rebuild by hand (after fixing what failed a build). When a request is
   * already waiting, the next build comes anyway: nothing more is queued (`queued: false`).
   */
  async function rebuild(user: StaffUser): Promise<{ queued: boolean }> {
    if (!isOffice(user))
      throw new ForbiddenError(user.role === 'leader' ? '您的账号为只读账号，不能重新生成公开网站' : '只有创城办可以重新生成公开网站');
    if (await anyBuildIn(db, ['queued'])) return { queued: false };
    await requestBuild(db, MANUAL_REBUILD, clock.now());
    return { queued: true };
  }

  return {
    requestBuild: (reason: string) => requestBuild(db, reason, clock.now()),
    rebuild,
    status,
  };
}

export type Publishing = ReturnType<typeof createPublishing>;

function summarize(records: SiteBuildRecord[]): SiteBuildSummary[] {
  const byBuild = new Map<string, SiteBuildRecord[]>();
  for (const r of records) {
    if (!r.buildDir || (r.status !== 'live' && r.status !== 'failed' && r.status !== 'building')) continue;
    byBuild.set(r.buildDir, [...(byBuild.get(r.buildDir) ?? []), r]);
  }
  const ms = (from: string | null, to: string | null) => (from && to ? Date.parse(to) - Date.parse(from) : null);
  return [...byBuild.entries()]
    .map(([buildDir, rows]) => {
      const sorted = [...rows].sort((a, b) => a.requestedAt.localeCompare(b.requestedAt) || a.id - b.id);
      const first = sorted[0] as SiteBuildRecord;
      const last = sorted[sorted.length - 1] as SiteBuildRecord;
      return {
        buildDir,
        status: first.status as SiteBuildSummary['status'],
        startedAt: first.startedAt,
        finishedAt: first.finishedAt,
        pages: first.pages,
        error: first.error,
        reasons: sorted.map((r) => r.reason),
        firstRequestedAt: first.requestedAt,
        latencyMs: ms(first.requestedAt, first.finishedAt),
        latestLatencyMs: ms(last.requestedAt, first.finishedAt),
        buildMs: ms(first.startedAt, first.finishedAt),
      };
    })
    .sort((a, b) => b.buildDir.localeCompare(a.buildDir));
}
