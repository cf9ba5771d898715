// The hotline (issue 5): what an operator does with a caller on the line — look up the caller's
// history by number, see open tickets that are likely the same problem (call-queries.ts), and
// record the call as a new ticket (through the same submitReport as every channel), a "+1" on an
// existing ticket, a consultation answered, or a referral. Every call is a row in `calls`; a new
// ticket's call row is written in the ticket's own transaction, so the two commit together.
import type { Kysely } from 'kysely';
import { findAccountIdsNamed } from '../auth/account-repository.ts';
import type { StaffUser } from '../auth/roles.ts';
import type { Catalog } from '../catalog/types.ts';
import type { Clock } from '../clock.ts';
import { isUniqueViolation } from '../db/database.ts';
import type { Database } from '../db/schema.ts';
import { InvalidInputError } from '../errors.ts';
import type { ReportIntake } from '../intake/submit-report.ts';
import { normalizeTrackingCode } from '../tickets/tracking-code.ts';
import { raiseReportCount } from '../tickets/supporter-repository.ts';
import { findAttachTarget, findCallId, insertCall, type AttachTarget } from './call-repository.ts';
import { callRecord, checkReferences, mayTakeCalls, parseCall, type CallTaking } from './call-rules.ts';
import { createCallQueries } from './call-queries.ts';
import type { ParsedCall } from './call-schema.ts';
import type { ImportedCallMeta, LoggedCall } from './call-types.ts';

/** An imported call's ticket events name this actor when its operator has no account here. */
const IMPORT_ACTOR = 'hotline-import';

export interface HotlineDeps {
  db: Kysely<Database>;
  catalog: Catalog;
  clock: Clock;
  intake: Pick<ReportIntake, 'submitReport'>;
}

