// Staff accounts: create, list, update, change a password; signing in (sign-in.ts) and the second
// factor (second-factors.ts) joined into one service. Sessions are kept in the database (so several
// web processes share them) as the SHA-256 of a random token, the token itself living only in
// the HttpOnly cookie. The rules are in account-rules.ts and password-policy.ts, the SQL in *-repository.ts.
export type { AccountRecord } from './account-repository.ts';
import type { Kysely } from 'kysely';
import { z } from '../validation.ts';
import { plainText } from '../plain-text.ts';
import type { Catalog } from '../catalog/types.ts';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/schema.ts';
import { isUniqueViolation } from '../db/database.ts';
import { ConflictError, ForbiddenError, InvalidInputError, NotFoundError, UnauthorizedError } from '../errors.ts';
import type { Throttles } from '../throttle/throttles.ts';
import type { AccountSettings } from './account-env.ts';
import {
  insertAccountEvent,
  pageOfAccountEvents,
  type AccountAction,
  type RequestClient,
  type StoredAccountEvent,
} from './account-event-repository.ts';
import { recordExport, type ExportRecord } from './account-exports.ts';
import {
  countActiveAdmins,
  deleteSessionsOf,
  findAccount,
  insertAccount,
  listAccounts,
  passwordHashOf,
  recentPasswordHashes,
  storePassword,
  updateAccount,
  type AccountRecord,
} from './account-repository.ts';
import { checkPassword, unitOfAccount, type SessionStep } from './account-rules.ts';
import { hashPassword, verifyPassword } from './password.ts';
import { PASSWORD_HISTORY_SIZE } from './password-policy.ts';
import { ROLES, type StaffUser } from './roles.ts';
import { createSecondFactors } from './second-factors.ts';
import { createSignIn } from './sign-in.ts';

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
  /** Failed sign-ins per account and per client address (THROTTLE_LOGIN_ACCOUNT, THROTTLE_LOGIN_ADDRESS). */
  throttles: Throttles;
  /** SESSION_IDLE_MINUTES, SESSION_MAX_HOURS, PASSWORD_MAX_AGE_DAYS, REQUIRE_2FA. */
  settings: AccountSettings;
}

export interface AccountWriteOptions {
  /** The administrator doing this; absent at the server's command line (npm run admin) and in tests' setup. */
  actor?: StaffUser;
  /**
   * Whether the password set is temporary (changed at the next sign-in). By default it is when an
   * administrator sets it for someone else: a new account, a reset.
   */
  temporaryPassword?: boolean;
  /** The administrator's request (recorded with the action); absent at the command line. */
  client?: RequestClient;
}

/** A page of account actions (newest first) and how many there are in all. */
export interface AccountEventPage {
  events: StoredAccountEvent[];
  total: number;
  pageSize: number;
}

const ACCOUNT_EVENTS_PAGE_SIZE = 50;

