// Brings a report's text to the form the lexicon is written in: full-width letters and digits to
// half-width (NFKC), lower case, known misspellings corrected ("路登" → "路灯"), traditional
// characters simplified (區 → 区: single-character corrections), and operator or courtesy
// boilerplate ("来电人反映：", "请相关部门处理") replaced by a separator.
// The lists come from content/routing-keywords.json; this file holds no words of its own.
//
// Corrections are applied in one pass, leftmost-longest, through a trie (hundreds of entries cost
// next to nothing), after the single-character ones.

export type Normaliser = (text: string) => string;

export function lexiconKey(s: string): string {
  return s.normalize('NFKC').toLowerCase();
}

interface Node {
  next: Map<number, Node>;
  to: string | null;
}

function trie(entries: Iterable<readonly [string, string]>): Node {
  const root: Node = { next: new Map(), to: null };
  for (const [from, to] of entries) {
    if (!from) continue;
    let n = root;
    for (let i = 0; i < from.length; i++) {
      const c = from.charCodeAt(i);
      let child = n.next.get(c);
      if (!child) n.next.set(c, (child = { next: new Map(), to: null }));
      n = child;
    }
    n.to = to;
  }
  return root;
}

/** Replaces, left to right, the longest key found at each position. */
function replaceAll(s: string, root: Node): string {
  if (root.next.size === 0) return s;
  let out = '';
  let copied = 0;
  for (let i = 0; i < s.length;) {
    let n: Node | undefined = root;
    let end = -1;
    let to = '';
    for (let j = i; j < s.length; j++) {
      n = n.next.get(s.charCodeAt(j));
      if (!n) break;
      if (n.to !== null) {
        end = j + 1;
        to = n.to;
      }
    }
    if (end < 0) {
      i++;
      continue;
    }
    out += s.slice(copied, i) + to;
    i = copied = end;
  }
  return copied === 0 ? s : out + s.slice(copied);
}

export function createNormaliser(corrections: Readonly<Record<string, string>>, boilerplate: readonly string[]): Normaliser {
  const single = new Map<number, string>();
  const multi: Array<[string, string]> = [];
  for (const [wrong, right] of Object.entries(corrections)) {
    const from = lexiconKey(wrong);
    const to = lexiconKey(right);
    if (from.length === 1) single.set(from.charCodeAt(0), to);
    else multi.push([from, to]);
  }
  const fixes = trie(multi);
  const drop = trie(boilerplate.map((b) => [lexiconKey(b), '，'] as const));
  return (text) => {
    let s = lexiconKey(text);
    if (single.size) {
      let first = 0;
      while (first < s.length && !single.has(s.charCodeAt(first))) first++;
      if (first < s.length) {
        let t = s.slice(0, first);
        for (let i = first; i < s.length; i++) t += single.get(s.charCodeAt(i)) ?? s[i];
        s = t;
      }
    }
    return replaceAll(replaceAll(s, fixes), drop);
  };
}