export function createHotline(deps: HotlineDeps) {
  const { db, catalog, clock } = deps;
  const queries = createCallQueries(deps);

  /** Records a call; a retried request with the same idempotencyKey answers with the call already recorded. */
  async function logCall(user: StaffUser, raw: unknown): Promise<LoggedCall> {
    mayTakeCalls(user);
    const call = parseCall(raw);
    const key = call.idempotencyKey;
    const earlier = key ? await callBy({ idempotencyKey: key }) : null;
    if (earlier) return earlier;
    checkReferences(catalog, call);
    const taking: CallTaking = {
      at: clock.now().toISOString(),
      operatorId: user.id,
      operatorName: user.displayName,
      source: 'console',
      externalId: null,
      idempotencyKey: key ?? null,
    };
    try {
      // Apart from imported calls' keys; submitReport keeps it as `hotline:call:…`, out of reach of other channels.
      const id = await record(call, taking, { actorId: String(user.id), ticketKey: key ? `call:${key}` : undefined });
      return id === null ? await winner({ idempotencyKey: key! }) : await queries.describeCall(id);
    } catch (error) {
      // The same request twice at once (a double submit): the first one recorded is the answer.
      if (key && isUniqueViolation(error, 'idempotency_key')) return winner({ idempotencyKey: key });
      throw error;
    }
  }

  /**
   * Records a call from the phone system's records (server/hotline/call-import.ts): the same
   * validation and outcomes as logCall, at the time the call was taken, by the operator named as
   * the phone system knows them (linked to the account whose username or display name it is,
   * when exactly one is). A call whose external id was recorded before is not recorded again:
   * the answer is the earlier call, `duplicate: true` — also when two imports race.
   */
  async function recordImportedCall(raw: unknown, meta: ImportedCallMeta): Promise<LoggedCall & { duplicate: boolean }> {
    const by = { externalId: meta.externalId };
    const earlier = await callBy(by);
    if (earlier) return { ...earlier, duplicate: true };
    const call = parseCall(raw);
    checkReferences(catalog, call);
    const operator = meta.operatorName ? await accountNamed(meta.operatorName) : null;
    const taking: CallTaking = {
      at: meta.at,
      operatorId: operator,
      operatorName: meta.operatorName,
      source: 'import',
      externalId: meta.externalId,
      idempotencyKey: null,
    };
    try {
      const id = await record(call, taking, {
        actorId: operator ? String(operator) : IMPORT_ACTOR,
        ticketKey: `hotline-import:${meta.externalId}`,
      });
      return id === null ? { ...(await winner(by)), duplicate: true } : { ...(await queries.describeCall(id)), duplicate: false };
    } catch (error) {
      if (isUniqueViolation(error, 'external_id')) return { ...(await winner(by)), duplicate: true };
      throw error;
    }
  }

  /**
   * Writes the call and what it becomes: a new ticket (through submitReport, the call row in the
   * ticket's transaction), a "+1" on a ticket, or no ticket. Null when submitReport answered with
   * the ticket an earlier submission of the same key made: that submission wrote its call.
   */
  async function record(
    call: ParsedCall,
    taking: CallTaking,
    ctx: { actorId: string; ticketKey: string | undefined },
  ): Promise<number | null> {
    switch (call.outcome) {
      case 'ticket': {
        let id: number | null = null;
        await deps.intake.submitReport(
          reportOf(call, ctx.ticketKey),
          { channel: 'hotline', actorId: ctx.actorId, callback: call.caller.wantsCallback },
          async (trx, ticketId) => {
            id = await insertCall(trx, callRecord(call, ticketId, 'ticket', taking));
          },
        );
        return id;
      }
      case 'attach': {
        const target = await attachTarget(call.attachTo!);
        // The "+1" is one more report on the ticket (report_count, as a web "me too" is): both commit together.
        return db.transaction().execute(async (trx) => {
          const id = await insertCall(trx, callRecord(call, target.id, 'attached', taking));
          await raiseReportCount(trx, target.id);
          return id;
        });
      }
      case 'answer':
        return insertCall(db, callRecord(call, null, 'answered', taking));
      case 'refer':
        return insertCall(db, callRecord(call, null, 'referred', taking));
    }
  }

  /** The report submitReport takes for a call that becomes a ticket. */
  function reportOf(call: ParsedCall, ticketKey: string | undefined) {
    return {
      description: call.description,
      ...(call.categoryCode && { category: call.categoryCode }),
      ...(call.pointId && { pointId: call.pointId }),
      ...(call.address && { location: { address: call.address } }),
      reporter: { ...(call.caller.name && { name: call.caller.name }), ...(call.caller.phone && { phone: call.caller.phone }) },
      anonymous: call.caller.anonymous,
      ...(ticketKey && { idempotencyKey: ticketKey }),
    };
  }

  /** The ticket a "+1" counts on: the one named, or — when that was merged — the one it was merged into. */
  async function attachTarget(raw: string): Promise<AttachTarget> {
    const code = normalizeTrackingCode(raw);
    const named = code ? await findAttachTarget(db, { trackingCode: code }) : null;
    if (!named) throw new InvalidInputError(`没有找到工单 ${raw}`, { attachTo: '没有找到这个查询码的工单' });
    if (named.status !== 'merged' || named.mergedIntoId === null) return named;
    const into = await findAttachTarget(db, { id: named.mergedIntoId });
    if (!into) throw new Error(`Ticket ${named.trackingCode} was merged into ticket ${named.mergedIntoId}, which does not exist`);
    return into;
  }

  async function callBy(by: Parameters<typeof findCallId>[1]): Promise<LoggedCall | null> {
    const id = await findCallId(db, by);
    return id === null ? null : queries.describeCall(id);
  }

  /** The call the earlier or racing request with the same key recorded. */
  async function winner(by: Parameters<typeof findCallId>[1]): Promise<LoggedCall> {
    const call = await callBy(by);
    // Only a ticket left by a crash before calls were written in their ticket's transaction has none.
    if (!call) throw new Error(`No call recorded for ${JSON.stringify(by)} although its ticket was`);
    return call;
  }

  /** The account an imported call's operator name stands for: its username or display name, when only one has it. */
  async function accountNamed(name: string): Promise<number | null> {
    const ids = await findAccountIdsNamed(db, name, 2);
    return ids.length === 1 ? ids[0]! : null;
  }

  const { history, duplicates, points, recentCalls } = queries;
  return { logCall, recordImportedCall, history, duplicates, points, recentCalls };
}

export type Hotline = ReturnType<typeof createHotline>;
