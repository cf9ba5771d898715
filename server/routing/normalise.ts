// Brings a report's text to the form the lexicon is written in: full-width letters and digits to
// half-width (NFKC), lower case, known misspellings corrected ("路登" → "路灯"), and operator or
// courtesy boilerplate ("来电人反映：", "请相关部门处理") replaced by a separator.
// The lists come from content/routing-keywords.json; this file holds no words of its own.

export type Normaliser = (text: string) => string;

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** One pass of alternatives, longest first, so a longer correction wins over a shorter one. */
function alternation(words: Iterable<string>): RegExp | null {
  const list = [...new Set(words)].filter(Boolean).sort((a, b) => b.length - a.length);
  return list.length ? new RegExp(list.map(escape).join('|'), 'g') : null;
}

export function lexiconKey(s: string): string {
  return s.normalize('NFKC').toLowerCase();
}

export function createNormaliser(corrections: Readonly<Record<string, string>>, boilerplate: readonly string[]): Normaliser {
  const fixes = new Map(Object.entries(corrections).map(([wrong, right]) => [lexiconKey(wrong), lexiconKey(right)]));
  const fixPattern = alternation(fixes.keys());
  const boilerplatePattern = alternation(boilerplate.map(lexiconKey));
  return (text) => {
    let s = lexiconKey(text);
    if (fixPattern) s = s.replace(fixPattern, (w) => fixes.get(w) ?? w);
    if (boilerplatePattern) s = s.replace(boilerplatePattern, '，');
    return s;
  };
}
