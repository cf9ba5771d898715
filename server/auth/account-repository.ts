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
}

const userColumns = ['id', 'username', 'display_name', 'role', 'unit_code', 'active', 'created_at'] as const;

type UserRow = Pick<Selectable<UserTable>, (typeof userColumns)[number]>;

function toStaffUser(row: Pick<UserRow, 'id' | 'username' | 'display_name' | 'role' | 'unit_code'>): StaffUser {
  return { id: Number(row.id), username: row.username, displayName: row.display_name, role: row.role as Role, unitCode: row.unit_code };
}

function toAccount(row: UserRow): AccountRecord {
  return { ...toStaffUser(row), active: Number(row.active) === 1, createdAt: row.created_at };
}

export interface NewAccount {
  username: string;
  displayName: string;
  role: Role;
  unitCode: string | null;
  passwordHash: string;
  at: string;
}

export async function insertAccount(db: Db, a: NewAccount): Promise<AccountRecord> {
  const row = await db
    .insertInto('users')
    .values({
      username: a.username,
      display_name: a.displayName,
      role: a.role,
      unit_code: a.unitCode,
      password_hash: a.passwordHash,
      active: 1,
      created_at: a.at,
      updated_at: a.at,
    })
    .returning(userColumns)
    .executeTakeFirstOrThrow();
  return toAccount(row);
}

export interface AccountChange {
  displayName: string;
  role: Role;
  unitCode: string | null;
  active: boolean;
  /** Only when the password is reset. */
  passwordHash?: string;
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
      ...(c.passwordHash !== undefined && { password_hash: c.passwordHash }),
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
}

export async function insertSession(db: Db, s: NewSession): Promise<void> {
  await db
    .insertInto('sessions')
    .values({ id: s.id, user_id: s.userId, created_at: s.createdAt, expires_at: s.expiresAt, ip: s.ip, user_agent: s.userAgent })
    .execute();
}

/** The account a session belongs to, with whether it is active and when the session expires. */
export async function findSessionAccount(db: Db, sessionId: string): Promise<(StaffUser & { active: boolean; expiresAt: string }) | null> {
  const row = await db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select(['users.id', 'username', 'display_name', 'role', 'unit_code', 'active', 'expires_at'])
    .where('sessions.id', '=', sessionId)
    .executeTakeFirst();
  return row ? { ...toStaffUser(row), active: Number(row.active) === 1, expiresAt: row.expires_at } : null;
}

export async function deleteSession(db: Db, sessionId: string): Promise<void> {
  await db.deleteFrom('sessions').where('id', '=', sessionId).execute();
}

export async function deleteSessionsOf(db: Db, userId: number): Promise<void> {
  await db.deleteFrom('sessions').where('user_id', '=', userId).execute();
}
