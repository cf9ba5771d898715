// Staff accounts: create, list, update, authenticate; sessions kept in the database (so several
// web processes share them) as the SHA-256 of a random token, the token itself living only in
// the HttpOnly cookie.
import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { z } from '../validation.ts';
import { plainText } from '../plain-text.ts';
import type { Catalog } from '../catalog/types.ts';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/schema.ts';
import { isUniqueViolation } from '../db/database.ts';
import { ConflictError, InvalidInputError, NotFoundError, TooManyRequestsError } from '../errors.ts';
import type { Throttles } from '../throttle/throttles.ts';
import { waitText } from '../throttle/throttles.ts';
import { hashPassword, passwordProblem, UNMATCHABLE_HASH, verifyPassword } from './password.ts';
import { ROLES, type Role, type StaffUser } from './roles.ts';

export const SESSION_HOURS = 12;

export const newUserSchema = z.object({
  username: z
    .string()
    .trim()
    .regex(/^[a-z0-9._-]{3,40}$/, { error: '用户名为3–40位小写字母、数字、点、横线或下划线' }),
  displayName: z
    .string()
    .transform(plainText)
    .pipe(z.string().trim().min(1, { error: '请填写姓名' }).max(50)),
  role: z.enum(ROLES, { error: '角色不正确' }),
  unitCode: z.string().trim().max(60).nullish(),
  password: z.string(),
});
export type NewUser = z.input<typeof newUserSchema>;

export const userUpdateSchema = z.object({
  displayName: z.string().transform(plainText).pipe(z.string().trim().min(1).max(50)).optional(),
  role: z.enum(ROLES).optional(),
  unitCode: z.string().trim().max(60).nullish(),
  active: z.boolean().optional(),
  password: z.string().optional(),
});

export interface AccountRecord extends StaffUser {
  active: boolean;
  createdAt: string;
}

const userColumns = ['id', 'username', 'display_name', 'role', 'unit_code', 'active', 'created_at'] as const;

function toAccount(row: {
  id: number;
  username: string;
  display_name: string;
  role: string;
  unit_code: string | null;
  active: number;
  created_at: string;
}): AccountRecord {
  return {
    id: Number(row.id),
    username: row.username,
    displayName: row.display_name,
    role: row.role as Role,
    unitCode: row.unit_code,
    active: Number(row.active) === 1,
    createdAt: row.created_at,
  };
}

