// Signing in: the password, then (when the account has a second factor) its code or a recovery
// code, each attempt counted by the sign-in throttles; sessions looked up with their idle time,
// absolute lifetime and what they still have to do (account-rules.ts). A session that passed the
// code step is a new session under a new token: the token seen before the code is worth nothing after.
// Every step is recorded in account_events (安全审计): a sign-in, each failure and why, the lockout
// a failure starts when it took the last count of an allowance, a sign-out, a session that ran out.
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/schema.ts';
import { InvalidInputError, TooManyRequestsError, UnauthorizedError } from '../errors.ts';
import type { Throttles } from '../throttle/throttles.ts';
import { waitText } from '../throttle/throttles.ts';
import type { AccountSettings } from './account-env.ts';
import { insertAccountEvent, type AccountAction, type RequestClient } from './account-event-repository.ts';
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

/** Why a sign-in step failed, as recorded. A username that matches no account is never recorded. */
export type SignInFailure = 'unknown-user' | 'wrong-password' | 'account-disabled' | 'wrong-code' | 'wrong-current-password';

/** One counted try of a password or a code (takeAttempt). */
export interface Attempt {
  /** Returns the counts after a success. */
  giveBack(): Promise<unknown>;
  /** The allowances this try took the last count of: if it fails, they lock (sign-in-locked). */
  lastOf: Array<'account' | 'address'>;
}

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
  async function takeAttempt(username: string, client: RequestClient): Promise<Attempt> {
    const taken = [await throttles.take('login-account', username), await throttles.take('login-address', client.ip)];
    const refused = taken.flatMap((t) => (t.allowed ? [] : [t.retryAfterSeconds]));
    const giveBack = () => Promise.all(taken.flatMap((t) => (t.allowed ? [t.release()] : [])));
    if (refused.length > 0) {
      await giveBack();
      throw throttled(Math.max(...refused));
    }
    const lastOf = (['account', 'address'] as const).filter((_, i) => {
      const t = taken[i];
      return t?.allowed === true && t.last;
    });
    return { giveBack, lastOf };
  }

  function record(action: AccountAction, subjectUserId: number | null, detail: Record<string, unknown>, client?: RequestClient) {
    // Done by the person themselves: the actor once they have shown who they are, nobody before.
    const actorUserId = action === 'signed-in' || action === 'signed-out' ? subjectUserId : null;
    return insertAccountEvent(db, { at: clock.now().toISOString(), actorUserId, subjectUserId, action, detail, client });
  }

  /**
   * A failed try, recorded with its reason (on the account when one matched, else on none), and the
   * lockout it starts when it took the last count of the account's or the address's allowance.
   * Tries refused during a lockout are not recorded one by one (they cost the attacker nothing, so
   * they could flood the record); the lockout says when it began and for how long it counts.
   */
  async function failed(attempt: Attempt, subjectUserId: number | null, client: RequestClient, reason: SignInFailure): Promise<void> {
    await record('sign-in-failed', subjectUserId, { reason }, client);
    for (const scope of attempt.lastOf) {
      const limit = throttles.limits[scope === 'account' ? 'login-account' : 'login-address'];
      await record('sign-in-locked', subjectUserId, { scope, failures: limit.count, windowMinutes: limit.windowMs / 60_000 }, client);
    }
  }

  async function openSession(account: AccountRecord, client: RequestClient, awaitingCode: boolean): Promise<SignedIn> {
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
  async function login(username: string, password: string, client: RequestClient): Promise<SignedIn> {
    const name = username.trim().toLowerCase();
    const attempt = await takeAttempt(name, client);
    const account = await findAccountForLogin(db, name);
    // Checked whether or not the account exists and is active: the same scrypt either way.
    const matches = await verifyPassword(password, account?.passwordHash ?? UNMATCHABLE_HASH);
    if (!account || !matches || !account.active) {
      // What was typed is not kept: a username that matches no account may be a password typed in the wrong box.
      await failed(attempt, account?.id ?? null, client, !account ? 'unknown-user' : !matches ? 'wrong-password' : 'account-disabled');
      throw new InvalidInputError('用户名或密码不正确', { password: '用户名或密码不正确' });
    }
    await attempt.giveBack();
    const signedIn = await openSession(account, client, account.secondFactor);
    if (account.secondFactor) await record('sign-in-password-accepted', account.id, { awaiting: 'code' }, client);
    else await record('signed-in', account.id, { factors: ['password'], ...(signedIn.step && { step: signedIn.step }) }, client);
    return signedIn;
  }

  /** The session of a cookie token, when it exists, has not ended and its account is active. */
  async function liveSession(token: string | undefined): Promise<(SessionRecord & { id: string }) | null> {
    if (!token) return null;
    const id = sessionId(token);
    const session = await findSession(db, id);
    if (!session || !session.account.active) return null;
    const now = clock.now();
    const ended = sessionEnded(session, now, settings);
    if (ended) {
      // Recorded by the request that finds it ended (one, when several do at once); sessions never
      // come back to are removed by the worker's housekeeping unrecorded.
      if (await deleteSession(db, id)) await record('session-expired', session.account.id, { reason: ended });
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

  /**
   * A code is used once: a TOTP step only if later than the last one taken, a recovery code only
   * if unused. Which kind was accepted, or null.
   */
  async function codeAccepted(userId: number, input: string): Promise<'totp' | 'recovery-code' | null> {
    const now = clock.now();
    const totpCode = asTotpCode(input);
    if (totpCode) {
      const factor = await findSecondFactor(db, userId);
      const step = factor ? totpStep(factor.secret, totpCode, now) : null;
      return step !== null && (await takeTotpStep(db, userId, step)) ? 'totp' : null;
    }
    if (!(await takeRecoveryCode(db, userId, recoveryCodeHash(input), now.toISOString()))) return null;
    const remaining = await countUnusedRecoveryCodes(db, userId);
    await insertAccountEvent(db, {
      at: now.toISOString(),
      actorUserId: null,
      subjectUserId: userId,
      action: 'recovery-code-used',
      detail: { remaining },
    });
    return 'recovery-code';
  }

  /** The code step: the second factor's code (or a recovery code) for a session awaiting it; a new session on success. */
  async function verifyCode(token: string | undefined, code: string, client: RequestClient): Promise<SignedIn> {
    const session = await liveSession(token);
    if (!session?.awaitingCode) throw new UnauthorizedError(CODE_STEP_OVER);
    const attempt = await takeAttempt(session.account.username, client);
    const accepted = await codeAccepted(session.account.id, code.trim());
    if (!accepted) {
      await failed(attempt, session.account.id, client, 'wrong-code');
      throw new InvalidInputError('验证码不正确或已使用过，请输入身份验证器应用上当前显示的6位数字', { code: '验证码不正确' });
    }
    await attempt.giveBack();
    await deleteSession(db, session.id);
    const signedIn = await openSession(session.account, client, false);
    await record(
      'signed-in',
      session.account.id,
      { factors: ['password', accepted], ...(signedIn.step && { step: signedIn.step }) },
      client,
    );
    return signedIn;
  }

  /** Ends the session on the server (a copied cookie stops working too); recorded when there was one. */
  async function logout(token: string | undefined, client?: RequestClient): Promise<void> {
    if (!token) return;
    const id = sessionId(token);
    const session = await findSession(db, id);
    if ((await deleteSession(db, id)) && session) await record('signed-out', session.account.id, {}, client);
  }

  return { login, verifyCode, sessionOf, userForSession, logout, takeAttempt, failed };
}
