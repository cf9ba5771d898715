// The rules of staff accounts: what a valid account is (a unit's staff belong to a unit that
// exists, passwords strong enough), how long a session lasts, and how its token is kept.
import { createHash, randomBytes } from 'node:crypto';
import type { Catalog } from '../catalog/types.ts';
import { InvalidInputError } from '../errors.ts';
import { passwordProblem } from './password.ts';
import type { Role } from './roles.ts';

export const SESSION_HOURS = 12;

/** The unit an account belongs to: required for a unit's staff, none for other roles. */
export function unitOfAccount(catalog: Catalog, role: Role, unitCode: string | null | undefined): string | null {
  if (role !== 'unit') return null;
  if (!unitCode) throw new InvalidInputError('责任单位工作人员必须选择所属单位', { unitCode: '请选择所属单位' });
  if (!catalog.unit(unitCode)) throw new InvalidInputError(`单位“${unitCode}”不存在`, { unitCode: '单位不存在' });
  return unitCode;
}

export function checkPassword(password: string): void {
  const problem = passwordProblem(password);
  if (problem) throw new InvalidInputError(problem, { password: problem });
}

/** A new session's cookie token and the id it is stored under: the token itself lives only in the HttpOnly cookie. */
export function newSessionToken(): { token: string; id: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, id: sessionId(token) };
}

export function sessionId(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

export function sessionExpiry(now: Date): string {
  return new Date(now.getTime() + SESSION_HOURS * 3600_000).toISOString();
}
