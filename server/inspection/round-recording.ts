// What an inspector records in a round: an item's pass or fail at a point, and a re-check's (复查)
// fixed or not fixed. Both are idempotent per the device's key, so a phone that lost its signal
// before the answer came may send again: the same key answers the same, and two sends racing
// record once. A failed item becomes a ticket through the one submitReport, routed by the point
// (its unit) and the item (its category), its result row committed in the ticket's transaction.
// A re-check changes its ticket through the staff commands — the one way a ticket changes —
// with the re-check's row written in the action's transaction.
import type { Kysely, Transaction } from 'kysely';
import type { StaffUser } from '../auth/roles.ts';
import type { Catalog, ChecklistItem, Point } from '../catalog/types.ts';
import type { Clock } from '../clock.ts';
import { isUniqueViolation } from '../db/database.ts';
import type { Database } from '../db/schema.ts';
import type { WriteBatcher } from '../db/write-batcher.ts';
import { ConflictError, ForbiddenError, InvalidInputError, NotFoundError } from '../errors.ts';
import { attachPhotos } from '../media/photo-repository.ts';
import type { StaffCommands } from '../staff/ticket-commands.ts';
import { STATUS_LABELS } from '../tickets/lifecycle.ts';
import { findRound, listRoundInspectors, listRoundPoints } from './inspection-repository.ts';
import {
  failPassedResult,
  findRecheck,
  findRecheckByKey,
  findResultByKey,
  findResultOfItem,
  insertResult,
  recordRecheckResult,
  type RecheckRecord,
  type ResultRecord,
} from './round-result-repository.ts';
import type { ItemVerdict, RecheckVerdict } from './inspection-types.ts';
import { parsed } from './parse-input.ts';
import { recordItemSchema, recordRecheckSchema, type RecordItemInput, type RecordRecheckInput } from './round-schema.ts';

/**
 * submitReport as the inspection service calls it (ReportIntake['submitReport'] of
 * server/intake/submit-report.ts, handed in by app.ts: the domain does not import the channel).
 */
export type InspectionSubmit = (
  raw: unknown,
  ctx: { channel: 'inspection'; actorId: string; actorKind: 'inspector'; route: { unitCode: string; categoryCode: string } },
  alsoWrite: (trx: Transaction<Database>, ticketId: number, trackingCode: string) => Promise<void>,
) => Promise<{ trackingCode: string }>;

export interface RecordingDeps {
  db: Kysely<Database>;
  writes: WriteBatcher;
  catalog: Catalog;
  clock: Clock;
  submitReport: InspectionSubmit;
  commands: Pick<StaffCommands, 'act'>;
}

export interface ItemRecorded {
  verdict: ItemVerdict;
  trackingCode: string | null;
  recorded: true;
}

export interface RecheckRecorded {
  verdict: RecheckVerdict;
  /** The ticket's status after the re-check. */
  statusLabel: string;
  recorded: true;
}

/** A device's clock may run ahead: an observation more than this in the future is taken as now. */
const FUTURE_SLACK_MS = 5 * 60_000;

/** Thrown inside a write that found another send had recorded first: the write rolls back. */
class LostRace extends Error {}

const lostRace = (error: unknown) =>
  error instanceof LostRace || isUniqueViolation(error, 'idempotency_key') || isUniqueViolation(error, 'item_code');

/** The dispatch back after a reopen writes nothing more: the re-check was recorded with the reopen. */
const recordedWithReopen = async () => {};

