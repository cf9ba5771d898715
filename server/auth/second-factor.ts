// The rules of the second factor (issue 18 item 5): TOTP codes by RFC 6238 (SHA-1, 6 digits, 30 s —
// what every authenticator app reads from a QR code) through `otpauth`, the QR code drawn as SVG
// here (uqr), so the secret never leaves our origin, and one-time recovery codes kept as SHA-256.
import { createHash, randomInt } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import { renderSVG } from 'uqr';
import type { Role } from './roles.ts';

/** The roles that must enrol a second factor when REQUIRE_2FA is on: the office (admin, dispatcher). */
export const SECOND_FACTOR_ROLES: readonly Role[] = ['admin', 'dispatcher'];

const ISSUER = '文明创城平台';
const PERIOD_SECONDS = 30;
/** Codes one step before or after now are accepted too: a phone's clock a little off still works. */
const WINDOW = 1;
export const RECOVERY_CODE_COUNT = 10;
// No 0/o, 1/l/i: a code copied by hand from paper is read right.
const RECOVERY_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
const RECOVERY_GROUPS = 3;
const RECOVERY_GROUP_LENGTH = 4;

export function newSecret(): string {
  return new Secret({ size: 20 }).base32;
}

/** Whether a string is a secret newSecret could have made (base32, 160 bits). */
export function isSecret(value: string): boolean {
  return /^[A-Z2-7]{32}$/.test(value);
}

function totp(secret: string, username: string): TOTP {
  return new TOTP({
    issuer: ISSUER,
    label: username,
    algorithm: 'SHA1',
    digits: 6,
    period: PERIOD_SECONDS,
    secret: Secret.fromBase32(secret),
  });
}

/** The otpauth:// address an authenticator app adds, and the same as a QR code in SVG. */
export function enrolmentCode(secret: string, username: string): { uri: string; qrSvg: string } {
  const uri = totp(secret, username).toString();
  return { uri, qrSvg: renderSVG(uri, { ecc: 'M', border: 2 }) };
}

/** The time step of a code valid at `now` (within one step either side), or null when it is not. */
export function totpStep(secret: string, code: string, now: Date): number | null {
  const delta = totp(secret, '').validate({ token: code, timestamp: now.getTime(), window: WINDOW });
  if (delta === null) return null;
  return Math.floor(now.getTime() / 1000 / PERIOD_SECONDS) + delta;
}

/** Six digits (spaces allowed, as apps show "123 456"): a TOTP code rather than a recovery code. */
export function asTotpCode(input: string): string | null {
  const digits = input.replace(/\s/g, '');
  return /^\d{6}$/.test(digits) ? digits : null;
}

export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () =>
    Array.from({ length: RECOVERY_GROUPS }, () =>
      Array.from({ length: RECOVERY_GROUP_LENGTH }, () => RECOVERY_ALPHABET[randomInt(RECOVERY_ALPHABET.length)]).join(''),
    ).join('-'),
  );
}

/** The stored form of a recovery code as typed: case, spaces and dashes do not matter. */
export function recoveryCodeHash(input: string): string {
  const normalised = input.toLowerCase().replace(/[\s-]/g, '');
  return createHash('sha256').update(normalised).digest('hex');
}
