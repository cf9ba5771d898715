// Which notice events send mail, to whom: a notice observer (server/publish/notice-events.ts) that
// queues the mail in the same transaction as the change. The exposed unit hears that a notice
// about it was published (again) and that the office returned its response; the campaign office
// (the catalog's unit of kind "office", its mailboxes as maintained on /console/units) hears that
// a unit submitted a response for review.
import type { Transaction } from 'kysely';
import type { Catalog } from '../catalog/types.ts';
import type { Database } from '../db/schema.ts';
import type { NoticeEvent, NoticeObserver } from '../publish/notice-events.ts';
import { publicSlug, type NoticeRow } from '../publish/notice-repository.ts';
import { enqueueMail, type MailKind } from './mail-outbox-repository.ts';
import { officeResponseSubmittedMail, unitExposedMail, unitResponseReturnedMail, type MailContent, type NoticeFacts } from './templates.ts';

export interface NoticeNotificationOptions {
  catalog: Catalog;
  publicUrl: string;
  /** The addresses a unit's mail goes to (server/units/unit-directory.ts). */
  unitEmails: (trx: Transaction<Database>, unitCode: string) => Promise<string[]>;
  messageIdDomain?: string;
}

function factsOf(notice: NoticeRow): NoticeFacts {
  return {
    id: notice.id,
    slug: publicSlug(notice.slug) ?? '',
    title: notice.title,
    body: notice.body,
    publishedAt: notice.publishedAt ?? '',
    responseDueAt: notice.responseDueAt,
  };
}

export function createNoticeNotifications({ catalog, publicUrl, unitEmails, messageIdDomain }: NoticeNotificationOptions): NoticeObserver {
  const unitName = (code: string) => catalog.unit(code)?.name ?? code;

  /** The mail an event sends: its kind, the unit whose mailboxes receive it, and what it says. */
  function mailFor(event: NoticeEvent): [MailKind, string, MailContent] {
    const notice = factsOf(event.notice);
    const exposed = event.notice.unitCode;
    switch (event.kind) {
      case 'published':
        return [
          'notice-published',
          exposed,
          unitExposedMail({ publicUrl, unitName: unitName(exposed), notice, republished: event.republished }),
        ];
      case 'response-submitted':
        return [
          'response-submitted',
          catalog.officeUnitCode,
          officeResponseSubmittedMail({
            publicUrl,
            officeName: unitName(catalog.officeUnitCode),
            unitName: unitName(exposed),
            notice,
            response: { ...event.response, submittedAt: event.at },
          }),
        ];
      case 'response-returned':
        return [
          'response-returned',
          exposed,
          unitResponseReturnedMail({ publicUrl, unitName: unitName(exposed), notice, note: event.note }),
        ];
    }
  }

  return async (trx, event) => {
    const [kind, unitCode, content] = mailFor(event);
    await enqueueMail(
      trx,
      { kind, unitCode, to: await unitEmails(trx, unitCode), ...content },
      new Date(event.at),
      messageIdDomain ? { messageIdDomain } : {},
    );
  };
}
