// submitReport: the one domain function every channel ends in (DESIGN "One flow"). Adapters
// (web form, tRPC, mail, hotline) translate their input into the raw report object; this
// validates it, routes it, and commits ticket, reporter, photos and events in one transaction.
// The report is acknowledged (the tracking code returned) only after the commit.
import type { Kysely, Transaction } from 'kysely';
import type { RoutingSuggestion } from '../routing/suggestion.ts';
import type { SubmitResult } from './submit-result.ts';
import type { Catalog } from '../catalog/types.ts';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/schema.ts';
import type { WriteBatcher } from '../db/write-batcher.ts';
import { InvalidInputError } from '../errors.ts';
import { attachPhotos } from '../media/photo-repository.ts';
import { dispatchTimes } from '../tickets/deadline.ts';
import { isUniqueViolation } from '../db/database.ts';
import { STATUS_LABELS, type ActorKind, type Status } from '../tickets/lifecycle.ts';
import { planTransition, SYSTEM } from '../tickets/ticket-transitions.ts';
import {
  findTicketByIdempotencyKey,
  insertReporter,
  insertTicket,
  type EventRecord,
  type NewTicket,
} from '../tickets/ticket-repository.ts';
import { generateTrackingCode } from '../tickets/tracking-code.ts';
import { sourceOfChannel, type Source } from '../tickets/ticket-source.ts';
import { fieldErrors } from '../field-errors.ts';
import { reportInputSchema, type ReportInput } from './report-schema.ts';

export type { Channel } from '../tickets/channels.ts';
import type { Channel } from '../tickets/channels.ts';

export interface SubmitContext {
  channel: Channel;
  ip?: string | null;
  userAgent?: string | null;
  /** Hotline operator or staff account that entered the report, if any. */
  actorId?: string | null;
  /** What the account that entered the report is; `operator` when an actorId is given without it. */
  actorKind?: Extract<ActorKind, 'operator' | 'inspector' | 'patrol' | 'office'>;
  /** 来源: what the channel implies when not given (ticket-source.ts); the office names it for the findings it enters. */
  source?: Source;
  /**
   * Routing the submitter knows, not guessed from the text: an inspector's failed checklist item
   * at a point goes to the point's responsible unit under the item's category, with that
   * category's deadline. The router is not asked; the suggestion recorded says so (confidence 1).
   */
  route?: { unitCode: string; categoryCode: string };
  /**
   * The caller's wish to be phoned back (hotline). An anonymous caller who wants a call-back keeps
   * the number (never shown to units or the public); without the wish an anonymous report keeps
   * no contact at all. Other channels: a reporter who left a number may be called back.
   */
  callback?: boolean;
}

/**
 * Rows a channel keeps with the ticket it submits (the hotline's call, the mail's message): run in
 * the ticket's own transaction, after the ticket, its reporter, photos and events, so they commit or
 * roll back together and nothing has to find the ticket again by its tracking code. Not run when
 * the idempotency key names an earlier ticket: that submission wrote its rows already. Run again,
 * with the new code, when a drawn tracking code collides: only the last run's rows commit.
 */
export type WriteWithTicket = (trx: Transaction<Database>, ticketId: number, trackingCode: string) => Promise<void>;

export interface RouteSuggester {
  suggest(input: {
    text: string;
    category?: string;
    pointId?: string;
    location?: { address?: string; lat?: number; lng?: number };
  }): RoutingSuggestion;
}

export interface ReportIntakeDeps {
  db: Kysely<Database>;
  writes: WriteBatcher;
  catalog: Catalog;
  router: RouteSuggester;
  clock: Clock;
  /** Hours a unit has to acknowledge (签收) a dispatched ticket. */
  acknowledgeHours: number;
  /**
   * Told of each committed report inside its transaction, with the number kept for the reporter
   * (null when none was): the acceptance text message (server/notify/sms-notifications.ts).
   */
  onSubmitted?: (
    trx: Transaction<Database>,
    report: { ticketId: number; trackingCode: string; channel: Channel; phone: string | null; at: Date },
  ) => Promise<void>;
  /** Told of each report once it is committed, by channel (the metrics' counter). */
  onAccepted?: (channel: Channel) => void;
}

