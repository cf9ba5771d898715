// Storage of staff accounts and their sessions. A session is kept by the SHA-256 of its token
// (account-rules.ts), never the token itself. Returns plain objects from explicit selects; no row
// type leaves this file.
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Database, UserTable } from '../db/schema.ts';
import type { Role, StaffUser } from './roles.ts';

type Db = Kysely<Database> | Transaction<Database>;

export interface AccountRecord extends StaffUser {
  active: boolean;
  createdAt: string;
  /** The password was chosen by an administrator: the person changes it at their next sign-in. */
  mustChangePassword: boolean;
  /** When the password was last set (PASSWORD_MAX_AGE_DAYS); null only for rows older than migration 033. */
  passwordChangedAt: string | null;
  /** Whether a TOTP second factor is enrolled. */
  secondFactor: boolean;
}

const userColumns = [
  'id',
  'username',
  'display_name',
  'role',
  'unit_code',
  'active',
  'created_at',
  'must_change_password',
  'password_changed_at',
  'totp_enrolled_at',
] as const;

type UserRow = Pick<Selectable<UserTable>, (typeof userColumns)[number]>;

function toStaffUser(row: Pick<UserRow, 'id' | 'username' | 'display_name' | 'role' | 'unit_code'>): StaffUser {
  return { id: Number(row.id), username: row.username, displayName: row.display_name, role: row.role as Role, unitCode: row.unit_code };
}

function toAccount(row: UserRow): AccountRecord {
  return {
    ...toStaffUser(row),
    active: Number(row.active) === 1,
    createdAt: row.created_at,
    mustChangePassword: Number(row.must_change_password) === 1,
    passwordChangedAt: row.password_changed_at,
    secondFactor: row.totp_enrolled_at !== null,
  };
}

export interface NewAccount {
  username: string;
  displayName: string;
  role: Role;
  unitCode: string | null;
  passwordHash: string;
  /** The password was chosen by an administrator. */
  mustChangePassword: boolean;
  at: string;
}

/** A new account and its first password in the password history. */
export async function insertAccount(db: Kysely<Database>, a: NewAccount): Promise<AccountRecord> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('users')
      .values({
        username: a.username,
        display_name: a.displayName,
        role: a.role,
        unit_code: a.unitCode,
        password_hash: a.passwordHash,
        must_change_password: a.mustChangePassword ? 1 : 0,
        password_changed_at: a.at,
        active: 1,
        created_at: a.at,
        updated_at: a.at,
      })
      .returning(userColumns)
      .executeTakeFirstOrThrow();
    await trx.insertInto('password_history').values({ user_id: row.id, password_hash: a.passwordHash, set_at: a.at }).execute();
    return toAccount(row);
  });
}

export interface PasswordChange {
  hash: string;
  /** Chosen by an administrator (a reset): to be changed at the next sign-in. */
  mustChange: boolean;
  at: string;
  /** How many of the newest hashes the history keeps. */
  keep: number;
}

/** Sets a user's password and records it in the history, which keeps only the newest `keep`. */
export async function storePassword(db: Kysely<Database>, userId: number, c: PasswordChange): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('users')
      .set({ password_hash: c.hash, must_change_password: c.mustChange ? 1 : 0, password_changed_at: c.at, updated_at: c.at })
      .where('id', '=', userId)
      .execute();
    await trx.insertInto('password_history').values({ user_id: userId, password_hash: c.hash, set_at: c.at }).execute();
    const kept = trx.selectFrom('password_history').select('id').where('user_id', '=', userId).orderBy('id', 'desc').limit(c.keep);
    await trx.deleteFrom('password_history').where('user_id', '=', userId).where('id', 'not in', kept).execute();
  });
}

/** The hashes of the user's newest `limit` passwords, the current one first. */
export async function recentPasswordHashes(db: Db, userId: number, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('password_history')
    .select('password_hash')
    .where('user_id', '=', userId)
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => r.password_hash);
}

export interface AccountChange {
  displayName: string;
  role: Role;
  unitCode: string | null;
  active: boolean;
  at: string;
}

export async function updateAccount(db: Db, id: number, c: AccountChange): Promise<void> {
  await db
    .updateTable('users')
    .set({
      display_name: c.displayName,
      role: c.role,
      unit_code: c.unitCode,
      active: c.active ? 1 : 0,
      updated_at: c.at,
    })
    .where('id', '=', id)
    .execute();
}

