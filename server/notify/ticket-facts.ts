// What a unit mail says about tickets, read in the caller's transaction: code, category, the
// problem, where (address, or the point), the deadline and the office's 交办意见 — never who reported it.
import type { Kysely, Transaction } from 'kysely';
import type { Catalog } from '../catalog/types.ts';
import type { Database } from '../db/schema.ts';
import { ticketFactRows } from './notify-repository.ts';
import type { TicketFacts } from './templates.ts';

export async function ticketFacts(
  db: Kysely<Database> | Transaction<Database>,
  catalog: Catalog,
  ticketIds: readonly number[],
): Promise<TicketFacts[]> {
  if (ticketIds.length === 0) return [];
  const rows = await ticketFactRows(db, ticketIds);
  return rows.map((row) => {
    const point = row.point_id ? catalog.point(row.point_id) : undefined;
    return {
      trackingCode: row.tracking_code,
      categoryName: row.category_code ? (catalog.category(row.category_code)?.name ?? null) : null,
      description: row.description,
      location: row.location_address ?? (point ? `${point.name}（${point.address}）` : null),
      deadlineAt: row.deadline_at,
      remarks: row.dispatch_remarks,
    };
  });
}
