// Which staff actions send mail, to whom: a ticket observer (server/staff/ticket-commands.ts)
// that queues the mail in the same transaction as the change, so a mail exists exactly when
// its change committed. The unit hears of a send-back and of a 代为签收 in its name; reporters who gave an address hear of
// acceptance (签收, or the office's 代为签收), rectification and closure. Dispatch notices are the worker's
// (server/notify/deadline-notifications.ts, docs/decisions/005-dispatch-notices.md). A leader's 督办
// (server/staff/supervision.ts) tells the lead unit, with the 批示.
import type { Transaction } from 'kysely';
import type { Catalog } from '../catalog/types.ts';
import type { Database } from '../db/schema.ts';
import type { TicketObserver } from '../staff/ticket-commands.ts';
import type { EventRecord, TicketRecord } from '../tickets/ticket-repository.ts';
import { enqueueMail, type MailKind } from './mail-outbox-repository.ts';
import { reporterEmail } from './notify-repository.ts';
import { ticketFacts } from './ticket-facts.ts';
import type { MailContent } from './templates.ts';
import {
  reporterAcceptedMail,
  reporterClosedMail,
  reporterRectifiedMail,
  unitAcceptedOnBehalfMail,
  unitSendBackMail,
  unitSupervisedMail,
} from './templates.ts';

export interface TicketNotificationOptions {
  catalog: Catalog;
  publicUrl: string;
  /** The addresses a unit's mail goes to (server/units/unit-directory.ts). */
  unitEmails: (trx: Transaction<Database>, unitCode: string) => Promise<string[]>;
  messageIdDomain?: string;
  /** A one-time link's key for the closure's "fixed?" answer, put in the closing mail (server/follow-ups/online-follow-ups.ts). */
  answerKey?: (trx: Transaction<Database>, ticketId: number, closedAt: string) => Promise<string>;
}

export function createTicketNotifications({
  catalog,
  publicUrl,
  unitEmails,
  messageIdDomain,
  answerKey,
}: TicketNotificationOptions): TicketObserver {
  async function queue(
    trx: Transaction<Database>,
    at: string,
    kind: MailKind,
    ticket: TicketRecord,
    to: readonly string[],
    unitCode: string | null,
    content: MailContent,
  ) {
    await enqueueMail(
      trx,
      { kind, ticketId: ticket.id, unitCode, to, ...content },
      new Date(at),
      messageIdDomain ? { messageIdDomain } : {},
    );
  }

  const UNIT_MAILS: Partial<Record<string, [MailKind, typeof unitSendBackMail]>> = {
    sendBack: ['send-back', unitSendBackMail],
    acceptOnBehalf: ['accepted-on-behalf', unitAcceptedOnBehalfMail],
    supervise: ['supervised', unitSupervisedMail],
  };

  async function toUnit(trx: Transaction<Database>, event: EventRecord, ticket: TicketRecord) {
    const lead = ticket.leadUnitCode ? catalog.unit(ticket.leadUnitCode) : undefined;
    const mail = UNIT_MAILS[event.action];
    if (!mail || !lead) return;
    const [kind, template] = mail;
    const [facts] = await ticketFacts(trx, catalog, [ticket.id]);
    const content = template({ publicUrl, unitName: lead.name, ticket: facts!, reason: event.reason ?? '' });
    await queue(trx, event.at, kind, ticket, await unitEmails(trx, lead.code), lead.code, content);
  }

  async function toReporter(trx: Transaction<Database>, event: EventRecord, ticket: TicketRecord) {
    const accepted = (): [MailKind, MailContent] => [
      'reporter-accepted',
      reporterAcceptedMail({
        publicUrl,
        trackingCode: ticket.trackingCode,
        ...(ticket.leadUnitCode && { unitName: catalog.unit(ticket.leadUnitCode)?.name ?? '' }),
        ...(ticket.deadlineAt && { deadlineAt: ticket.deadlineAt }),
      }),
    ];
    const mails: Partial<Record<string, () => Promise<[MailKind, MailContent]> | [MailKind, MailContent]>> = {
      accept: accepted,
      acceptOnBehalf: accepted,
      reportRectification: () => [
        'reporter-rectified',
        reporterRectifiedMail({
          publicUrl,
          trackingCode: ticket.trackingCode,
          ...(typeof event.data['text'] === 'string' && { rectificationText: event.data['text'] }),
        }),
      ],
      verify: async () => [
        'reporter-closed',
        reporterClosedMail({
          publicUrl,
          trackingCode: ticket.trackingCode,
          ...(event.reason && { note: event.reason }),
          ...(answerKey && { answerKey: await answerKey(trx, ticket.id, event.at) }),
        }),
      ],
    };
    const mail = mails[event.action];
    if (!mail) return;
    const email = await reporterEmail(trx, ticket.id);
    if (!email) return;
    const [kind, content] = await mail();
    await queue(trx, event.at, kind, ticket, [email], null, content);
  }

  return async (trx, { ticket, event }) => {
    await toUnit(trx, event, ticket);
    await toReporter(trx, event, ticket);
  };
}
