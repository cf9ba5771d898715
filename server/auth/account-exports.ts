// Files with residents' data taken out of the portal, recorded as account actions (安全审计, issue
// 18 item 6): the ledgers and the monthly report, an inspection round's supervision cards, the
// audit records' export and a backup taken by hand. Who (the account, or the operating-system user
// at the server's command line), from where, what kind of file and which part — the date range, the
// filter's codes, a round's number — never a resident's data.
import os from 'node:os';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { insertAccountEvent, type RequestClient } from './account-event-repository.ts';
import type { StaffUser } from './roles.ts';

export const EXPORT_KINDS = [
  'ledger-points',
  'ledger-problems',
  'ledger-rectifications',
  'monthly-report',
  'supervision-cards',
  'audit-records',
  'backup',
] as const;
export type ExportKind = (typeof EXPORT_KINDS)[number];

export interface ExportRecord {
  kind: ExportKind;
  /** xlsx, csv, docx; "snapshot" for a backup. */
  format: string;
  /** The China dates the file covers, both included, when it is limited to a range. */
  from?: string | undefined;
  to?: string | undefined;
  /** Which part, as validated codes, numbers and flags only (a ledger's filter, a round, a unit, a month). */
  scope?: Record<string, unknown>;
}

/** Who took the file: a signed-in account through a request, or someone at the server's command line. */
export type ExportedBy = { via: 'console'; user: StaffUser; client: RequestClient } | { via: 'command-line' };

export async function recordExport(db: Kysely<Database>, at: Date, by: ExportedBy, what: ExportRecord): Promise<void> {
  const detail = {
    kind: what.kind,
    format: what.format,
    ...(what.from !== undefined && { from: what.from }),
    ...(what.to !== undefined && { to: what.to }),
    ...(what.scope && Object.keys(what.scope).length > 0 && { scope: what.scope }),
    via: by.via,
    // At the command line there is no account: the operating-system user who ran the command.
    ...(by.via === 'command-line' && { osUser: os.userInfo().username }),
  };
  const userId = by.via === 'console' ? by.user.id : null;
  await insertAccountEvent(db, {
    at: at.toISOString(),
    actorUserId: userId,
    subjectUserId: userId,
    action: 'exported',
    detail,
    ...(by.via === 'console' && { client: by.client }),
  });
}
