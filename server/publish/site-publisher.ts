// The worker's publish job (ADR 006): takes every queued request to publish (site_builds rows,
// requestBuild in publishing.ts) into one build of the public site, and records the outcome on
// each of them: 'live' with the build's folder and page count, or 'failed' with the reason.
// Requests made while a build runs stay queued and go into the next one: that is the debounce.
//
// Two workers on one database never build at once: a worker claims the queued rows with a
// conditional update tagged with its build's id, then looks for rows another worker is building;
// if there are any it gives its rows back (status 'queued') and tries again later. Of two
// workers that claim at the same moment each sees the other, so at most one builds (both may
// back off, and the next pass builds). A build left 'building' by a worker that died is queued
// again once it is older than `staleAfterMs`.
//
// With a `lease` (several workers, issue 16 item 5) only the worker holding the 'site-build' lease
// builds, renewing it while the build runs and giving it up after; a worker that takes the lease
// knows that any request left 'building' is from a holder that died, and builds it at once
// instead of after `staleAfterMs`.
//
// Content (ads, site.json, points, categories in CONTENT_DIR, site-content.ts): the claim records
// the manifest of those files on the requests it takes, so each build says what content it read.
// `queueContentChanges` compares today's files with the newest recorded manifest and queues a
// request per change (`ad:<slug> published`, `content:site.json updated` …) carrying the new
// manifest: a change is asked for once, whether its build is queued, running, live or failed —
// so a build that fails on broken content is not retried until the content changes again (or
// the office asks by hand, publishing.ts). The manifests live in the database: a restart with
// unchanged content queues nothing.
import type { Kysely } from 'kysely';
import type { BlobStore } from '../storage/blob-store.ts';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/schema.ts';
import { requestBuild, STATS_REFRESH } from './publishing.ts';
import {
  anyBuildIn,
  claimQueued,
  claimedReasons,
  findLiveBuild,
  lastRequestedAt,
  recentManifestKeys,
  updateManifestKey,
  newestContentManifest,
  otherBuildRunning,
  recordOutcome,
  releaseClaim,
  requeueStaleBuilds,
  ticketMark,
} from './site-build-repository.ts';
import { chinaDate } from '../china-time.ts';
import {
  changesSettled,
  contentChangeReasons,
  parseManifest,
  readContentManifest,
  serializeManifest,
  type ContentManifest,
} from './site-content.ts';
import type { PublicSnapshot } from './public-snapshot.ts';
import type { Lease } from '../worker/lease.ts';
import type { CompressStats } from './site-compress.ts';
import {
  buildSite,
  indexBuild,
  markWorkingCopy,
  newBuildId,
  readWorkingCopy,
  removeStaleBuildFiles,
  type SiteBuildOptions,
  type SiteBuildResult,
} from './site-builder.ts';
import {
  collectSiteGarbage,
  manifestKey,
  readManifest,
  siteCodeVersion,
  uploadBuild,
  writeManifest,
  type SiteManifest,
} from './site-store.ts';

export interface PublisherLog {
  info(message: string): void;
  error(message: string, error: unknown): void;
}

export interface SitePublisherOptions {
  db: Kysely<Database>;
  clock: Clock;
  dataDir: string;
  /** The project's root (node_modules/, site/). */
  root: string;
  /** Where the builds' files go for the web processes to serve (server/http/live-site.ts). */
  store: BlobStore;
  /** Builds kept in the store, the live one included; 3 by default. */
  keep?: number;
  /** Objects of builds no longer kept are removed from the store once they are this old (an hour by default; 0 in tests). */
  garbageAgeMs?: number;
  /** The public snapshot as of `at` (public-projection.ts). */
  snapshot: (at: Date) => Promise<PublicSnapshot>;
  /** More options for every build: env for the site (CONTENT_DIR, PUBLIC_SITE_URL), a command in tests … */
  buildOptions?: Partial<Omit<SiteBuildOptions, 'snapshot' | 'dataDir' | 'root' | 'id' | 'outDir' | 'previous'>>;
  /** A 'building' row older than this is taken to be from a worker that died; 30 minutes by default. */
  staleAfterMs?: number;
  /** CONTENT_DIR, whose files the site reads: recorded with each build, and watched (queueContentChanges). Unset: neither. */
  contentDir?: string;
  /** A changed content file is built for once it has not been written for this long; 1 s by default. */
  contentQuietMs?: number;
  /** queueStatsRefresh: at least this long between two refreshes for moved counts; an hour by default. */
  statsRefreshMs?: number;
  log?: PublisherLog;
  /** The 'site-build' lease (server/worker/lease.ts): with it, only its holder builds. */
  lease?: Lease;
  /**
   * Told when a build (or its search index) is recorded live: a web role in the same process
   * switches at once instead of at its next look (SITE_POLL_SECONDS); on the disk store the worker
   * lays out nginx's directory of the live site (site-directory.ts). Awaited: a build is done when
   * its hooks are.
   */
  onLive?: () => void | Promise<void>;
}

