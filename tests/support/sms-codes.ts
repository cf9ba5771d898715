// The one-time lookup codes a number was sent (issue 15, item 5). Read from the sms_outbox rows
// of kind 'lookup-code' — what is queued in the transaction of the request. When the SMS channel
// writes DATA_DIR/sms-out/outbox.jsonl, this is the one place to read that file instead.
import type { Kysely } from 'kysely';
import type { Database } from '../../server/db/schema.ts';
import { lookupHashes } from '../../server/db/personal-data.ts';

export interface SentLookupCode {
  code: string;
  text: string;
  urgent: boolean;
  audience: string;
}

/** Every lookup code queued for the number (digits), oldest first. */
export async function lookupCodesSentTo(db: Kysely<Database>, phone: string): Promise<SentLookupCode[]> {
  const rows = await db
    .selectFrom('sms_outbox')
    .select(['params', 'text', 'urgent', 'audience'])
    .where('kind', '=', 'lookup-code')
    .where('recipient_hash', 'in', lookupHashes(db, 'phone', phone))
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    code: String((JSON.parse(r.params) as { code?: unknown }).code ?? ''),
    text: r.text,
    urgent: Number(r.urgent) === 1,
    audience: r.audience,
  }));
}

/** The latest code queued for the number; fails when none was. */
export async function lastLookupCode(db: Kysely<Database>, phone: string): Promise<string> {
  const code = (await lookupCodesSentTo(db, phone)).at(-1)?.code;
  if (!code) throw new Error(`no lookup code was queued for ${phone}`);
  return code;
}
