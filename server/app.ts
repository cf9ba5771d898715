// Assembles the portal from its parts: database, catalog, router, photo store, intake and
// tracking. The HTTP host, the tests and the command-line tools all start here, so every one
// of them runs the same code on the same wiring.
import path from 'node:path';
import type { PortalServices, RequestContext } from './app-services.ts';
import { loadCatalog } from './catalog/load-catalog.ts';
import { systemClock, type Clock } from './clock.ts';
import { migrateToLatest, openDatabase, type DatabaseHandle } from './db/database.ts';
import { createWriteBatcher } from './db/write-batcher.ts';
import { createReportIntake } from './intake/submit-report.ts';
import { processPhoto } from './media/photo-pipeline.ts';
import { recordPhoto } from './media/photo-repository.ts';
import { createPhotoStore, type PhotoStore } from './media/photo-store.ts';
import { createRouter } from './routing/router.ts';
import { createTracking } from './tickets/track-report.ts';

export interface PortalOptions {
  databaseUrl: string;
  dataDir: string;
  contentDir: string;
  clock?: Clock;
  routingThreshold?: number | undefined;
}

export interface Portal {
  services: PortalServices;
  database: DatabaseHandle;
  photos: PhotoStore;
  close(): Promise<void>;
}

export async function createPortal(options: PortalOptions): Promise<Portal> {
  const clock = options.clock ?? systemClock;
  const catalog = await loadCatalog(options.contentDir);
  const database = openDatabase(options.databaseUrl);
  await migrateToLatest(database);
  const { db } = database;
  const router = createRouter(catalog, options.routingThreshold === undefined ? {} : { threshold: options.routingThreshold });
  const photos = createPhotoStore({ dir: path.join(options.dataDir, 'media') });
  const intake = createReportIntake({ db, writes: createWriteBatcher(database), catalog, router, clock });
  const tracking = createTracking({ db, catalog, clock, photoUrls: (id) => photos.urls(id) });

  const services: PortalServices = {
    catalog,
    submitReport: (raw, ctx: RequestContext) =>
      intake.submitReport(raw, { channel: 'web', ip: ctx.ip, userAgent: ctx.userAgent ?? null }),
    trackReport: (code, ctx) => tracking.trackReport(code, ctx.ip),
    suggestRoute: (input) => router.suggest(input),
    async uploadPhoto(bytes) {
      const processed = await processPhoto(bytes);
      const { id } = await photos.save(processed);
      await recordPhoto(db, {
        id,
        purpose: 'report',
        width: processed.width,
        height: processed.height,
        sha256: processed.sha256,
        at: clock.now().toISOString(),
      });
      return { id, ...photos.urls(id) };
    },
  };

  return { services, database, photos, close: () => database.close() };
}
