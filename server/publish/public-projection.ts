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
// - figures: the ledgers' own rows (server/ledgers), of which only codes, statuses, dates and
//   the on-time verdict are copied. ticket_reporters, calls, mail and residents' descriptions
//   are not read here at all.
//
// The figures and their definitions (server/ledgers/README.md):
// - stats.byMonth: each CST calendar month from the first ticket's to the current one is the
//   monthly report's totals for that month (monthly-report.ts: received in the month, closed =
//   struck off in the month, closed on time, on-time rate) — the same numbers the office reads
//   in the 工作月报.
// - stats.totals, units[].counts: all tickets up to now from the problem ledger (one row per
//   ticket, its state now): received = every ticket; open = not closed, rejected or merged;
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
import { chinaDate, monthPeriod, ms } from '../china-time.ts';
import { CHANNELS } from '../tickets/channels.ts';
import type { LedgerDeps } from '../ledgers/ledger-context.ts';
import { createLabels, NO_CATEGORY_LABEL } from '../ledgers/ledger-labels.ts';
import { monthlyReport } from '../ledgers/monthly-report.ts';
import { problemLedgerRows } from '../ledgers/problem-ledger.ts';
import { rectificationLedgerRows, type RectificationLedgerRow } from '../ledgers/rectification-ledger.ts';
import { TERMINAL_STATUSES } from '../tickets/lifecycle.ts';
import {
  selectNoticePhotos,
  selectNotices,
  selectNoticeTicketIds,
  selectTicketCategories,
  type NoticePhotoRow,
} from './notice-repository.ts';
import { selectResponses } from './notice-response-repository.ts';
import { publicSnapshotSchema, type PublicPhoto, type PublicSnapshot } from './public-snapshot.ts';
import { publicBulletins } from '../inspection/public-bulletin.ts';

export interface ProjectionDeps {
  db: Kysely<Database>;
  catalog: Catalog;
  /** DATA_DIR/media: where the build copies the photos from. */
  mediaDir: string;
}

const NO_CATEGORY_CODE = 'none';

interface Counts {
  received: number;
  closed: number;
  closedOnTime: number;
  onTimeRate: number | null;
}

const zero = (): Counts => ({ received: 0, closed: 0, closedOnTime: 0, onTimeRate: null });
const withRate = <C extends Counts>(c: C): C => ({ ...c, onTimeRate: c.closed > 0 ? c.closedOnTime / c.closed : null });

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

/** "2026-11", "2026-12" … from the month of `from` to the month of `to` (CST). */
function monthsBetween(from: string, to: Date): string[] {
  const out: string[] = [];
  let month = chinaDate(from).slice(0, 7);
  const last = chinaDate(to).slice(0, 7);
  while (month <= last) {
    out.push(month);
    month = chinaDate(monthPeriod(month).to).slice(0, 7);
  }
  return out;
}

export async function publicSnapshot(deps: ProjectionDeps, at: Date): Promise<PublicSnapshot> {
  const { db, catalog } = deps;
  const labels = createLabels(catalog);
  const ledgerDeps: LedgerDeps = { db, catalog, clock: { now: () => new Date(at) } };

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

  // The record: the problem ledger (one row per ticket) and the rectification ledger.
  const [problems, rectifications] = await Promise.all([problemLedgerRows(ledgerDeps, {}), rectificationLedgerRows(ledgerDeps, {})]);
  const lastVerified = new Map<number, RectificationLedgerRow>();
  for (const r of rectifications) {
    if (r.outcome !== 'verified' || r.verifiedAt === null) continue;
    const seen = lastVerified.get(r.ticketId);
    if (!seen || ms(r.verifiedAt) > ms(seen.verifiedAt!)) lastVerified.set(r.ticketId, r);
  }

  const totals = { ...zero(), open: 0 };
  const unitCounts = new Map<string, Counts>();
  const unitCategories = new Map<string, Map<string, number>>();
  const byChannel = new Map<string, number>();
  const byCategory = new Map<string, number>();
  const unitTally = (code: string) => {
    let c = unitCounts.get(code);
    if (!c) unitCounts.set(code, (c = zero()));
    return c;
  };
  for (const p of problems) {
    const category = labels.topCategory(p.category?.code ?? null)?.code ?? NO_CATEGORY_CODE;
    totals.received += 1;
    if (!TERMINAL_STATUSES.includes(p.status)) totals.open += 1;
    bump(byChannel, p.channel);
    bump(byCategory, category);
    if (p.leadUnit) {
      unitTally(p.leadUnit.code).received += 1;
      let cats = unitCategories.get(p.leadUnit.code);
      if (!cats) unitCategories.set(p.leadUnit.code, (cats = new Map()));
      bump(cats, category);
    }
    if (p.status !== 'closed') continue;
    const verified = lastVerified.get(p.ticketId);
    totals.closed += 1;
    if (verified?.onTime) totals.closedOnTime += 1;
    const closingUnit = verified?.unit?.code ?? p.leadUnit?.code ?? null;
    if (closingUnit) {
      unitTally(closingUnit).closed += 1;
      if (verified?.onTime) unitTally(closingUnit).closedOnTime += 1;
    }
  }

  const categoryOrder = [...catalog.categories.filter((c) => c.parentCode === null).map((c) => c.code), NO_CATEGORY_CODE];
  const categoryLabel = (code: string) => (code === NO_CATEGORY_CODE ? NO_CATEGORY_LABEL : (labels.topCategory(code)?.name ?? code));
  const labelled = (counts: Map<string, number>, order: readonly string[], label: (code: string) => string) =>
    [...order.filter((c) => counts.has(c)), ...[...counts.keys()].filter((c) => !order.includes(c))].map((code) => ({
      code,
      label: label(code),
      count: counts.get(code)!,
    }));

  const firstReceived = problems.reduce<string | null>((min, p) => (min === null || ms(p.receivedAt) < ms(min) ? p.receivedAt : min), null);
  const byMonth: PublicSnapshot['stats']['byMonth'] = [];
  for (const month of firstReceived ? monthsBetween(firstReceived, at) : []) {
    const t = (await monthlyReport(ledgerDeps, month)).totals;
    byMonth.push({ month, received: t.received, closed: t.closed, closedOnTime: t.closedOnTime, onTimeRate: t.onTimeRate });
  }

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
      counts: withRate(unitCounts.get(u.code) ?? zero()),
      byCategory: labelled(unitCategories.get(u.code) ?? new Map(), categoryOrder, categoryLabel),
    })),
    stats: {
      totals: withRate(totals),
      byChannel: labelled(byChannel, CHANNELS, (c) => labels.channel(c)),
      byCategory: labelled(byCategory, categoryOrder, categoryLabel),
      byMonth,
    },
  };
  return publicSnapshotSchema.parse(snapshot);
}
