// Issue 15 items 2 and 3: what was done, shown to the code holder, and "fixed?" online (网上回访).
// - ticket_closures: per verified closure (销号), the rectification summary the office approved
//   for residents (prefilled from the unit's last report, editable by the office). Its own value:
//   the append-only event log is never rewritten; an edit is recorded as an event.
// - follow_up_links: the one-time link in the closing e-mail, a random token stored as its SHA-256.
// - follow_ups.channel: 'phone' (an operator's call) or 'online' (the reporter's answer on the
//   tracking page), so both feed the same rates, told apart; answer_changed_at: the last change of
//   an online answer (changeable for 7 days after completed_at, the first answer).
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('ticket_closures')
    .addColumn('ticket_id', 'integer', (c) => c.notNull().references('tickets.id'))
    .addColumn('closed_at', 'text', (c) => c.notNull())
    .addColumn('public_summary', 'text', (c) => c.notNull())
    .addColumn('summary_edited_at', 'text')
    .addColumn('summary_edited_by', 'integer', (c) => c.references('users.id'))
    .addPrimaryKeyConstraint('ticket_closures_pk', ['ticket_id', 'closed_at'])
    .execute();

  await db.schema
    .createTable('follow_up_links')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('ticket_id', 'integer', (c) => c.notNull().references('tickets.id'))
    .addColumn('closed_at', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .alterTable('follow_ups')
    .addColumn('channel', 'text', (c) => c.notNull().defaultTo('phone'))
    .execute();
  await db.schema.alterTable('follow_ups').addColumn('answer_changed_at', 'text').execute();
}
