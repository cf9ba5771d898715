// Issue 14 item 5: where a problem came from, the citizen patrol group's persuasion tally, and the
// leaders' 督办 mark.
//
// 1. tickets.source (来源): resident (群众反映), inspection (督导组检查), patrol (巡访监督团), media
//    (媒体暗访), leader (县级领导督导), npc_cppcc (人大政协视察); server/tickets/ticket-source.ts.
//    Existing rows are backfilled from their channel: web, mail and hotline are residents'
//    channels; inspection and patrol are their own sources.
//
//    Channel of the office's findings (/console/findings): a problem a journalist, a county leader
//    or an NPC/CPPCC inspection found is entered by the office as channel `inspection` — no new
//    channel. The channel says how a problem reached the portal (a resident's web form, mail,
//    hotline; the citizen patrol's form; the office's own supervision); these findings are the
//    office's supervision work brought in by office staff, not a resident's report, so `web`,
//    `mail` and `hotline` would count them among residents' contacts (and their idempotency keys
//    in a resident's key space). What tells a media finding from a leader's or the inspection
//    group's is the source, which every ledger, filter and report reads; a second channel would
//    only say the same thing twice.
//
// 2. tickets.supervised_at / supervised_by / supervision_instruction: a leader's 督办 mark with its
//    批示, set and lifted only by an event (actions `supervise`, `liftSupervision`, which do not
//    change the status), null when not marked. The index serves "marked tickets first" and the
//    monthly report's 督办 list.
//
// 3. persuasion_actions (劝导): a patrol member's record of persuading people (crossing on red,
//    littering …) — not a ticket. The idempotency key is the device's: a tally sent twice (the
//    phone lost its signal before the answer) is recorded once.
//
// 4. ticket_events (actor_kind, actor_id): a patrol member's own reports are the tickets whose
//    submit event names them; the index finds them without reading every event.
import type { ColumnDefinitionBuilder, Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Dialect } from '../database.ts';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const serialType = dialect === 'postgres' ? 'serial' : 'integer';
  const serialKey = (c: ColumnDefinitionBuilder) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement());

  await db.schema
    .alterTable('tickets')
    .addColumn('source', 'text', (c) => c.notNull().defaultTo('resident'))
    .execute();
  await sql`UPDATE tickets SET source = 'inspection' WHERE channel = 'inspection'`.execute(db);
  await sql`UPDATE tickets SET source = 'patrol' WHERE channel = 'patrol'`.execute(db);
  await db.schema.createIndex('tickets_source_idx').on('tickets').columns(['source', 'created_at']).execute();

  await db.schema.alterTable('tickets').addColumn('supervised_at', 'text').execute();
  await db.schema.alterTable('tickets').addColumn('supervised_by', 'integer').execute();
  await db.schema.alterTable('tickets').addColumn('supervision_instruction', 'text').execute();
  await db.schema.createIndex('tickets_supervised_idx').on('tickets').column('supervised_at').execute();

  await db.schema
    .createTable('persuasion_actions')
    .addColumn('id', serialType, serialKey)
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
    // China date 'YYYY-MM-DD' of the persuasion.
    .addColumn('done_on', 'text', (c) => c.notNull())
    // Where, in words; and the point, when the member chose one.
    .addColumn('place', 'text', (c) => c.notNull())
    .addColumn('point_id', 'text')
    // A code of content/persuasion-kinds.json.
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('people', 'integer', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('recorded_at', 'text', (c) => c.notNull())
    .addColumn('idempotency_key', 'text', (c) => c.notNull().unique())
    .execute();
  await db.schema.createIndex('persuasion_actions_day_idx').on('persuasion_actions').columns(['done_on', 'user_id']).execute();

  await db.schema.createIndex('ticket_events_actor_idx').on('ticket_events').columns(['actor_kind', 'actor_id']).execute();
}
