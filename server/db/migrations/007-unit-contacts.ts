// Units' notification mailboxes as the office maintains them in the console (issue 3: "console
// pages to manage … units"). content/units.json keeps the units themselves and their default
// mailboxes; a row here replaces a unit's default list.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('unit_contacts')
    .addColumn('unit_code', 'text', (c) => c.primaryKey())
    .addColumn('emails', 'text', (c) => c.notNull()) // JSON array
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'integer')
    .execute();
}
