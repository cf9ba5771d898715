// "Me too" on the web form (我也遇到了, issue 15 item 4). While a resident fills in the report form,
// `nearby` lists the open problems of the same category at the chosen point or within 200 m of it
// (or of the resident's position) — category, point, date, status, photos and how many reported
// it, never the description (it may name people), the tracking code or anything of the reporter.
// `join` adds the resident's report to one of them, as the hotline's "+1" does: a private
// ticket_supporters row, the ticket's report_count raised in the same transaction, and the
// existing tracking code in answer. A ticket merged meanwhile is joined where it was merged to.
import type { Kysely } from 'kysely';
import type { Catalog } from '../catalog/types.ts';
import type { Clock } from '../clock.ts';
import { isUniqueViolation } from '../db/database.ts';
import type { Database } from '../db/schema.ts';
import type { WriteBatcher } from '../db/write-batcher.ts';
import { InvalidInputError } from '../errors.ts';
import { fieldErrors } from '../field-errors.ts';
import { photoIdsOfTicket } from '../media/photo-repository.ts';
import { metresBetween } from '../routing/router.ts';
import { STATUS_LABELS, TERMINAL_STATUSES } from '../tickets/lifecycle.ts';
import { normalizePhone } from '../tickets/phone.ts';
import {
  findJoinableTicket,
  findSupportedTicketId,
  insertSupporter,
  openProblemsOfCategory,
  phoneOnTicket,
  raiseReportCount,
  type JoinableTicket,
} from '../tickets/supporter-repository.ts';
import { joinInputSchema, nearbyInputSchema, type NearbyInput } from './me-too-schema.ts';
import { channelKey } from './submit-report.ts';

/** "At that point or within 200 m" (issue 15). */
export const NEARBY_METRES = 200;
/** At most this many problems are offered: the nearest, then the newest. */
const SHOWN = 5;
const PHOTOS_SHOWN = 3;
/** Open tickets older than this are not offered: a problem left open so long is the office's, not a neighbour's. */
const WINDOW_DAYS = 180;
/** Open tickets of the category read to find the near ones. */
const READ_LIMIT = 500;
const DAY_MS = 24 * 60 * 60 * 1000;

/** One open problem as the report form shows it. Nothing here is personal or secret. */
export interface NearbyProblem {
  /** What `join` takes as `problem`. */
  ref: number;
  category: string;
  pointName: string | null;
  /** When it was reported (ISO-8601 UTC). */
  reportedAt: string;
  statusLabel: string;
  /** From the resident's point or position; 0 at the same point; null when unknown. */
  distanceMetres: number | null;
  /** How many residents reported it (its own report, joins and hotline "+1"s). */
  reportCount: number;
  photos: Array<{ thumbUrl: string }>;
}

export interface JoinResult {
  trackingCode: string;
  statusLabel: string;
  /** False when this phone number was already on the ticket: it counts once. */
  counted: boolean;
}

export interface MeTooDeps {
  db: Kysely<Database>;
  writes: WriteBatcher;
  catalog: Catalog;
  clock: Clock;
  photoUrls(id: string): { url: string; thumbUrl: string };
}

interface Clues {
  categoryCode: string;
  pointId: string | null;
  lat: number | null;
  lng: number | null;
}

function parse<T>(schema: { safeParse(raw: unknown): { success: true; data: T } | { success: false; error: unknown } }, raw: unknown): T {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const fields = fieldErrors(parsed.error as Parameters<typeof fieldErrors>[0]);
  throw new InvalidInputError(Object.values(fields)[0] ?? '提交的内容有误，请刷新页面后重试', fields);
}

const sameCategory = (ticketCategory: string | null, chosen: string) =>
  ticketCategory === chosen || (ticketCategory ?? '').startsWith(`${chosen}.`);

