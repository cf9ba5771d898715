// The worker's events as mail to units (server/worker/deadline-notice.ts): a dispatch (to the
// lead and each cooperating unit), a reminder, an unacknowledged ticket and an overdue mark, one
// mail per ticket; an escalation, one mail with the tickets behind it. Queued in the worker's
// transaction with the mark itself.
import type { Catalog } from '../catalog/types.ts';
import type { Clock } from '../clock.ts';
import type { NotifyDeadline } from '../worker/deadline-notice.ts';
import { enqueueMail } from './mail-outbox-repository.ts';
import { ticketUnitCodes } from './notify-repository.ts';
import { ticketFacts } from './ticket-facts.ts';
import type { Transaction } from 'kysely';
import type { Database } from '../db/schema.ts';
import {
  unitAcknowledgeOverdueMail,
  unitDispatchMail,
  unitEscalationMail,
  unitOverdueMail,
  unitReminderMail,
  type EscalationLevel,
} from './templates.ts';

const LEVELS: Record<1 | 2 | 3, EscalationLevel> = { 1: 'notice', 2: 'interview', 3: 'accountability' };
const PER_TICKET: Record<'reminder' | 'acknowledge-overdue' | 'overdue', typeof unitReminderMail> = {
  reminder: unitReminderMail,
  'acknowledge-overdue': unitAcknowledgeOverdueMail,
  overdue: unitOverdueMail,
} as const;

export interface DeadlineNotificationOptions {
  catalog: Catalog;
  clock: Clock;
  publicUrl: string;
  /** The addresses a unit's mail goes to (server/units/unit-directory.ts); the catalog's by default. */
  unitEmails?: (trx: Transaction<Database>, unitCode: string) => Promise<string[]>;
  messageIdDomain?: string;
}

export function createDeadlineNotifications(options: DeadlineNotificationOptions): NotifyDeadline {
  const { catalog, clock, publicUrl } = options;
  const unitEmails = options.unitEmails ?? (async (_trx, code) => catalog.unit(code)?.emails ?? []);
  const idOptions = options.messageIdDomain ? { messageIdDomain: options.messageIdDomain } : {};
  async function dispatchMails(trx: Transaction<Database>, ticketId: number, now: Date): Promise<void> {
    const units = await ticketUnitCodes(trx, ticketId);
    const [ticket] = await ticketFacts(trx, catalog, [ticketId]);
    if (!units?.lead || !ticket) return;
    const recipients = [[units.lead, 'lead'] as const, ...units.cooperating.map((code) => [code, 'cooperating'] as const)];
    for (const [code, role] of recipients) {
      const unit = catalog.unit(code);
      if (!unit) continue;
      const content = unitDispatchMail({ publicUrl, unitName: unit.name, ticket, role });
      await enqueueMail(
        trx,
        { kind: 'dispatch', ticketId, unitCode: unit.code, to: await unitEmails(trx, unit.code), ...content },
        now,
        idOptions,
      );
    }
  }

  return async (trx, event) => {
    const unit = catalog.unit(event.unitCode);
    if (!unit) return;
    const now = clock.now();
    if (event.kind === 'dispatch') {
      for (const ticketId of event.ticketIds) await dispatchMails(trx, ticketId, now);
      return;
    }
    if (event.kind === 'escalation') {
      const facts = await ticketFacts(trx, catalog, event.ticketIds);
      const level = LEVELS[(event.level ?? 1) as 1 | 2 | 3];
      const content = unitEscalationMail({ publicUrl, unitName: unit.name, level, tickets: facts, reason: event.reason ?? null });
      await enqueueMail(trx, { kind: 'escalation', unitCode: unit.code, to: await unitEmails(trx, unit.code), ...content }, now, idOptions);
      return;
    }
    const template = PER_TICKET[event.kind];
    for (const ticketId of event.ticketIds) {
      const [ticket] = await ticketFacts(trx, catalog, [ticketId]);
      if (!ticket) continue;
      const content = template({ publicUrl, unitName: unit.name, ticket });
      await enqueueMail(
        trx,
        { kind: event.kind, ticketId, unitCode: unit.code, to: await unitEmails(trx, unit.code), ...content },
        now,
        idOptions,
      );
    }
  };
}
