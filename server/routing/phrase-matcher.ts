// Finds the phrases of a lexicon in a report, the way the router needs it:
// - every phrase counts once, however often it occurs;
// - a phrase inside a longer matched phrase does not count ("乱停车" hides "停车", "非机动车"
//   hides "机动车", a neutral "等红灯" hides "红灯"), so the longer phrase says what it means;
// - of two phrases that partly overlap, the longer (or, equally long, the earlier) wins, as in
//   word segmentation: "乱停电动车" is 乱停 + 电动车, not 停电; of two equally long, an exact
//   match wins over a tolerant one;
// - homophones: a phrase of at least `fuzzyMinLength` Han characters also matches, at a reduced
//   weight, where the text has characters of the same sound (the `confusables` groups: one per
//   Mandarin reading) in its place — "小去" for 小区, "将尸车" for 僵尸车, "公义广高" for 公益广告.
//   At least half of the phrase must be spelled exactly (one substitution in two or three
//   characters, two in four or five …);
// - typos: phrases of at least `anySubstitutionFrom` characters also match with any one Han
//   character substituted;
// - a substitution never counts when the substituted character belongs to an exactly matched
//   phrase ("乱堆放" is no typo of "乱停放" when "堆放" is a phrase), nor when it sits at the
//   edge and the rest is an exact phrase ("有机动车" is no typo of "非机动车").
//
// Speed: the phrases live in one trie of character codes and, for the homophones, in one trie of
// sound classes, both walked from each position of the text; only the few long phrases that allow
// any substitution are compared one by one. A 300-character report takes well under 0.1 ms.

export interface PhraseMatch<T> {
  phrase: string;
  payload: T;
  /** 1 for an exact match, the fuzzy factor for a tolerant match. */
  factor: number;
}

export interface PhraseMatcher<T> {
  match(text: string): PhraseMatch<T>[];
}

export interface PhraseMatcherOptions {
  /** Phrases at least this long (all Han) also match with homophones substituted; 0 disables. */
  fuzzyMinLength: number;
  /** From this length on any one Han character may be substituted too. */
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
  /** Phrases spelled by the path to this node (by characters, or by sounds in the sound trie). */
  ids: number[] | null;
}

interface Hit {
  start: number;
  end: number;
  id: number;
  exact: boolean;
  /** Text positions of the substituted characters of a tolerant hit; empty for an exact hit. */
  subs: number[];
}

const HAN_A = 0x3400;
const HAN_END = 0xa000;

function isHan(code: number): boolean {
  return (code >= 0x4e00 && code <= 0x9fff) || (code >= 0x3400 && code <= 0x4dbf);
}

function allHan(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (!isHan(s.charCodeAt(i))) return false;
  return true;
}

const node = (): TrieNode => ({ children: null, ids: null });

function descend(root: TrieNode, s: ArrayLike<number>): TrieNode {
  let n = root;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    n.children ??= new Map();
    let next = n.children.get(c);
    if (!next) n.children.set(c, (next = node()));
    n = next;
  }
  return n;
}

const NONE: number[] = [];

const codes = (s: string): number[] => Array.from({ length: s.length }, (_, i) => s.charCodeAt(i));

/** Most characters a tolerant match of a phrase this long may have substituted by homophones. */
const maxHomophones = (length: number) => (length <= 3 ? 1 : Math.floor(length / 2));

