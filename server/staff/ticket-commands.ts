// What staff do to a ticket. Each action: load the ticket, check the user may see it (unit staff
// only their own unit's — others are told it does not exist) and may take the action (the
// lifecycle table, by the role's actor kind), work out what the action sets, then record the
// event and the change in one transaction, where observers (notifications) add their rows too.
import type { Kysely, Transaction } from 'kysely';
import type { Catalog } from '../catalog/types.ts';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/schema.ts';
import { ConflictError, ForbiddenError, InvalidInputError, NotFoundError } from '../errors.ts';
import { actorKindOf, canSeeTicket, type StaffUser } from '../auth/roles.ts';
import { attachPhotos } from '../media/photo-repository.ts';
import { dispatchTimes } from '../tickets/deadline.ts';
import { assertActorMay, assertAllowed } from '../tickets/lifecycle.ts';
import { normalizeTrackingCode } from '../tickets/tracking-code.ts';
import { findTicketByCode, listEvents, type EventRecord, type TicketChange, type TicketRecord } from '../tickets/ticket-repository.ts';
import { SYSTEM, transition, type Actor, type TransitionRequest } from '../tickets/ticket-transitions.ts';
import { findRoutingSuggestion } from './staff-ticket-repository.ts';
import { bulkDispatchSchema, ticketActionInputSchema, type BulkDispatchInput, type TicketActionInput } from './action-schema.ts';
import type { z } from '../validation.ts';
import { fieldErrors } from '../field-errors.ts';

/** Told about every staff change of a ticket inside its transaction (e.g. to queue notification mail). */
export type TicketObserver = (
  trx: Transaction<Database>,
  change: { ticket: TicketRecord; event: EventRecord; user: StaffUser | null },
) => Promise<void>;

/**
 * Rows a domain keeps with a staff action (an inspection round's re-check result), written in the
 * action's own transaction so that the action and the record commit or roll back together.
 */
export type WriteWithAction = (trx: Transaction<Database>, ticket: TicketRecord) => Promise<void>;

export interface StaffCommandDeps {
  db: Kysely<Database>;
  catalog: Catalog;
  clock: Clock;
  acknowledgeHours: number;
  observers?: TicketObserver[];
}

export interface ActRequest {
  trackingCode: string;
  expectedVersion?: number | undefined;
  act: TicketActionInput;
}

/** What a bulk dispatch did: each ticket dispatched with its own event, or left as it was and why. */
export interface BulkDispatchOutcome {
  dispatched: string[];
  refused: Array<{ trackingCode: string; message: string }>;
}

/** The input checked against its schema, or an InvalidInputError with a Chinese message per field. */
function parsed<S extends z.ZodType>(schema: S, raw: unknown): z.output<S> {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const fields = fieldErrors(result.error);
  throw new InvalidInputError(Object.values(fields)[0] ?? '提交的内容有误', fields);
}

async function ticketByCode(db: Kysely<Database> | Transaction<Database>, rawCode: string): Promise<TicketRecord> {
  const code = normalizeTrackingCode(rawCode);
  const ticket = code ? await findTicketByCode(db, code) : null;
  if (!ticket) throw new NotFoundError(`没有找到工单 ${rawCode}`);
  return ticket;
}

/** The ticket behind a code, if this user may see it; otherwise the same "not found" as an unknown code. */
export async function ticketForUser(db: Kysely<Database> | Transaction<Database>, user: StaffUser, rawCode: string): Promise<TicketRecord> {
  const code = normalizeTrackingCode(rawCode);
  const ticket = code ? await findTicketByCode(db, code) : null;
  if (!ticket || !canSeeTicket(user, ticket)) throw new NotFoundError(`没有找到工单 ${rawCode}`);
  return ticket;
}

