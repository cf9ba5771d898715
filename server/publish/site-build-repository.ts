// Storage of the requests to publish and the builds that took them (site_builds, ADR 006): one row
// per request, which a build claims (status 'building', its folder in build_dir) and marks 'live'
// or 'failed'. Explicit selects, plain objects out (DESIGN rule 4); written by publishing.ts and
// the publish job (site-publisher.ts), read by the console's publishing page.
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Database, SiteBuildTable } from '../db/schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

export interface SiteBuildRecord {
  id: number;
  reason: string;
  requestedAt: string;
  status: 'queued' | 'building' | 'live' | 'failed' | 'superseded';
  startedAt: string | null;
  finishedAt: string | null;
  pages: number | null;
  error: string | null;
  /** The build (folder under DATA_DIR/public-site/builds/) this request went into. */
  buildDir: string | null;
  /** The tickets the live build counted (ticketMark), to tell whether the counts moved since. */
  ticketMark: string | null;
  /** The manifest of the build's files in the blob store (site-store.ts); null before it is live. */
  manifestKey: string | null;
}

function toRecord(r: Selectable<SiteBuildTable>): SiteBuildRecord {
  return {
    id: Number(r.id),
    reason: r.reason,
    requestedAt: r.requested_at,
    status: r.status as SiteBuildRecord['status'],
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    pages: r.pages === null ? null : Number(r.pages),
    error: r.error,
    buildDir: r.build_dir,
    ticketMark: r.ticket_mark,
    manifestKey: r.manifest_key,
  };
}

/** A queued request; `contentManifest`: the content files it saw, when a content change asked for it. */
export async function insertBuildRequest(db: Db, reason: string, at: string, contentManifest: string | null): Promise<void> {
  await db
    .insertInto('site_builds')
    .values({
      reason,
      requested_at: at,
      status: 'queued',
      started_at: null,
      finished_at: null,
      build_dir: null,
      pages: null,
      error: null,
      content_manifest: contentManifest,
    })
    .execute();
}

/** The newest requests, newest first. */
export async function selectRecentBuilds(db: Db, limit: number): Promise<SiteBuildRecord[]> {
  const rows = await db.selectFrom('site_builds').selectAll().orderBy('id', 'desc').limit(limit).execute();
  return rows.map(toRecord);
}

/** The newest request that went live: the build serving the public site now. */
export async function findLiveBuild(db: Db): Promise<SiteBuildRecord | null> {
  const row = await db.selectFrom('site_builds').selectAll().where('status', '=', 'live').orderBy('id', 'desc').limit(1).executeTakeFirst();
  return row ? toRecord(row) : null;
}

/** The live build and its manifest's key: what the web processes serve (one indexed row, asked every few seconds). */
export async function liveManifest(db: Db): Promise<{ build: string; key: string } | null> {
  const row = await db
    .selectFrom('site_builds')
    .select(['build_dir', 'manifest_key'])
    .where('status', '=', 'live')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.build_dir && row.manifest_key ? { build: row.build_dir, key: row.manifest_key } : null;
}

/** The manifest keys of the newest `count` live builds, newest first (what the store keeps). */
export async function recentManifestKeys(db: Db, count: number): Promise<string[]> {
  const rows = await db
    .selectFrom('site_builds')
    .select('manifest_key')
    .distinct()
    .where('status', '=', 'live')
    .where('manifest_key', 'is not', null)
    .orderBy('manifest_key', 'desc')
    .limit(count)
    .execute();
  return rows.map((r) => r.manifest_key as string);
}

/** A live build's new manifest (its search index made after it went live), on every request it took. */
export async function updateManifestKey(db: Db, buildDir: string, key: string): Promise<void> {
  await db.updateTable('site_builds').set({ manifest_key: key }).where('build_dir', '=', buildDir).where('status', '=', 'live').execute();
}