/**
 * The idempotency key as stored: namespaced by the channel that submitted it. Adapters pass their
 * own keys as they are (mail: the Message-ID; hotline: `call:<request key>` or
 * `hotline-import:<external id>`); migration 017 rewrote the keys stored before this.
 */
export function channelKey(channel: Channel, key: string | undefined): string | null {
  return key ? `${channel}:${key}` : null;
}

export function parseReport(raw: unknown): ReportInput {
  const parsed = reportInputSchema.safeParse(raw);
  if (!parsed.success) {
    const fields = fieldErrors(parsed.error);
    throw new InvalidInputError(Object.values(fields)[0] ?? '提交的内容有误，请检查后重试', fields);
  }
  return parsed.data;
}

function checkReferences(catalog: Catalog, input: ReportInput): void {
  const fields: Record<string, string> = {};
  if (input.category && !catalog.category(input.category)) fields['category'] = '所选问题类别不存在，请重新选择或不选';
  if (input.pointId && !catalog.point(input.pointId)) fields['pointId'] = '所选点位不存在，请重新选择或不选';
  const [first] = Object.values(fields);
  if (first) throw new InvalidInputError(first, fields);
}

/** The suggestion recorded for a report whose submitter gave the route (SubmitContext.route). */
function givenRoute(catalog: Catalog, route: { unitCode: string; categoryCode: string }): RoutingSuggestion {
  const unit = catalog.unit(route.unitCode);
  const category = catalog.category(route.categoryCode);
  // A programming or content error, not a person's: the caller took both codes from the catalog.
  if (!unit || !category) throw new Error(`submitReport: unknown route ${route.unitCode} / ${route.categoryCode}`);
  return {
    category: { code: category.code, name: category.name },
    unit: { code: unit.code, name: unit.name },
    cooperating: [],
    confidence: 1,
    needsTriage: false,
  };
}

