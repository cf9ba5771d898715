// Storage of the TOTP second factor: the secret and the last time step accepted on the user's row,
// the recovery codes (hashed) in their own table. Each use of a code or a step is one conditional
// UPDATE, so two requests racing with the same code cannot both succeed.
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';

export interface StoredSecondFactor {
  secret: string;
  /** The last time step accepted, or null when none has been since enrolment. */
  lastStep: number | null;
}

export async function findSecondFactor(db: Kysely<Database>, userId: number): Promise<StoredSecondFactor | null> {
  const row = await db.selectFrom('users').select(['totp_secret', 'totp_last_step']).where('id', '=', userId).executeTakeFirst();
  if (!row?.totp_secret) return null;
  return { secret: row.totp_secret, lastStep: row.totp_last_step === null ? null : Number(row.totp_last_step) };
}

export interface Enrolment {
  secret: string;
  /** The step of the code that confirmed the enrolment (not accepted again). */
  step: number;
  recoveryCodeHashes: string[];
  at: string;
}

/** Stores the secret and replaces the recovery codes. */
export async function storeSecondFactor(db: Kysely<Database>, userId: number, e: Enrolment): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('users')
      .set({ totp_secret: e.secret, totp_last_step: e.step, totp_enrolled_at: e.at, updated_at: e.at })
      .where('id', '=', userId)
      .execute();
    await trx.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
    await trx
      .insertInto('recovery_codes')
      .values(e.recoveryCodeHashes.map((hash) => ({ user_id: userId, code_hash: hash, created_at: e.at, used_at: null })))
      .execute();
  });
}

/** Records `step` as used unless it (or a later one) already was: true when this call took it. */
export async function takeTotpStep(db: Kysely<Database>, userId: number, step: number): Promise<boolean> {
  const result = await db
    .updateTable('users')
    .set({ totp_last_step: step })
    .where('id', '=', userId)
    .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

/** Marks an unused recovery code of the user's as used: true when there was one with this hash. */
export async function takeRecoveryCode(db: Kysely<Database>, userId: number, codeHash: string, at: string): Promise<boolean> {
  const result = await db
    .updateTable('recovery_codes')
    .set({ used_at: at })
    .where('user_id', '=', userId)
    .where('code_hash', '=', codeHash)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

export async function countUnusedRecoveryCodes(db: Kysely<Database>, userId: number): Promise<number> {
  const row = await db
    .selectFrom('recovery_codes')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('user_id', '=', userId)
    .where('used_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Removes the secret and the recovery codes: the user enrols again. */
export async function clearSecondFactor(db: Kysely<Database>, userId: number, at: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('users')
      .set({ totp_secret: null, totp_last_step: null, totp_enrolled_at: null, updated_at: at })
      .where('id', '=', userId)
      .execute();
    await trx.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
  });
}