export function createAccounts({ db, catalog, clock, throttles, settings }: AccountsDeps) {
  const signIn = createSignIn({ db, clock, throttles, settings });
  const secondFactors = createSecondFactors({ db, clock, sessionOf: signIn.sessionOf });

  /** Refuses a password the person used for one of their last PASSWORD_HISTORY_SIZE. */
  async function checkNotReused(userId: number, password: string): Promise<void> {
    for (const hash of await recentPasswordHashes(db, userId, PASSWORD_HISTORY_SIZE)) {
      if (await verifyPassword(password, hash)) {
        const message = `新密码不能与最近${PASSWORD_HISTORY_SIZE}次用过的密码相同`;
        throw new InvalidInputError(message, { password: message });
      }
    }
  }

  async function setPassword(userId: number, password: string, mustChange: boolean): Promise<void> {
    await storePassword(db, userId, {
      hash: await hashPassword(password),
      mustChange,
      at: clock.now().toISOString(),
      keep: PASSWORD_HISTORY_SIZE,
    });
  }

  /** An administrator's (or the command line's) action on an account, recorded. */
  function recordAdmin(action: AccountAction, subjectUserId: number, detail: Record<string, unknown>, o: AccountWriteOptions) {
    return insertAccountEvent(db, {
      at: clock.now().toISOString(),
      actorUserId: o.actor?.id ?? null,
      subjectUserId,
      action,
      detail: { ...detail, via: o.actor ? 'console' : 'command-line' },
      client: o.client,
    });
  }

  async function createUser(input: NewUser, o: AccountWriteOptions = {}): Promise<AccountRecord> {
    const parsed = newUserSchema.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new InvalidInputError(issue.message, { [issue.path.join('.')]: issue.message });
    }
    const u = parsed.data;
    const unitCode = unitOfAccount(catalog, u.role, u.unitCode);
    checkPassword(u.password, u.username);
    let created: AccountRecord;
    try {
      created = await insertAccount(db, {
        username: u.username,
        displayName: u.displayName,
        role: u.role,
        unitCode,
        passwordHash: await hashPassword(u.password),
        mustChangePassword: o.temporaryPassword ?? o.actor !== undefined,
        at: clock.now().toISOString(),
      });
    } catch (error) {
      if (isUniqueViolation(error, 'username')) throw new ConflictError(`用户名“${u.username}”已被使用`);
      throw error;
    }
    await recordAdmin('account-created', created.id, { role: created.role, unitCode: created.unitCode }, o);
    return created;
  }

  async function updateUser(id: number, input: z.input<typeof userUpdateSchema>, o: AccountWriteOptions = {}): Promise<AccountRecord> {
    const parsed = userUpdateSchema.safeParse(input);
    if (!parsed.success) throw new InvalidInputError('填写的内容不正确，请检查后重试。');
    const u = parsed.data;
    const current = await getUser(id);
    const role = u.role ?? current.role;
    const unitCode = unitOfAccount(catalog, role, u.unitCode === undefined ? current.unitCode : u.unitCode);
    if (u.password !== undefined) {
      checkPassword(u.password, current.username);
      await checkNotReused(id, u.password);
    }
    const staysAdmin = role === 'admin' && (u.active ?? current.active);
    if (current.role === 'admin' && current.active && !staysAdmin && (await countActiveAdmins(db)) <= 1) {
      throw new ConflictError('这是最后一个启用的管理员账号，不能停用或改为其他角色');
    }
    const active = u.active ?? current.active;
    const displayName = u.displayName ?? current.displayName;
    await updateAccount(db, id, { displayName, role, unitCode, active, at: clock.now().toISOString() });
    if (role !== current.role || unitCode !== current.unitCode) {
      const from = { role: current.role, unitCode: current.unitCode };
      await recordAdmin('role-changed', id, { from, to: { role, unitCode } }, o);
    }
    // The name itself is not repeated in the record: the account list shows the current one.
    if (displayName !== current.displayName) await recordAdmin('display-name-changed', id, {}, o);
    if (active !== current.active) await recordAdmin(active ? 'account-enabled' : 'account-disabled', id, {}, o);
    if (u.password !== undefined) {
      const temporary = o.temporaryPassword ?? (o.actor !== undefined && o.actor.id !== id);
      await setPassword(id, u.password, temporary);
      await recordAdmin('password-reset', id, { temporary }, o);
    }
    // A deactivated account, or one whose password was reset, is signed out everywhere.
    if (u.active === false || u.password !== undefined) await deleteSessionsOf(db, id);
    return getUser(id);
  }

  async function getUser(id: number): Promise<AccountRecord> {
    const account = await findAccount(db, id);
    if (!account) throw new NotFoundError('用户不存在');
    return account;
  }

  /**
   * The signed-in person changes their own password (forced or not): the current one is checked
   * (counted by the sign-in throttles), the new one by the policy and the history; their other
   * sessions end. Returns what the session must still do.
   */
  async function changePassword(
    token: string | undefined,
    change: { currentPassword: string; newPassword: string },
    client: RequestClient,
  ): Promise<{ step: SessionStep | null }> {
    const state = await signIn.sessionOf(token);
    if (!state || state.step === 'code') throw new UnauthorizedError('请先登录');
    const attempt = await signIn.takeAttempt(state.user.username, client);
    if (!(await verifyPassword(change.currentPassword, (await passwordHashOf(db, state.user.id)) ?? ''))) {
      await signIn.failed(attempt, state.user.id, client, 'wrong-current-password');
      throw new InvalidInputError('当前密码不正确', { currentPassword: '当前密码不正确' });
    }
    await attempt.giveBack();
    checkPassword(change.newPassword, state.user.username);
    await checkNotReused(state.user.id, change.newPassword);
    await setPassword(state.user.id, change.newPassword, false);
    await deleteSessionsOf(db, state.user.id, state.sessionId);
    const at = clock.now().toISOString();
    await insertAccountEvent(db, {
      at,
      actorUserId: state.user.id,
      subjectUserId: state.user.id,
      action: 'password-changed',
      detail: {},
      client,
    });
    return { step: (await signIn.sessionOf(token))?.step ?? null };
  }

  /**
   * The account actions for an administrator, newest first: of one account (done to it or by it)
   * or of all; `page` from 1.
   */
  async function accountEvents(viewer: StaffUser, query: { userId: number | null; page: number }): Promise<AccountEventPage> {
    if (viewer.role !== 'admin') throw new ForbiddenError('只有管理员可以查看账号操作记录');
    const page = Math.max(1, Math.floor(query.page));
    const offset = (page - 1) * ACCOUNT_EVENTS_PAGE_SIZE;
    const found = await pageOfAccountEvents(db, { userId: query.userId, offset, limit: ACCOUNT_EVENTS_PAGE_SIZE });
    return { ...found, pageSize: ACCOUNT_EVENTS_PAGE_SIZE };
  }

  return {
    createUser,
    updateUser,
    getUser,
    listUsers: () => listAccounts(db),
    changePassword,
    login: signIn.login,
    verifyCode: signIn.verifyCode,
    sessionOf: signIn.sessionOf,
    userForSession: signIn.userForSession,
    logout: signIn.logout,
    beginEnrolment: secondFactors.beginEnrolment,
    confirmEnrolment: secondFactors.confirmEnrolment,
    resetSecondFactor: secondFactors.resetSecondFactor,
    accountEvents,
    /** A signed-in person downloaded a file with residents' data (account-exports.ts). */
    recordExport: (user: StaffUser, client: RequestClient, what: ExportRecord) =>
      recordExport(db, clock.now(), { via: 'console', user, client }, what),
  };
}

export type Accounts = ReturnType<typeof createAccounts>;
