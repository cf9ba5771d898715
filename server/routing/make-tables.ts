// Regenerates the two machine-made tables of content/routing-keywords.json (a tool for the
// lexicon's editor, not used at run time; needs ICU's `uconv`, Debian package icu-devtools):
//
//   npx node server/routing/make-tables.ts
//
// - `fuzzy.confusables`: homophone groups. Every character of GB 2312 level 1 (the 3755 most
//   common) and every character of the lexicon, grouped by its Mandarin reading without tone
//   (ICU Han-Latin; a few readings set below). Residents typing pinyin or dictating pick a wrong
//   character of the same sound: 小去 for 小区, 将尸车 for 僵尸车, 马路是场 for 马路市场.
// - the single-character `corrections`: traditional → simplified for every traditional
//   character (Big5) whose simplified form occurs in the lexicon (區 → 区, 車 → 车): enough for the
//   router, which only looks for lexicon phrases. Hand-written corrections are kept.
//
// Run it again after adding phrases with new characters.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const FILE = path.resolve(import.meta.dirname, '../../content/routing-keywords.json');
/** Readings ICU gives otherwise, where residents mean the other one (菜市长 for 菜市场). */
const READING: Record<string, string> = { 长: 'chang', 行: 'xing', 还: 'huan', 乐: 'le', 都: 'dou', 重: 'zhong', 地: 'di', 得: 'de' };

const source = readFileSync(FILE, 'utf8');
const lexicon = JSON.parse(source) as {
  boilerplate: string[];
  corrections: Record<string, string>;
  neutral: string[];
  generic: Record<string, number>;
  area: Record<string, Record<string, number>>;
  categories: Record<string, Record<string, Record<string, number> | boolean>>;
};

const isHan = (c: string) => /\p{Script=Han}/u.test(c);
const phrases: string[] = [...lexicon.boilerplate, ...lexicon.neutral, ...Object.keys(lexicon.generic)];
for (const words of Object.values(lexicon.area)) phrases.push(...Object.keys(words));
for (const entry of Object.values(lexicon.categories)) {
  for (const v of Object.values(entry)) if (typeof v === 'object') phrases.push(...Object.keys(v));
}
const handCorrections = Object.entries(lexicon.corrections).filter(([k]) => [...k].length > 1);
for (const [k, v] of handCorrections) phrases.push(k, v);
const lexiconChars = new Set([...phrases.join('')].filter(isHan));

function decodeAll(encoding: string, rows: [number, number], cells: number[]): string[] {
  const decoder = new TextDecoder(encoding, { fatal: true });
  const out: string[] = [];
  for (let hi = rows[0]; hi <= rows[1]; hi++) {
    for (const lo of cells) {
      try {
        const c = decoder.decode(new Uint8Array([hi, lo]));
        if ([...c].length === 1 && isHan(c)) out.push(c);
      } catch {
        // not a character of the encoding
      }
    }
  }
  return out;
}
const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);
const uconv = (transliterator: string, chars: string[]) =>
  execFileSync('uconv', ['-x', transliterator], { input: chars.join('\n') + '\n', encoding: 'utf8' }).split('\n');

// Homophone groups.
const common = decodeAll('gbk', [0xb0, 0xd7], range(0xa1, 0xfe));
const chars = [...new Set([...common, ...lexiconChars])];
const latin = uconv('Han-Latin', chars);
const groups = new Map<string, string[]>();
chars.forEach((c, i) => {
  const reading = (READING[c] ?? latin[i] ?? '')
    .normalize('NFD')
    .replace(/u\u0308/g, 'v')
    .replace(/[\u0300-\u036f]/g, '')
    .trim();
  if (!/^[a-z]+$/.test(reading)) return;
  groups.set(reading, [...(groups.get(reading) ?? []), c]);
});
const confusables = [...groups.entries()]
  .filter(([, g]) => g.length > 1)
  .sort(([a], [b]) => a.localeCompare(b))
  .map(([, g]) => g.join(''));

// Traditional → simplified.
const big5 = decodeAll('big5', [0xa4, 0xf9], [...range(0x40, 0x7e), ...range(0xa1, 0xfe)]);
const simplified = uconv('Hant-Hans', big5);
const traditional: Array<[string, string]> = [];
big5.forEach((t, i) => {
  const s = simplified[i];
  if (s && s !== t && [...s].length === 1 && lexiconChars.has(s)) traditional.push([t, s]);
});

const wrap = (items: string[], indent: string) => {
  const lines: string[] = [];
  let line = '';
  for (const item of items) {
    if (line && line.length + item.length > 100) {
      lines.push(line.trimEnd());
      line = '';
    }
    line += `${item}, `;
  }
  if (line) lines.push(line.replace(/, $/, ''));
  return lines.map((l) => indent + l).join('\n');
};
const q = JSON.stringify;
let out = source.replace(
  /"confusables": \[[^\]]*\]/,
  `"confusables": [\n${wrap(
    confusables.map((g) => q(g)),
    '      ',
  )}\n    ]`,
);
out = out.replace(
  /"corrections": \{[^}]*\}/,
  `"corrections": {\n${wrap(
    [...handCorrections, ...traditional].map(([k, v]) => `${q(k)}: ${q(v)}`),
    '    ',
  )}\n  }`,
);
writeFileSync(FILE, out);
// eslint-disable-next-line no-console -- a developer's command: what it wrote, for whoever ran it
console.log(
  `${confusables.length} homophone groups over ${chars.length} characters; ${traditional.length} traditional characters; ${handCorrections.length} hand corrections kept`,
);