export function createReportIntake(deps: ReportIntakeDeps) {
  const { db, writes, catalog, router, clock, acknowledgeHours } = deps;

  function result(ticket: Pick<NewTicket, 'trackingCode' | 'status' | 'leadUnitCode' | 'deadlineAt'>): SubmitResult {
    const unit = ticket.leadUnitCode ? catalog.unit(ticket.leadUnitCode) : undefined;
    return {
      trackingCode: ticket.trackingCode,
      status: ticket.status,
      statusLabel: STATUS_LABELS[ticket.status as Status],
      unit: unit ? { code: unit.code, name: unit.name } : null,
      deadline: ticket.deadlineAt,
    };
  }

  /**
   * The ticket an earlier submission with the same key made — of the same channel only: each
   * channel has its own key space (`web:…`, `mail:…`, `hotline:…`), so a key typed into the web
   * form can never name, or take the place of, a mail's or a call's ticket (issue 11 item 7).
   */
  async function earlierTicket(key: string | null, channel: Channel) {
    const earlier = key ? await findTicketByIdempotencyKey(db, key) : null;
    return earlier && earlier.channel === channel ? earlier : null;
  }

  async function submitReport(raw: unknown, ctx: SubmitContext, alsoWrite?: WriteWithTicket): Promise<SubmitResult> {
    const input = parseReport(raw);
    const key = channelKey(ctx.channel, input.idempotencyKey);
    const earlier = await earlierTicket(key, ctx.channel);
    if (earlier) return result(earlier);
    checkReferences(catalog, input);
    const suggestion = ctx.route
      ? givenRoute(catalog, ctx.route)
      : router.suggest({
          text: input.description,
          ...(input.category && { category: input.category }),
          ...(input.pointId && { pointId: input.pointId }),
          ...(input.location && { location: input.location }),
        });
    try {
      return result(await commit(input, key, suggestion, ctx, alsoWrite));
    } catch (error) {
      // Two submissions with one key raced; the loser answers with the winner's ticket.
      const winner = await earlierTicket(key, ctx.channel);
      if (winner) return result(winner);
      throw error;
    }
  }

  /** The ticket as submitted, plus its dispatch when the router was confident enough. */
  function plan(input: ReportInput, key: string | null, suggestion: RoutingSuggestion, ctx: SubmitContext, now: Date) {
    const at = now.toISOString();
    const source = ctx.source ?? sourceOfChannel(ctx.channel);
    const categoryCode = ctx.route?.categoryCode ?? input.category ?? (suggestion.needsTriage ? null : (suggestion.category?.code ?? null));
    const submitted: Omit<EventRecord, 'seq'> = {
      at,
      actorKind: ctx.actorId ? (ctx.actorKind ?? 'operator') : 'resident',
      actorId: ctx.actorId ?? null,
      action: 'submit',
      fromStatus: null,
      toStatus: 'received',
      reason: null,
      data: { channel: ctx.channel, source, routing: suggestion },
    };
    const routed = !suggestion.needsTriage && suggestion.unit !== null;
    const dispatch = routed
      ? planTransition('received', {
          action: 'dispatch',
          actor: SYSTEM,
          at: now,
          change: {
            leadUnitCode: suggestion.unit!.code,
            cooperatingUnitCodes: suggestion.cooperating.map((u) => u.code),
            categoryCode,
            ...dispatchTimes(catalog, categoryCode, now, acknowledgeHours),
          },
        })
      : null;
    const ticket: Omit<NewTicket, 'trackingCode'> = {
      status: dispatch?.to ?? 'received',
      channel: ctx.channel,
      description: input.description,
      categoryCode,
      suggestedCategoryCode: suggestion.category?.code ?? null,
      suggestedUnitCode: suggestion.unit?.code ?? null,
      routingConfidence: suggestion.confidence,
      leadUnitCode: dispatch?.change.leadUnitCode ?? null,
      cooperatingUnitCodes: dispatch?.change.cooperatingUnitCodes ?? [],
      deadlineAt: dispatch?.change.deadlineAt ?? null,
      dispatchedAt: dispatch?.change.dispatchedAt ?? null,
      acknowledgeDueAt: dispatch?.change.acknowledgeDueAt ?? null,
      pointId: input.pointId ?? null,
      location: {
        address: input.location?.address ?? null,
        lat: input.location?.lat ?? null,
        lng: input.location?.lng ?? null,
      },
      idempotencyKey: key,
      at,
      source,
    };
    return { ticket, events: dispatch ? [submitted, dispatch.event] : [submitted] };
  }

  async function commit(
    input: ReportInput,
    key: string | null,
    suggestion: RoutingSuggestion,
    ctx: SubmitContext,
    alsoWrite: WriteWithTicket | undefined,
  ): Promise<NewTicket> {
    const { ticket: planned, events } = plan(input, key, suggestion, ctx, clock.now());
    const anonymous = input.anonymous ?? false;
    const phone = input.reporter?.phone ?? null;
    const keepPhone = !anonymous || ctx.callback === true;
    for (let attempt = 1; ; attempt++) {
      const ticket = { ...planned, trackingCode: generateTrackingCode() };
      try {
        await writes.run(async (trx) => {
          const id = await insertTicket(trx, ticket, events);
          await insertReporter(trx, id, {
            anonymous,
            name: anonymous ? null : (input.reporter?.name ?? null),
            phone: keepPhone ? phone : null,
            email: anonymous ? null : (input.reporter?.email ?? null),
            ip: ctx.ip ?? null,
            userAgent: ctx.userAgent ?? null,
            wantsCallback: keepPhone && phone !== null && (ctx.callback ?? true),
          });
          const unattached = await attachPhotos(trx, id, input.photoIds ?? [], 'report');
          if (unattached.length > 0) {
            const message = '有照片已失效或已被使用，请删除这些照片后重新上传';
            throw new InvalidInputError(message, { photoIds: message });
          }
          await alsoWrite?.(trx, id, ticket.trackingCode);
          await deps.onSubmitted?.(trx, {
            ticketId: id,
            trackingCode: ticket.trackingCode,
            channel: ctx.channel,
            phone: keepPhone ? phone : null,
            at: new Date(ticket.at),
          });
        });
        deps.onAccepted?.(ctx.channel);
        return ticket;
      } catch (error) {
        // 1.7e10 codes make a collision rare, never impossible: draw again.
        if (attempt < 3 && isUniqueViolation(error, 'tracking_code')) continue;
        throw error;
      }
    }
  }

  return { submitReport };
}

/** The one way into tickets every channel is given (the mail intake, the hotline). */
export type ReportIntake = ReturnType<typeof createReportIntake>;