export function compilePhrases<T>(entries: Iterable<readonly [string, T]>, options: PhraseMatcherOptions): PhraseMatcher<T> {
  const minLength = options.fuzzyMinLength > 0 ? options.fuzzyMinLength : Infinity;
  const anyFrom = Math.max(options.anySubstitutionFrom ?? Infinity, minLength);

  // Sound classes: characters of one confusable group share a class; groups that share a
  // character are one class. A character of no group is its own class (its code).
  const sound = new Int32Array(HAN_END - HAN_A);
  for (let c = HAN_A; c < HAN_END; c++) sound[c - HAN_A] = c;
  const find = (c: number): number => {
    let r = c;
    while (sound[r - HAN_A] !== r) r = sound[r - HAN_A]!;
    return r;
  };
  for (const group of options.confusables ?? []) {
    const first = group.charCodeAt(0);
    if (!isHan(first)) continue;
    for (let k = 1; k < group.length; k++) {
      const c = group.charCodeAt(k);
      if (!isHan(c)) continue;
      const a = find(first);
      const b = find(c);
      if (a !== b) sound[b - HAN_A] = a;
    }
  }
  for (let c = HAN_A; c < HAN_END; c++) sound[c - HAN_A] = find(c);
  const soundOf = (code: number) => (code >= HAN_A && code < HAN_END ? sound[code - HAN_A]! : -1);
  const hasSounds = (options.confusables ?? []).length > 0 && Number.isFinite(minLength);

  const phrases: Phrase<T>[] = [];
  const root = node();
  const soundRoot = node();
  /** Long phrases that allow any substitution, by their first and by their second character. */
  const longByFirst = new Map<number, number[]>();
  const longBySecond = new Map<number, number[]>();
  for (const [text, payload] of entries) {
    if (!text) continue;
    const id = phrases.length;
    phrases.push({ text, payload });
    const bySound = hasSounds && text.length >= minLength && allHan(text);
    // A phrase in the sound trie is found there, exactly spelled or not; the character trie holds
    // the others (short ones, with letters or digits).
    if (bySound) (descend(soundRoot, codes(text).map(soundOf)).ids ??= []).push(id);
    else (descend(root, codes(text)).ids ??= []).push(id);
    if (text.length < minLength || !allHan(text)) continue;
    if (text.length >= anyFrom) {
      const first = text.charCodeAt(0);
      const second = text.charCodeAt(1);
      longByFirst.set(first, [...(longByFirst.get(first) ?? []), id]);
      longBySecond.set(second, [...(longBySecond.get(second) ?? []), id]);
    }
  }

  // The first step from the roots, and the long phrases by character, by array index: it is taken
  // at every position of the text.
  const firstStep = (r: TrieNode) => {
    const a = new Array<TrieNode | undefined>(0x10000);
    for (const [c, child] of r.children ?? []) a[c] = child;
    return a;
  };
  const rootStep = firstStep(root);
  const soundStep = firstStep(soundRoot);
  const byCode = (m: Map<number, number[]>) => {
    const a = new Array<number[] | undefined>(0x10000);
    for (const [c, ids] of m) a[c] = ids;
    return a;
  };
  const longFirst = byCode(longByFirst);
  const longSecond = byCode(longBySecond);

  function match(text: string): PhraseMatch<T>[] {
    const n = text.length;
    const exact: Hit[] = [];
    const fuzzy: Hit[] = [];
    const sounds = hasSounds ? new Int32Array(n) : null;
    if (sounds) for (let i = 0; i < n; i++) sounds[i] = soundOf(text.charCodeAt(i));
    for (let i = 0; i < n; i++) {
      let at: TrieNode | undefined = rootStep[text.charCodeAt(i)];
      for (let j = i; j < n && at; j++) {
        if (j > i) at = at.children?.get(text.charCodeAt(j));
        if (!at) break;
        if (at.ids) for (const id of at.ids) exact.push({ start: i, end: j + 1, id, exact: true, subs: NONE });
      }
      if (sounds && sounds[i]! >= 0) {
        let s: TrieNode | undefined = soundStep[sounds[i]!];
        for (let j = i; j < n && s; j++) {
          if (sounds[j]! < 0) break;
          if (j > i) s = s.children?.get(sounds[j]!);
          if (!s) break;
          if (!s.ids) continue;
          for (const id of s.ids) {
            const p = phrases[id]!.text;
            let subs: number[] = NONE;
            for (let k = 0; k < p.length; k++) {
              if (text.charCodeAt(i + k) === p.charCodeAt(k)) continue;
              if (subs === NONE) subs = [];
              subs.push(i + k);
            }
            if (subs === NONE) exact.push({ start: i, end: j + 1, id, exact: true, subs });
            else if (subs.length <= maxHomophones(p.length)) fuzzy.push({ start: i, end: j + 1, id, exact: false, subs });
          }
        }
      }
      if (longByFirst.size) {
        const code = text.charCodeAt(i);
        for (const id of longFirst[code] ?? NONE) {
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
          if (sub >= 0 && isHan(text.charCodeAt(sub))) fuzzy.push({ start: i, end: i + p.length, id, exact: false, subs: [sub] });
        }
        if (i + 1 < n && isHan(code)) {
          for (const id of longSecond[text.charCodeAt(i + 1)] ?? NONE) {
            const p = phrases[id]!.text;
            if (i + p.length > n || p.charCodeAt(0) === code) continue;
            let ok = true;
            for (let k = 2; k < p.length && ok; k++) ok = text.charCodeAt(i + k) === p.charCodeAt(k);
            if (ok) fuzzy.push({ start: i, end: i + p.length, id, exact: false, subs: [i] });
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
        h.subs.length === 1 &&
        ((h.subs[0] === h.start && spans.has((h.start + 1) * 4096 + h.end)) ||
          (h.subs[0] === h.end - 1 && spans.has(h.start * 4096 + h.end - 1)));
      hits = exact.concat(fuzzy.filter((h) => h.subs.every((k) => covered[k] === 0) && !edgeOfExact(h)));
    }
    // Longest first, then exact before tolerant, then earlier; a hit that overlaps an accepted
    // one is hidden ("马路是场" is 马路市场, not 马路).
    hits.sort((a, b) => b.end - b.start - (a.end - a.start) || Number(b.exact) - Number(a.exact) || a.start - b.start);
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
