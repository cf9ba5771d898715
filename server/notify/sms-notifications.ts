// Which changes send which text message, to whom — queued with enqueueSms in the change's own
// transaction, beside the mail (ticket-notifications.ts, deadline-notifications.ts):
//   • to the reporter who gave a mobile number, on tickets from residents (web, mail, hotline;
//     never patrol or inspection findings, whose reporters are staff):
//       受理 (reporter-accepted) — when the report is registered: the ticket exists and the
//         resident needs its tracking code now; a report that the office later rejects was still
//         received. Every resident channel, from submitReport's transaction (`onSubmitted`).
//       转交 (reporter-dispatched) — when the units are told of a dispatch (the worker's dispatch
//         notice: automatic routing, the office's dispatch or a reassignment alike).
//       办结 (reporter-closed) — when the office verifies the rectification (销号), with the link to
//         say whether the problem is fixed.
//   • to a unit's duty phones (值班手机): dispatch (lead and cooperating units), reminder, overdue.
// An anonymous report keeps no number unless the hotline caller asked to be called back (then
// they hear by text too: the number was given to be contacted, anonymity is about publication);
// without a kept number nobody can be told, and the console says so.
// A kind in SMS_KINDS_OFF is not queued at all.
import type { Transaction } from 'kysely';
import type { Catalog } from '../catalog/types.ts';
import type { Database } from '../db/schema.ts';
import type { TicketObserver } from '../staff/ticket-commands.ts';
import type { NotifyDeadline } from '../worker/deadline-notice.ts';
import { reporterPhone, supporterPhones, ticketChannelOf, ticketUnitCodes } from './notify-repository.ts';
import { enqueueSms, type SmsKind } from './sms-outbox-repository.ts';
import { smsContent, smsDateTime, trackLink, type SmsContent } from './sms-texts.ts';
import { ticketFacts } from './ticket-facts.ts';

type Trx = Transaction<Database>;

export interface SmsNotificationOptions {
  catalog: Catalog;
  publicUrl: string;
  /** SMS_SIGN_NAME, shown as 【…】 in the text. */
  signName: string;
  /** SMS_KINDS_OFF. */
  kindsOff?: readonly SmsKind[];
  /** A unit's duty phones (server/units/unit-directory.ts). */
  dutyPhones: (trx: Trx, unitCode: string) => Promise<string[]>;
}

/** The channels residents report by; patrol and inspection findings are entered by staff. */
const RESIDENT_CHANNELS = new Set(['web', 'mail', 'hotline']);

export interface SubmittedReport {
  ticketId: number;
  trackingCode: string;
  channel: string;
  /** The number kept with the ticket (null when none was, e.g. an anonymous web report). */
  phone: string | null;
  at: Date;
}

export function createSmsNotifications(options: SmsNotificationOptions) {
  const { catalog, publicUrl, signName } = options;
  const off = new Set(options.kindsOff ?? []);

  async function queue(trx: Trx, to: string, content: SmsContent, at: Date, where: { ticketId: number; unitCode?: string }) {
    if (off.has(content.kind)) return;
    const audience = content.kind.startsWith('unit-') ? 'unit' : 'reporter';
    await enqueueSms(trx, { ...content, audience, to, ticketId: where.ticketId, unitCode: where.unitCode ?? null }, at);
  }

  async function toReporter(trx: Trx, ticketId: number, channel: string, content: SmsContent, at: Date) {
    if (!RESIDENT_CHANNELS.has(channel) || off.has(content.kind)) return;
    const phone = await reporterPhone(trx, ticketId);
    if (phone) await queue(trx, phone, content, at, { ticketId });
  }

  async function toUnit(trx: Trx, unitCode: string, ticketId: number, content: SmsContent, at: Date) {
    if (off.has(content.kind)) return;
    for (const phone of await options.dutyPhones(trx, unitCode)) await queue(trx, phone, content, at, { ticketId, unitCode });
  }

  /** For submitReport: the acceptance message, in the ticket's transaction. */
  async function onSubmitted(trx: Trx, report: SubmittedReport): Promise<void> {
    if (!report.phone || !RESIDENT_CHANNELS.has(report.channel)) return;
    const code = report.trackingCode;
    const content = smsContent('reporter-accepted', { code, link: trackLink(publicUrl, code) }, signName);
    await queue(trx, report.phone, content, report.at, { ticketId: report.ticketId });
  }

  /** Staff actions: closure (verify) tells the reporter, and the residents who joined it (我也遇到了). */
  const ticketObserver: TicketObserver = async (trx, { ticket, event }) => {
    if (event.action !== 'verify') return;
    const code = ticket.trackingCode;
    const content = smsContent('reporter-closed', { code, link: trackLink(publicUrl, code) }, signName);
    const at = new Date(event.at);
    await toReporter(trx, ticket.id, ticket.channel, content, at);
    for (const phone of await supporterPhones(trx, ticket.id)) await queue(trx, phone, content, at, { ticketId: ticket.id });
  };

  /** The worker's events: dispatch (units and reporter), reminder and overdue (units). */
  function deadlineObserver(now: () => Date): NotifyDeadline {
    return async (trx, event) => {
      const at = now();
      if (event.kind === 'dispatch') {
        for (const ticketId of event.ticketIds) await dispatched(trx, ticketId, at);
        return;
      }
      if (event.kind !== 'reminder' && event.kind !== 'overdue') return;
      const unit = catalog.unit(event.unitCode);
      if (!unit) return;
      const kind = event.kind === 'reminder' ? 'unit-reminder' : 'unit-overdue';
      for (const ticketId of event.ticketIds) {
        const [facts] = await ticketFacts(trx, catalog, [ticketId]);
        if (!facts) continue;
        const params = {
          unit: unit.name,
          code: facts.trackingCode,
          deadline: facts.deadlineAt ? smsDateTime(facts.deadlineAt) : '办理期限',
        };
        await toUnit(trx, unit.code, ticketId, smsContent(kind, params, signName), at);
      }
    };
  }

  async function dispatched(trx: Trx, ticketId: number, at: Date) {
    const units = await ticketUnitCodes(trx, ticketId);
    const [facts] = await ticketFacts(trx, catalog, [ticketId]);
    const lead = units?.lead ? catalog.unit(units.lead) : undefined;
    if (!units || !facts || !lead) return;
    const deadline = facts.deadlineAt ? smsDateTime(facts.deadlineAt) : '按规定期限';
    for (const code of [lead.code, ...units.cooperating]) {
      const unit = catalog.unit(code);
      if (!unit) continue;
      const params = { unit: unit.name, code: facts.trackingCode, category: facts.categoryName ?? '待定类别', deadline };
      await toUnit(trx, unit.code, ticketId, smsContent('unit-dispatch', params, signName), at);
    }
    const channel = (await ticketChannelOf(trx, ticketId)) ?? '';
    const content = smsContent('reporter-dispatched', { code: facts.trackingCode, unit: lead.name, deadline }, signName);
    await toReporter(trx, ticketId, channel, content, at);
  }

  return { onSubmitted, ticketObserver, deadlineObserver };
}
