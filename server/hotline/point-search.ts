// The operator's point (测评点位) search: which points match what they typed, best first. The
// point decides routing, so the order matters: a point whose name holds the words comes before
// one that is only on that street ("建设路" → 建设路商业街 before 东关农贸市场, whose address is
// 东关街与建设路交叉口). Within names: the name itself, then names that begin with the words, then
// names that hold them; then addresses the same way; then ids. Ties keep the earlier match, then
// the shorter text, then the catalog's order.
import type { Point } from '../catalog/types.ts';

/** How a point matches one word, best (lowest) first. */
const Rank = {
  NameExact: 0,
  NamePrefix: 1,
  NameContains: 2,
  AddressPrefix: 3,
  AddressContains: 4,
  Id: 5,
} as const;
type Rank = (typeof Rank)[keyof typeof Rank];

interface WordMatch {
  rank: Rank;
  /** Where in the text the word begins (an earlier match reads as more of the name). */
  at: number;
  /** Length of the matched text (a shorter name is a closer match). */
  length: number;
}

function matchWord(point: Pick<Point, 'id' | 'name' | 'address'>, word: string): WordMatch | null {
  const inName = point.name.indexOf(word);
  if (inName >= 0) {
    const rank = point.name === word ? Rank.NameExact : inName === 0 ? Rank.NamePrefix : Rank.NameContains;
    return { rank, at: inName, length: point.name.length };
  }
  const inAddress = point.address.indexOf(word);
  if (inAddress >= 0) {
    return { rank: inAddress === 0 ? Rank.AddressPrefix : Rank.AddressContains, at: inAddress, length: point.address.length };
  }
  if (point.id.includes(word.toLowerCase())) return { rank: Rank.Id, at: 0, length: point.id.length };
  return null;
}

/** A point matches when every word is in its name, address or id; it ranks by its weakest word. */
function matchPoint(point: Pick<Point, 'id' | 'name' | 'address'>, words: readonly string[]): WordMatch | null {
  let weakest: WordMatch | null = null;
  for (const word of words) {
    const m = matchWord(point, word);
    if (!m) return null;
    if (!weakest || m.rank > weakest.rank || (m.rank === weakest.rank && m.at > weakest.at)) weakest = m;
  }
  return weakest;
}

/** The points matching `query` (words split by spaces), best first, at most `limit`. */
export function searchPoints<P extends Pick<Point, 'id' | 'name' | 'address'>>(points: readonly P[], query: string, limit: number): P[] {
  const words = query.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [];
  return points
    .map((point, order) => ({ point, order, match: matchPoint(point, words) }))
    .filter((c): c is { point: P; order: number; match: WordMatch } => c.match !== null)
    .sort((a, b) => a.match.rank - b.match.rank || a.match.at - b.match.at || a.match.length - b.match.length || a.order - b.order)
    .slice(0, limit)
    .map((c) => c.point);
}
