// Signing in: the password, then (when the account has a second factor) its code or a recovery
// code, each attempt counted by the sign-in throttles; sessions looked up with their idle time,
// absolute lifetime and what they still have to do (account-rules.ts). A session that passed the
// code step is a new session under a new token: the token seen before the code is worth nothing after.
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/schema.ts';
import { InvalidInputError, TooManyRequestsError, UnauthorizedError } from '../errors.ts';
import type { Throttles } from '../throttle/throttles.ts';
import { waitText } from '../throttle/throttles.ts';
import type { AccountSettings } from './account-env.ts';
import { insertAccountEvent } from './account-event-repository.ts';
import {
  deleteSession,
  findAccountForLogin,
  findSession,
  insertSession,
  touchSession,
  type AccountRecord,
  type SessionRecord,
} from './account-repository.ts';
import {
  needsTouch,
  newSessionToken,
  pendingStep,
  sessionEnded,
  sessionExpiry,
  sessionId,
  staffUserOf,
  type SessionStep,
} from './account-rules.ts';
import { UNMATCHABLE_HASH, verifyPassword } from './password.ts';
import type { StaffUser } from './roles.ts';
import { countUnusedRecoveryCodes, findSecondFactor, takeRecoveryCode, takeTotpStep } from './second-factor-repository.ts';
import { asTotpCode, recoveryCodeHash, totpStep } from './second-factor.ts';

export interface SignInDeps {
  db: Kysely<Database>;
  clock: Clock;
  /** Failed sign-ins per account and per client address (THROTTLE_LOGIN_ACCOUNT, THROTTLE_LOGIN_ADDRESS). */
  throttles: Throttles;
  settings: AccountSettings;
}

export interface SignedIn {
  /** The session cookie's token. */
  token: string;
  user: StaffUser;
  expiresAt: string;
  /** What the session must do before it may work; null when nothing. */
  step: SessionStep | null;
}

/** A live session: its user and what it must do first. */
export interface SessionState {
  sessionId: string;
  user: StaffUser;
  step: SessionStep | null;
  /** Whether the account has a second factor enrolled. */
  secondFactor: boolean;
}

const CODE_STEP_OVER = '登录已超时或已退出，请重新输入用户名和密码';

