// The rows the in-place encryption and the key rotation walk (ADR 019): read and written as they
// are stored (no plugin), batch by batch in key order, each batch in one transaction.
import type { Kysely } from 'kysely';

/** Each table's row key: the walk goes in its order. */
export const ROW_KEYS: Readonly<Record<string, string>> = {
  ticket_reporters: 'ticket_id',
  ticket_supporters: 'id',
  calls: 'id',
  phone_lookup_codes: 'id',
  mail_messages: 'id',
  ticket_messages: 'id',
  mail_outbox: 'id',
  sms_outbox: 'id',
  users: 'id',
};

export interface StoredRow {
  key: number;
  values: Record<string, string | null>;
}

/** Up to `limit` rows after `after` in key order: the key and the given columns as stored. */
export async function storedRowsAfter(
  raw: Kysely<any>,
  table: string,
  columns: readonly string[],
  after: number,
  limit: number,
): Promise<StoredRow[]> {
  const key = ROW_KEYS[table]!;
  const rows = await raw
    .selectFrom(table)
    .select([`${key} as key`, ...columns])
    .where(key, '>', after)
    .orderBy(key)
    .limit(limit)
    .execute();
  return rows.map((r: Record<string, string | null>) => ({ key: Number(r['key']), values: r }));
}

/**
 * Writes a row's new values, only if the columns changed still hold what was read (`expected`):
 * a value the portal changed meanwhile (a purge, say) is not written back. True when written.
 */
export async function rewriteStoredRow(
  raw: Kysely<any>,
  table: string,
  key: number,
  expected: Readonly<Record<string, string>>,
  values: Readonly<Record<string, string | null>>,
): Promise<boolean> {
  let query = raw.updateTable(table).set(values).where(ROW_KEYS[table]!, '=', key);
  for (const [column, value] of Object.entries(expected)) query = query.where(column, '=', value);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** How many stored values of `column` are not under `keyId` (clear ones included); with null, how many are clear. */
export async function countValuesNotUnder(raw: Kysely<any>, table: string, column: string, keyId: string | null): Promise<number> {
  // LIKE's _ is any one character: eight of them match every key id.
  const under = keyId ?? '________';
  const row = await raw
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where(column, 'is not', null)
    .where(column, 'not like', `enc1:${under}:%`)
    .where(column, 'not like', `encs1:${under}:%`)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** A LIKE pattern finding a file's key inside a JSON attachment list. */
const inJson = (key: string) => `%${JSON.stringify(key).slice(1, -1)}%`;

/** Does a mail or a reply still name the kept file (the purge may have removed it meanwhile)? */
export async function fileNamedByAMail(raw: Kysely<any>, key: string): Promise<boolean> {
  const like = inJson(key);
  const [mail, reply] = await Promise.all([
    raw
      .selectFrom('mail_messages')
      .select('id')
      .where((eb) => eb.or([eb('raw_path', '=', key), eb('attachments', 'like', like)]))
      .limit(1)
      .executeTakeFirst(),
    raw.selectFrom('ticket_messages').select('id').where('attachments', 'like', like).limit(1).executeTakeFirst(),
  ]);
  return Boolean(mail ?? reply);
}
