// Asking for the public site to be rebuilt, and what the console shows of its builds (ADR 006).
// Publishing a notice or a response (or content at start) calls requestBuild; the worker's
// publish job (site-builder.ts) takes every queued request into its next build, so requests
// made while a build runs are coalesced, and records when the site went live or why it failed.
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/schema.ts';

export interface SiteBuildRecord {
  id: number;
  reason: string;
  requestedAt: string;
  status: 'queued' | 'building' | 'live' | 'failed' | 'superseded';
  startedAt: string | null;
  finishedAt: string | null;
  pages: number | null;
  error: string | null;
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
}

/** Queues a rebuild of the public site; inside the publishing transaction when one is given. */
export async function requestBuild(db: Kysely<Database> | Transaction<Database>, reason: string, at: Date): Promise<void> {
  await db
    .insertInto('site_builds')
    .values({
      reason: reason.slice(0, 200),
      requested_at: at.toISOString(),
      status: 'queued',
      started_at: null,
      finished_at: null,
      build_dir: null,
      pages: null,
      error: null,
    })
    .execute();
}

export function createPublishing(deps: { db: Kysely<Database>; clock: Clock }) {
  const { db, clock } = deps;

  async function status(): Promise<PublishingStatus> {
    const rows = await db.selectFrom('site_builds').selectAll().orderBy('id', 'desc').limit(50).execute();
    const records = rows.map(toRecord);
    const live = records.find((r) => r.status === 'live') ?? null;
    const lastFailure = records.find((r) => r.status === 'failed' && (!live || r.id > live.id)) ?? null;
    return {
      live,
      queued: records.filter((r) => r.status === 'queued').reverse(),
      building: records.find((r) => r.status === 'building') ?? null,
      lastFailure,
      recent: records.slice(0, 20),
    };
  }

  return {
    requestBuild: (reason: string) => requestBuild(db, reason, clock.now()),
    status,
  };
}

export type Publishing = ReturnType<typeof createPublishing>;

function toRecord(r: Selectable<Database['site_builds']>): SiteBuildRecord {
  return {
    id: Number(r.id),
    reason: r.reason,
    requestedAt: r.requested_at,
    status: r.status as SiteBuildRecord['status'],
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    pages: r.pages === null ? null : Number(r.pages),
    error: r.error,
  };
}
