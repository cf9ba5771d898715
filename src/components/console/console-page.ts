// How a console page starts — never cached, and only for whom it is for — and how the pages of
// the sign-in steps (the code, a forced password change, the second factor's enrolment; the
// account pages double as the last two) answer a form the server refused. One place, so that
// every such page sends a person to the same places with the same statuses.
import type { AstroGlobal } from 'astro';
import type { SessionStep } from '../../../server/auth/account-rules.ts';
import type { Accounts } from '../../../server/auth/accounts.ts';
import { asDomainError, fieldsOf, statusOf } from '../../../server/errors.ts';
import { afterSignIn, checkAccess, loginUrl, safeNext, type Access, type ConsoleArea } from './console-access.ts';

/** A page of the console's areas: its access for the signed-in person (403 when refused). */
export function openConsolePage(astro: AstroGlobal, area: ConsoleArea): Access {
  astro.response.headers.set('Cache-Control', 'no-store');
  const access = checkAccess(astro.locals.user, astro.url, area);
  if (access.kind === 'forbidden') astro.response.status = 403;
  return access;
}

type Session = NonNullable<Awaited<ReturnType<Accounts['sessionOf']>>>;

export type StepPage =
  | { kind: 'redirect'; to: string }
  | {
      kind: 'ok';
      session: Session;
      /** Where the person was going (a console address), carried through the steps. */
      next: string | null;
      /** The page's own address with `next`, for its form. */
      action: string;
    };

/**
 * A page of the sign-in steps at `path`: the session it serves, or where the person goes instead
 * — to sign in when there is no session (`signedOut`, the login page keeping the address by
 * default), to the step their session must take first when `serves` says this page is not for it.
 */
export async function openStepPage(
  astro: AstroGlobal,
  path: string,
  o: { serves: (step: SessionStep | null) => boolean; signedOut?: (next: string | null) => string },
): Promise<StepPage> {
  const { app, request } = astro.locals;
  astro.response.headers.set('Cache-Control', 'no-store');
  const next = safeNext(astro.url.searchParams.get('next'));
  const session = await app.accounts.sessionOf(request.sessionToken);
  if (!session) return { kind: 'redirect', to: o.signedOut ? o.signedOut(next) : loginUrl(astro.url) };
  if (!o.serves(session.step)) return { kind: 'redirect', to: afterSignIn(session.step, session.user, next) };
  return { kind: 'ok', session, next, action: next ? `${path}?next=${encodeURIComponent(next)}` : path };
}

/**
 * What a step's form shows when the server refused it: the message and the fields it names, the
 * response's status set to the error's. `signed-out` when the session ended meanwhile (the page
 * sends the person to sign in); a fault of the server is thrown on.
 */
export function formRefusal(
  astro: AstroGlobal,
  error: unknown,
): { kind: 'signed-out' } | { kind: 'refused'; message: string; fields: Record<string, string> } {
  const { status, kind } = statusOf(error);
  if (kind === 'unauthorized') return { kind: 'signed-out' };
  if (status === 500) throw error;
  astro.response.status = status;
  return { kind: 'refused', message: (error as Error).message, fields: fieldsOf(error) };
}

/** A sign-in refused for too many tries: 429 with Retry-After (the throttle's wait, a minute when unknown). */
export function refuseAsThrottled(astro: AstroGlobal, error: unknown): void {
  const seconds = Number(asDomainError(error)?.retryAfterSeconds);
  astro.response.status = 429;
  astro.response.headers.set('Retry-After', String(Number.isFinite(seconds) && seconds > 0 ? Math.ceil(seconds) : 60));
}
