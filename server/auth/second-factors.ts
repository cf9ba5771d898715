// Enrolling the second factor (a secret shown as a QR code, confirmed by a code from the app, then
// ten recovery codes shown once) and an administrator's reset of someone's second factor, which
// is recorded in account_events.
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/schema.ts';
import { ConflictError, ForbiddenError, InvalidInputError, NotFoundError, UnauthorizedError } from '../errors.ts';
import { insertAccountEvent, type RequestClient } from './account-event-repository.ts';
import { deleteSessionsOf, findAccount } from './account-repository.ts';
import type { SessionStep } from './account-rules.ts';
import type { StaffUser } from './roles.ts';
import { clearSecondFactor, storeSecondFactor } from './second-factor-repository.ts';
import { asTotpCode, enrolmentCode, isSecret, newRecoveryCodes, newSecret, recoveryCodeHash, totpStep } from './second-factor.ts';
import type { SessionState } from './sign-in.ts';

export interface SecondFactorDeps {
  db: Kysely<Database>;
  clock: Clock;
  sessionOf(token: string | undefined): Promise<SessionState | null>;
}

export interface EnrolmentOffer {
  /** Base32, for typing into the app by hand. */
  secret: string;
  uri: string;
  qrSvg: string;
}

export function createSecondFactors({ db, clock, sessionOf }: SecondFactorDeps) {
  /** A signed-in session that may enrol: nothing left to do, or only the enrolment; not enrolled yet. */
  async function enrollingUser(token: string | undefined): Promise<StaffUser> {
    const state = await sessionOf(token);
    if (!state || (state.step !== null && state.step !== 'enrol')) throw new UnauthorizedError('请先登录');
    if (state.secondFactor) throw new ConflictError('您已启用两步验证。如需更换手机，请联系创城办管理员重置后重新启用');
    return state.user;
  }

  /** A new secret to add to the app, or the same one again (`offered`) when the person mistyped the code. */
  async function beginEnrolment(token: string | undefined, offered?: string): Promise<EnrolmentOffer> {
    const user = await enrollingUser(token);
    const secret = offered !== undefined && isSecret(offered) ? offered : newSecret();
    return { secret, ...enrolmentCode(secret, user.username) };
  }

  /** Stores the secret once a code from the app proves it was added; the recovery codes, shown this once. */
  async function confirmEnrolment(
    token: string | undefined,
    secret: string,
    code: string,
    client?: RequestClient,
  ): Promise<{ recoveryCodes: string[]; step: SessionStep | null }> {
    const user = await enrollingUser(token);
    if (!isSecret(secret)) throw new InvalidInputError('密钥不正确，请重新打开启用页面');
    const totpCode = asTotpCode(code);
    const now = clock.now();
    const step = totpCode ? totpStep(secret, totpCode, now) : null;
    if (step === null) {
      throw new InvalidInputError('验证码不正确：请输入身份验证器应用上当前显示的6位数字，并确认手机时间准确', { code: '验证码不正确' });
    }
    const recoveryCodes = newRecoveryCodes();
    const at = now.toISOString();
    await storeSecondFactor(db, user.id, { secret, step, recoveryCodeHashes: recoveryCodes.map(recoveryCodeHash), at });
    await insertAccountEvent(db, {
      at,
      actorUserId: user.id,
      subjectUserId: user.id,
      action: 'second-factor-enrolled',
      detail: {},
      client,
    });
    return { recoveryCodes, step: (await sessionOf(token))?.step ?? null };
  }

  /**
   * An administrator (or, with `actor` null, the server's command line) removes someone's second
   * factor (a lost phone): they are signed out and enrol again.
   */
  async function resetSecondFactor(actor: StaffUser | null, userId: number, client?: RequestClient): Promise<void> {
    if (actor && actor.role !== 'admin') throw new ForbiddenError('只有管理员可以重置两步验证');
    const subject = await findAccount(db, userId);
    if (!subject) throw new NotFoundError('用户不存在');
    const at = clock.now().toISOString();
    await clearSecondFactor(db, userId, at);
    await deleteSessionsOf(db, userId);
    await insertAccountEvent(db, {
      at,
      actorUserId: actor?.id ?? null,
      subjectUserId: userId,
      action: 'second-factor-reset',
      detail: { hadSecondFactor: subject.secondFactor, via: actor ? 'console' : 'command-line' },
      client,
    });
  }

  return { beginEnrolment, confirmEnrolment, resetSecondFactor };
}
