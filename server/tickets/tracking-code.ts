// Tracking codes residents read over the phone, shown in three groups of three like a phone
// number ("AC3-K7M-9XP"). Symbols: the digits 2–9 and eleven letters whose names do not sound
// or look alike (no 0/O, 1/I/L, B/D/E/G/P/T/V, S/5, Z/2 pairs), 19 symbols in all.
// Eight characters are random (19^8 ≈ 1.7e10, so codes are not guessable in sequence, and the
// tracking page throttles guessing); the ninth is a check character. With a prime-sized alphabet
// the weighted check catches every single mistyped character and every swap of neighbours.
import { randomInt } from 'node:crypto';

export const CODE_ALPHABET = '23456789ACFHKMNRWXY';
const BASE = CODE_ALPHABET.length; // 19, prime
const RANDOM_LENGTH = 8;

function checkChar(body: string): string {
  let sum = 0;
  for (let i = 0; i < body.length; i++) sum += (i + 1) * CODE_ALPHABET.indexOf(body[i]!);
  return CODE_ALPHABET[sum % BASE]!;
}

function format(code: string): string {
  return `${code.slice(0, 3)}-${code.slice(3, 6)}-${code.slice(6)}`;
}

export function generateTrackingCode(random: (max: number) => number = randomInt): string {
  let body = '';
  for (let i = 0; i < RANDOM_LENGTH; i++) body += CODE_ALPHABET[random(BASE)];
  return format(body + checkChar(body));
}

// What people write instead of the real symbol.
const LOOKALIKES: Record<string, string> = { B: '8', S: '5', Z: '2', G: '6', Q: '9', T: '7' };

/**
 * The canonical form ("AC3-K7M-9XP") of what a person typed, or null when it cannot be a valid
 * code. Case, spaces, dashes and full-width characters are tolerated.
 */
export function normalizeTrackingCode(input: string): string | null {
  const plain = input
    .normalize('NFKC')
    .toUpperCase()
    .replace(/[\s\-_—–·.]/g, '');
  if (plain.length !== RANDOM_LENGTH + 1) return null;
  const code = [...plain].map((c) => LOOKALIKES[c] ?? c).join('');
  if ([...code].some((c) => !CODE_ALPHABET.includes(c))) return null;
  if (checkChar(code.slice(0, RANDOM_LENGTH)) !== code[RANDOM_LENGTH]) return null;
  return format(code);
}
