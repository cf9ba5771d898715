// submitReport: the one domain function every channel ends in (DESIGN "One flow"). Adapters
// (web form, tRPC, mail, hotline) translate their input into the raw report object; this
// validates it, routes it, and commits ticket, reporter, photos and events in one transaction.
// The report is acknowledged (the tracking code returned) only after the commit.
import type { Kysely } from 'kysely';
import type { RoutingSuggestion, SubmitResult } from '../app-services.ts';
import type { Catalog } from '../catalog/types.ts';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/schema.ts';
import { InvalidInputError } from '../errors.ts';
import { attachPhotos } from '../media/photo-repository.ts';
import { deadlineFor } from '../tickets/deadline.ts';
import { STATUS_LABELS, type Status } from '../tickets/lifecycle.ts';
import { transition, SYSTEM } from '../tickets/ticket-transitions.ts';
import {
  applyEvent,
  findTicketByIdempotencyKey,
  insertReporter,
  insertTicket,
  trackingCodeExists,
  type TicketRecord,
} from '../tickets/ticket-repository.ts';
import { generateTrackingCode } from '../tickets/tracking-code.ts';
import { fieldErrors, reportInputSchema, type ReportInput } from './report-schema.ts';

export type Channel = 'web' | 'mail' | 'hotline' | 'patrol' | 'inspection';

export interface SubmitContext {
  channel: Channel;
  ip?: string | null;
  userAgent?: string | null;
  /** Hotline operator or staff account that entered the report, if any. */
  actorId?: string | null;
}

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
  catalog: Catalog;
  router: RouteSuggester;
  clock: Clock;
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

export function createReportIntake(deps: ReportIntakeDeps) {
  const { db, catalog, router, clock } = deps;

  function result(ticket: Pick<TicketRecord, 'trackingCode' | 'status' | 'leadUnitCode' | 'deadlineAt'>): SubmitResult {
    const unit = ticket.leadUnitCode ? catalog.unit(ticket.leadUnitCode) : undefined;
    return {
      trackingCode: ticket.trackingCode,
      status: ticket.status,
      statusLabel: STATUS_LABELS[ticket.status as Status],
      unit: unit ? { code: unit.code, name: unit.name } : null,
      deadline: ticket.deadlineAt,
    };
  }

  async function freshTrackingCode(): Promise<string> {
    for (;;) {
      const code = generateTrackingCode();
      if (!(await trackingCodeExists(db, code))) return code;
    }
  }

  async function submitReport(raw: unknown, ctx: SubmitContext): Promise<SubmitResult> {
    const input = parseReport(raw);
    if (input.idempotencyKey) {
      const earlier = await findTicketByIdempotencyKey(db, input.idempotencyKey);
      if (earlier) return result(earlier);
    }
    checkReferences(catalog, input);
    const suggestion = router.suggest({
      text: input.description,
      ...(input.category && { category: input.category }),
      ...(input.pointId && { pointId: input.pointId }),
      ...(input.location && { location: input.location }),
    });
    try {
      return result(await commit(input, suggestion, ctx));
    } catch (error) {
      // Two submissions with one key raced; the loser answers with the winner's ticket.
      if (input.idempotencyKey) {
        const winner = await findTicketByIdempotencyKey(db, input.idempotencyKey);
        if (winner) return result(winner);
      }
      throw error;
    }
  }

  async function commit(input: ReportInput, suggestion: RoutingSuggestion, ctx: SubmitContext) {
    const now = clock.now();
    const at = now.toISOString();
    const trackingCode = await freshTrackingCode();
    const categoryCode = input.category ?? (suggestion.needsTriage ? null : (suggestion.category?.code ?? null));
    return db.transaction().execute(async (trx) => {
      const id = await insertTicket(trx, {
        trackingCode,
        channel: ctx.channel,
        description: input.description,
        categoryCode,
        suggestedCategoryCode: suggestion.category?.code ?? null,
        suggestedUnitCode: suggestion.unit?.code ?? null,
        routingConfidence: suggestion.confidence,
        pointId: input.pointId ?? null,
        location: {
          address: input.location?.address ?? null,
          lat: input.location?.lat ?? null,
          lng: input.location?.lng ?? null,
        },
        idempotencyKey: input.idempotencyKey ?? null,
        at,
      });
      const anonymous = input.anonymous ?? false;
      await insertReporter(trx, id, {
        anonymous,
        name: anonymous ? null : (input.reporter?.name ?? null),
        phone: anonymous ? null : (input.reporter?.phone ?? null),
        email: anonymous ? null : (input.reporter?.email ?? null),
        ip: ctx.ip ?? null,
        userAgent: ctx.userAgent ?? null,
      });
      const ticket: TicketRecord = {
        id,
        trackingCode,
        status: 'received',
        channel: ctx.channel,
        description: input.description,
        categoryCode,
        leadUnitCode: null,
        cooperatingUnitCodes: [],
        pointId: input.pointId ?? null,
        deadlineAt: null,
        createdAt: at,
        version: 0,
      };
      await applyEvent(
        trx,
        ticket,
        {
          at,
          actorKind: ctx.actorId ? 'operator' : 'resident',
          actorId: ctx.actorId ?? null,
          action: 'submit',
          fromStatus: null,
          toStatus: 'received',
          reason: null,
          data: { channel: ctx.channel, routing: suggestion },
        },
        { status: 'received' },
      );
      const unattached = await attachPhotos(trx, id, input.photoIds ?? [], 'report');
      if (unattached.length > 0) {
        throw new InvalidInputError('有照片已失效或已被使用，请删除后重新上传', { photoIds: '有照片已失效或已被使用，请删除后重新上传' });
      }
      if (!suggestion.needsTriage && suggestion.unit) {
        const deadlineAt = deadlineFor(catalog, categoryCode, now).toISOString();
        const change = {
          leadUnitCode: suggestion.unit.code,
          cooperatingUnitCodes: suggestion.cooperating.map((u) => u.code),
          categoryCode,
          deadlineAt,
        };
        await transition(trx, ticket, { action: 'dispatch', actor: SYSTEM, at: now, change });
        Object.assign(ticket, change);
      }
      return ticket;
    });
  }

  return { submitReport };
}
