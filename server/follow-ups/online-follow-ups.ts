// "Fixed?" online (网上回访, issue 15 item 3): on a closed ticket the tracking page asks the
// reporter whether the problem is solved (解决了 / 没有解决) and how satisfied they are (满意 /
// 基本满意 / 不满意), with an optional comment. The answer is a follow-up like an operator's call
// (channel 'online') and counts in the same rates; "not fixed" or 不满意 reopens the ticket for the
// office exactly as the call does (reopenIfUnhappy), as the system on the reporter's behalf.
//
// Proof of being the reporter — the tracking code alone is not: it may be on a screenshot anyone
// has seen. Either the last four digits of the phone number given when reporting (guesses throttled
// per ticket and per client address; a right answer gives its count back), or the one-time link in
// the closing e-mail (a random token, stored as its SHA-256, good for that closure only) — e-mail-only
// reporters have no phone. One answer per closure, changeable for ONLINE_CHANGE_DAYS after the first,
// then shown read-only. A reporter who left neither phone nor e-mail is told to call the hotline.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/schema.ts';
import { ConflictError, InvalidInputError, NotFoundError, TooManyRequestsError } from '../errors.ts';
import { fieldErrors } from '../field-errors.ts';
import type { StaffCommands } from '../staff/ticket-commands.ts';
import { waitText, type Throttles } from '../throttle/throttles.ts';
import type { OnlineFollowUpState } from '../tickets/track-result.ts';
import { findTicketByCode, type TicketRecord } from '../tickets/ticket-repository.ts';
import { normalizeTrackingCode } from '../tickets/tracking-code.ts';
import {
  changeOnlineAnswer,
  completeWithOnlineAnswer,
  findFollowUpLink,
  findFollowUpOfClosure,
  findReporterProof,
  insertFollowUpLink,
  insertOnlineAnswer,
  type ClosureFollowUp,
  type OnlineAnswer,
} from './online-follow-up-repository.ts';
import { ONLINE_CHANGE_DAYS, onlineAnswerSchema } from './follow-up-schema.ts';
import { reopenIfUnhappy } from './follow-ups.ts';
import { log } from '../observability/log.ts';

const CHANGE_MS = ONLINE_CHANGE_DAYS * 86_400_000;

export interface OnlineAnswerResult {
  trackingCode: string;
  /** True when an earlier answer was changed. */
  changed: boolean;
  reopened: boolean;
}

function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

function sameDigits(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * A new one-time link's key for a closure, in the closing transaction (the closing e-mail carries
 * it); only its hash is stored.
 */
export async function issueAnswerKey(trx: Transaction<Database>, ticketId: number, closedAt: string): Promise<string> {
  const token = randomBytes(18).toString('base64url');
  await insertFollowUpLink(trx, { tokenHash: hashToken(token), ticketId, closedAt, createdAt: closedAt });
  return token;
}

