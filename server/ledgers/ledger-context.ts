// What every ledger needs: the database, the catalog (names of units, categories, points) and
// the clock ("overdue" is relative to now, DESIGN rule 10).
import type { Kysely } from 'kysely';
import type { Catalog } from '../catalog/types.ts';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/schema.ts';
import { PAGE_SIZE_DEFAULT } from './ledger-filters.ts';
import type { PersuasionKind } from '../patrol/persuasion-kinds.ts';

export interface LedgerDeps {
  db: Kysely<Database>;
  catalog: Catalog;
  clock: Clock;
  /** The kinds of persuasion (劝导) the monthly report names; codes are shown without them. */
  persuasionKinds?: readonly PersuasionKind[];
}

/** One page of a ledger for the screen; `total` counts every row the filter matches. */
export interface LedgerPage<Row> {
  rows: Row[];
  total: number;
  page: number;
  pageSize: number;
}

export function pageOf(filter: { page?: number | undefined; pageSize?: number | undefined }) {
  const page = filter.page ?? 1;
  const pageSize = filter.pageSize ?? PAGE_SIZE_DEFAULT;
  return { page, pageSize, offset: (page - 1) * pageSize, limit: pageSize };
}