export function createSignIn({ db, clock, throttles, settings }: SignInDeps) {
  function throttled(seconds: number): TooManyRequestsError {
    return new TooManyRequestsError(`登录失败次数过多，请${waitText(seconds)}后再试`, seconds);
  }

  /**
   * Takes one count from the account's and the address's allowance before anything is checked;
   * `giveBack` returns them after a success. Of simultaneous guesses no more than the allowance
   * are checked, and past it even the right password or code is refused until the window slides
   * on. A success does not reset earlier failures.
   */
  async function takeAttempt(username: string, ip: string): Promise<{ giveBack: () => Promise<unknown> }> {
    const taken = [await throttles.take('login-account', username), await throttles.take('login-address', ip)];
    const refused = taken.flatMap((t) => (t.allowed ? [] : [t.retryAfterSeconds]));
    const giveBack = () => Promise.all(taken.flatMap((t) => (t.allowed ? [t.release()] : [])));
    if (refused.length > 0) {
      await giveBack();
      throw throttled(Math.max(...refused));
    }
    return { giveBack };
  }

  async function openSession(account: AccountRecord, client: { ip: string; userAgent?: string }, awaitingCode: boolean): Promise<SignedIn> {
    const { token, id } = newSessionToken();
    const now = clock.now();
    const record: SessionRecord = {
      account,
      createdAt: now.toISOString(),
      expiresAt: sessionExpiry(now, settings),
      lastSeenAt: now.toISOString(),
      awaitingCode,
    };
    await insertSession(db, {
      id,
      userId: account.id,
      createdAt: record.createdAt,
      expiresAt: record.expiresAt,
      ip: client.ip,
      userAgent: client.userAgent ?? null,
      awaitingCode,
    });
    return { token, user: staffUserOf(account), expiresAt: record.expiresAt, step: pendingStep(record, now, settings) };
  }

  /** Checks the password and opens a session (awaiting the code when the account has a second factor). */
  async function login(username: string, password: string, client: { ip: string; userAgent?: string }): Promise<SignedIn> {
    const name = username.trim().toLowerCase();
    const attempt = await takeAttempt(name, client.ip);
    const account = await findAccountForLogin(db, name);
    // Checked whether or not the account exists and is active: the same scrypt either way.
    const matches = await verifyPassword(password, account?.passwordHash ?? UNMATCHABLE_HASH);
    if (!account || !matches || !account.active) {
      throw new InvalidInputError('用户名或密码不正确', { password: '用户名或密码不正确' });
    }
    await attempt.giveBack();
    return openSession(account, client, account.secondFactor);
  }

  /** The session of a cookie token, when it exists, has not ended and its account is active. */
  async function liveSession(token: string | undefined): Promise<(SessionRecord & { id: string }) | null> {
    if (!token) return null;
    const id = sessionId(token);
    const session = await findSession(db, id);
    if (!session || !session.account.active) return null;
    const now = clock.now();
    if (sessionEnded(session, now, settings)) {
      await deleteSession(db, id);
      return null;
    }
    if (needsTouch(session, now)) await touchSession(db, id, now.toISOString());
    return { ...session, id };
  }

  async function sessionOf(token: string | undefined): Promise<SessionState | null> {
    const session = await liveSession(token);
    if (!session) return null;
    return {
      sessionId: session.id,
      user: staffUserOf(session.account),
      step: pendingStep(session, clock.now(), settings),
      secondFactor: session.account.secondFactor,
    };
  }

  /** The signed-in user for a cookie token, or null when absent, unknown, ended, deactivated or with a step still to do. */
  async function userForSession(token: string | undefined): Promise<StaffUser | null> {
    const state = await sessionOf(token);
    return state && state.step === null ? state.user : null;
  }

  /** A code is used once: a TOTP step only if later than the last one taken, a recovery code only if unused. */
  async function codeAccepted(userId: number, input: string): Promise<boolean> {
    const now = clock.now();
    const totpCode = asTotpCode(input);
    if (totpCode) {
      const factor = await findSecondFactor(db, userId);
      const step = factor ? totpStep(factor.secret, totpCode, now) : null;
      return step !== null && (await takeTotpStep(db, userId, step));
    }
    if (!(await takeRecoveryCode(db, userId, recoveryCodeHash(input), now.toISOString()))) return false;
    const remaining = await countUnusedRecoveryCodes(db, userId);
    await insertAccountEvent(db, {
      at: now.toISOString(),
      actorUserId: null,
      subjectUserId: userId,
      action: 'recovery-code-used',
      detail: { remaining },
    });
    return true;
  }

  /** The code step: the second factor's code (or a recovery code) for a session awaiting it; a new session on success. */
  async function verifyCode(token: string | undefined, code: string, client: { ip: string; userAgent?: string }): Promise<SignedIn> {
    const session = await liveSession(token);
    if (!session?.awaitingCode) throw new UnauthorizedError(CODE_STEP_OVER);
    const attempt = await takeAttempt(session.account.username, client.ip);
    if (!(await codeAccepted(session.account.id, code.trim()))) {
      throw new InvalidInputError('验证码不正确或已使用过，请输入身份验证器应用上当前显示的6位数字', { code: '验证码不正确' });
    }
    await attempt.giveBack();
    await deleteSession(db, session.id);
    return openSession(session.account, client, false);
  }

  async function logout(token: string | undefined): Promise<void> {
    if (token) await deleteSession(db, sessionId(token));
  }

  return { login, verifyCode, sessionOf, userForSession, logout, takeAttempt };
}
