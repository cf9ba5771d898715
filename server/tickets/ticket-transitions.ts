// The one way a ticket changes: check the lifecycle table, then append the event and apply the
// change in the same transaction. Every path (intake, console, API, admin command) goes through
// planTransition, and all but ticket creation through transition().
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.ts';
import { nextStatus, type Action, type ActorKind, type Status } from './lifecycle.ts';
import { applyEvent, type EventRecord, type TicketChange, type TicketRecord } from './ticket-repository.ts';

export interface Actor {
  kind: ActorKind;
  /** Account id, or null for residents and the system. */
  id: string | null;
}

export const SYSTEM: Actor = { kind: 'system', id: null };

export interface TransitionRequest {
  action: Action;
  actor: Actor;
  at: Date;
  reason?: string | null;
  /** The fields the action sets besides the status (unit, deadline …), also recorded in the event. */
  change?: Omit<TicketChange, 'status'>;
  /** Recorded in the event beside the change (docs/decisions/003-staff-side.md). */
  data?: Record<string, unknown>;
}

export interface PlannedTransition {
  to: Status;
  event: Omit<EventRecord, 'seq'>;
  change: TicketChange;
}

/** Checks the request against the lifecycle table (throws ConflictError) and builds its event. */
export function planTransition(from: Status, request: TransitionRequest): PlannedTransition {
  const to = nextStatus(from, request.action, request.actor.kind, request.reason);
  const change = request.change ?? {};
  return {
    to,
    event: {
      at: request.at.toISOString(),
      actorKind: request.actor.kind,
      actorId: request.actor.id,
      action: request.action,
      fromStatus: from,
      toStatus: to,
      reason: request.reason?.trim() || null,
      data: { ...change, ...request.data },
    },
    change: { ...change, status: to },
  };
}

export async function transition(
  db: Kysely<Database> | Transaction<Database>,
  ticket: Pick<TicketRecord, 'id' | 'version' | 'status'>,
  request: TransitionRequest,
): Promise<EventRecord> {
  const planned = planTransition(ticket.status, request);
  await applyEvent(db, ticket, planned.event, planned.change);
  ticket.status = planned.to;
  return { ...planned.event, seq: ticket.version };
}