export function createOnlineFollowUps(deps: {
  db: Kysely<Database>;
  clock: Clock;
  throttles: Throttles;
  commands: Pick<StaffCommands, 'actAsSystem'>;
}) {
  const { db, clock, throttles } = deps;

  function changeableUntil(f: ClosureFollowUp): string | null {
    return f.completedAt ? new Date(new Date(f.completedAt).getTime() + CHANGE_MS).toISOString() : null;
  }

  /** What the tracking page shows of the "fixed?" question for a ticket (no personal data). */
  async function stateOf(ticket: Pick<TicketRecord, 'id' | 'status' | 'closedAt'>): Promise<OnlineFollowUpState | null> {
    if (ticket.status !== 'closed' || !ticket.closedAt) return null;
    const followUp = await findFollowUpOfClosure(db, ticket.id, ticket.closedAt);
    if (followUp?.status === 'done') {
      if (followUp.channel === 'phone') return { kind: 'by-phone' };
      const until = changeableUntil(followUp);
      const open = until !== null && clock.now().getTime() < new Date(until).getTime();
      return {
        kind: 'answered',
        fixed: followUp.fixed === true,
        satisfaction: followUp.satisfaction ?? 'fair',
        answeredAt: followUp.answerChangedAt ?? followUp.completedAt ?? ticket.closedAt,
        changeableUntil: open ? until : null,
        byPhoneDigits: await hasPhone(ticket.id),
      };
    }
    const proof = await findReporterProof(db, ticket.id);
    if (!proof?.phone && !proof?.hasEmail) return { kind: 'no-contact' };
    return { kind: 'open', byPhoneDigits: Boolean(proof.phone) };
  }

  async function hasPhone(ticketId: number): Promise<boolean> {
    return Boolean((await findReporterProof(db, ticketId))?.phone);
  }

  function refused(seconds: number): TooManyRequestsError {
    return new TooManyRequestsError(
      `手机号码后四位输错的次数太多，为了防止别人冒充您，请${waitText(seconds)}后再试，或拨打创城热线回答回访。`,
      seconds,
    );
  }

  /** Checks the proof; throws a Chinese message saying what to do when it does not hold. */
  async function prove(
    ticket: TicketRecord,
    closedAt: string,
    input: { phoneLast4?: string | undefined; key?: string | undefined },
    client: string,
  ) {
    if (input.key) {
      const link = await findFollowUpLink(db, hashToken(input.key));
      if (link && link.ticketId === ticket.id && link.closedAt === closedAt) return;
      if (!input.phoneLast4) {
        const address = await throttles.take('answer-address', client);
        if (!address.allowed) throw refused(address.retryAfterSeconds);
        const message = '这个回访链接已经失效（问题重新办理过，或链接不完整）。请在下面填写手机号码后四位回答，或拨打创城热线。';
        throw new InvalidInputError(message, { key: message });
      }
    }
    const proof = await findReporterProof(db, ticket.id);
    if (!proof?.phone) {
      const message = proof?.hasEmail
        ? '您反映问题时没有留手机号码，请点击办结邮件中的链接回答回访，或拨打创城热线。'
        : '网上回访需要反映问题时留下的手机号码。您当时没有留号码，请拨打创城热线回答回访。';
      throw new InvalidInputError(message, { phoneLast4: message });
    }
    const [perTicket, perAddress] = [
      await throttles.take('answer-ticket', ticket.trackingCode),
      await throttles.take('answer-address', client),
    ];
    const blocked = [perTicket, perAddress].filter((t) => !t.allowed);
    if (blocked.length > 0) {
      for (const t of [perTicket, perAddress]) if (t.allowed) await t.release();
      throw refused(Math.max(...blocked.map((t) => (t.allowed ? 0 : t.retryAfterSeconds))));
    }
    if (!sameDigits(proof.phone.slice(-4), input.phoneLast4 ?? '')) {
      const message = '手机号码后四位不对。请填写您反映问题时留的那个手机号码的最后四位数字。';
      throw new InvalidInputError(message, { phoneLast4: message });
    }
    for (const t of [perTicket, perAddress]) if (t.allowed) await t.release();
  }

  /** The reporter's answer (or its change within the 7 days); reopens the ticket when not fixed or 不满意. */
  async function answer(raw: unknown, client: string): Promise<OnlineAnswerResult> {
    const parsed = onlineAnswerSchema.safeParse(raw);
    if (!parsed.success) {
      const fields = fieldErrors(parsed.error);
      throw new InvalidInputError(Object.values(fields)[0] ?? '回访内容有误', fields);
    }
    const input = parsed.data;
    const code = normalizeTrackingCode(input.trackingCode);
    const ticket = code ? await findTicketByCode(db, code) : null;
    if (!ticket) throw new NotFoundError(`没有找到查询码为 ${input.trackingCode} 的问题，请核对后重新输入`);
    if (ticket.status !== 'closed' || !ticket.closedAt) {
      throw new ConflictError('这件问题现在不是“已办结”状态，不需要回访。办结后可以在本页回答问题解决了没有。');
    }
    const closedAt = ticket.closedAt;
    await prove(ticket, closedAt, input, client);

    const now = clock.now().toISOString();
    const given: OnlineAnswer = { fixed: input.fixed, satisfaction: input.satisfaction, comment: input.comment ?? null };
    let followUp = await findFollowUpOfClosure(db, ticket.id, closedAt);
    let changed = false;
    if (!followUp) {
      const inserted = await insertOnlineAnswer(db, { ...given, ticketId: ticket.id, closedAt, unitCode: ticket.leadUnitCode, at: now });
      followUp = await findFollowUpOfClosure(db, ticket.id, closedAt);
      if (!inserted || !followUp) throw new ConflictError('您的回答刚刚已经登记过，请刷新页面查看。');
    } else if (followUp.status === 'pending') {
      if (!(await completeWithOnlineAnswer(db, followUp.id, { ...given, at: now }))) {
        throw new ConflictError('热线工作人员刚刚已经电话回访过这件问题，请刷新页面查看。');
      }
    } else if (followUp.channel === 'phone') {
      throw new ConflictError('热线工作人员已经电话回访过这件问题，不能再在网上回答。如有意见，请拨打创城热线。');
    } else {
      const until = changeableUntil(followUp);
      if (!until || new Date(now).getTime() >= new Date(until).getTime()) {
        throw new ConflictError(
          `回答后${ONLINE_CHANGE_DAYS}天内可以修改，现在已经超过${ONLINE_CHANGE_DAYS}天，不能再修改。如问题又出现了，请重新反映。`,
        );
      }
      await changeOnlineAnswer(db, followUp.id, { ...given, at: now });
      changed = true;
    }
    const reopening = await reopenIfUnhappy(db, { id: followUp.id, ...given }, 'online', (act) =>
      deps.commands.actAsSystem({ trackingCode: ticket.trackingCode, act }),
    );
    if (reopening.reopenError) log.error('[online follow-up] reopening failed', reopening.reopenError, { ticketId: ticket.id });
    return { trackingCode: ticket.trackingCode, changed, reopened: reopening.reopened };
  }

  return { stateOf, answer };
}

export type OnlineFollowUps = ReturnType<typeof createOnlineFollowUps>;
