// Which ticket events send mail, to whom: a ticket observer (server/staff/ticket-commands.ts)
// that queues the mail in the same transaction as the change, so a mail exists exactly when
// its change committed. Units hear of a dispatch (lead and cooperating) and a send-back;
// reporters who gave an address hear of acceptance (签收), rectification and closure.
import type { Transaction } from 'kysely';
import type { Catalog, Unit } from '../catalog/types.ts';
import type { Database } from '../db/schema.ts';
import type { TicketObserver } from '../staff/ticket-commands.ts';
import type { EventRecord, TicketRecord } from '../tickets/ticket-repository.ts';
import { enqueueMail, type MailKind } from './mail-outbox.ts';
import { ticketFacts } from './ticket-facts.ts';
import type { MailContent, TicketFacts } from './templates.ts';
import { reporterAcceptedMail, reporterClosedMail, reporterRectifiedMail, unitDispatchMail, unitSendBackMail } from './templates.ts';

export interface TicketNotificationOptions {
  catalog: Catalog;
  publicUrl: string;
  messageIdDomain?: string;
}

export function createTicketNotifications({ catalog, publicUrl, messageIdDomain }: TicketNotificationOptions): TicketObserver {
  async function queue(trx: Transaction<Database>, at: string, kind: MailKind, ticket: TicketRecord, to: readonly string[], unitCode: string | null, content: MailContent) {
    await enqueueMail(trx, { kind, ticketId: ticket.id, unitCode, to, ...content }, new Date(at), messageIdDomain ? { messageIdDomain } : {});
  }

  async function facts(trx: Transaction<Database>, ticket: TicketRecord): Promise<TicketFacts> {
    const [found] = await ticketFacts(trx, catalog, [ticket.id]);
    return found!;
  }

  async function reporterEmail(trx: Transaction<Database>, ticket: TicketRecord): Promise<string | null> {
    const row = await trx.selectFrom('ticket_reporters').select('email').where('ticket_id', '=', ticket.id).executeTakeFirst();
    return row?.email ?? null;
  }

  async function toUnits(trx: Transaction<Database>, event: EventRecord, ticket: TicketRecord) {
    const units = (codes: string[]) => codes.flatMap((c) => catalog.unit(c) ?? []);
    const send = async (unit: Unit, kind: MailKind, content: MailContent) => queue(trx, event.at, kind, ticket, unit.emails, unit.code, content);
    const lead = units(ticket.leadUnitCode ? [ticket.leadUnitCode] : [])[0];
    if (event.action === 'dispatch' || event.action === 'reassign') {
      const ticketFacts = await facts(trx, ticket);
      if (lead) await send(lead, 'dispatch', unitDispatchMail({ publicUrl, unitName: lead.name, ticket: ticketFacts, role: 'lead' }));
      for (const unit of units(ticket.cooperatingUnitCodes)) {
        await send(unit, 'dispatch', unitDispatchMail({ publicUrl, unitName: unit.name, ticket: ticketFacts, role: 'cooperating' }));
      }
    }
    if (event.action === 'sendBack' && lead) {
      await send(lead, 'send-back', unitSendBackMail({ publicUrl, unitName: lead.name, ticket: await facts(trx, ticket), reason: event.reason ?? '' }));
    }
  }

  async function toReporter(trx: Transaction<Database>, event: EventRecord, ticket: TicketRecord) {
    const mails: Partial<Record<string, () => [MailKind, MailContent]>> = {
      accept: () => [
        'reporter-accepted',
        reporterAcceptedMail({
          publicUrl,
          trackingCode: ticket.trackingCode,
          ...(ticket.leadUnitCode && { unitName: catalog.unit(ticket.leadUnitCode)?.name ?? '' }),
          ...(ticket.deadlineAt && { deadlineAt: ticket.deadlineAt }),
        }),
      ],
      reportRectification: () => [
        'reporter-rectified',
        reporterRectifiedMail({ publicUrl, trackingCode: ticket.trackingCode, ...(typeof event.data['text'] === 'string' && { rectificationText: event.data['text'] }) }),
      ],
      verify: () => ['reporter-closed', reporterClosedMail({ publicUrl, trackingCode: ticket.trackingCode, ...(event.reason && { note: event.reason }) })],
    };
    const mail = mails[event.action];
    if (!mail) return;
    const email = await reporterEmail(trx, ticket);
    if (!email) return;
    const [kind, content] = mail();
    await queue(trx, event.at, kind, ticket, [email], null, content);
  }

  return async (trx, { ticket, event }) => {
    await toUnits(trx, event, ticket);
    await toReporter(trx, event, ticket);
  };
}
