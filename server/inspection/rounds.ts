// Inspection rounds (督导, issue 14 items 2 and 4): the office plans a round — a name, dates, the
// points by type, area or hand-picked, in walking order, the inspectors, and whether it re-checks
// (复查) the problems earlier rounds found at its points — follows it, and closes it. Inspectors
// read their rounds and work them point by point (round-recording.ts). Every method takes the
// signed-in StaffUser first and checks the role here, in the domain.
import type { Kysely } from 'kysely';
import type { StaffUser } from '../auth/roles.ts';
import type { Catalog, Point } from '../catalog/types.ts';
import type { Clock } from '../clock.ts';
import { DAY_MS } from '../china-time.ts';
import type { Database } from '../db/schema.ts';
import type { WriteBatcher } from '../db/write-batcher.ts';
import { ConflictError, ForbiddenError, InvalidInputError, NotFoundError } from '../errors.ts';
import {
  closeRound,
  findActiveInspectors,
  findRecheckCandidates,
  findRound,
  insertRound,
  listOpenTicketsAt,
  listRoundInspectors,
  listRoundPoints,
  listRounds,
  type RoundRecord,
} from './inspection-repository.ts';
import { listRechecks, listResults } from './round-result-repository.ts';
import type { RoundSheet, RoundSummary } from './inspection-types.ts';
import { createRecording, type RecordingDeps } from './round-recording.ts';
import { MAX_ROUND_POINTS, planInputSchema, roundIdSchema, roundListSchema, type PlanInput } from './round-schema.ts';
import { parsed } from './parse-input.ts';
import { roundSheet, roundSummary, type RoundRows } from './round-views.ts';
import { walkingOrder } from './walking-order.ts';

export interface InspectionDeps extends RecordingDeps {
  db: Kysely<Database>;
  writes: WriteBatcher;
  catalog: Catalog;
  clock: Clock;
}

/** Problems closed this recently are re-checked too (复查 of the recently closed). */
const RECHECK_CLOSED_DAYS = 30;

const isOffice = (user: StaffUser) => user.role === 'admin' || user.role === 'dispatcher';

function officeOnly(user: StaffUser, what: string): void {
  if (!isOffice(user)) throw new ForbiddenError(`只有创城办管理员或调度员可以${what}`);
}

