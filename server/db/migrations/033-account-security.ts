// Issue 18 item 5 (身份鉴别, 访问控制): what the password policy, the forced change, idle sessions
// and the second factor need. Users: a flag for a password an administrator chose (changed at the
// next sign-in), when the password was last set (for PASSWORD_MAX_AGE_DAYS), and the TOTP secret
// with the last time step used (a code works once). Sessions: when last used (idle timeout) and
// whether the second factor is still awaited. The hashes of the last passwords, the hashed
// recovery codes, and `account_events`, where account actions are recorded.
import type { ColumnDefinitionBuilder, Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Dialect } from '../database.ts';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const serialType = dialect === 'postgres' ? 'serial' : 'integer';
  const serialKey = (c: ColumnDefinitionBuilder) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement());

  await db.schema
    .alterTable('users')
    .addColumn('must_change_password', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('users').addColumn('password_changed_at', 'text').execute();
  await db.schema.alterTable('users').addColumn('totp_secret', 'text').execute();
  await db.schema.alterTable('users').addColumn('totp_last_step', 'bigint').execute();
  await db.schema.alterTable('users').addColumn('totp_enrolled_at', 'text').execute();
  await sql`UPDATE users SET password_changed_at = updated_at`.execute(db);

  await db.schema.alterTable('sessions').addColumn('last_seen_at', 'text').execute();
  await db.schema
    .alterTable('sessions')
    .addColumn('awaiting_code', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await sql`UPDATE sessions SET last_seen_at = created_at`.execute(db);

  await db.schema
    .createTable('password_history')
    .addColumn('id', serialType, serialKey)
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('set_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('password_history_user_idx').on('password_history').columns(['user_id', 'id']).execute();
  await sql`INSERT INTO password_history (user_id, password_hash, set_at) SELECT id, password_hash, updated_at FROM users`.execute(db);

  await db.schema
    .createTable('recovery_codes')
    .addColumn('id', serialType, serialKey)
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    // SHA-256 (hex) of the normalised code: the codes are random, ~59 bits each.
    .addColumn('code_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .execute();
  await db.schema.createIndex('recovery_codes_user_idx').on('recovery_codes').columns(['user_id', 'code_hash']).execute();

  await db.schema
    .createTable('account_events')
    .addColumn('id', serialType, serialKey)
    .addColumn('at', 'text', (c) => c.notNull())
    // Null when done at the server's command line (npm run admin) or by the person themselves signing in.
    .addColumn('actor_user_id', 'integer')
    .addColumn('subject_user_id', 'integer')
    .addColumn('action', 'text', (c) => c.notNull())
    // JSON object.
    .addColumn('detail', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('account_events_subject_idx').on('account_events').columns(['subject_user_id', 'id']).execute();
}
