// What happens to a notice that someone must hear of: the exposed unit when a notice about it is
// published (again) and when the office returns its response, the office when a unit submits a
// response for review. Observers (server/notify/notice-notifications.ts) get the event inside the
// transaction of the change, so their mail is queued exactly when the change commits.
import type { Transaction } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { NoticeRow } from './notice-repository.ts';

export type NoticeEvent =
  /** The notice as published; `republished` after a withdrawal. */
  | { kind: 'published'; at: string; notice: NoticeRow; republished: boolean }
  /** The unit submitted its response; `resubmitted` after the office returned it. */
  | {
      kind: 'response-submitted';
      at: string;
      notice: NoticeRow;
      response: { body: string; photoCount: number; resubmitted: boolean };
    }
  | { kind: 'response-returned'; at: string; notice: NoticeRow; note: string };

export type NoticeObserver = (trx: Transaction<Database>, event: NoticeEvent) => Promise<void>;
