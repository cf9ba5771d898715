// What the notices' queries, commands and responses share (notices.ts assembles them): their
// dependencies, who may read a notice and who may act on it, and the schemas' parsing into
// domain errors.
import type { Kysely, Transaction } from 'kysely';
import { isOffice, type StaffUser } from '../auth/roles.ts';
import type { Catalog } from '../catalog/types.ts';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/schema.ts';
import { ForbiddenError, InvalidInputError, NotFoundError } from '../errors.ts';
import { fieldErrors } from '../field-errors.ts';
import type { z } from '../validation.ts';
import type { NoticeEvent, NoticeObserver } from './notice-events.ts';
import { findNotice, type NoticeRow } from './notice-repository.ts';

export type Db = Kysely<Database> | Transaction<Database>;

/** Default days between two notices of a unit after which "in a row" starts again (ESCALATION_RESET_DAYS). */
export const ESCALATION_RESET_DAYS = 90;

export interface NoticeDeps {
  db: Kysely<Database>;
  catalog: Catalog;
  clock: Clock;
  photoUrls(id: string): { url: string; thumbUrl: string };
  /** ESCALATION_RESET_DAYS; 90 by default. */
  resetDays?: number;
  /** Told of publications and responses in the change's transaction (notification mail). */
  observers?: readonly NoticeObserver[];
}

export interface UnitName {
  code: string;
  name: string;
  shortName: string;
}

export function parse<S extends z.ZodType>(schema: S, raw: unknown): z.output<S> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const fields = fieldErrors(parsed.error);
    throw new InvalidInputError(Object.values(fields)[0] ?? '提交的内容有误', fields);
  }
  return parsed.data;
}

export function createNoticeContext(deps: NoticeDeps) {
  const { catalog } = deps;

  function unitName(code: string): UnitName {
    const u = catalog.unit(code);
    return { code, name: u?.name ?? code, shortName: u?.shortName ?? code };
  }

  function mayRead(user: StaffUser): void {
    if (user.role === 'operator') throw new ForbiddenError('热线话务员账号不能查看曝光');
    if (user.role === 'unit' && !user.unitCode) throw new ForbiddenError('账号未绑定责任单位，不能查看曝光');
  }

  function officeOnly(user: StaffUser): void {
    if (!isOffice(user)) throw new ForbiddenError(user.role === 'leader' ? '您的账号为只读账号，不能办理曝光' : '曝光由创城办编辑和发布');
  }

  /** The notice if this user may see it; otherwise the same "not found" as an unknown id. */
  async function noticeFor(trx: Db, user: StaffUser, id: number): Promise<NoticeRow> {
    mayRead(user);
    const notice = await findNotice(trx, id);
    const visible = notice && (user.role !== 'unit' || (notice.unitCode === user.unitCode && notice.status !== 'draft'));
    if (!notice || !visible) throw new NotFoundError('没有找到这条曝光');
    return notice;
  }

  async function notify(trx: Transaction<Database>, event: NoticeEvent): Promise<void> {
    for (const observer of deps.observers ?? []) await observer(trx, event);
  }

  return { ...deps, resetDays: deps.resetDays ?? ESCALATION_RESET_DAYS, unitName, mayRead, officeOnly, noticeFor, notify };
}

export type NoticeContext = ReturnType<typeof createNoticeContext>;
