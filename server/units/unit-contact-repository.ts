// Storage of the notification mailboxes the office set for units (unit_contacts), which replace
// content/units.json's. Plain objects out (DESIGN rule 4); the lists are JSON text in the row.
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** The mailboxes the office set for the unit; null when content/units.json's apply. */
export async function findUnitEmails(db: Db, unitCode: string): Promise<string[] | null> {
  const row = await db.selectFrom('unit_contacts').select('emails').where('unit_code', '=', unitCode).executeTakeFirst();
  return row ? (JSON.parse(row.emails) as string[]) : null;
}

/** Every unit's mailboxes the office set, by unit code. */
export async function selectUnitEmails(db: Db): Promise<Map<string, string[]>> {
  const rows = await db.selectFrom('unit_contacts').select(['unit_code', 'emails']).execute();
  return new Map(rows.map((r) => [r.unit_code, JSON.parse(r.emails) as string[]]));
}

export async function saveUnitEmails(db: Db, unitCode: string, set: { emails: readonly string[]; at: string; by: number }): Promise<void> {
  const row = { emails: JSON.stringify(set.emails), updated_at: set.at, updated_by: set.by };
  await db
    .insertInto('unit_contacts')
    .values({ unit_code: unitCode, ...row })
    .onConflict((oc) => oc.column('unit_code').doUpdateSet(row))
    .execute();
}

/** Back to content/units.json's mailboxes. */
export async function deleteUnitEmails(db: Db, unitCode: string): Promise<void> {
  await db.deleteFrom('unit_contacts').where('unit_code', '=', unitCode).execute();
}

/** The duty phones (值班手机) the office set for the unit; [] when none. */
export async function findUnitDutyPhones(db: Db, unitCode: string): Promise<string[]> {
  const row = await db.selectFrom('unit_duty_phones').select('phones').where('unit_code', '=', unitCode).executeTakeFirst();
  return row ? (JSON.parse(row.phones) as string[]) : [];
}

/** Every unit's duty phones, by unit code. */
export async function selectUnitDutyPhones(db: Db): Promise<Map<string, string[]>> {
  const rows = await db.selectFrom('unit_duty_phones').select(['unit_code', 'phones']).execute();
  return new Map(rows.map((r) => [r.unit_code, JSON.parse(r.phones) as string[]]));
}

/** Sets the unit's duty phones; an empty list removes them. */
export async function saveUnitDutyPhones(
  db: Db,
  unitCode: string,
  set: { phones: readonly string[]; at: string; by: number },
): Promise<void> {
  if (set.phones.length === 0) {
    await db.deleteFrom('unit_duty_phones').where('unit_code', '=', unitCode).execute();
    return;
  }
  const row = { phones: JSON.stringify(set.phones), updated_at: set.at, updated_by: set.by };
  await db
    .insertInto('unit_duty_phones')
    .values({ unit_code: unitCode, ...row })
    .onConflict((oc) => oc.column('unit_code').doUpdateSet(row))
    .execute();
}