export type PublishRun =
  | { built: false; reason: 'nothing queued' | 'another worker is building' }
  | {
      built: true;
      id: string;
      scope: SiteBuildResult['scope'];
      requests: number;
      pages: number;
      /** From the start of the build to its record as live. */
      ms: number;
      timings: Record<string, number>;
      compressed: CompressStats;
      /** An incremental build's search index, made after it went live: its steps, or why it failed. */
      index?: { timings: Record<string, number> } | { error: string };
    }
  | { built: false; failed: true; id: string; requests: number; error: string };

export interface SitePublisher {
  /** Builds once if anything is queued; waits for (and answers with) a build already running in this process. */
  runOnce(now?: Date): Promise<PublishRun>;
  /**
   * At worker start: queues a build ('start') when no build is live, the live build's manifest is
   * not in the store, or (with a contentDir) no build has recorded the content it read yet.
   */
  ensureLive(now?: Date): Promise<boolean>;
  /**
   * Queues a refresh of the statistics pages (reason STATS_REFRESH) when the live build is from an
   * earlier China day, or the tickets changed since it and it is `statsRefreshMs` old; not while
   * another build is queued or running (that build counts afresh). Answers whether it queued one.
   */
  queueStatsRefresh(now?: Date): Promise<boolean>;
  /** Queues a request for each change of the content since the newest recorded manifest; answers with their reasons. */
  queueContentChanges(now?: Date): Promise<string[]>;
  /** Whether requests are waiting (a cheap query for the poll loop). */
  pending(): Promise<boolean>;
  /** Resolves when no build runs in this process. */
  idle(): Promise<void>;
}

const silent: PublisherLog = { info: () => {}, error: () => {} };

/**
 * Requests a build on top of the live one can answer: a notice, a response, a bulletin, an ad (all
 * ads' pages are rendered in every build) or the statistics. The start, 重新生成网站 and a change
 * of the other content the pages read (site.json …) rebuild the whole site.
 */
function isIncremental(reason: string): boolean {
  return reason === STATS_REFRESH || /^(notice|response|bulletin|ad):/.test(reason);
}

