// The rules of staff accounts: what a valid account is (a unit's staff belong to a unit that
// exists, passwords by the policy), how long a session lasts, what a session still has to do
// before it may work, and how its token is kept.
import { createHash, randomBytes } from 'node:crypto';
import type { Catalog } from '../catalog/types.ts';
import { InvalidInputError } from '../errors.ts';
import type { AccountSettings } from './account-env.ts';
import type { AccountRecord, SessionRecord } from './account-repository.ts';
import { passwordProblems } from './password-policy.ts';
import type { Role, StaffUser } from './roles.ts';
import { SECOND_FACTOR_ROLES } from './second-factor.ts';

/** How long the code step after a right password waits for the code. */
export const CODE_STEP_MINUTES = 5;
/** A session's last use is written at most this often: not one write per request. */
const TOUCH_EVERY_MS = 60_000;

/** The unit an account belongs to: required for a unit's staff, none for other roles. */
export function unitOfAccount(catalog: Catalog, role: Role, unitCode: string | null | undefined): string | null {
  if (role !== 'unit') return null;
  if (!unitCode) throw new InvalidInputError('责任单位工作人员必须选择所属单位', { unitCode: '请选择所属单位' });
  if (!catalog.unit(unitCode)) throw new InvalidInputError(`单位“${unitCode}”不存在`, { unitCode: '单位不存在' });
  return unitCode;
}

/** The signed-in person as the services take them: nothing of the account's security state. */
export function staffUserOf(a: AccountRecord): StaffUser {
  return { id: a.id, username: a.username, displayName: a.displayName, role: a.role, unitCode: a.unitCode };
}

/** Throws the policy's problems with a password for this username, in Chinese, all at once. */
export function checkPassword(password: string, username: string): void {
  const problems = passwordProblems(password, username);
  if (problems.length > 0) {
    const message = problems.join('；');
    throw new InvalidInputError(message, { password: message });
  }
}

/** A new session's cookie token and the id it is stored under: the token itself lives only in the HttpOnly cookie. */
export function newSessionToken(): { token: string; id: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, id: sessionId(token) };
}

export function sessionId(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/** The absolute end of a session signed in at `now` (SESSION_MAX_HOURS). */
export function sessionExpiry(now: Date, settings: AccountSettings): string {
  return new Date(now.getTime() + settings.sessionMaxHours * 3600_000).toISOString();
}

/** Why a session has ended: past its absolute lifetime, unused for longer than the idle time, or a code step left waiting. */
export type SessionEnd = 'absolute' | 'idle' | 'code-step';

/** Why the session has ended by `now`; null while it lasts. */
export function sessionEnded(s: SessionRecord, now: Date, settings: AccountSettings): SessionEnd | null {
  const t = now.getTime();
  if (Date.parse(s.expiresAt) <= t) return 'absolute';
  if (s.awaitingCode) return Date.parse(s.createdAt) + CODE_STEP_MINUTES * 60_000 <= t ? 'code-step' : null;
  return Date.parse(s.lastSeenAt) + settings.sessionIdleMinutes * 60_000 <= t ? 'idle' : null;
}

export function needsTouch(s: SessionRecord, now: Date): boolean {
  return now.getTime() - Date.parse(s.lastSeenAt) >= TOUCH_EVERY_MS;
}

/**
 * What a signed-in session must do before it may work: give the second factor's code, change a
 * password an administrator chose (or one past PASSWORD_MAX_AGE_DAYS), or enrol a second factor
 * (REQUIRE_2FA, the office's roles); null when nothing.
 */
export type SessionStep = 'code' | 'password' | 'enrol';

export function pendingStep(s: SessionRecord, now: Date, settings: AccountSettings): SessionStep | null {
  if (s.awaitingCode) return 'code';
  const a = s.account;
  if (a.mustChangePassword) return 'password';
  if (settings.passwordMaxAgeDays !== null && a.passwordChangedAt !== null) {
    if (Date.parse(a.passwordChangedAt) + settings.passwordMaxAgeDays * 86_400_000 <= now.getTime()) return 'password';
  }
  if (settings.requireSecondFactor && SECOND_FACTOR_ROLES.includes(a.role) && !a.secondFactor) return 'enrol';
  return null;
}

/** What the API answers a call made before the step is done. */
export const STEP_REFUSALS: Record<SessionStep, string> = {
  code: '请先输入动态验证码完成登录',
  password: '请先修改密码：您的密码是管理员设置的临时密码或已到期，修改后才能继续操作',
  enrol: '请先启用两步验证（身份验证器应用），启用后才能继续操作',
};
