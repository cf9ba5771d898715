// Issue 18 item 7 (个人信息保护, ADR 019): residents' personal data encrypted at rest. The values
// stay in their columns, as envelopes (server/db/data-keys.ts); equality look-ups move to keyed
// hashes in new columns, indexed where something looks up by them. The indexes on the clear
// columns go (an index on random ciphertext finds nothing); the supporters' "one number once per
// ticket" moves to the hash. data_keys recognises the key at start: its id and an HMAC of a
// constant, never the key. Existing rows are encrypted by `npm run data:encrypt` (resumable).
import type { Kysely } from 'kysely';
import type { Dialect } from '../database.ts';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('data_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('key_check', 'text', (c) => c.notNull())
    .addColumn('added_at', 'text', (c) => c.notNull())
    // Set when a rotation left no value under this key (it may then leave the key file).
    .addColumn('retired_at', 'text')
    .execute();

  const columns: Array<[string, string]> = [
    ['ticket_reporters', 'phone_hash'],
    ['ticket_reporters', 'phone_last4_hash'],
    ['ticket_reporters', 'email_hash'],
    ['ticket_supporters', 'phone_hash'],
    ['calls', 'caller_phone_hash'],
    ['calls', 'caller_phone_last4_hash'],
    ['phone_lookup_codes', 'phone_hash'],
    ['mail_messages', 'from_hash'],
    ['mail_outbox', 'recipient_domain_hash'],
    ['sms_outbox', 'recipient_hash'],
  ];
  for (const [table, column] of columns) await db.schema.alterTable(table).addColumn(column, 'text').execute();

  for (const index of [
    'ticket_reporters_phone_idx',
    'mail_messages_sender_idx',
    'calls_caller_idx',
    'sms_outbox_recipient_idx',
    'ticket_supporters_ticket_phone_idx',
    'ticket_supporters_phone_idx',
    'phone_lookup_codes_phone_idx',
  ]) {
    await db.schema.dropIndex(index).execute();
  }
  await db.schema.createIndex('ticket_reporters_phone_hash_idx').on('ticket_reporters').column('phone_hash').execute();
  await db.schema.createIndex('ticket_supporters_phone_hash_idx').on('ticket_supporters').column('phone_hash').execute();
  await db.schema
    .createIndex('ticket_supporters_ticket_phone_hash_idx')
    .on('ticket_supporters')
    .columns(['ticket_id', 'phone_hash'])
    .unique()
    .execute();
  await db.schema.createIndex('calls_caller_hash_idx').on('calls').columns(['caller_phone_hash', 'at']).execute();
  await db.schema.createIndex('calls_caller_last4_idx').on('calls').columns(['caller_phone_last4_hash', 'at']).execute();
  await db.schema.createIndex('phone_lookup_codes_phone_hash_idx').on('phone_lookup_codes').columns(['phone_hash', 'id']).execute();
  await db.schema.createIndex('mail_messages_sender_hash_idx').on('mail_messages').columns(['from_hash', 'received_at']).execute();
  await db.schema
    .createIndex('mail_outbox_domain_idx')
    .on('mail_outbox')
    .columns(['kind', 'recipient_domain_hash', 'created_at'])
    .execute();
  await db.schema.createIndex('sms_outbox_recipient_hash_idx').on('sms_outbox').columns(['recipient_hash', 'sent_at']).execute();
}