export function createMeToo({ db, writes, catalog, clock, photoUrls }: MeTooDeps) {
  /** The clues of the input, or null when they name nothing to compare with. */
  function cluesOf(input: NearbyInput): Clues | null {
    if (!catalog.category(input.category)) return null;
    const point = input.pointId ? catalog.point(input.pointId) : undefined;
    const given = input.lat !== undefined && input.lng !== undefined;
    if (!point && !given) return null;
    return {
      categoryCode: input.category,
      pointId: point?.id ?? null,
      lat: given ? input.lat! : (point?.lat ?? null),
      lng: given ? input.lng! : (point?.lng ?? null),
    };
  }

  /** How far a ticket is from the clues: 0 at the same point; null when not near enough (or not comparable). */
  function distanceTo(t: { pointId: string | null; lat: number | null; lng: number | null }, clues: Clues): number | null {
    if (clues.pointId !== null && t.pointId === clues.pointId) return 0;
    const tPoint = t.pointId ? catalog.point(t.pointId) : undefined;
    const lat = t.lat ?? tPoint?.lat ?? null;
    const lng = t.lng ?? tPoint?.lng ?? null;
    if (lat === null || lng === null || clues.lat === null || clues.lng === null) return null;
    const metres = metresBetween(clues.lat, clues.lng, lat, lng);
    return metres <= NEARBY_METRES ? Math.round(metres) : null;
  }

  async function nearby(raw: unknown): Promise<NearbyProblem[]> {
    const clues = cluesOf(parse(nearbyInputSchema, raw));
    if (!clues) return [];
    const since = new Date(clock.now().getTime() - WINDOW_DAYS * DAY_MS).toISOString();
    const open = await openProblemsOfCategory(db, clues.categoryCode, { since, limit: READ_LIMIT });
    const near = open.flatMap((t) => {
      const distance = distanceTo(t, clues);
      return distance === null ? [] : [{ t, distance }];
    });
    // Nearest first; among equally near, newest first (the query's order, kept by a stable sort).
    near.sort((a, b) => a.distance - b.distance);
    return Promise.all(
      near.slice(0, SHOWN).map(async ({ t, distance }) => {
        const photoIds = await photoIdsOfTicket(db, t.id, 'report');
        const category = t.categoryCode ? catalog.category(t.categoryCode) : undefined;
        return {
          ref: t.id,
          category: category?.name ?? '',
          pointName: t.pointId ? (catalog.point(t.pointId)?.name ?? null) : null,
          reportedAt: t.createdAt,
          statusLabel: STATUS_LABELS[t.status],
          distanceMetres: clues.lat === null ? null : distance,
          reportCount: t.reportCount,
          photos: photoIds.slice(0, PHOTOS_SHOWN).map((id) => ({ thumbUrl: photoUrls(id).thumbUrl })),
        };
      }),
    );
  }

  /** The ticket a join counts on: the one named if it is near and of the category, or where it was merged to; still open. */
  async function targetOf(problem: number, clues: Clues | null): Promise<JoinableTicket> {
    const named = await findJoinableTicket(db, problem);
    if (!named || !clues || !sameCategory(named.categoryCode, clues.categoryCode) || distanceTo(named, clues) === null) {
      const message = '没有找到这条反映，请重新选择，或继续提交新反映。';
      throw new InvalidInputError(message, { problem: message });
    }
    const target = named.status === 'merged' && named.mergedIntoId !== null ? await findJoinableTicket(db, named.mergedIntoId) : named;
    if (!target || TERMINAL_STATUSES.includes(target.status)) {
      const message = '这个问题已经办结，不能再加入。如果问题还在，请继续提交新反映。';
      throw new InvalidInputError(message, { problem: message });
    }
    return target;
  }

  async function answerFor(ticketId: number, counted: boolean): Promise<JoinResult> {
    const ticket = await findJoinableTicket(db, ticketId);
    if (!ticket) throw new Error(`A join names ticket ${ticketId}, which does not exist`);
    return { trackingCode: ticket.trackingCode, statusLabel: STATUS_LABELS[ticket.status], counted };
  }

  /** Adds the resident's report to an open ticket; a retried request (same idempotencyKey) answers as the first. */
  async function join(raw: unknown, ctx: { ip?: string | null; userAgent?: string | null }): Promise<JoinResult> {
    const input = parse(joinInputSchema, raw);
    const key = channelKey('web', input.idempotencyKey)!;
    const earlier = await findSupportedTicketId(db, key);
    if (earlier !== null) return answerFor(earlier, true);
    const target = await targetOf(input.problem, cluesOf(input));
    const phone = input.phone ? normalizePhone(input.phone) : null;
    const name = input.name ? input.name : null;
    try {
      const counted = await writes.run(async (trx) => {
        // One number counts once on a ticket — also the number its reporter left.
        if (phone !== null && (await phoneOnTicket(trx, target.id, phone))) return false;
        await insertSupporter(trx, {
          ticketId: target.id,
          at: clock.now().toISOString(),
          channel: 'web',
          name,
          phone,
          ip: ctx.ip ?? null,
          userAgent: ctx.userAgent ?? null,
          idempotencyKey: key,
        });
        await raiseReportCount(trx, target.id);
        return true;
      });
      return answerFor(target.id, counted);
    } catch (error) {
      // The same request twice at once: the first one recorded is the answer.
      if (isUniqueViolation(error, 'idempotency_key')) {
        const winner = await findSupportedTicketId(db, key);
        if (winner !== null) return answerFor(winner, true);
      }
      // The same number joining at once from two requests: counted once.
      if (isUniqueViolation(error, 'phone')) return answerFor(target.id, false);
      throw error;
    }
  }

  return { nearby, join };
}
