// The notices' reads (notices.ts assembles them): the list, one notice as this user may see it and
// what they may do with it, and the units exposed three or more times in a row.
import { createHash } from 'node:crypto';
import { isOffice, type StaffUser } from '../auth/roles.ts';
import { DAY_MS } from '../china-time.ts';
import { ForbiddenError } from '../errors.ts';
import { STATUS_LABELS, type Status } from '../tickets/lifecycle.ts';
import { parse, type Db, type NoticeContext, type UnitName } from './notice-context.ts';
import {
  publicSlug,
  selectNoticePhotos,
  selectNotices,
  selectNoticeTicketIds,
  selectNoticeTickets,
  selectTicketPhotos,
  staffDisplayName,
  type NoticePhotoRow,
  type NoticeRow,
} from './notice-repository.ts';
import { selectResponses, type ResponseRow } from './notice-response-repository.ts';
import {
  NOTICE_STATUS_LABELS,
  RESPONSE_STATUS_LABELS,
  noticeListFilterSchema,
  type NoticeListFilter,
  type NoticeStatus,
  type ResponseStatus,
} from './notice-schema.ts';

/** Notices in a row that flag a unit for accountability (DOMAIN.md). */
export const EXPOSURES_IN_A_ROW = 3;

export interface NoticeSummary {
  id: number;
  /** The public address's slug; null for a draft never published. */
  slug: string | null;
  title: string;
  status: NoticeStatus;
  statusLabel: string;
  unit: UnitName;
  responseDueAt: string;
  createdAt: string;
  updatedAt: string;
  publishedAt: string | null;
  ticketCount: number;
  response: { status: ResponseStatus; statusLabel: string; submittedAt: string | null } | null;
  /** Published, deadline passed, no published response. */
  responseOverdue: boolean;
}

export interface NoticePhotoView {
  id: string;
  kind: 'before' | 'after';
  alt: string;
  url: string;
  thumbUrl: string;
}

export interface NoticeDetail extends NoticeSummary {
  body: string;
  tickets: Array<{
    trackingCode: string;
    status: Status;
    statusLabel: string;
    category: string | null;
    leadUnitCode: string | null;
  }>;
  photos: NoticePhotoView[];
  /** The tickets' photos the office may choose from (office only; empty for others). */
  candidatePhotos: Array<{ id: string; kind: 'before' | 'after'; trackingCode: string; url: string; thumbUrl: string }>;
  responseDetail: {
    body: string;
    status: ResponseStatus;
    statusLabel: string;
    photos: NoticePhotoView[];
    updatedAt: string;
    submittedAt: string | null;
    reviewedAt: string | null;
    reviewNote: string | null;
    publishedAt: string | null;
  } | null;
  /** The last withdrawal, with the name of who withdrew it (office only; null for others). */
  withdrawal: { at: string; byName: string | null; reason: string } | null;
  /** A fingerprint of what goes public (noticeVersion): publishing checks it against the one the office confirmed. */
  version: string;
  /** What this user may do with it now. */
  can: { edit: boolean; publish: boolean; withdraw: boolean; respond: boolean; review: boolean };
}

export interface FlaggedUnit {
  unit: UnitName;
  /** Notices in the current run (three or more). */
  inARow: number;
  notices: Array<{ id: number; slug: string; title: string; publishedAt: string }>;
}

/**
 * What goes public with a notice — title, text, unit, response deadline, tickets (their
 * categories are shown), photos with their captions, in order — as a short fingerprint. The
 * office confirms one version; publishing refuses a notice that has changed since.
 */
export async function noticeVersion(db: Db, notice: NoticeRow): Promise<string> {
  const [tickets, photos] = await Promise.all([selectNoticeTicketIds(db, [notice.id]), selectNoticePhotos(db, { noticeIds: [notice.id] })]);
  const content = {
    title: notice.title,
    body: notice.body,
    unit: notice.unitCode,
    due: notice.responseDueAt,
    tickets: tickets.get(notice.id) ?? [],
    photos: photos.map((p) => [p.photoId, p.kind, p.alt]),
  };
  return createHash('sha256').update(JSON.stringify(content)).digest('hex').slice(0, 16);
}