/** Whether any request is in one of these states. */
export async function anyBuildIn(db: Db, statuses: ReadonlyArray<SiteBuildRecord['status']>): Promise<boolean> {
  const row = await db
    .selectFrom('site_builds')
    .select('id')
    .where('status', 'in', [...statuses])
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** Requests left 'building' since before `startedBefore` are queued again. */
export async function requeueStaleBuilds(db: Db, startedBefore: string): Promise<void> {
  await db
    .updateTable('site_builds')
    .set({ status: 'queued', started_at: null, build_dir: null })
    .where('status', '=', 'building')
    .where('started_at', '<', startedBefore)
    .execute();
}

/**
 * Takes every queued request into the build `buildDir` (recording the content it reads, when
 * given) in one conditional update; answers how many it took.
 */
export async function claimQueued(db: Db, buildDir: string, startedAt: string, contentManifest: string | null): Promise<number> {
  const claimed = await db
    .updateTable('site_builds')
    .set({ status: 'building', started_at: startedAt, build_dir: buildDir, ...(contentManifest && { content_manifest: contentManifest }) })
    .where('status', '=', 'queued')
    .executeTakeFirst();
  return Number(claimed.numUpdatedRows);
}

/** The reasons of the requests the build `buildDir` took. */
export async function claimedReasons(db: Db, buildDir: string): Promise<string[]> {
  const rows = await db.selectFrom('site_builds').select('reason').where('build_dir', '=', buildDir).execute();
  return rows.map((r) => r.reason);
}

/**
 * What the public counts are made of, in one short string: the newest ticket and the latest change
 * to any ticket (every event updates its ticket's updated_at). Equal marks: the counts cannot have
 * moved. Both are index look-ups (the primary key, tickets_updated_idx): the worker asks every pass.
 */
export async function ticketMark(db: Db): Promise<string> {
  const row = await db
    .selectFrom('tickets')
    .select((eb) => [eb.fn.max('id').as('newest'), eb.fn.max('updated_at').as('latest')])
    .executeTakeFirstOrThrow();
  return `${row.newest === null ? 0 : Number(row.newest)}@${row.latest ?? ''}`;
}

/** When a request for this reason was last made, whatever became of it; null if never. */
export async function lastRequestedAt(db: Db, reason: string): Promise<string | null> {
  const row = await db
    .selectFrom('site_builds')
    .select('requested_at')
    .where('reason', '=', reason)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.requested_at ?? null;
}

/** Whether a build other than `buildDir` is running. */
export async function otherBuildRunning(db: Db, buildDir: string): Promise<boolean> {
  const row = await db
    .selectFrom('site_builds')
    .select('id')
    .where('status', '=', 'building')
    .where('build_dir', '!=', buildDir)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** Gives the build's requests back to the queue. */
export async function releaseClaim(db: Db, buildDir: string): Promise<void> {
  await db
    .updateTable('site_builds')
    .set({ status: 'queued', started_at: null, build_dir: null })
    .where('build_dir', '=', buildDir)
    .where('status', '=', 'building')
    .execute();
}

/** The outcome of a build, on every request it took. */
export async function recordOutcome(
  db: Db,
  buildDir: string,
  outcome:
    | { status: 'live'; finishedAt: string; pages: number; ticketMark: string; manifestKey: string }
    | { status: 'failed'; finishedAt: string; error: string },
): Promise<void> {
  await db
    .updateTable('site_builds')
    .set(
      outcome.status === 'live'
        ? {
            status: 'live',
            finished_at: outcome.finishedAt,
            pages: outcome.pages,
            error: null,
            ticket_mark: outcome.ticketMark,
            manifest_key: outcome.manifestKey,
          }
        : { status: 'failed', finished_at: outcome.finishedAt, error: outcome.error },
    )
    .where('build_dir', '=', buildDir)
    .execute();
}

/** The newest recorded content manifest (serialized), if any. */
export async function newestContentManifest(db: Db): Promise<string | null> {
  const row = await db
    .selectFrom('site_builds')
    .select('content_manifest')
    .where('content_manifest', 'is not', null)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.content_manifest ?? null;
}
