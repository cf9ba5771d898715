// The public view of a ticket (tracking page, report.track): status, unit, deadline, timeline
// and photos — an explicit projection with no personal data (DESIGN rule 5). Guessing codes is
// throttled per client address (THROTTLE_TRACK_MISSES): every look-up takes a count first and a
// code that exists gives it back, so only misses count — and past the limit nothing is looked up,
// not even a right code, until the window slides on.
import type { Kysely } from 'kysely';
import type { ClosureOutcome, OnlineFollowUpState, TimelineEntry, TrackResult } from './track-result.ts';
import type { Catalog } from '../catalog/types.ts';
import type { Database } from '../db/schema.ts';
import { InvalidInputError, NotFoundError, TooManyRequestsError } from '../errors.ts';
import { photoIdsOfTicket } from '../media/photo-repository.ts';
import { waitText, type Throttles } from '../throttle/throttles.ts';
import { chinaDate } from '../china-time.ts';
import { CHANNEL_LABELS, type Channel } from './channels.ts';
import { MARK_ACTIONS, STATUS_LABELS, statusLabel } from './lifecycle.ts';
import { findClosure } from './closure-repository.ts';
import { withoutPhoneNumbers } from './phone.ts';
import { findTicketByCode, listEvents, type EventRecord, type TicketRecord } from './ticket-repository.ts';
import { readTrackingCode, trackingCodeProblemText } from './tracking-code.ts';

export interface TrackDeps {
  db: Kysely<Database>;
  catalog: Catalog;
  photoUrls(id: string): { url: string; thumbUrl: string };
  throttles: Throttles;
  /** The "fixed?" question's state for a closed ticket (server/follow-ups/online-follow-ups.ts). */
  followUpState?: (ticket: TicketRecord) => Promise<OnlineFollowUpState | null>;
}

function chineseDate(iso: string): string {
  const [y, m, d] = chinaDate(iso).split('-').map(Number);
  return `${y}年${m}月${d}日`;
}

function describeEvent(e: EventRecord, unitName: (code: unknown) => string): string {
  const unit = unitName(e.data['leadUnitCode']);
  const deadline = typeof e.data['deadlineAt'] === 'string' ? `，整改期限至${chineseDate(e.data['deadlineAt'])}` : '';
  switch (e.action) {
    case 'submit':
      return `通过${CHANNEL_LABELS[String(e.data['channel']) as Channel] ?? '其他渠道'}反映的问题已受理`;
    case 'dispatch':
      return `已转交${unit}办理${deadline}`;
    case 'reassign':
      return `已改由${unit}办理${deadline}`;
    case 'accept':
      return '责任单位已签收';
    case 'acceptOnBehalf':
      return `创城办已代${unitName(e.data['unitCode'])}签收`;
    case 'return':
      return '责任单位认为不属其职责，创城办重新分派中';
    case 'startRectification':
      return '责任单位正在整改';
    case 'requestExtension':
      return '责任单位申请延长整改期限';
    case 'approveExtension':
      return `延期申请已批准${deadline}`;
    case 'refuseExtension':
      return '延期申请未获批准，请按原期限整改';
    case 'reportRectification':
      return '责任单位已反馈整改结果，待创城办核验';
    case 'verify':
      return '创城办核验通过，问题已办结';
    case 'sendBack':
      return '创城办核验未通过，已退回重新整改';
    case 'reject':
      return `不予受理：${e.reason ?? ''}`;
    case 'merge':
      return '与其他市民反映的同一问题合并办理';
    case 'reopen':
      return '问题重新办理';
    default:
      return STATUS_LABELS[e.toStatus];
  }
}

export function createTracking(deps: TrackDeps) {
  const { db, catalog, throttles } = deps;

  function unitRef(code: string | null) {
    const unit = code ? catalog.unit(code) : undefined;
    return unit ? { code: unit.code, name: unit.name } : null;
  }

  function throttled(seconds: number): TooManyRequestsError {
    return new TooManyRequestsError(`查询过于频繁，请${waitText(seconds)}后再试`, seconds);
  }

  async function trackReport(rawCode: string, client: string): Promise<TrackResult> {
    const taken = await throttles.take('track', client);
    if (!taken.allowed) throw throttled(taken.retryAfterSeconds);
    const read = readTrackingCode(rawCode);
    if ('problem' in read) {
      // Said once: the page (and an API client) shows this one sentence as what is wrong.
      const problem = trackingCodeProblemText(read.problem);
      throw new InvalidInputError(problem, { trackingCode: problem });
    }
    const ticket = await findTicketByCode(db, read.code);
    if (!ticket) throw new NotFoundError(`没有找到查询码为 ${read.code} 的问题，请核对后重新输入`);
    await taken.release();
    // A leader's 督办 is the staff's business: the resident's timeline shows what was done.
    const events = (await listEvents(db, ticket.id)).filter((e) => !MARK_ACTIONS.includes(e.action));
    const photoIds = await photoIdsOfTicket(db, ticket.id, 'report');
    const category = ticket.categoryCode ? catalog.category(ticket.categoryCode) : undefined;
    const timeline: TimelineEntry[] = events.map((e) => ({
      at: e.at,
      text: describeEvent(e, (c) => (typeof c === 'string' ? (catalog.unit(c)?.name ?? '责任单位') : '责任单位')),
      status: e.toStatus,
      statusLabel: statusLabel(e.toStatus, e.action === 'acceptOnBehalf'),
    }));
    const outcome = await outcomeOf(ticket, events);
    return {
      trackingCode: ticket.trackingCode,
      status: ticket.status,
      statusLabel: statusLabel(ticket.status, events.at(-1)?.action === 'acceptOnBehalf'),
      category: category ? { code: category.code, name: category.name } : null,
      unit: unitRef(ticket.leadUnitCode),
      deadline: ticket.deadlineAt,
      createdAt: ticket.createdAt,
      timeline,
      photos: photoIds.map((id) => deps.photoUrls(id)),
      outcome,
      followUp: deps.followUpState ? await deps.followUpState(ticket) : null,
    };
  }

  /**
   * What was done, once the office verified it: the summary it approved (ticket_closures, only
   * written at 销号 — so never before verification, nor for a ticket rejected or merged) and the
   * after-photos of the unit's last report before the closure.
   */
  async function outcomeOf(ticket: TicketRecord, events: EventRecord[]): Promise<ClosureOutcome | null> {
    if (ticket.status !== 'closed' || !ticket.closedAt) return null;
    const closure = await findClosure(db, ticket.id, ticket.closedAt);
    if (!closure) return null;
    const report = events.findLast((e) => e.action === 'reportRectification' && e.at <= closure.closedAt);
    const reported = Array.isArray(report?.data['photoIds']) ? (report.data['photoIds'] as unknown[]) : [];
    const attached = new Set(await photoIdsOfTicket(db, ticket.id, 'rectification'));
    const afterIds = reported.filter((id): id is string => typeof id === 'string' && attached.has(id));
    return {
      closedAt: closure.closedAt,
      summary: withoutPhoneNumbers(closure.publicSummary),
      afterPhotos: afterIds.map((id) => deps.photoUrls(id)),
    };
  }

  return { trackReport };
}
