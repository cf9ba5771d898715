// The dedicated mailbox's health as the console shows it (issue 4, item 6): the worker records
// every read of the mailbox (success with its counts, or the error) and whether it listens with
// IMAP IDLE; the office reads that beside counts of what mail became and the quarantined mail
// with the reasons. The worker and the web server may be different processes, so it is all kept
// in the database.
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import type { ImapRun } from './imap-intake.ts';
import { upsertMailboxStatus, type MailboxStatusChange } from './mailbox-repository.ts';

/** The row name of the IMAP mailbox (one per deployment today). */
export const MAILBOX = 'imap';

export type MailboxMode = 'idle' | 'poll';

export function createMailboxStatus(db: Kysely<Database>, mailbox = MAILBOX) {
  function upsert(values: MailboxStatusChange, failed: boolean | null): Promise<void> {
    return upsertMailboxStatus(db, mailbox, values, failed);
  }

  return {
    /** A read of the mailbox that completed (messages it could not handle are counted in `failed`). */
    async succeeded(at: Date, run: ImapRun): Promise<void> {
      const iso = at.toISOString();
      await upsert({ last_attempt_at: iso, last_success_at: iso, last_run: JSON.stringify(run) }, false);
    },
    /** A read that could not complete: the server unreachable, the login refused … */
    async failed(at: Date, error: unknown): Promise<void> {
      const iso = at.toISOString();
      await upsert({ last_attempt_at: iso, last_error: describe(error), last_error_at: iso }, true);
    },
    /** The watcher's connection state: listening with IDLE, or back to a read per worker pass. */
    async mode(at: Date, mode: MailboxMode, error?: unknown): Promise<void> {
      await upsert(
        {
          mode,
          mode_since: at.toISOString(),
          ...(error !== undefined && { last_error: describe(error), last_error_at: at.toISOString() }),
        },
        null,
      );
    },
  };
}

function describe(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 1000);
}
