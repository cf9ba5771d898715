// What the inspection service (server/inspection/) answers: the types the inspector's phone page
// and the office's console pages read. Types only, so the browser bundles may import them.

/** An item's result as the inspector records it. */
export type ItemVerdict = 'pass' | 'fail';
/** A re-check's (复查) result. */
export type RecheckVerdict = 'fixed' | 'not_fixed';

/** A round in a list: the office's rounds, or an inspector's own. */
export interface RoundSummary {
  id: number;
  name: string;
  /** China dates 'YYYY-MM-DD'. */
  startsOn: string;
  endsOn: string;
  status: 'open' | 'closed';
  pointCount: number;
  /** Points whose every checklist item has a result. */
  pointsDone: number;
  failedItems: number;
  rechecks: number;
  rechecksDone: number;
  inspectors: Array<{ id: number; displayName: string }>;
  bulletinPublishedAt: string | null;
}

/** A problem already open at a point, shown so an inspector does not report it twice. */
export interface OpenProblemAtPoint {
  trackingCode: string;
  categoryName: string | null;
  /** The report's first words. */
  summary: string;
  statusLabel: string;
  createdAt: string;
}

export interface SheetItem {
  code: string;
  standard: string;
  categoryName: string;
  /** Set once the server has the item's result. */
  recorded: { verdict: ItemVerdict; note: string | null; trackingCode: string | null } | null;
}

/** A problem of an earlier round to re-check at this point. */
export interface SheetRecheck {
  ticketId: number;
  trackingCode: string;
  summary: string;
  /** The checklist standard it failed, when it came from a checklist item. */
  standard: string | null;
  statusLabel: string;
  unitName: string | null;
  recorded: { verdict: RecheckVerdict; note: string | null } | null;
}

export interface SheetPoint {
  pointId: string;
  /** Walking order, from 1. */
  position: number;
  name: string;
  typeName: string;
  address: string;
  unitName: string;
  lat: number | null;
  lng: number | null;
  items: SheetItem[];
  rechecks: SheetRecheck[];
  openProblems: OpenProblemAtPoint[];
}

/** Everything an inspector's phone needs to work a round, also offline (ADR 012). */
export interface RoundSheet {
  round: RoundSummary;
  points: SheetPoint[];
}