export function createStaffCommands(deps: StaffCommandDeps) {
  const { db, catalog, clock, acknowledgeHours } = deps;
  const observers = deps.observers ?? [];

  function unitRequired(code: string, field: string): string {
    if (!catalog.unit(code)) throw new InvalidInputError('所选单位不存在', { [field]: '所选单位不存在' });
    return code;
  }

  function categoryAllowed(code: string | null | undefined): string | null {
    if (!code) return null;
    if (!catalog.category(code)) throw new InvalidInputError('所选问题类别不存在', { categoryCode: '所选问题类别不存在' });
    return code;
  }

  function routedTo(
    act: {
      unitCode: string;
      categoryCode?: string | null | undefined;
      cooperatingUnitCodes?: string[] | undefined;
      remarks?: string | undefined;
    },
    ticket: TicketRecord,
    now: Date,
  ): TicketChange {
    const leadUnitCode = unitRequired(act.unitCode, 'unitCode');
    const categoryCode = categoryAllowed(act.categoryCode) ?? ticket.categoryCode;
    const cooperatingUnitCodes = [...new Set(act.cooperatingUnitCodes ?? [])].filter((c) => c !== leadUnitCode);
    for (const c of cooperatingUnitCodes) unitRequired(c, 'cooperatingUnitCodes');
    return {
      status: ticket.status,
      leadUnitCode,
      cooperatingUnitCodes,
      categoryCode,
      ...dispatchTimes(catalog, categoryCode, now, acknowledgeHours),
      acknowledgedAt: null,
      dispatchRemarks: act.remarks || null,
    };
  }

  /** The request (and extra event data) for an action, from its input and the ticket as it is. */
  async function plan(
    trx: Transaction<Database>,
    ticket: TicketRecord,
    act: TicketActionInput,
    now: Date,
  ): Promise<{
    change: Omit<TicketChange, 'status'>;
    reason?: string | null;
    data?: Record<string, unknown>;
  }> {
    switch (act.action) {
      case 'dispatch':
      case 'reassign': {
        const suggested = await findRoutingSuggestion(trx, ticket.id);
        const { status: _s, ...change } = routedTo(act, ticket, now);
        return { change, reason: act.action === 'reassign' ? act.reason : null, data: { suggested } };
      }
      case 'accept':
        return { change: { acknowledgedAt: now.toISOString() } };
      case 'acceptOnBehalf':
        // acknowledged_at stays the unit's own 签收: the office's record of it is this event, with why.
        return { change: {}, reason: act.reason, data: { unitCode: ticket.leadUnitCode } };
      case 'startRectification':
        return { change: {} };
      case 'return': {
        const suggestedUnitCode = act.suggestedUnitCode ? unitRequired(act.suggestedUnitCode, 'suggestedUnitCode') : null;
        // Back with the office: the unit no longer holds it (and no longer sees it).
        return {
          change: { leadUnitCode: null, cooperatingUnitCodes: [], deadlineAt: null, acknowledgeDueAt: null, dispatchRemarks: null },
          reason: act.reason,
          data: { suggestedUnitCode, returnedBy: ticket.leadUnitCode },
        };
      }
      case 'requestExtension': {
        if (ticket.deadlineAt && new Date(act.requestedDeadline).getTime() <= new Date(ticket.deadlineAt).getTime()) {
          throw new InvalidInputError('申请的新期限应晚于当前整改期限', { requestedDeadline: '申请的新期限应晚于当前整改期限' });
        }
        return { change: {}, reason: act.reason, data: { requestedDeadlineAt: new Date(act.requestedDeadline).toISOString() } };
      }
      case 'approveExtension': {
        const requested = (await listEvents(trx, ticket.id)).findLast((e) => e.action === 'requestExtension')?.data['requestedDeadlineAt'];
        const deadlineAt = act.deadline ? new Date(act.deadline).toISOString() : typeof requested === 'string' ? requested : null;
        if (!deadlineAt) throw new InvalidInputError('请填写新的整改期限', { deadline: '请填写新的整改期限' });
        return { change: { deadlineAt } };
      }
      case 'refuseExtension':
      case 'sendBack':
      case 'reject':
        return { change: {}, reason: act.reason };
      case 'reportRectification': {
        const missing = await attachPhotos(trx, ticket.id, act.photoIds, 'rectification');
        if (missing.length > 0) throw new InvalidInputError('有整改照片已失效，请重新上传', { photoIds: '有整改照片已失效，请重新上传' });
        const noPhoto = 'noPhotoReason' in act && act.noPhotoReason ? { noPhotoReason: act.noPhotoReason } : {};
        return { change: {}, data: { text: act.text, photoIds: act.photoIds, ...noPhoto } };
      }
      case 'verify':
        // The summary the office approved for residents is recorded with the closure (closures.ts).
        return {
          change: { closedAt: now.toISOString() },
          reason: act.note?.trim() || null,
          ...(act.publicSummary && { data: { publicSummary: act.publicSummary } }),
        };
      case 'merge': {
        const code = normalizeTrackingCode(act.intoTrackingCode);
        const target = code ? await findTicketByCode(trx, code) : null;
        if (!target) throw new InvalidInputError(`没有找到工单 ${act.intoTrackingCode}`, { intoTrackingCode: '没有找到这个查询码的工单' });
        if (target.id === ticket.id) throw new InvalidInputError('不能合并到工单自身', { intoTrackingCode: '不能合并到工单自身' });
        if (target.status === 'merged')
          throw new InvalidInputError('目标工单本身已被合并，请合并到它所合并的工单', { intoTrackingCode: '目标工单已被合并' });
        return { change: { mergedIntoId: target.id }, data: { mergedIntoId: target.id, mergedIntoCode: target.trackingCode } };
      }
      case 'reopen':
        return {
          change: {
            closedAt: null,
            leadUnitCode: null,
            cooperatingUnitCodes: [],
            deadlineAt: null,
            acknowledgeDueAt: null,
            dispatchRemarks: null,
          },
          reason: act.reason,
        };
    }
  }

  function actorKindFor(user: StaffUser) {
    const actorKind = actorKindOf(user.role);
    if (!actorKind) throw new ConflictError('您的账号为只读账号，不能办理工单');
    return actorKind;
  }

  /**
   * One action on one ticket. `alsoWrite` runs in the action's transaction after it. Inspectors
   * act on tickets only through the round that re-checks them (server/inspection/), which checks
   * the round and passes what it records with the action.
   */
  async function act(user: StaffUser, rawRequest: ActRequest, alsoWrite?: WriteWithAction): Promise<TicketRecord> {
    const actorKind = actorKindFor(user);
    if (actorKind === 'inspector' && !alsoWrite) throw new ForbiddenError('督导员请在督导检查页面上复查工单');
    return perform({ kind: actorKind, id: String(user.id) }, user, rawRequest, alsoWrite);
  }

  /**
   * An action the portal itself takes on a resident's behalf, with no staff account behind it:
   * a reporter's online "not fixed" answer reopens the ticket (server/follow-ups/), as the system.
   */
  async function actAsSystem(rawRequest: ActRequest, alsoWrite?: WriteWithAction): Promise<TicketRecord> {
    return perform(SYSTEM, null, rawRequest, alsoWrite);
  }

  async function perform(actor: Actor, user: StaffUser | null, rawRequest: ActRequest, alsoWrite?: WriteWithAction): Promise<TicketRecord> {
    const request = parsed(ticketActionInputSchema, rawRequest);
    const actorKind = actor.kind;
    const now = clock.now();
    return db.transaction().execute(async (trx) => {
      const ticket = user ? await ticketForUser(trx, user, request.trackingCode) : await ticketByCode(trx, request.trackingCode);
      if (request.expectedVersion !== undefined && request.expectedVersion !== ticket.version) {
        throw new ConflictError('工单已被他人更新，请刷新页面后再办理');
      }
      // The lifecycle first: "not in this state" is the clearer answer than a missing detail.
      assertAllowed(ticket.status, request.act.action, actorKind);
      const { change, reason, data } = await plan(trx, ticket, request.act, now);
      const transitionRequest: TransitionRequest = {
        action: request.act.action,
        actor,
        at: now,
        reason: reason ?? null,
        change,
        ...(data && { data }),
      };
      const event = await transition(trx, ticket, transitionRequest);
      Object.assign(ticket, change);
      for (const observe of observers) await observe(trx, { ticket, event, user });
      await alsoWrite?.(trx, ticket);
      return ticket;
    });
  }

  /**
   * 批量派单: the tickets one by one, each its own action and event (and its own notice to the
   * unit), as if dispatched from its page. What they share is checked first, so a wrong unit
   * changes nothing; a ticket changed meanwhile or no longer waiting for dispatch is left as it
   * is and named, and the others still go.
   */
  async function dispatchMany(user: StaffUser, raw: BulkDispatchInput): Promise<BulkDispatchOutcome> {
    const { tickets, ...shared } = parsed(bulkDispatchSchema, raw);
    assertActorMay('dispatch', actorKindFor(user));
    unitRequired(shared.unitCode, 'unitCode');
    categoryAllowed(shared.categoryCode);
    for (const c of shared.cooperatingUnitCodes ?? []) unitRequired(c, 'cooperatingUnitCodes');
    const outcome: BulkDispatchOutcome = { dispatched: [], refused: [] };
    const seen = new Set<string>();
    for (const { trackingCode, expectedVersion } of tickets) {
      if (seen.has(trackingCode)) continue;
      seen.add(trackingCode);
      try {
        const ticket = await act(user, { trackingCode, expectedVersion, act: { action: 'dispatch', ...shared } });
        outcome.dispatched.push(ticket.trackingCode);
      } catch (err) {
        if (!(err instanceof ConflictError || err instanceof NotFoundError)) throw err;
        outcome.refused.push({ trackingCode, message: err.message });
      }
    }
    return outcome;
  }

  return { act, actAsSystem, dispatchMany };
}

export type StaffCommands = ReturnType<typeof createStaffCommands>;
