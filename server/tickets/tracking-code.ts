// Tracking codes residents read over the phone, shown in three groups of three like a phone
// number ("AC3-K7M-9X6"). Symbols: the digits 2–9 and eleven letters whose names do not sound
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

/** Why what a person typed cannot be a tracking code. */
export type TrackingCodeProblem = { kind: 'length'; given: number } | { kind: 'symbols'; symbols: string[] } | { kind: 'check' };

/** The typed code in canonical form ("AC3-K7M-9X6"), or why it cannot be one. */
export function readTrackingCode(input: string): { code: string } | { problem: TrackingCodeProblem } {
  const plain = input
    .normalize('NFKC')
    .toUpperCase()
    .replace(/[\s\-_—–·.]/g, '');
  if (plain.length !== RANDOM_LENGTH + 1) return { problem: { kind: 'length', given: [...plain].length } };
  const code = [...plain].map((c) => LOOKALIKES[c] ?? c).join('');
  const foreign = [...new Set([...code].filter((c) => !CODE_ALPHABET.includes(c)))];
  if (foreign.length > 0) return { problem: { kind: 'symbols', symbols: foreign } };
  if (checkChar(code.slice(0, RANDOM_LENGTH)) !== code[RANDOM_LENGTH]) return { problem: { kind: 'check' } };
  return { code: format(code) };
}

/**
 * The canonical form ("AC3-K7M-9X6") of what a person typed, or null when it cannot be a valid
 * code. Case, spaces, dashes and full-width characters are tolerated.
 */
export function normalizeTrackingCode(input: string): string | null {
  const read = readTrackingCode(input);
  return 'code' in read ? read.code : null;
}

/**
 * What is wrong with a code, said once, in words a resident can act on: a code has nine
 * characters; it never holds 0, 1, I, O …; and when all nine could be right but the ninth does not
 * check, one was miscopied or two neighbours swapped.
 */
export function trackingCodeProblemText(problem: TrackingCodeProblem): string {
  switch (problem.kind) {
    case 'length':
      return problem.given < RANDOM_LENGTH + 1
        ? `查询码应有9位（不算横线），这里只有${problem.given}位，可能漏写了`
        : `查询码应有9位（不算横线），这里有${problem.given}位，可能多写了`;
    case 'symbols': {
      const symbols = problem.symbols.map((c) => `“${c}”`).join('');
      return `查询码里没有${symbols}这样的字符，请再看看${problem.symbols.length > 1 ? '这几位' : '这一位'}`;
    }
    case 'check':
      return '查询码有误，可能有一位抄错了，或有两位前后颠倒了';
  }
}
