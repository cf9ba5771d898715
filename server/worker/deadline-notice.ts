// What the worker tells the notification side, and when: inside the transaction that records
// the reminder, the overdue mark or the escalation, so a notice (a queued mail) exists exactly
// when its mark does — and a notice that fails rolls its mark back, to be tried next tick.
import type { Transaction } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { EscalationLevel } from '../escalation/ladder.ts';

export type DeadlineEventKind = 'dispatch' | 'reminder' | 'acknowledge-overdue' | 'overdue' | 'escalation';

export interface DeadlineEvent {
  kind: DeadlineEventKind;
  /** The unit told: the tickets' lead unit. */
  unitCode: string;
  /** Ticket ids (tickets.id): one for a reminder or an overdue mark, all behind an escalation. */
  ticketIds: number[];
  /** Escalations only: 1 通报, 2 约谈, 3 问责. */
  level?: EscalationLevel;
  /** Escalations only: the recorded row and its reason (Chinese). */
  escalationId?: number;
  reason?: string;
}

/**
 * The seam to server/notify: maps an event to mail (templates, the unit's addresses) and queues
 * it with enqueueMail(trx, …). The default does nothing; the marks and escalations are real
 * without it.
 */
export type NotifyDeadline = (trx: Transaction<Database>, event: DeadlineEvent) => Promise<void>;

export const notifyNobody: NotifyDeadline = async () => {};
