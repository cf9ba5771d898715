// Staff accounts: create, list, update, authenticate; sessions kept in the database (so several
// web processes share them) as the SHA-256 of a random token, the token itself living only in
// the HttpOnly cookie. The rules are in account-rules.ts, the SQL in account-repository.ts.
export type { AccountRecord } from './account-repository.ts';
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
import {
  countActiveAdmins,
  deleteSession,
  deleteSessionsOf,
  findAccount,
  findAccountForLogin,
  findSessionAccount,
  insertAccount,
  insertSession,
  listAccounts,
  updateAccount,
  type AccountRecord,
} from './account-repository.ts';
import { checkPassword, newSessionToken, sessionExpiry, sessionId, unitOfAccount } from './account-rules.ts';
import { hashPassword, UNMATCHABLE_HASH, verifyPassword } from './password.ts';
import { ROLES, type StaffUser } from './roles.ts';

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

export interface AccountsDeps {
  db: Kysely<Database>;
  catalog: Catalog;
  clock: Clock;
  /** Failed logins per account and per client address (THROTTLE_LOGIN_ACCOUNT, THROTTLE_LOGIN_ADDRESS). */
  throttles: Throttles;
}

export function createAccounts({ db, catalog, clock, throttles }: AccountsDeps) {
  async function createUser(input: NewUser): Promise<AccountRecord> {
    const parsed = newUserSchema.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new InvalidInputError(issue.message, { [issue.path.join('.')]: issue.message });
    }
    const u = parsed.data;
    const unitCode = unitOfAccount(catalog, u.role, u.unitCode);
    checkPassword(u.password);
    try {
      return await insertAccount(db, {
        username: u.username,
        displayName: u.displayName,
        role: u.role,
        unitCode,
        passwordHash: await hashPassword(u.password),
        at: clock.now().toISOString(),
      });
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
    const unitCode = unitOfAccount(catalog, role, u.unitCode === undefined ? current.unitCode : u.unitCode);
    if (u.password !== undefined) checkPassword(u.password);
    const staysAdmin = role === 'admin' && (u.active ?? current.active);
    if (current.role === 'admin' && current.active && !staysAdmin && (await countActiveAdmins(db)) <= 1) {
      throw new ConflictError('这是最后一个启用的管理员账号，不能停用或改为其他角色');
    }
    await updateAccount(db, id, {
      displayName: u.displayName ?? current.displayName,
      role,
      unitCode,
      active: u.active ?? current.active,
      at: clock.now().toISOString(),
      ...(u.password !== undefined && { passwordHash: await hashPassword(u.password) }),
    });
    // A deactivated account, or one whose password was reset, is signed out everywhere.
    if (u.active === false || u.password !== undefined) await deleteSessionsOf(db, id);
    return getUser(id);
  }

  async function getUser(id: number): Promise<AccountRecord> {
    const account = await findAccount(db, id);
    if (!account) throw new NotFoundError('用户不存在');
    return account;
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
    const giveBack = () => Promise.all(taken.flatMap((t) => (t.allowed ? [t.release()] : [])));
    if (refused.length > 0) {
      await giveBack();
      throw throttled(Math.max(...refused));
    }
    const account = await findAccountForLogin(db, name);
    // Checked whether or not the account exists and is active: the same scrypt either way.
    const matches = await verifyPassword(password, account?.passwordHash ?? UNMATCHABLE_HASH);
    if (!account || !matches || !account.active) {
      throw new InvalidInputError('用户名或密码不正确', { password: '用户名或密码不正确' });
    }
    await giveBack();
    const { token, id } = newSessionToken();
    const now = clock.now();
    const expiresAt = sessionExpiry(now);
    await insertSession(db, {
      id,
      userId: account.id,
      createdAt: now.toISOString(),
      expiresAt,
      ip: client.ip,
      userAgent: client.userAgent ?? null,
    });
    const { active: _active, createdAt: _createdAt, passwordHash: _hash, ...user } = account;
    return { token, user, expiresAt };
  }

  /** The signed-in user for a cookie token, or null when absent, unknown, expired or deactivated. */
  async function userForSession(token: string | undefined): Promise<StaffUser | null> {
    if (!token) return null;
    const session = await findSessionAccount(db, sessionId(token));
    if (!session || !session.active || session.expiresAt <= clock.now().toISOString()) return null;
    const { active: _active, expiresAt: _expiresAt, ...user } = session;
    return user;
  }

  async function logout(token: string | undefined): Promise<void> {
    if (token) await deleteSession(db, sessionId(token));
  }

  return { createUser, updateUser, getUser, listUsers: () => listAccounts(db), login, logout, userForSession };
}

export type Accounts = ReturnType<typeof createAccounts>;