/** Runs of a unit's published notices (oldest first): the current run, or [] when it has ended. */
export function currentRun<N extends { publishedAt: string }>(published: readonly N[], now: Date, resetDays: number): N[] {
  const limit = resetDays * DAY_MS;
  const sorted = [...published].sort((a, b) => Date.parse(a.publishedAt) - Date.parse(b.publishedAt));
  let run: N[] = [];
  for (const n of sorted) {
    const last = run.at(-1);
    if (last && Date.parse(n.publishedAt) - Date.parse(last.publishedAt) > limit) run = [];
    run.push(n);
  }
  const last = run.at(-1);
  return last && now.getTime() - Date.parse(last.publishedAt) <= limit ? run : [];
}

export function createNoticeQueries(ctx: NoticeContext) {
  const { db, catalog, clock, photoUrls, resetDays, unitName, mayRead, noticeFor } = ctx;

  function overdue(notice: NoticeRow, response: ResponseRow | undefined, now: Date): boolean {
    return notice.status === 'published' && response?.status !== 'published' && Date.parse(notice.responseDueAt) < now.getTime();
  }

  function summary(n: NoticeRow, ticketCount: number, response: ResponseRow | undefined, now: Date): NoticeSummary {
    return {
      id: n.id,
      slug: publicSlug(n.slug),
      title: n.title,
      status: n.status,
      statusLabel: NOTICE_STATUS_LABELS[n.status] ?? n.status,
      unit: unitName(n.unitCode),
      responseDueAt: n.responseDueAt,
      createdAt: n.createdAt,
      updatedAt: n.updatedAt,
      publishedAt: n.publishedAt,
      ticketCount,
      response: response
        ? {
            status: response.status,
            statusLabel: RESPONSE_STATUS_LABELS[response.status] ?? response.status,
            submittedAt: response.submittedAt,
          }
        : null,
      responseOverdue: overdue(n, response, now),
    };
  }

  async function list(user: StaffUser, rawFilter: NoticeListFilter = {}): Promise<NoticeSummary[]> {
    mayRead(user);
    const filter = parse(noticeListFilterSchema, rawFilter);
    const unitScope = user.role === 'unit' ? user.unitCode! : filter.unitCode;
    const statuses: NoticeStatus[] | undefined =
      user.role === 'unit'
        ? (filter.status ? [filter.status] : (['published', 'withdrawn'] as NoticeStatus[])).filter((s) => s !== 'draft')
        : filter.status
          ? [filter.status]
          : undefined;
    const notices = await selectNotices(db, { ...(statuses && { statuses }), ...(unitScope && { unitCode: unitScope }) });
    const ids = notices.map((n) => n.id);
    const [tickets, responses] = await Promise.all([selectNoticeTicketIds(db, ids), selectResponses(db, ids)]);
    const now = clock.now();
    return notices.map((n) => summary(n, tickets.get(n.id)?.length ?? 0, responses.get(n.id), now));
  }

  function photoView(p: NoticePhotoRow): NoticePhotoView {
    return { id: p.photoId, kind: p.kind, alt: p.alt ?? '', ...photoUrls(p.photoId) };
  }

  async function detail(user: StaffUser, id: number): Promise<NoticeDetail> {
    const notice = await noticeFor(db, user, id);
    const [ticketIds, responses] = await Promise.all([selectNoticeTicketIds(db, [id]), selectResponses(db, [id])]);
    const ids = ticketIds.get(id) ?? [];
    const response = responses.get(id);
    const [tickets, photos, candidates, version] = await Promise.all([
      selectNoticeTickets(db, ids),
      selectNoticePhotos(db, { noticeIds: [id], ...(response && { responseIds: [response.id] }) }),
      isOffice(user) ? selectTicketPhotos(db, ids) : [],
      noticeVersion(db, notice),
    ]);
    const now = clock.now();
    const office = isOffice(user);
    const ownUnit = user.role === 'unit' && user.unitCode === notice.unitCode;
    const withdrawnBy = office && notice.withdrawal?.by != null ? await staffDisplayName(db, notice.withdrawal.by) : null;
    const responseOpen = !response || response.status === 'draft' || response.status === 'returned';
    return {
      ...summary(notice, ids.length, response, now),
      body: notice.body,
      tickets: tickets.map((t) => ({
        trackingCode: t.trackingCode,
        status: t.status as Status,
        statusLabel: STATUS_LABELS[t.status as Status] ?? t.status,
        category: t.categoryCode ? (catalog.category(t.categoryCode)?.name ?? t.categoryCode) : null,
        leadUnitCode: t.leadUnitCode,
      })),
      photos: photos.filter((p) => p.responseId === null).map(photoView),
      candidatePhotos: candidates.map((c) => ({
        id: c.id,
        kind: c.purpose === 'rectification' ? ('after' as const) : ('before' as const),
        trackingCode: c.trackingCode,
        ...photoUrls(c.id),
      })),
      responseDetail: response
        ? {
            body: response.body,
            status: response.status,
            statusLabel: RESPONSE_STATUS_LABELS[response.status] ?? response.status,
            photos: photos.filter((p) => p.responseId === response.id).map(photoView),
            updatedAt: response.updatedAt,
            submittedAt: response.submittedAt,
            reviewedAt: response.reviewedAt,
            reviewNote: response.reviewNote,
            publishedAt: response.publishedAt,
          }
        : null,
      withdrawal: office && notice.withdrawal ? { at: notice.withdrawal.at, byName: withdrawnBy, reason: notice.withdrawal.reason } : null,
      version,
      can: {
        edit: office && notice.status !== 'published',
        publish: office && notice.status !== 'published',
        withdraw: office && notice.status === 'published',
        respond: ownUnit && notice.status === 'published' && responseOpen,
        review: office && notice.status === 'published' && response?.status === 'submitted',
      },
    };
  }

  /** Units exposed three or more times in a row (the rule: notices.ts's header): for the office and leaders. */
  async function flaggedUnits(user: StaffUser): Promise<FlaggedUnit[]> {
    mayRead(user);
    if (user.role === 'unit') throw new ForbiddenError('仅创城办和领导可以查看');
    const now = clock.now();
    const published = (await selectNotices(db, { statuses: ['published'] })).filter(
      (n): n is NoticeRow & { publishedAt: string } => n.publishedAt !== null,
    );
    const byUnit = new Map<string, Array<NoticeRow & { publishedAt: string }>>();
    for (const n of published) {
      let list = byUnit.get(n.unitCode);
      if (!list) byUnit.set(n.unitCode, (list = []));
      list.push(n);
    }
    const flagged: FlaggedUnit[] = [];
    for (const [code, notices] of byUnit) {
      const run = currentRun(notices, now, resetDays);
      if (run.length < EXPOSURES_IN_A_ROW) continue;
      flagged.push({
        unit: unitName(code),
        inARow: run.length,
        notices: run.map((n) => ({ id: n.id, slug: n.slug, title: n.title, publishedAt: n.publishedAt })),
      });
    }
    return flagged.sort((a, b) => b.inARow - a.inARow || a.unit.code.localeCompare(b.unit.code));
  }

  /**
   * What waits for this user: unit staff, their unit's published notices whose response is not
   * yet submitted (none, a draft, or returned by the office), the nearest deadline first; the
   * office, the responses submitted for its review, the longest waiting first. Nothing for leaders.
   */
  async function awaiting(user: StaffUser): Promise<NoticeSummary[]> {
    if (user.role !== 'unit' && !isOffice(user)) return [];
    const published = await list(user, { status: 'published' });
    if (user.role === 'unit') {
      return published
        .filter((n) => n.response === null || n.response.status === 'draft' || n.response.status === 'returned')
        .sort((a, b) => Date.parse(a.responseDueAt) - Date.parse(b.responseDueAt) || a.id - b.id);
    }
    const submitted = (n: NoticeSummary) => n.response?.submittedAt ?? '';
    return published
      .filter((n) => n.response?.status === 'submitted')
      .sort((a, b) => submitted(a).localeCompare(submitted(b)) || a.id - b.id);
  }

  return { list, detail, flaggedUnits, awaiting };
}

export type NoticeQueries = ReturnType<typeof createNoticeQueries>;
