// Finds the phrases of a lexicon in a report, the way the router needs it:
// - every phrase counts once, however often it occurs;
// - a phrase inside a longer matched phrase does not count ("乱停车" hides "停车", "非机动车"
//   hides "机动车", a neutral "等红灯" hides "红灯"), so the longer phrase says what it means;
// - of two phrases that partly overlap, the longer (or, equally long, the earlier) wins, as in
//   word segmentation: "乱停电动车" is 乱停 + 电动车, not 停电; an exact match always wins over
//   a typo-tolerant one;
// - phrases of at least `fuzzyMinLength` Han characters also match with one character
//   substituted (homophone typos: "创红灯", "斑马先"), at a reduced weight. Shorter phrases
//   (below `anySubstitutionFrom`) only with a character of the same confusable group
//   (创/闯, 先/线…). A substitution never counts when the substituted character belongs to an
//   exactly matched phrase ("乱堆放" is no typo of "乱停放" when "堆放" is a phrase), nor when it
//   sits at the edge and the rest is an exact phrase ("有机动车" is no typo of "非机动车").
// No regular expressions and no allocation per character: a 300-character report takes a few
// microseconds per phrase list scanned at each position.

export interface PhraseMatch<T> {
  phrase: string;
  payload: T;
  /** 1 for an exact match, the fuzzy factor for a one-substitution match. */
  factor: number;
}

export interface PhraseMatcher<T> {
  match(text: string): PhraseMatch<T>[];
}

export interface PhraseMatcherOptions {
  /** Phrases at least this long (all Han) also match with one character substituted; 0 disables. */
  fuzzyMinLength: number;
  /** From this length on any Han character may be substituted; below it only a confusable one. */
  anySubstitutionFrom?: number;
  /** Groups of characters residents confuse when typing (homophones), e.g. "闯创窗". */
  confusables?: readonly string[];
  fuzzyFactor: number;
}

interface Phrase<T> {
  text: string;
  payload: T;
  fuzzy: boolean;
}

interface Hit {
  start: number;
  end: number;
  id: number;
  exact: boolean;
}

function isHan(code: number): boolean {
  return (code >= 0x4e00 && code <= 0x9fff) || (code >= 0x3400 && code <= 0x4dbf);
}

function allHan(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (!isHan(s.charCodeAt(i))) return false;
  return true;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

export function compilePhrases<T>(entries: Iterable<readonly [string, T]>, options: PhraseMatcherOptions): PhraseMatcher<T> {
  const anyFrom = options.anySubstitutionFrom ?? options.fuzzyMinLength;
  const confusable = new Map<number, Set<number>>();
  for (const group of options.confusables ?? []) {
    for (const a of group) {
      for (const b of group) {
        if (a === b) continue;
        const set = confusable.get(a.charCodeAt(0)) ?? new Set<number>();
        set.add(b.charCodeAt(0));
        confusable.set(a.charCodeAt(0), set);
      }
    }
  }
  /** May text character `got` stand for phrase character `want` in a phrase of this length? */
  const substitutes = (got: number, want: number, length: number) =>
    isHan(got) && (length >= anyFrom || confusable.get(want)?.has(got) === true);
  const phrases: Phrase<T>[] = [];
  const byFirst = new Map<string, number[]>();
  const bySecond = new Map<string, number[]>();
  for (const [text, payload] of entries) {
    if (!text) continue;
    const id = phrases.length;
    const fuzzy = options.fuzzyMinLength > 0 && text.length >= options.fuzzyMinLength && allHan(text);
    phrases.push({ text, payload, fuzzy });
    push(byFirst, text[0]!, id);
    if (fuzzy) push(bySecond, text[1]!, id);
  }

  function match(text: string): PhraseMatch<T>[] {
    const n = text.length;
    const exact: Hit[] = [];
    const fuzzy: Array<Hit & { at: number }> = [];
    for (let i = 0; i < n; i++) {
      const first = byFirst.get(text[i]!);
      if (first) {
        for (const id of first) {
          const p = phrases[id]!.text;
          const end = i + p.length;
          if (end > n) continue;
          if (text.startsWith(p, i)) {
            exact.push({ start: i, end, id, exact: true });
          } else if (phrases[id]!.fuzzy) {
            // Same first character: at most one other position may differ.
            let at = -1;
            for (let k = 1; k < p.length; k++) {
              if (text.charCodeAt(i + k) !== p.charCodeAt(k)) {
                if (at >= 0) {
                  at = -2;
                  break;
                }
                at = i + k;
              }
            }
            if (at >= 0 && substitutes(text.charCodeAt(at), p.charCodeAt(at - i), p.length)) {
              fuzzy.push({ start: i, end, id, exact: false, at });
            }
          }
        }
      }
      // A typo in the first character: the rest must match exactly.
      const second = i + 1 < n ? bySecond.get(text[i + 1]!) : undefined;
      if (second) {
        for (const id of second) {
          const p = phrases[id]!.text;
          const end = i + p.length;
          if (end > n || text.charCodeAt(i) === p.charCodeAt(0) || !substitutes(text.charCodeAt(i), p.charCodeAt(0), p.length)) continue;
          let ok = true;
          for (let k = 2; k < p.length && ok; k++) ok = text.charCodeAt(i + k) === p.charCodeAt(k);
          if (ok) fuzzy.push({ start: i, end, id, exact: false, at: i });
        }
      }
    }

    let hits: Hit[] = exact;
    if (fuzzy.length) {
      const covered = new Uint8Array(n);
      const spans = new Set<number>();
      for (const h of exact) {
        if (h.end - h.start >= 2) covered.fill(1, h.start, h.end);
        spans.add(h.start * 4096 + h.end);
      }
      const edgeOfExact = (h: Hit & { at: number }) =>
        (h.at === h.start && spans.has((h.start + 1) * 4096 + h.end)) || (h.at === h.end - 1 && spans.has(h.start * 4096 + h.end - 1));
      hits = exact.concat(fuzzy.filter((h) => covered[h.at] === 0 && !edgeOfExact(h)));
    }
    // Exact before fuzzy, then longest first, then earlier; a hit that overlaps an accepted one
    // is hidden.
    hits.sort((a, b) => Number(b.exact) - Number(a.exact) || b.end - b.start - (a.end - a.start) || a.start - b.start);
    const accepted: Hit[] = [];
    const best = new Map<number, number>();
    for (const h of hits) {
      if (accepted.some((a) => a.start < h.end && h.start < a.end)) continue;
      accepted.push(h);
      const factor = h.exact ? 1 : options.fuzzyFactor;
      if ((best.get(h.id) ?? 0) < factor) best.set(h.id, factor);
    }
    const out: PhraseMatch<T>[] = [];
    for (const [id, factor] of best) out.push({ phrase: phrases[id]!.text, payload: phrases[id]!.payload, factor });
    return out;
  }

  return { match };
}
