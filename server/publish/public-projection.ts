// The public projection (ADR 006): the only code that turns private data into what the public
// site shows. It selects named columns and copies named fields into the snapshot
// (public-snapshot.ts), validated before it is returned. What it reads:
// - notices: published ones only (drafts and withdrawn notices never), the office's title and
//   text, the responsible unit, dates; their tickets' categories (names) — never the tickets'
//   descriptions, addresses or tracking codes;
// - photos chosen for a notice or a response: the pipeline's id, dimensions and the alt text the
//   office or unit wrote (the renditions carry no metadata: server/media/README.md);
// - responses: published ones only, the unit's text;
// - inspection bulletins: rounds whose public bulletin the office published, through
//   server/inspection/public-bulletin.ts (counts, points, standards, units, rectified or not —
//   never an inspector, a note or a tracking code);
// - figures: counts grouped in the database (public-statistics.ts, server/ledgers/
//   statistics-repository.ts) by codes, statuses and months, and the rectification ledger's
//   on-time verdicts (server/ledgers/closure-verdicts.ts). ticket_reporters, calls, mail and
//   residents' descriptions are not read here at all.
//
// The figures and their definitions (server/ledgers/README.md):
// - stats.byMonth: each CST calendar month from the first ticket's to the current one is the
//   monthly report's totals for that month (monthly-report.ts: received in the month, closed =
//   struck off in the month, closed on time, on-time rate) — the same numbers the office reads
//   in the 工作月报, counted for all months at once rather than by a report per month.
// - stats.totals, units[].counts: all tickets up to now as the problem ledger has them (one row
//   per ticket, its state now): received = every ticket; open = not closed, rejected or merged;
//   closed = closed now; closed on time = of those, the ones whose last verified rectification
//   (rectification ledger row, outcome "verified") was on time by the deadline then in force.
//   A closed ticket counts for the unit whose rectification was verified, a received one for its
//   lead unit now (the problem ledger's unit filter). totals.closed is not the sum of the
//   months' closed: a ticket struck off, reopened and struck off again in another month counts
//   in both months and once in the totals.
// - byCategory: the top-level category (the eight focus problems, "other"); "未分类" for tickets
//   without one. byChannel: the channel of intake (网站, 专用邮箱, 热线电话 …).
import type { Kysely } from 'kysely';
import type { Catalog } from '../catalog/types.ts';
import type { Database } from '../db/schema.ts';
import { ms } from '../china-time.ts';
import { createLabels } from '../ledgers/ledger-labels.ts';
import {
  selectNoticePhotos,
  selectNotices,
  selectNoticeTicketIds,
  selectTicketCategories,
  type NoticePhotoRow,
} from './notice-repository.ts';
import { selectResponses } from './notice-response-repository.ts';
import { publicStatistics } from './public-statistics.ts';
import { publicSnapshotSchema, type PublicPhoto, type PublicSnapshot } from './public-snapshot.ts';
import { publicBulletins } from '../inspection/public-bulletin.ts';

export interface ProjectionDeps {
  db: Kysely<Database>;
  catalog: Catalog;
  /** DATA_DIR/media: where the build copies the photos from. */
  mediaDir: string;
}

export async function publicSnapshot(deps: ProjectionDeps, at: Date): Promise<PublicSnapshot> {
  const { db, catalog } = deps;
  const labels = createLabels(catalog);

  // Notices, their responses and photos: published only.
  const notices = (await selectNotices(db, { statuses: ['published'] })).filter((n) => n.publishedAt !== null);
  notices.sort((a, b) => ms(b.publishedAt!) - ms(a.publishedAt!) || b.id - a.id);
  const noticeIds = notices.map((n) => n.id);
  const [ticketIds, responses] = await Promise.all([selectNoticeTicketIds(db, noticeIds), selectResponses(db, noticeIds, ['published'])]);
  const photos = await selectNoticePhotos(db, { noticeIds, responseIds: [...responses.values()].map((r) => r.id) });
  const allTicketIds = [...new Set([...ticketIds.values()].flat())];
  const categoryOf = await selectTicketCategories(db, allTicketIds);
  const toPhoto = (p: NoticePhotoRow): PublicPhoto => ({ id: p.photoId, kind: p.kind, width: p.width, height: p.height, alt: p.alt ?? '' });
  const noticePhotos = new Map<number, PublicPhoto[]>();
  const responsePhotos = new Map<number, PublicPhoto[]>();
  for (const p of photos) {
    const [map, key] = p.responseId === null ? [noticePhotos, p.noticeId!] : [responsePhotos, p.responseId];
    let list = map.get(key);
    if (!list) map.set(key, (list = []));
    list.push(toPhoto(p));
  }

  const publicNotices: PublicSnapshot['notices'] = notices.map((n) => {
    const unit = labels.unit(n.unitCode)!;
    const response = responses.get(n.id);
    const categories = [
      ...new Set(
        (ticketIds.get(n.id) ?? [])
          .map((id) => categoryOf.get(id) ?? null)
          .filter((c): c is string => c !== null)
          .map((c) => labels.category(c)!.name),
      ),
    ];
    return {
      slug: n.slug,
      title: n.title,
      body: n.body,
      unit: { code: unit.code, name: unit.name, shortName: unit.shortName },
      publishedAt: n.publishedAt!,
      responseDueAt: n.responseDueAt,
      categories,
      photos: noticePhotos.get(n.id) ?? [],
      response: response
        ? { body: response.body, publishedAt: response.publishedAt!, photos: responsePhotos.get(response.id) ?? [] }
        : null,
      responseOverdue: !response && ms(n.responseDueAt) < at.getTime(),
    };
  });

  // The figures, by grouped counts (public-statistics.ts).
  const statistics = await publicStatistics({ db, catalog }, at);

  const noticesOf = new Map<string, string[]>();
  for (const n of publicNotices) {
    let list = noticesOf.get(n.unit.code);
    if (!list) noticesOf.set(n.unit.code, (list = []));
    list.push(n.slug);
  }

  const snapshot: PublicSnapshot = {
    version: 1,
    generatedAt: at.toISOString(),
    mediaDir: deps.mediaDir,
    notices: publicNotices,
    // Inspection rounds' bulletins the office published (server/inspection/public-bulletin.ts says what of them).
    bulletins: await publicBulletins({ db, catalog }),
    units: catalog.units.map((u) => ({
      code: u.code,
      name: u.name,
      shortName: u.shortName,
      kind: u.kind,
      notices: noticesOf.get(u.code) ?? [],
      ...statistics.unit(u.code),
    })),
    stats: statistics.stats,
  };
  return publicSnapshotSchema.parse(snapshot);
}
