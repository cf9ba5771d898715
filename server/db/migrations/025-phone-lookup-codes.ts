import type { ColumnDefinitionBuilder, Kysely } from 'kysely';
import type { Dialect } from '../database.ts';

// Issue 15 item 5: a resident who lost the tracking code asks for their tickets by mobile number.
// A one-time code goes out by SMS (sms_outbox); here only its hash, kept for minutes: a row is
// written for every request — also for a number without reports, whose code is never sent — so a
// wrong code is answered alike whether or not the number reported anything. Rows past their
// expiry are deleted by the next request (server/phone-lookup/).
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const serialType = dialect === 'postgres' ? 'serial' : 'integer';
  const serialKey = (c: ColumnDefinitionBuilder) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement());

  await db.schema
    .createTable('phone_lookup_codes')
    .addColumn('id', serialType, serialKey)
    // The mobile number, digits only (server/tickets/phone.ts).
    .addColumn('phone', 'text', (c) => c.notNull())
    // sha256 of salt, number and code (hex); the code itself is stored nowhere but the SMS.
    .addColumn('code_hash', 'text', (c) => c.notNull())
    .addColumn('salt', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    // Codes tried against it, the right one included; none is checked past the limit.
    .addColumn('tries', 'integer', (c) => c.notNull().defaultTo(0))
    // Set when the right code was given: a code lists the tickets once.
    .addColumn('used_at', 'text')
    .execute();
  await db.schema.createIndex('phone_lookup_codes_phone_idx').on('phone_lookup_codes').columns(['phone', 'id']).execute();
  await db.schema.createIndex('phone_lookup_codes_expires_idx').on('phone_lookup_codes').column('expires_at').execute();
}