export function createSitePublisher(options: SitePublisherOptions): SitePublisher {
  const { db, clock } = options;
  const log = options.log ?? silent;
  const staleAfterMs = options.staleAfterMs ?? 30 * 60_000;
  const contentDir = options.contentDir;
  const contentQuietMs = options.contentQuietMs ?? 1000;
  const statsRefreshMs = options.statsRefreshMs ?? 60 * 60_000;
  let running: Promise<PublishRun> | null = null;
  // The poll and the worker's pass may look at the same moment: one look at a time, or both would queue the change.
  let checking: Promise<string[]> | null = null;

  async function publish(now: Date): Promise<PublishRun> {
    const lease = options.lease;
    if (!lease) return publishUnleased(now, new Date(now.getTime() - staleAfterMs).toISOString());
    if (!(await pending())) return { built: false, reason: 'nothing queued' };
    // Holding the lease, no other worker builds: a request still 'building' was left by one that died.
    const outcome = await lease.run(() => publishUnleased(now, '9999'), { release: true });
    return outcome.ran ? outcome.value : { built: false, reason: 'another worker is building' };
  }

  async function publishUnleased(now: Date, staleBefore: string): Promise<PublishRun> {
    // A build another worker left half-way long ago: its requests go into this one.
    await requeueStaleBuilds(db, staleBefore);
    if (!(await pending())) return { built: false, reason: 'nothing queued' };

    // Folder names sort by the real time they were made (pruning keeps the newest), not the injected clock's.
    const id = newBuildId(new Date());
    // Read before the build starts: a file changed while it runs differs from this, and is built again.
    const contentRead = contentDir ? serializeManifest(await readContentManifest(contentDir)) : null;
    const requests = await claimQueued(db, id, clock.now().toISOString(), contentRead);
    if (requests === 0) return { built: false, reason: 'nothing queued' };
    if (await otherBuildRunning(db, id)) {
      await releaseClaim(db, id);
      return { built: false, reason: 'another worker is building' };
    }

    const reasons = await claimedReasons(db, id);
    const began = performance.now();
    let result: SiteBuildResult;
    let files: SiteManifest;
    let mark: string;
    try {
      // Read before the snapshot: a ticket changed while it is made moves the mark again, and is counted next time.
      mark = await ticketMark(db);
      const snapshot = await options.snapshot(now);
      const siteVersion = await siteCodeVersion(options.root);
      const base = reasons.every(isIncremental) ? await incrementalBase(siteVersion) : null;
      result = await buildSite({
        ...options.buildOptions,
        snapshot,
        dataDir: options.dataDir,
        root: options.root,
        id,
        ...(base && { previous: { snapshot: base.snapshot, paths: Object.keys(base.manifest.files) } }),
      });
      const changes = result.changes;
      ({ manifest: files } = await uploadBuild(
        options.store,
        result.dir,
        { build: id, siteVersion },
        base && changes ? { manifest: base.manifest, changes } : null,
      ));
      await writeManifest(options.store, manifestKey(id, 1), files);
    } catch (error) {
      const message = (error instanceof Error ? error.message : String(error)).slice(0, 4000);
      await recordOutcome(db, id, { status: 'failed', finishedAt: clock.now().toISOString(), error: message });
      log.error(`[publish] build ${id} failed; the public site still shows the previous build:`, error);
      return { built: false, failed: true, id, requests, error: message };
    }
    const key = manifestKey(id, 1);
    await recordOutcome(db, id, {
      status: 'live',
      finishedAt: clock.now().toISOString(),
      pages: result.pages,
      ticketMark: mark,
      manifestKey: key,
    });
    await markWorkingCopy(options.dataDir, id);
    const ms = Math.round(performance.now() - began);
    await options.onLive?.();
    const what = result.scope === 'changed' ? `${result.noticesRendered} notice page(s) and the lists rendered` : `${result.pages} page(s)`;
    log.info(`[publish] build ${id} live: ${what}, ${requests} request(s), ${(ms / 1000).toFixed(1)} s`);
    const index =
      result.scope === 'changed' && options.buildOptions?.pagefind !== false ? await indexLiveBuild(id, result.dir, files) : undefined;
    await cleanUp();
    return {
      built: true,
      id,
      scope: result.scope,
      requests,
      pages: result.pages,
      ms,
      timings: result.timings,
      compressed: result.compressed,
      ...(index && { index }),
    };
  }

  /**
   * The live build to build on incrementally: the working copy holds it (this machine made it, and
   * no change of the copy failed since) and the site's code is the same; with its snapshot and manifest.
   */
  async function incrementalBase(siteVersion: string): Promise<{ snapshot: PublicSnapshot; manifest: SiteManifest } | null> {
    const live = await findLiveBuild(db);
    if (!live?.buildDir || !live.manifestKey) return null;
    const copy = await readWorkingCopy(options.dataDir);
    if (copy?.id !== live.buildDir) return null;
    const manifest = await readManifest(options.store, live.manifestKey).catch(() => null);
    return manifest?.siteVersion === siteVersion ? { snapshot: copy.snapshot, manifest } : null;
  }

  /** The search index of an incremental build, made once it is live; the page went live first. */
  async function indexLiveBuild(
    id: string,
    dir: string,
    manifest: SiteManifest,
  ): Promise<{ timings: Record<string, number> } | { error: string }> {
    try {
      const { written, timings } = await indexBuild(options.root, dir);
      const removed = Object.keys(manifest.files).filter((p) => p.startsWith('pagefind/'));
      const indexed = await uploadBuild(
        options.store,
        dir,
        { build: id, siteVersion: manifest.siteVersion },
        { manifest, changes: { written, removed } },
      );
      const key = manifestKey(id, 2);
      await writeManifest(options.store, key, indexed.manifest);
      await updateManifestKey(db, id, key);
      await options.onLive?.();
      return { timings };
    } catch (error) {
      // The copy's index may now differ from the manifest's: the next build is a full one.
      await markWorkingCopy(options.dataDir, null);
      log.error(`[publish] the search index of build ${id} was not updated; search still finds the pages of the build before:`, error);
      return { error: error instanceof Error ? error.message : String(error) };
    }
  }

  /** The store keeps the objects of the newest live builds' manifests; half-made build files an hour old go. */
  async function cleanUp(): Promise<void> {
    try {
      await removeStaleBuildFiles(options.dataDir);
      const keys = await recentManifestKeys(db, options.keep ?? 3);
      const manifests = (await Promise.all(keys.map((k) => readManifest(options.store, k)))).filter((m): m is SiteManifest => m !== null);
      // Objects a build is putting now are young: only the lease holder builds, but be safe.
      await collectSiteGarbage(options.store, { keys, manifests }, new Date(Date.now() - (options.garbageAgeMs ?? 3_600_000)));
    } catch (error) {
      log.error('[publish] removing old builds failed (the site is live; tried again after the next build):', error);
    }
  }

  /** The content the newest build (or queued content change) was made from; null before any recorded one. */
  async function recordedManifest(): Promise<ContentManifest | null> {
    const manifest = await newestContentManifest(db);
    return manifest ? parseManifest(manifest) : null;
  }

  async function queueContentChanges(now: Date): Promise<string[]> {
    if (!contentDir) return [];
    // Before any build recorded its content there is nothing to compare with: the start build records it.
    const recorded = await recordedManifest();
    if (!recorded) return [];
    const current = await readContentManifest(contentDir);
    const reasons = contentChangeReasons(recorded, current);
    if (reasons.length === 0 || !changesSettled(recorded, current, Date.now(), contentQuietMs)) return [];
    const manifest = serializeManifest(current);
    await db.transaction().execute(async (trx) => {
      for (const reason of reasons) await requestBuild(trx, reason, now, manifest);
    });
    log.info(`[publish] content changed, rebuild queued: ${reasons.join(', ')}`);
    return reasons;
  }

  async function queueStatsRefresh(now: Date): Promise<boolean> {
    const live = await findLiveBuild(db);
    if (!live?.finishedAt || (await anyBuildIn(db, ['queued', 'building']))) return false;
    // A refresh that failed is not asked for again at every pass: the last request counts like the last build.
    const asked = await lastRequestedAt(db, STATS_REFRESH);
    const today = chinaDate(now);
    const newDay = chinaDate(live.finishedAt) !== today && (!asked || chinaDate(asked) !== today);
    const since = Math.max(Date.parse(live.finishedAt), asked ? Date.parse(asked) : 0);
    const moved = now.getTime() - since >= statsRefreshMs && live.ticketMark !== (await ticketMark(db));
    if (!newDay && !moved) return false;
    await requestBuild(db, STATS_REFRESH, now);
    log.info(`[publish] statistics refresh queued: ${newDay ? 'a new day' : 'the counts moved'}`);
    return true;
  }

  async function pending(): Promise<boolean> {
    // With a lease, a request left 'building' waits too: it is built as soon as its holder's lease has run out.
    return anyBuildIn(db, options.lease ? ['queued', 'building'] : ['queued']);
  }

  return {
    runOnce(now = clock.now()) {
      if (running) return running;
      const run = publish(now).finally(() => {
        if (running === run) running = null;
      });
      running = run;
      return run;
    },
    queueStatsRefresh: (now = clock.now()) => queueStatsRefresh(now),
    async ensureLive(now = clock.now()) {
      const live = await findLiveBuild(db);
      const servable = live?.manifestKey ? (await options.store.head(live.manifestKey)) !== null : false;
      const contentRecorded = !contentDir || (await recordedManifest()) !== null;
      if (servable && contentRecorded) return false;
      if (await anyBuildIn(db, ['queued', 'building'])) return false;
      await requestBuild(db, 'start', now);
      return true;
    },
    queueContentChanges(now = clock.now()) {
      if (checking) return checking;
      const check = queueContentChanges(now).finally(() => {
        if (checking === check) checking = null;
      });
      checking = check;
      return check;
    },
    pending,
    async idle() {
      while (running) await running.catch(() => {});
    },
  };
}
