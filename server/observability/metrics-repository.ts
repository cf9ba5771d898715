// What /metrics reads from the database at each scrape (server/observability/metrics.ts): a few
// counts and ages, each one indexed query. Explicit selects, plain numbers out (DESIGN rule 4).
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { TERMINAL_STATUSES } from '../tickets/lifecycle.ts';

type Db = Kysely<Database>;

export interface TicketGauges {
  open: number;
  overdue: number;
}

/** Tickets not closed, rejected or merged; of those, the ones past their deadline (marked overdue by the worker). */
export async function ticketGauges(db: Db): Promise<TicketGauges> {
  const row = await db
    .selectFrom('tickets')
    .select((eb) => [eb.fn.countAll<number | string>().as('open'), eb.fn.count<number | string>('overdue_at').as('overdue')])
    .where('status', 'not in', [...TERMINAL_STATUSES])
    .executeTakeFirstOrThrow();
  return { open: Number(row.open), overdue: Number(row.overdue) };
}

/** When the oldest notification mail still waiting to go out was queued; null when none waits. */
export async function oldestPendingMail(db: Db): Promise<string | null> {
  const row = await db
    .selectFrom('mail_outbox')
    .select((eb) => eb.fn.min('created_at').as('oldest'))
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return row?.oldest ?? null;
}

/** Mail of the dedicated mailbox set aside for the office and not re-processed yet. */
export async function quarantinedMail(db: Db): Promise<number> {
  const row = await db
    .selectFrom('mail_messages')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('outcome', '=', 'quarantined')
    .where('reprocessed_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The last successful read of the dedicated mailbox; null before any (or with no mailbox). */
export async function lastMailboxRead(db: Db): Promise<string | null> {
  const row = await db
    .selectFrom('mailbox_status')
    .select((eb) => eb.fn.max('last_success_at').as('at'))
    .executeTakeFirst();
  return row?.at ?? null;
}

/** How long the live public site's build took, from its start to live; null before any. */
export async function lastPublishDuration(db: Db): Promise<{ startedAt: string; finishedAt: string } | null> {
  const row = await db
    .selectFrom('site_builds')
    .select(['started_at', 'finished_at'])
    .where('status', '=', 'live')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.started_at && row.finished_at ? { startedAt: row.started_at, finishedAt: row.finished_at } : null;
}

/** One round trip: the database answers. */
export async function ping(db: Db): Promise<void> {
  await sql`select 1`.execute(db);
}
