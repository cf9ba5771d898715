// One idempotency-key space per channel (issue 11 item 7). submitReport now stores a ticket's key
// as `<channel>:<key>`, so a key sent through the web form can never answer with, or stand in for,
// a mail's or a call's ticket. Keys were stored as each adapter made them: the web form's raw,
// the mailbox's as `mail:<Message-ID or content hash>`, the hotline's as `call:<request key>` or
// `hotline-import:<external id>`. Rewritten to what submitReport looks up now:
//   web      X                    → web:X
//   mail     mail:<id>            → mail:<id>            (unchanged: the adapter passes <id>)
//   hotline  call:K, hotline-import:E → hotline:call:K, hotline:hotline-import:E
//   any other channel  X         → <channel>:X
// A web key that was `mail:<id>` (the attack of the issue) becomes `web:mail:<id>`, and the mail
// with that Message-ID gets its own ticket. The mailbox now hashes a Message-ID shorter than 8
// characters (mail-intake.ts, mailKey), so such keys are rewritten to that hash.
//
// Through a scratch column: rewriting the unique column in place could collide with a row not
// yet rewritten (a web key `X` becoming `web:X` while another web row still holds `web:X`), which
// both SQLite and PostgreSQL check row by row.
import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('tickets').addColumn('channel_idempotency_key', 'text').execute();
  await sql`
    UPDATE tickets SET channel_idempotency_key =
      CASE WHEN channel = 'mail' AND idempotency_key LIKE 'mail:%' THEN idempotency_key
           ELSE channel || ':' || idempotency_key END
    WHERE idempotency_key IS NOT NULL`.execute(db);
  await sql`UPDATE tickets SET idempotency_key = NULL WHERE idempotency_key IS NOT NULL`.execute(db);
  await sql`UPDATE tickets SET idempotency_key = channel_idempotency_key WHERE channel_idempotency_key IS NOT NULL`.execute(db);
  await db.schema.alterTable('tickets').dropColumn('channel_idempotency_key').execute();

  // `mail:<id>` with an <id> of fewer than 8 characters (the key's minimum): `mail:sha256:<hex>`.
  const short = await sql<{ id: number; idempotency_key: string }>`
    SELECT id, idempotency_key FROM tickets
    WHERE channel = 'mail' AND idempotency_key LIKE 'mail:<%' AND length(idempotency_key) < 13`.execute(db);
  for (const row of short.rows) {
    const id = row.idempotency_key.slice('mail:'.length);
    const key = `mail:sha256:${createHash('sha256').update(id).digest('hex')}`;
    await sql`UPDATE tickets SET idempotency_key = ${key} WHERE id = ${row.id}`.execute(db);
  }
}