export function createRecording(deps: RecordingDeps) {
  const { db, writes, catalog, clock } = deps;

  function observedAt(at: string, now: Date): string {
    const t = new Date(at).getTime();
    return t > now.getTime() + FUTURE_SLACK_MS ? now.toISOString() : new Date(t).toISOString();
  }

  /**
   * Whether the round is still open, once the user is known to be one of its inspectors. Checked
   * after an earlier send's answer is looked up: a result recorded before the office closed the
   * round, whose answer the phone never got, is answered the same when it is sent again.
   */
  async function assignedRound(user: StaffUser, roundId: number): Promise<{ open: boolean }> {
    if (user.role !== 'inspector') throw new ForbiddenError('只有督导员可以登记督导检查结果');
    const round = await findRound(db, roundId);
    if (!round) throw new NotFoundError('没有找到这一轮督导，请刷新任务列表');
    const inspectors = await listRoundInspectors(db, [roundId]);
    if (!inspectors.some((i) => i.id === user.id)) throw new ForbiddenError('您没有被安排参加这一轮督导，不能登记结果');
    return { open: round.status === 'open' };
  }

  function assertOpen(round: { open: boolean }): void {
    if (!round.open) throw new ConflictError('这一轮督导已经结束，不能再登记结果；如有新问题，请联系创城办');
  }

  async function pointOfRound(roundId: number, pointId: string, itemCode: string): Promise<{ point: Point; item: ChecklistItem }> {
    const points = await listRoundPoints(db, [roundId]);
    const point = points.some((p) => p.pointId === pointId) ? catalog.point(pointId) : undefined;
    if (!point) throw new InvalidInputError('这个点位不在本轮督导中，请刷新检查表', { pointId: '这个点位不在本轮督导中' });
    const item = catalog.checklist(point.typeCode).find((i) => i.code === itemCode);
    if (!item) throw new InvalidInputError('这个点位类型没有这项检查标准，请刷新检查表', { itemCode: '没有这项检查标准' });
    return { point, item };
  }

  const itemAnswer = (r: ResultRecord): ItemRecorded => ({ verdict: r.verdict, trackingCode: r.trackingCode, recorded: true });

  /** The answer an earlier send already has, 'upgrade' for a pass now failed, or null when nothing is recorded. */
  async function earlierItem(input: { roundId: number; pointId: string; itemCode: string; verdict: ItemVerdict; idempotencyKey: string }) {
    const byKey = await findResultByKey(db, input.idempotencyKey);
    if (byKey) {
      if (byKey.roundId !== input.roundId || byKey.pointId !== input.pointId || byKey.itemCode !== input.itemCode) {
        throw new ConflictError('这个提交编号已用于另一项检查，请刷新页面后重新登记');
      }
      return itemAnswer(byKey);
    }
    const byItem = await findResultOfItem(db, input.roundId, input.pointId, input.itemCode);
    if (!byItem) return null;
    if (byItem.verdict === input.verdict) return itemAnswer(byItem);
    if (byItem.verdict === 'pass') return { upgrade: byItem.id };
    throw new ConflictError(
      `该项已判定不合格并生成工单 ${byItem.trackingCode ?? ''}，不能改为合格；问题已整改的，请在复查或工单核验时确认。`,
    );
  }

  async function recordItem(user: StaffUser, raw: RecordItemInput): Promise<ItemRecorded> {
    const input = parsed(recordItemSchema, raw, '检查结果填写有误');
    const round = await assignedRound(user, input.roundId);
    const { point, item } = await pointOfRound(input.roundId, input.pointId, input.itemCode);
    if (input.verdict === 'pass' && input.photoIds.length > 0) {
      // Photos of a pass would be attached to nothing; the form offers them only for a fail.
      throw new InvalidInputError('合格项不需要照片，请删除照片后再提交', { photoIds: '合格项不需要照片' });
    }
    for (let attempt = 1; ; attempt++) {
      const earlier = await earlierItem(input);
      if (earlier && 'recorded' in earlier) return earlier;
      assertOpen(round);
      const now = clock.now();
      const row = {
        roundId: input.roundId,
        pointId: point.id,
        itemCode: item.code,
        note: input.note ?? null,
        inspectorId: user.id,
        observedAt: observedAt(input.observedAt, now),
        recordedAt: now.toISOString(),
        idempotencyKey: input.idempotencyKey,
      };
      try {
        if (input.verdict === 'pass') {
          await writes.run((trx) => insertResult(trx, { ...row, verdict: 'pass', ticketId: null }));
          return { verdict: 'pass', trackingCode: null, recorded: true };
        }
        const upgrade = earlier?.upgrade;
        const ticket = await deps.submitReport(
          {
            description: `督导检查发现：${point.name}，${item.standard}——未达标。${input.note ?? ''}`.trim(),
            pointId: point.id,
            location: { address: point.address, ...(point.lat !== null && point.lng !== null && { lat: point.lat, lng: point.lng }) },
            photoIds: input.photoIds,
            idempotencyKey: input.idempotencyKey,
          },
          {
            channel: 'inspection',
            actorId: String(user.id),
            actorKind: 'inspector',
            route: { unitCode: point.unitCode, categoryCode: item.category },
          },
          async (trx, ticketId) => {
            if (upgrade === undefined) await insertResult(trx, { ...row, verdict: 'fail', ticketId });
            else if (!(await failPassedResult(trx, upgrade, { ...row, ticketId }))) throw new LostRace();
          },
        );
        return { verdict: 'fail', trackingCode: ticket.trackingCode, recorded: true };
      } catch (error) {
        // Another send recorded the item first: answer as it stands now.
        if (attempt >= 3 || !lostRace(error)) throw error;
      }
    }
  }

  function recheckAnswer(c: RecheckRecord): RecheckRecorded {
    return { verdict: c.verdict ?? 'fixed', statusLabel: STATUS_LABELS[c.status], recorded: true };
  }

  /** The answer of an earlier send of this re-check, or null when it has no result yet. */
  async function earlierRecheck(input: { roundId: number; ticketId: number; verdict: RecheckVerdict; idempotencyKey: string }) {
    const byKey = await findRecheckByKey(db, input.idempotencyKey);
    if (byKey) {
      if (byKey.roundId !== input.roundId || byKey.ticketId !== input.ticketId) {
        throw new ConflictError('这个提交编号已用于另一项复查，请刷新页面后重新登记');
      }
      return { recheck: byKey, answer: recheckAnswer(byKey) };
    }
    const recheck = await findRecheck(db, input.roundId, input.ticketId);
    if (!recheck) throw new NotFoundError('本轮督导没有安排复查这件工单，请刷新检查表');
    if (recheck.verdict === null) return { recheck, answer: null };
    if (recheck.verdict === input.verdict) return { recheck, answer: recheckAnswer(recheck) };
    throw new ConflictError(
      `这件工单本轮已复查过，结果为“${recheck.verdict === 'fixed' ? '已整改' : '未整改到位'}”，不能更改；如有出入，请联系创城办`,
    );
  }

  async function recordRecheck(user: StaffUser, raw: RecordRecheckInput): Promise<RecheckRecorded> {
    const input = parsed(recordRecheckSchema, raw, '复查结果填写有误');
    const round = await assignedRound(user, input.roundId);
    const { recheck, answer } = await earlierRecheck(input);
    if (answer) return answer;
    assertOpen(round);
    const now = clock.now();
    const note = input.note ?? null;
    const reason = `复查未整改到位：${note ?? ''}`;
    const fixed = input.verdict === 'fixed';
    const sentBack = !fixed && (recheck.status === 'reported' || recheck.status === 'closed');
    const record = async (trx: Transaction<Database>) => {
      const missing = await attachPhotos(trx, recheck.ticketId, input.photoIds, 'recheck', 'report');
      if (missing.length > 0)
        throw new InvalidInputError('有照片已失效或已被使用，请重新拍照上传', { photoIds: '有照片已失效，请重新上传' });
      const done = await recordRecheckResult(trx, {
        roundId: input.roundId,
        ticketId: recheck.ticketId,
        verdict: input.verdict,
        note,
        rework: sentBack,
        inspectorId: user.id,
        observedAt: observedAt(input.observedAt, now),
        recordedAt: now.toISOString(),
        idempotencyKey: input.idempotencyKey,
      });
      if (!done) throw new LostRace();
    };
    const act = (action: 'verify' | 'sendBack' | 'reopen') =>
      deps.commands.act(user, { trackingCode: recheck.trackingCode, act: action === 'verify' ? { action } : { action, reason } }, (trx) =>
        record(trx),
      );
    try {
      if (fixed && recheck.status === 'reported') await act('verify');
      else if (!fixed && recheck.status === 'reported') await act('sendBack');
      else if (!fixed && recheck.status === 'closed') await reopenToUnit(user, recheck, () => act('reopen'));
      else await writes.run(record);
    } catch (error) {
      // Another send recorded it first (or changed the ticket meanwhile): answer with what stands.
      if (!lostRace(error) && !(error instanceof ConflictError)) throw error;
      const settled = await findRecheck(db, input.roundId, input.ticketId);
      if (!settled?.verdict) throw error;
      return (await earlierRecheck(input)).answer ?? recheckAnswer(settled);
    }
    const after = await findRecheck(db, input.roundId, input.ticketId);
    return recheckAnswer(after ?? recheck);
  }

  /** A closed ticket found not fixed: reopened with the reason, then back to the unit that held it, with a new deadline. */
  async function reopenToUnit(user: StaffUser, recheck: RecheckRecord, reopen: () => Promise<unknown>): Promise<void> {
    await reopen();
    if (!recheck.leadUnitCode) return;
    await deps.commands.act(
      user,
      {
        trackingCode: recheck.trackingCode,
        act: { action: 'dispatch', unitCode: recheck.leadUnitCode, remarks: '复查未整改到位，退回重新整改' },
      },
      recordedWithReopen,
    );
  }

  return { recordItem, recordRecheck };
}
