// What the browser tests type that is personal or secret — residents' and staff's names, the
// problems they describe, passwords — read from the specs themselves, so that a spec added
// tomorrow is covered without anyone remembering to list its values. tests/e2e/log-audit.spec.ts
// checks that none of it reached the portal's log. Phone numbers and e-mail addresses need no
// list: the audit looks for any unmasked one.
import fs from 'node:fs';
import path from 'node:path';
import { STAFF, STAFF_PASSWORD } from './staff.ts';

const E2E_DIR = path.resolve(import.meta.dirname, '..');

/** A single-quoted literal without escapes; what the specs type is written so. */
const Q = "'([^'\\\\\\n]+)'";

const PATTERNS = {
  names: [
    new RegExp(`getByLabel\\('(?:姓名|联系人)[^']*'\\)\\.fill\\(${Q}\\)`, 'g'),
    new RegExp(`displayName: ${Q}`, 'g'),
    new RegExp(`createStaffAccount\\(\\{[^}]*\\bname: ${Q}`, 'g'),
  ],
  descriptions: [
    new RegExp(`const \\w*(?:REPORT|PROBLEM|DESCRIPTION)\\w* = ${Q}`, 'g'),
    new RegExp(`description: ${Q}`, 'g'),
    new RegExp(`apiReport\\(page, ${Q}\\)`, 'g'),
    new RegExp(`getByLabel\\('问题描述'\\)\\.fill\\(${Q}\\)`, 'g'),
    new RegExp(`#hl-description'\\)\\.fill\\(${Q}\\)`, 'g'),
  ],
  passwords: [
    new RegExp(`\\w*PASSWORD\\w* = ${Q}`, 'g'),
    new RegExp(`password: ${Q}`, 'g'),
    new RegExp(`getByLabel\\([^)]*密码[^)]*\\)\\.fill\\(${Q}\\)`, 'g'),
  ],
};

export interface TypedPersonalData {
  names: string[];
  descriptions: string[];
  /** Passwords of 8 characters or more (a shorter one, refused by the form, is too common a word to look for). */
  passwords: string[];
}

function specSources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return specSources(file);
    return entry.name.endsWith('.ts') && !entry.name.startsWith('log-audit') ? [fs.readFileSync(file, 'utf8')] : [];
  });
}

export function typedPersonalData(): TypedPersonalData {
  const sources = specSources(E2E_DIR);
  const found = (patterns: RegExp[]) => [...new Set(sources.flatMap((s) => patterns.flatMap((p) => [...s.matchAll(p)].map((m) => m[1]!))))];
  return {
    names: [...new Set([...found(PATTERNS.names), ...Object.values(STAFF).map((s) => s.name)])],
    descriptions: found(PATTERNS.descriptions),
    passwords: [...new Set([STAFF_PASSWORD, ...found(PATTERNS.passwords)])].filter((p) => p.length >= 8),
  };
}
