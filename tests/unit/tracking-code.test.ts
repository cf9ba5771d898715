import { describe, expect, it } from 'vitest';
import {
  CODE_ALPHABET,
  generateTrackingCode,
  normalizeTrackingCode,
  readTrackingCode,
  trackingCodeProblemText,
} from '../../server/tickets/tracking-code.ts';

describe('tracking codes', () => {
  it('look like AC3-K7M-9X6 and use only unambiguous symbols', () => {
    for (let i = 0; i < 2000; i++) {
      const code = generateTrackingCode();
      expect(code).toMatch(/^[23456789ACFHKMNRWXY]{3}-[23456789ACFHKMNRWXY]{3}-[23456789ACFHKMNRWXY]{3}$/);
      expect(normalizeTrackingCode(code)).toBe(code);
    }
    for (const ambiguous of '01ILOBSZDEGPTVUQ') expect(CODE_ALPHABET).not.toContain(ambiguous);
  });

  it('are not sequential: 10000 codes hardly ever repeat and spread over the alphabet', () => {
    const codes = Array.from({ length: 10000 }, () => generateTrackingCode());
    // 19^8 ≈ 1.7e10 codes: among 10000 a repeat has a chance of about 0.3 % (the intake draws
    // again on a collision); three or more would mean the codes are not random.
    expect(codes.length - new Set(codes).size).toBeLessThanOrEqual(2);
    const firstChars = new Set(codes.map((c) => c[0]));
    expect(firstChars.size).toBe(CODE_ALPHABET.length);
  });

  it('accept what people type: lower case, spaces, no dashes, full-width, look-alikes', () => {
    const code = generateTrackingCode(() => 3); // deterministic body "55555555"
    expect(code.startsWith('555-555-55')).toBe(true);
    expect(normalizeTrackingCode(code.toLowerCase().replaceAll('-', ' '))).toBe(code);
    expect(normalizeTrackingCode(code.replaceAll('-', ''))).toBe(code);
    expect(normalizeTrackingCode(code.replaceAll('5', 'S'))).toBe(code);
    const fullWidth = [...code].map((c) => (c === '-' ? '－' : String.fromCharCode(c.charCodeAt(0) + 0xfee0))).join('');
    expect(normalizeTrackingCode(fullWidth)).toBe(code);
  });

  it('catch every single wrong character and every swap of neighbours', () => {
    for (let n = 0; n < 200; n++) {
      const plain = generateTrackingCode().replaceAll('-', '');
      for (let i = 0; i < plain.length; i++) {
        for (const c of CODE_ALPHABET) {
          if (c === plain[i]) continue;
          expect(normalizeTrackingCode(plain.slice(0, i) + c + plain.slice(i + 1))).toBeNull();
        }
        if (i + 1 < plain.length && plain[i] !== plain[i + 1]) {
          const swapped = plain.slice(0, i) + plain[i + 1] + plain[i] + plain.slice(i + 2);
          expect(normalizeTrackingCode(swapped)).toBeNull();
        }
      }
    }
  });

  it('refuse wrong lengths and foreign characters', () => {
    for (const bad of ['', 'ABC', 'AC3-K7M-9XPA', '临城-123-456', 'AC3-K7M-9X!']) expect(normalizeTrackingCode(bad)).toBeNull();
  });

  it('say what is wrong, once: the length, a symbol no code has, or a miscopied character', () => {
    const problem = (input: string) => {
      const read = readTrackingCode(input);
      return 'problem' in read ? trackingCodeProblemText(read.problem) : null;
    };
    const code = generateTrackingCode();
    expect(readTrackingCode(code.toLowerCase())).toEqual({ code });
    expect(problem('ABC')).toBe('查询码应有9位（不算横线），这里只有3位，可能漏写了');
    expect(problem(`${code}A`)).toBe('查询码应有9位（不算横线），这里有10位，可能多写了');
    expect(problem('AC3-K7M-9X!')).toBe('查询码里没有“!”这样的字符，请再看看这一位');
    expect(problem('AC0-K7M-1X6')).toBe('查询码里没有“0”“1”这样的字符，请再看看这几位');
    // Nine possible symbols whose ninth does not check: neither a length nor a "letters and digits" message.
    const last = code.at(-1)!;
    const wrong = code.slice(0, -1) + CODE_ALPHABET[(CODE_ALPHABET.indexOf(last) + 1) % CODE_ALPHABET.length];
    expect(problem(wrong)).toBe('查询码有误，可能有一位抄错了，或有两位前后颠倒了');
    for (const text of [problem('ABC'), problem(wrong)]) expect(text!.match(/有误|不正确|不对/g)?.length ?? 0).toBeLessThanOrEqual(1);
  });
});
