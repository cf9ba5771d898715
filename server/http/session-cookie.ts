// The staff session cookie: HttpOnly (no script can read it), SameSite=Strict (never sent on a
// request another site starts), Secure when the portal is served over HTTPS.
import type { IncomingMessage } from 'node:http';

export const SESSION_COOKIE = 'cc_session';

export function readSessionToken(req: IncomingMessage): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === SESSION_COOKIE) return decodeURIComponent(value.join('='));
  }
  return undefined;
}

export function sessionCookie(token: string, expiresAt: string, secure: boolean): string {
  return [
    `${SESSION_COOKIE}=${encodeURIComponent(token)}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Strict',
    `Expires=${new Date(expiresAt).toUTCString()}`,
    ...(secure ? ['Secure'] : []),
  ].join('; ');
}

export function clearedSessionCookie(secure: boolean): string {
  return [`${SESSION_COOKIE}=`, 'Path=/', 'HttpOnly', 'SameSite=Strict', 'Max-Age=0', ...(secure ? ['Secure'] : [])].join('; ');
}

/**
 * Whether a request comes from a page of this portal. Browsers send Origin on every POST and
 * Sec-Fetch-Site on every request; a request with neither is not from a browser (curl, a
 * script), which cannot carry a victim's cookie, so it is not a cross-site forgery.
 */
export function isSameOrigin(req: IncomingMessage, trustProxy: number): boolean {
  const origin = req.headers.origin;
  if (origin) {
    const forwardedProto =
      trustProxy > 0
        ? String(req.headers['x-forwarded-proto'] ?? '')
            .split(',')[0]
            ?.trim()
        : '';
    const proto = forwardedProto || ('encrypted' in req.socket && req.socket.encrypted ? 'https' : 'http');
    const host =
      (trustProxy > 0 &&
        String(req.headers['x-forwarded-host'] ?? '')
          .split(',')[0]
          ?.trim()) ||
      req.headers.host;
    return origin === `${proto}://${host}`;
  }
  const site = req.headers['sec-fetch-site'];
  return site === undefined || site === 'same-origin' || site === 'none';
}