export async function countActiveAdmins(db: Db): Promise<number> {
  const row = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('role', '=', 'admin')
    .where('active', '=', 1)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function findAccount(db: Db, id: number): Promise<AccountRecord | null> {
  const row = await db.selectFrom('users').select(userColumns).where('id', '=', id).executeTakeFirst();
  return row ? toAccount(row) : null;
}

export async function listAccounts(db: Db): Promise<AccountRecord[]> {
  const rows = await db.selectFrom('users').select(userColumns).orderBy('role').orderBy('username').execute();
  return rows.map(toAccount);
}

/** The account a login names, with the hash its password is checked against. */
export async function findAccountForLogin(db: Db, username: string): Promise<(AccountRecord & { passwordHash: string }) | null> {
  const row = await db
    .selectFrom('users')
    .select([...userColumns, 'password_hash'])
    .where('username', '=', username)
    .executeTakeFirst();
  return row ? { ...toAccount(row), passwordHash: row.password_hash } : null;
}

/** Accounts whose username or display name is `name`, at most `limit` (an imported call's operator). */
export async function findAccountIdsNamed(db: Db, name: string, limit: number): Promise<number[]> {
  const rows = await db
    .selectFrom('users')
    .select('id')
    .where((eb) => eb.or([eb('username', '=', name), eb('display_name', '=', name)]))
    .limit(limit)
    .execute();
  return rows.map((r) => Number(r.id));
}

export interface NewSession {
  /** The SHA-256 of the cookie's token. */
  id: string;
  userId: number;
  createdAt: string;
  expiresAt: string;
  ip: string | null;
  userAgent: string | null;
  /** The password was right; the second factor's code is still awaited. */
  awaitingCode: boolean;
}

export async function insertSession(db: Db, s: NewSession): Promise<void> {
  await db
    .insertInto('sessions')
    .values({
      id: s.id,
      user_id: s.userId,
      created_at: s.createdAt,
      expires_at: s.expiresAt,
      last_seen_at: s.createdAt,
      awaiting_code: s.awaitingCode ? 1 : 0,
      ip: s.ip,
      user_agent: s.userAgent,
    })
    .execute();
}

export interface SessionRecord {
  account: AccountRecord;
  createdAt: string;
  expiresAt: string;
  lastSeenAt: string;
  awaitingCode: boolean;
}

/** A session with its account. */
export async function findSession(db: Db, sessionId: string): Promise<SessionRecord | null> {
  const row = await db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select([
      'users.id',
      'username',
      'display_name',
      'role',
      'unit_code',
      'active',
      'users.created_at',
      'must_change_password',
      'password_changed_at',
      'totp_enrolled_at',
      'sessions.created_at as session_created_at',
      'expires_at',
      'last_seen_at',
      'awaiting_code',
    ])
    .where('sessions.id', '=', sessionId)
    .executeTakeFirst();
  if (!row) return null;
  return {
    account: toAccount(row),
    createdAt: row.session_created_at,
    expiresAt: row.expires_at,
    lastSeenAt: row.last_seen_at ?? row.session_created_at,
    awaitingCode: Number(row.awaiting_code) === 1,
  };
}

export async function touchSession(db: Db, sessionId: string, at: string): Promise<void> {
  await db.updateTable('sessions').set({ last_seen_at: at }).where('id', '=', sessionId).execute();
}

/** False when there was no such session (another request ended it first). */
export async function deleteSession(db: Db, sessionId: string): Promise<boolean> {
  const result = await db.deleteFrom('sessions').where('id', '=', sessionId).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** Signs a user out everywhere, or everywhere but the session `keep`. */
export async function deleteSessionsOf(db: Db, userId: number, keep?: string): Promise<void> {
  let query = db.deleteFrom('sessions').where('user_id', '=', userId);
  if (keep !== undefined) query = query.where('id', '!=', keep);
  await query.execute();
}

export async function passwordHashOf(db: Db, userId: number): Promise<string | null> {
  const row = await db.selectFrom('users').select('password_hash').where('id', '=', userId).executeTakeFirst();
  return row?.password_hash ?? null;
}