export function createInspection(deps: InspectionDeps) {
  const { db, writes, catalog, clock } = deps;

  async function rowsOf(roundIds: number[]): Promise<RoundRows> {
    const [points, inspectors, results, rechecks] = await Promise.all([
      listRoundPoints(db, roundIds),
      listRoundInspectors(db, roundIds),
      listResults(db, roundIds),
      listRechecks(db, roundIds),
    ]);
    return { points, inspectors, results, rechecks };
  }

  async function summaries(rounds: RoundRecord[]): Promise<RoundSummary[]> {
    const rows = await rowsOf(rounds.map((r) => r.id));
    return rounds.map((r) => roundSummary(catalog, r, rows));
  }

  async function summaryOf(roundId: number): Promise<RoundSummary> {
    const round = await findRound(db, roundId);
    if (!round) throw new NotFoundError('没有找到这一轮督导');
    const [summary] = await summaries([round]);
    return summary!;
  }

  /** The points a plan names: the union of its types, areas and hand-picked points, in catalog order. */
  function chosenPoints(input: { typeCodes: string[]; areas: string[]; pointIds: string[] }): Point[] {
    const fields: Record<string, string> = {};
    const unknownTypes = input.typeCodes.filter((c) => !catalog.pointTypes.some((t) => t.code === c));
    if (unknownTypes.length > 0) fields['typeCodes'] = `没有这些点位类型：${unknownTypes.join('、')}，请重新选择`;
    const unknownPoints = input.pointIds.filter((id) => !catalog.point(id));
    if (unknownPoints.length > 0) fields['pointIds'] = `没有这些点位：${unknownPoints.join('、')}，请重新选择`;
    const [first] = Object.values(fields);
    if (first) throw new InvalidInputError(first, fields);
    const types = new Set(input.typeCodes);
    const areas = new Set(input.areas);
    const picked = new Set(input.pointIds);
    const points = catalog.points.filter((p) => types.has(p.typeCode) || areas.has(p.area) || picked.has(p.id));
    if (points.length === 0) {
      const message = '请至少选择一个点位（按类型、区域或逐个勾选）';
      throw new InvalidInputError(message, { pointIds: message });
    }
    if (points.length > MAX_ROUND_POINTS) {
      const message = `一轮督导最多${MAX_ROUND_POINTS}个点位，现在选中了${points.length}个，请缩小范围`;
      throw new InvalidInputError(message, { pointIds: message });
    }
    return points;
  }

  async function chosenInspectors(ids: number[]): Promise<number[]> {
    const unique = [...new Set(ids)];
    const found = new Set((await findActiveInspectors(db, unique)).map((u) => u.id));
    if (unique.some((id) => !found.has(id))) {
      const message = '所选人员中有人不是在用的督导员账号，请重新选择督导员';
      throw new InvalidInputError(message, { inspectorIds: message });
    }
    return unique;
  }

  async function plan(user: StaffUser, raw: PlanInput): Promise<RoundSummary> {
    officeOnly(user, '安排督导检查');
    const input = parsed(planInputSchema, raw, '督导安排填写有误');
    const points = chosenPoints(input);
    const inspectorIds = await chosenInspectors(input.inspectorIds);
    const now = clock.now();
    const pointIds = walkingOrder(points);
    const recheckTicketIds = input.recheck
      ? await findRecheckCandidates(db, pointIds, new Date(now.getTime() - RECHECK_CLOSED_DAYS * DAY_MS).toISOString())
      : [];
    const id = await writes.run((trx) =>
      insertRound(trx, {
        name: input.name,
        startsOn: input.startsOn,
        endsOn: input.endsOn,
        createdBy: user.id,
        at: now.toISOString(),
        pointIds,
        inspectorIds,
        recheckTicketIds,
      }),
    );
    return summaryOf(id);
  }

  async function list(user: StaffUser, raw: { status?: 'open' | 'closed' } = {}): Promise<RoundSummary[]> {
    if (!isOffice(user) && user.role !== 'leader') throw new ForbiddenError('只有创城办和领导可以查看督导检查');
    const input = parsed(roundListSchema, raw, '筛选条件有误');
    return summaries(await listRounds(db, input.status ? { status: input.status } : {}));
  }

  async function mine(user: StaffUser): Promise<RoundSummary[]> {
    if (user.role !== 'inspector') throw new ForbiddenError('只有督导员有自己的督导任务');
    return summaries(await listRounds(db, { status: 'open', inspectorId: user.id }));
  }

  async function sheet(user: StaffUser, roundId: number): Promise<RoundSheet> {
    const { roundId: id } = parsed(roundIdSchema, { roundId }, '请指明是哪一轮督导');
    const round = await findRound(db, id);
    if (!round) throw new NotFoundError('没有找到这一轮督导');
    const rows = await rowsOf([round.id]);
    const readsAll = isOffice(user) || user.role === 'leader';
    if (!readsAll && !(user.role === 'inspector' && rows.inspectors.some((i) => i.id === user.id))) {
      throw new ForbiddenError('您没有被安排参加这一轮督导，不能查看它的检查表');
    }
    const openTickets = await listOpenTicketsAt(
      db,
      rows.points.map((p) => p.pointId),
    );
    return roundSheet(catalog, round, rows, openTickets);
  }

  async function close(user: StaffUser, roundId: number): Promise<RoundSummary> {
    officeOnly(user, '结束督导');
    const { roundId: id } = parsed(roundIdSchema, { roundId }, '请指明是哪一轮督导');
    const round = await findRound(db, id);
    if (!round) throw new NotFoundError('没有找到这一轮督导');
    const closed = await writes.run((trx) => closeRound(trx, id, user.id, clock.now().toISOString()));
    if (!closed) throw new ConflictError('这一轮督导已经结束了');
    return summaryOf(id);
  }

  const recording = createRecording(deps);

  return { plan, list, mine, sheet, close, recordItem: recording.recordItem, recordRecheck: recording.recordRecheck };
}

export type Inspection = ReturnType<typeof createInspection>;
