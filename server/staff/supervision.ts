// 督办: a county leader marks a ticket with an instruction (批示), which raises it — listed first
// with its badge in the office's queue, the unit's inbox and the verification page, and reported in
// the monthly report — and tells the lead unit by mail. A leader may lift the mark, with a reason.
// Both are events in the ticket's history that do not change its state (actions `supervise` and
// `liftSupervision`, actor kind `leader`).
//
// Who: only accounts with role `leader`. The office's administrators and dispatchers act on
// tickets every day; a 督办 is a leader's word above that, and an administrator who could give it
// would make the badge mean nothing (tests/integration/supervision-mark.test.ts).
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/schema.ts';
import { ConflictError, ForbiddenError, InvalidInputError } from '../errors.ts';
import { fieldErrors } from '../field-errors.ts';
import type { StaffUser } from '../auth/roles.ts';
import { STATUS_LABELS, TERMINAL_STATUSES } from '../tickets/lifecycle.ts';
import { applyEvent, type EventRecord, type TicketRecord } from '../tickets/ticket-repository.ts';
import { z } from '../validation.ts';
import { findSupervision } from './supervision-repository.ts';
import { ticketForUser, type TicketObserver } from './ticket-commands.ts';

export const MAX_INSTRUCTION_CHARS = 500;

const trackingCode = z.string().trim().min(1, { error: '请填写查询码' }).max(40);

export const superviseInputSchema = z.object({
  trackingCode,
  instruction: z
    .string({ error: '请填写督办批示' })
    .trim()
    .min(1, { error: '请填写督办批示：要求责任单位做什么、何时完成' })
    .max(MAX_INSTRUCTION_CHARS, { error: `批示不能超过${MAX_INSTRUCTION_CHARS}个字，请精简` }),
});

export const liftSupervisionInputSchema = z.object({
  trackingCode,
  reason: z
    .string({ error: '请写明解除督办的理由' })
    .trim()
    .min(1, { error: '请写明解除督办的理由' })
    .max(MAX_INSTRUCTION_CHARS, { error: `理由不能超过${MAX_INSTRUCTION_CHARS}个字` }),
});

/** The labels of the two events in a ticket's timeline. */
export const SUPERVISION_ACTION_LABELS: Readonly<Record<string, string>> = {
  supervise: '领导督办',
  liftSupervision: '解除督办',
};

function parsed<S extends z.ZodType>(schema: S, raw: unknown): z.output<S> {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const fields = fieldErrors(result.error);
  throw new InvalidInputError(Object.values(fields)[0] ?? '提交的内容有误', fields);
}

function leaderOnly(user: StaffUser): void {
  if (user.role !== 'leader') throw new ForbiddenError('只有领导账号可以督办工单或解除督办');
}

export function createSupervision(deps: { db: Kysely<Database>; clock: Clock; observers?: TicketObserver[] }) {
  const { db, clock } = deps;
  const observers = deps.observers ?? [];

  /** Marks (or re-marks with a new 批示) an open ticket 督办; the lead unit is told through the observers. */
  async function supervise(user: StaffUser, raw: unknown): Promise<TicketRecord> {
    leaderOnly(user);
    const input = parsed(superviseInputSchema, raw);
    const at = clock.now().toISOString();
    return db.transaction().execute(async (trx) => {
      const ticket = await ticketForUser(trx, user, input.trackingCode);
      if (TERMINAL_STATUSES.includes(ticket.status)) {
        throw new ConflictError(`这件工单现在是“${STATUS_LABELS[ticket.status]}”，不能督办。`);
      }
      const event: Omit<EventRecord, 'seq'> = {
        at,
        actorKind: 'leader',
        actorId: String(user.id),
        action: 'supervise',
        fromStatus: ticket.status,
        toStatus: ticket.status,
        reason: input.instruction,
        data: { instruction: input.instruction },
      };
      await applyEvent(trx, ticket, event, { status: ticket.status, supervision: { at, by: user.id, instruction: input.instruction } });
      for (const observe of observers) await observe(trx, { ticket, event: { ...event, seq: ticket.version }, user });
      return ticket;
    });
  }

  /** Lifts the mark, with the reason; nobody is mailed (the unit keeps working the ticket as before). */
  async function lift(user: StaffUser, raw: unknown): Promise<TicketRecord> {
    leaderOnly(user);
    const input = parsed(liftSupervisionInputSchema, raw);
    const at = clock.now().toISOString();
    return db.transaction().execute(async (trx) => {
      const ticket = await ticketForUser(trx, user, input.trackingCode);
      const mark = await findSupervision(trx, ticket.id);
      if (!mark) throw new ConflictError('这件工单没有在督办中，无需解除。');
      const event: Omit<EventRecord, 'seq'> = {
        at,
        actorKind: 'leader',
        actorId: String(user.id),
        action: 'liftSupervision',
        fromStatus: ticket.status,
        toStatus: ticket.status,
        reason: input.reason,
        data: { instruction: mark.instruction, markedAt: mark.at },
      };
      await applyEvent(trx, ticket, event, { status: ticket.status, supervision: null });
      return ticket;
    });
  }

  return { supervise, lift };
}

export type Supervision = ReturnType<typeof createSupervision>;