function sessionId(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

export interface AccountsDeps {
  db: Kysely<Database>;
  catalog: Catalog;
  clock: Clock;
  /** Failed logins per account and per client address (THROTTLE_LOGIN_ACCOUNT, THROTTLE_LOGIN_ADDRESS). */
  throttles: Throttles;
}

export function createAccounts({ db, catalog, clock, throttles }: AccountsDeps) {
  function checkUnit(role: Role, unitCode: string | null | undefined): string | null {
    if (role !== 'unit') return null;
    if (!unitCode) throw new InvalidInputError('责任单位工作人员必须选择所属单位', { unitCode: '请选择所属单位' });
    if (!catalog.unit(unitCode)) throw new InvalidInputError(`单位“${unitCode}”不存在`, { unitCode: '单位不存在' });
    return unitCode;
  }

  function checkPassword(password: string): void {
    const problem = passwordProblem(password);
    if (problem) throw new InvalidInputError(problem, { password: problem });
  }

  async function createUser(input: NewUser): Promise<AccountRecord> {
    const parsed = newUserSchema.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new InvalidInputError(issue.message, { [issue.path.join('.')]: issue.message });
    }
    const u = parsed.data;
    const unitCode = checkUnit(u.role, u.unitCode);
    checkPassword(u.password);
    const at = clock.now().toISOString();
    try {
      const row = await db
        .insertInto('users')
        .values({
          username: u.username,
          display_name: u.displayName,
          role: u.role,
          unit_code: unitCode,
          password_hash: await hashPassword(u.password),
          active: 1,
          created_at: at,
          updated_at: at,
        })
        .returning(userColumns)
        .executeTakeFirstOrThrow();
      return toAccount(row);
    } catch (error) {
      if (isUniqueViolation(error, 'username')) throw new ConflictError(`用户名“${u.username}”已被使用`);
      throw error;
    }
  }

  async function updateUser(id: number, input: z.input<typeof userUpdateSchema>): Promise<AccountRecord> {
    const parsed = userUpdateSchema.safeParse(input);
    if (!parsed.success) throw new InvalidInputError('填写的内容不正确，请检查后重试。');
    const u = parsed.data;
    const current = await getUser(id);
    const role = u.role ?? current.role;
    const unitCode = checkUnit(role, u.unitCode === undefined ? current.unitCode : u.unitCode);
    if (u.password !== undefined) checkPassword(u.password);
    const staysAdmin = role === 'admin' && (u.active ?? current.active);
    if (current.role === 'admin' && current.active && !staysAdmin && (await activeAdmins()) <= 1) {
      throw new ConflictError('这是最后一个启用的管理员账号，不能停用或改为其他角色');
    }
    await db
      .updateTable('users')
      .set({
        display_name: u.displayName ?? current.displayName,
        role,
        unit_code: unitCode,
        active: (u.active ?? current.active) ? 1 : 0,
        updated_at: clock.now().toISOString(),
        ...(u.password !== undefined && { password_hash: await hashPassword(u.password) }),
      })
      .where('id', '=', id)
      .execute();
    // A deactivated account, or one whose password was reset, is signed out everywhere.
    if (u.active === false || u.password !== undefined) await db.deleteFrom('sessions').where('user_id', '=', id).execute();
    return getUser(id);
  }

  async function activeAdmins(): Promise<number> {
    const row = await db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('role', '=', 'admin')
      .where('active', '=', 1)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async function getUser(id: number): Promise<AccountRecord> {
    const row = await db.selectFrom('users').select(userColumns).where('id', '=', id).executeTakeFirst();
    if (!row) throw new NotFoundError('用户不存在');
    return toAccount(row);
  }

  async function listUsers(): Promise<AccountRecord[]> {
    const rows = await db.selectFrom('users').select(userColumns).orderBy('role').orderBy('username').execute();
    return rows.map(toAccount);
  }

  function throttled(seconds: number): TooManyRequestsError {
    return new TooManyRequestsError(`登录失败次数过多，请${waitText(seconds)}后再试`, seconds);
  }

  /**
   * Checks the password and opens a session; returns the cookie token. Every attempt takes one
   * count from the account's and the address's allowance before the password is looked at, and
   * only a success gives them back: of simultaneous guesses no more than the allowance are
   * checked, and past it even the right password is refused until the window slides on. A success
   * does not reset earlier failures, so knowing one password gains nothing against another account.
   */
  async function login(
    username: string,
    password: string,
    client: { ip: string; userAgent?: string },
  ): Promise<{ token: string; user: StaffUser; expiresAt: string }> {
    const name = username.trim().toLowerCase();
    const taken = [await throttles.take('login-account', name), await throttles.take('login-address', client.ip)];
    const refused = taken.flatMap((t) => (t.allowed ? [] : [t.retryAfterSeconds]));
    if (refused.length > 0) {
      await Promise.all(taken.map((t) => (t.allowed ? t.release() : undefined)));
      throw throttled(Math.max(...refused));
    }
    const row = await db
      .selectFrom('users')
      .select([...userColumns, 'password_hash'])
      .where('username', '=', name)
      .executeTakeFirst();
    // Checked whether or not the account exists and is active: the same scrypt either way.
    const matches = await verifyPassword(password, row?.password_hash ?? UNMATCHABLE_HASH);
    if (!row || !matches || Number(row.active) !== 1) {
      throw new InvalidInputError('用户名或密码不正确', { password: '用户名或密码不正确' });
    }
    await Promise.all(taken.map((t) => (t.allowed ? t.release() : undefined)));
    const token = randomBytes(32).toString('base64url');
    const now = clock.now();
    const expiresAt = new Date(now.getTime() + SESSION_HOURS * 3600_000).toISOString();
    await db
      .insertInto('sessions')
      .values({
        id: sessionId(token),
        user_id: Number(row.id),
        created_at: now.toISOString(),
        expires_at: expiresAt,
        ip: client.ip,
        user_agent: client.userAgent ?? null,
      })
      .execute();
    const { active: _active, createdAt: _createdAt, ...user } = toAccount(row);
    return { token, user, expiresAt };
  }

  /** The signed-in user for a cookie token, or null when absent, unknown, expired or deactivated. */
  async function userForSession(token: string | undefined): Promise<StaffUser | null> {
    if (!token) return null;
    const row = await db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .select(['users.id', 'username', 'display_name', 'role', 'unit_code', 'active', 'expires_at'])
      .where('sessions.id', '=', sessionId(token))
      .executeTakeFirst();
    if (!row || Number(row.active) !== 1 || row.expires_at <= clock.now().toISOString()) return null;
    return { id: Number(row.id), username: row.username, displayName: row.display_name, role: row.role as Role, unitCode: row.unit_code };
  }

  async function logout(token: string | undefined): Promise<void> {
    if (token) await db.deleteFrom('sessions').where('id', '=', sessionId(token)).execute();
  }

  return { createUser, updateUser, getUser, listUsers, login, logout, userForSession };
}

export type Accounts = ReturnType<typeof createAccounts>;
