// Content agreed by all processes (issue 16, ADR 015). The office's files are loaded into the
// database as versions (at start, or by `npm run content:load`); every process builds its catalog
// from the newest stored version, polls the newest version's id every few seconds (one indexed
// row), and swaps to a new version without a restart. Services keep the `Catalog` they were given
// at start: it is a view (liveCatalog) whose every property reads the current version, so a
// service never holds on to an old one.
import os from 'node:os';
import type { Kysely } from 'kysely';
import type { Catalog } from '../catalog/types.ts';
import type { Clock } from '../clock.ts';
import type { DatabaseHandle } from '../db/database.ts';
import type { Database } from '../db/schema.ts';
import { contentHash, readContentFolder } from './content-files.ts';
import { addContentVersion, newestContentVersion, readContentVersion } from './content-version-repository.ts';
import { buildContentVersion, type ContentVersion } from './content-version.ts';

export interface LoadedContent {
  id: number;
  hash: string;
  /** False when the newest stored version already had these files (nothing was added). */
  added: boolean;
}

/**
 * Reads the versioned files of `dir`, checks them exactly as a start does, and stores them as a
 * new version unless the newest stored version has the same hash. A wrong file throws (naming the
 * file, the entry and the field) and stores nothing: every process keeps the version it has.
 */
export async function loadContentIntoDatabase(database: DatabaseHandle, dir: string, clock: Clock): Promise<LoadedContent> {
  const files = await readContentFolder(dir);
  const hash = contentHash(files);
  await buildContentVersion(dir, files, { id: 0, hash });
  const { mark, added } = await addContentVersion(database.db, database.dialect, {
    hash,
    files,
    loadedAt: clock.now().toISOString(),
    source: `${os.hostname()}:${dir}`,
  });
  return { ...mark, added };
}

export interface LiveContent {
  /** The version this process uses now. */
  current(): ContentVersion;
  /** The catalog of the current version, read afresh at every property access. */
  catalog: Catalog;
  /** Compares the newest stored version with the current one and switches to it; true when it switched. */
  refresh(): Promise<boolean>;
  /** Stops polling and listening. */
  close(): Promise<void>;
}

export interface LiveContentOptions {
  db: Kysely<Database>;
  /** Names the files in messages (CONTENT_DIR). */
  dir: string;
  /** How often the newest version is looked up; 0 polls never (refresh() by hand). */
  pollMs: number;
  /**
   * Where new versions are announced (PostgreSQL LISTEN): called with the function that refreshes,
   * returns the function that stops listening. The poll stays, in case the announcement is lost.
   */
  listen?: (onVersion: () => void) => Promise<() => Promise<void>>;
  /** A version that cannot be read or built (written by a newer release?): the process keeps its version. */
  onError?: (error: unknown) => void;
  /** The process switched to a newer version (for the log). */
  onSwitch?: (version: ContentVersion, previous: ContentVersion) => void;
}

async function buildStored(db: Kysely<Database>, dir: string, id: number): Promise<ContentVersion> {
  const stored = await readContentVersion(db, id);
  if (!stored) throw new Error(`content version ${id} is not stored`);
  return buildContentVersion(dir, stored.files, stored);
}

/** The newest stored version, built, and kept current; there must be one (load the folder first). */
export async function startLiveContent(options: LiveContentOptions): Promise<LiveContent> {
  const { db, dir } = options;
  const newest = await newestContentVersion(db);
  if (!newest) throw new Error(`No content is stored in the database: load ${dir} first (npm run content:load)`);
  let current = await buildStored(db, dir, newest.id);
  let refreshing: Promise<boolean> | null = null;
  let closed = false;
  // A stored version this process cannot build (written by a newer release?) is reported once, not every poll.
  let unusable: number | null = null;

  async function switchToNewest(): Promise<boolean> {
    const mark = await newestContentVersion(db);
    if (!mark || mark.id === current.id || mark.id === unusable) return false;
    let next: ContentVersion;
    try {
      next = await buildStored(db, dir, mark.id);
    } catch (error) {
      unusable = mark.id;
      throw error;
    }
    // Another refresh may have switched further meanwhile: never go back to an older version.
    if (next.id <= current.id) return false;
    const previous = current;
    current = next;
    options.onSwitch?.(next, previous);
    return true;
  }

  function refresh(): Promise<boolean> {
    refreshing ??= switchToNewest().finally(() => {
      refreshing = null;
    });
    return refreshing;
  }

  const refreshInBackground = () => {
    if (closed) return;
    refresh().catch((error: unknown) => {
      if (!closed) options.onError?.(error);
    });
  };
  const timer = options.pollMs > 0 ? setInterval(refreshInBackground, options.pollMs) : null;
  timer?.unref();
  let stopListening: (() => Promise<void>) | null = null;
  try {
    stopListening = options.listen ? await options.listen(refreshInBackground) : null;
  } catch (error) {
    if (timer) clearInterval(timer);
    throw error;
  }

  return {
    current: () => current,
    catalog: liveCatalog(() => current.catalog),
    refresh,
    close: async () => {
      closed = true;
      if (timer) clearInterval(timer);
      await stopListening?.();
      await refreshing?.catch(() => {});
    },
  };
}

/** `build(version)` made once per content version: for what is compiled from the content (the router's tables). */
export function perVersion<T>(live: LiveContent, build: (version: ContentVersion) => T): () => T {
  let made: { id: number; value: T } | null = null;
  return () => {
    const version = live.current();
    if (made?.id !== version.id) made = { id: version.id, value: build(version) };
    return made.value;
  };
}

/** A Catalog whose every property and lookup reads `current()`'s: what the services hold. */
function liveCatalog(current: () => Catalog): Catalog {
  return {
    get units() {
      return current().units;
    },
    get categories() {
      return current().categories;
    },
    get pointTypes() {
      return current().pointTypes;
    },
    get points() {
      return current().points;
    },
    get rules() {
      return current().rules;
    },
    get officeUnitCode() {
      return current().officeUnitCode;
    },
    get defaultDeadlineDays() {
      return current().defaultDeadlineDays;
    },
    get lexicon() {
      return current().lexicon;
    },
    unit: (code) => current().unit(code),
    category: (code) => current().category(code),
    point: (id) => current().point(id),
    checklist: (pointTypeCode) => current().checklist(pointTypeCode),
  };
}
