// Removing personal data from free text (the retention purge, purge.ts): a reporter's own name,
// number and address wherever that ticket's texts repeat them (a bounce notice names the
// address, a unit's mail quotes the description, an operator's note names the caller), and — in
// what residents themselves wrote — any mobile number, e-mail address or ID-card number.

/** What replaces removed personal data: the staff reading an old ticket see that something was there. */
export const REDACTED = '〔已清除〕';

/** Personal data of one person as stored: names, phone numbers, e-mail addresses. */
export interface Needles {
  names: Iterable<string | null | undefined>;
  phones: Iterable<string | null | undefined>;
  emails: Iterable<string | null | undefined>;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * One regular expression for the needles, or null when there are none worth matching: names of
 * one character (a surname alone) would wreck ordinary text, numbers of fewer than 5 digits too.
 * A number also matches when written with spaces or dashes between its digits.
 */
export function needlePattern(needles: Needles): RegExp | null {
  const alternatives = new Set<string>();
  for (const raw of needles.emails) {
    const email = raw?.trim();
    if (email && email.length >= 3) alternatives.add(escape(email));
  }
  for (const raw of needles.phones) {
    const digits = raw?.replace(/\D/g, '') ?? '';
    if (digits.length >= 5) alternatives.add(`(?<!\\d)${[...digits].join('[\\s-]?')}(?!\\d)`);
  }
  for (const raw of needles.names) {
    const name = raw?.trim();
    if (name && [...name].length >= 2) alternatives.add(escape(name));
  }
  if (alternatives.size === 0) return null;
  // Longest first, so that "zhangxm@example.com" goes before a name inside it.
  const sorted = [...alternatives].sort((a, b) => b.length - a.length);
  return new RegExp(sorted.join('|'), 'giu');
}

/** E-mail addresses, resident ID-card numbers and mainland mobile numbers (Chinese text may touch them). */
const PERSONAL_PATTERNS = [
  /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/g,
  /(?<![A-Za-z0-9])\d{17}[\dXx](?![A-Za-z0-9])/g,
  /(?<![A-Za-z0-9+])(?:\+?86[\s-]?)?1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}(?![A-Za-z0-9])/g,
];

export interface Redactor {
  /** The text without the needles (and, with `patterns`, without any number or address that looks personal). */
  text(value: string, options?: { patterns?: boolean }): string;
  /** A JSON text with every string value inside redacted; the text as it was when it is no JSON. */
  json(value: string, options?: { patterns?: boolean }): string;
}

export function createRedactor(needles: Needles): Redactor {
  const pattern = needlePattern(needles);
  function text(value: string, options: { patterns?: boolean } = {}): string {
    let out = pattern ? value.replace(pattern, REDACTED) : value;
    if (options.patterns) for (const p of PERSONAL_PATTERNS) out = out.replace(p, REDACTED);
    return out;
  }
  function walk(v: unknown, options: { patterns?: boolean }): unknown {
    if (typeof v === 'string') return text(v, options);
    if (Array.isArray(v)) return v.map((x) => walk(x, options));
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, options)]));
    return v;
  }
  return {
    text,
    json(value, options = {}) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(value);
      } catch {
        return text(value, options);
      }
      const out = JSON.stringify(walk(parsed, options));
      return out === JSON.stringify(parsed) ? value : out;
    },
  };
}
