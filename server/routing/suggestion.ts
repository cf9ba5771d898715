// What routing answers about a report: the types the router produces and every channel, the
// report form and the hotline console read. Types only, so the browser bundles may import them.
export interface UnitRef {
  code: string;
  name: string;
}

export interface CategoryRef {
  code: string;
  name: string;
}

export interface RoutingSuggestion {
  category: CategoryRef | null;
  /** The lead unit; null when the report needs triage by the campaign office. */
  unit: UnitRef | null;
  cooperating: UnitRef[];
  /** 0–1. */
  confidence: number;
  needsTriage: boolean;
}
