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
//
// Speed: the phrases and the confusable spellings of the short ones live in one trie of
// character codes, walked from each position of the text; only the few long phrases that allow
// any substitution are compared one by one. A 300-character report takes well under 0.1 ms.

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
}

interface TrieNode {
  children: Map<number, TrieNode> | null;
  /** Phrases spelled exactly by the path to this node. */
  exact: number[] | null;
  /** Phrases this path spells with one confusable substitution, and where (offset in the phrase). */
  fuzzy: Array<{ id: number; offset: number }> | null;
}

interface Hit {
  start: number;
  end: number;
  id: number;
  exact: boolean;
  /** Text position of the substituted character of a fuzzy hit; -1 for an exact hit. */
  at: number;
}

function isHan(code: number): boolean {
  return (code >= 0x4e00 && code <= 0x9fff) || (code >= 0x3400 && code <= 0x4dbf);
}

function allHan(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (!isHan(s.charCodeAt(i))) return false;
  return true;
}

const node = (): TrieNode => ({ children: null, exact: null, fuzzy: null });

function descend(root: TrieNode, s: string): TrieNode {
  let n = root;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    n.children ??= new Map();
    let next = n.children.get(c);
    if (!next) n.children.set(c, (next = node()));
    n = next;
  }
  return n;
}

export function compilePhrases<T>(entries: Iterable<readonly [string, T]>, options: PhraseMatcherOptions): PhraseMatcher<T> {
  const minLength = options.fuzzyMinLength > 0 ? options.fuzzyMinLength : Infinity;
  const anyFrom = Math.max(options.anySubstitutionFrom ?? minLength, minLength);
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

  const phrases: Phrase<T>[] = [];
  const root = node();
  /** Long phrases that allow any substitution, by their first and by their second character. */
  const longByFirst = new Map<number, number[]>();
  const longBySecond = new Map<number, number[]>();
  for (const [text, payload] of entries) {
    if (!text) continue;
    const id = phrases.length;
    phrases.push({ text, payload });
    const end = descend(root, text);
    (end.exact ??= []).push(id);
    if (text.length < minLength || !allHan(text)) continue;
    if (text.length >= anyFrom) {
      const first = text.charCodeAt(0);
      const second = text.charCodeAt(1);
      longByFirst.set(first, [...(longByFirst.get(first) ?? []), id]);
      longBySecond.set(second, [...(longBySecond.get(second) ?? []), id]);
      continue;
    }
    // Short phrases: spell every confusable variant into the trie.
    for (let k = 0; k < text.length; k++) {
      for (const alt of confusable.get(text.charCodeAt(k)) ?? []) {
        const variant = text.slice(0, k) + String.fromCharCode(alt) + text.slice(k + 1);
        const n = descend(root, variant);
        (n.fuzzy ??= []).push({ id, offset: k });
      }
    }
  }

  function match(text: string): PhraseMatch<T>[] {
    const n = text.length;
    const exact: Hit[] = [];
    const fuzzy: Hit[] = [];
    for (let i = 0; i < n; i++) {
      let at: TrieNode | undefined = root;
      for (let j = i; j < n && at; j++) {
        at = at.children?.get(text.charCodeAt(j));
        if (!at) break;
        if (at.exact) for (const id of at.exact) exact.push({ start: i, end: j + 1, id, exact: true, at: -1 });
        if (at.fuzzy) {
          for (const f of at.fuzzy) fuzzy.push({ start: i, end: j + 1, id: f.id, exact: false, at: i + f.offset });
        }
      }
      if (longByFirst.size) {
        const code = text.charCodeAt(i);
        for (const id of longByFirst.get(code) ?? []) {
          const p = phrases[id]!.text;
          if (i + p.length > n) continue;
          let sub = -1;
          for (let k = 1; k < p.length; k++) {
            if (text.charCodeAt(i + k) !== p.charCodeAt(k)) {
              if (sub >= 0) {
                sub = -2;
                break;
              }
              sub = i + k;
            }
          }
          if (sub >= 0 && isHan(text.charCodeAt(sub))) fuzzy.push({ start: i, end: i + p.length, id, exact: false, at: sub });
        }
        if (i + 1 < n && isHan(code)) {
          for (const id of longBySecond.get(text.charCodeAt(i + 1)) ?? []) {
            const p = phrases[id]!.text;
            if (i + p.length > n || p.charCodeAt(0) === code) continue;
            let ok = true;
            for (let k = 2; k < p.length && ok; k++) ok = text.charCodeAt(i + k) === p.charCodeAt(k);
            if (ok) fuzzy.push({ start: i, end: i + p.length, id, exact: false, at: i });
          }
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
      const edgeOfExact = (h: Hit) =>
        (h.at === h.start && spans.has((h.start + 1) * 4096 + h.end)) || (h.at === h.end - 1 && spans.has(h.start * 4096 + h.end - 1));
      hits = exact.concat(fuzzy.filter((h) => covered[h.at] === 0 && !edgeOfExact(h)));
    }
    // Exact before fuzzy, then longest first, then earlier; a hit that overlaps an accepted one
    // is hidden.
    hits.sort((a, b) => Number(b.exact) - Number(a.exact) || b.end - b.start - (a.end - a.start) || a.start - b.start);
    const taken = new Uint8Array(n);
    const best = new Map<number, number>();
    for (const h of hits) {
      let free = true;
      for (let k = h.start; k < h.end && free; k++) free = taken[k] === 0;
      if (!free) continue;
      taken.fill(1, h.start, h.end);
      const factor = h.exact ? 1 : options.fuzzyFactor;
      if ((best.get(h.id) ?? 0) < factor) best.set(h.id, factor);
    }
    const out: PhraseMatch<T>[] = [];
    for (const [id, factor] of best) out.push({ phrase: phrases[id]!.text, payload: phrases[id]!.payload, factor });
    return out;
  }

  return { match };
}
