// What the console says was told to whom (通知记录 on the staff ticket page), in words that are
// true: sent (to a masked number, when), waiting (and why: the night-time quiet hours, a cap, a
// retry), failed or skipped (with the reason), or that nobody was told and why. Also the office's
// list of failed and skipped text messages, and their requeue.
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/schema.ts';
import { ForbiddenError } from '../errors.ts';
import { isOffice, type StaffUser } from '../auth/roles.ts';
import { maskPhone } from '../tickets/phone.ts';
import { listMail } from './mail-outbox-repository.ts';
import { ticketContact } from './notify-repository.ts';
import { listSms, requeueSms, type SmsRecord } from './sms-outbox-repository.ts';
import type { QuietHours } from './sms-settings.ts';
import { smsDateTime } from './sms-texts.ts';

export interface NoticeLine {
  channel: 'sms' | 'mail';
  /** 'reporter' or 'unit'. */
  audience: string;
  /** What the message was about: 受理, 转交, 办结 … */
  about: string;
  state: 'sent' | 'pending' | 'failed' | 'skipped';
  /** The sentence the console shows, e.g. "已短信告知 138****5678，12月7日 14:50". */
  text: string;
}

export interface TicketNotices {
  lines: NoticeLine[];
  /** Set when the reporter was told nothing: why ("没有告知群众：反映人没有留手机号或邮箱"). */
  reporterNotTold: string | null;
}

export interface FailedSms {
  id: number;
  kind: string;
  about: string;
  trackingCode: string | null;
  to: string | null;
  status: 'failed' | 'skipped';
  reason: string;
  createdAt: string;
}

const ABOUT: Record<string, string> = {
  'reporter-accepted': '受理',
  'reporter-dispatched': '转交',
  'reporter-closed': '办结',
  'reporter-rectified': '整改',
  'unit-dispatch': '交办',
  'unit-reminder': '到期提醒',
  'unit-overdue': '超期',
  'lookup-code': '查询验证码',
};

const DEFAULT_QUIET: QuietHours = { from: 22, to: 8 };

function hhmm(iso: string): string {
  return smsDateTime(iso).split(' ')[1] ?? '';
}

/** The sentence for one text message. */
export function smsLine(sms: SmsRecord, quiet: QuietHours = DEFAULT_QUIET): string {
  const to = sms.to ? maskPhone(sms.to) : '（号码已按规定删除）';
  const whom = sms.audience === 'unit' ? `单位值班手机 ${to}` : to;
  switch (sms.status) {
    case 'sent':
      return `已短信告知 ${whom}，${smsDateTime(sms.sentAt ?? sms.createdAt)}`;
    case 'failed':
      return `短信发送失败：${sms.lastError ?? '原因不明'}（${whom}）`;
    case 'skipped':
      return `短信未发送：${sms.lastError ?? '原因不明'}（${whom}）`;
    case 'pending':
      if (sms.holdReason === 'quiet-hours') {
        return `短信待发送（夜间${quiet.from}点至${quiet.to}点不发，${hhmm(sms.nextAttemptAt)}后发送）`;
      }
      if (sms.holdReason === 'number-cap') return `短信待发送（该号码今日短信已达上限，${smsDateTime(sms.nextAttemptAt)}后发送）`;
      if (sms.holdReason === 'daily-budget') return `短信待发送（今日短信总量已达上限，${smsDateTime(sms.nextAttemptAt)}后发送）`;
      if (sms.attempts > 0)
        return `短信待发送（第${sms.attempts}次发送失败，${smsDateTime(sms.nextAttemptAt)}重试：${sms.lastError ?? ''}）`;
      return `短信待发送（${whom}）`;
  }
}

export function createSmsConsole({
  db,
  clock,
  quietHours = DEFAULT_QUIET,
}: {
  db: Kysely<Database>;
  clock: Clock;
  quietHours?: QuietHours | undefined;
}) {
  /** The ticket's text messages and the reporter's mail, newest first. Staff who may see the ticket. */
  async function ticketNotices(trackingCode: string): Promise<TicketNotices> {
    const contact = await ticketContact(db, trackingCode);
    if (!contact) return { lines: [], reporterNotTold: null };
    const sms = await listSms(db, { ticketId: contact.id, limit: 50 });
    const mails = (await listMail(db, { ticketId: contact.id, limit: 50 })).filter((m) => m.kind.startsWith('reporter-'));
    const lines: NoticeLine[] = [
      ...sms.map((s) => ({
        channel: 'sms' as const,
        audience: s.audience,
        about: ABOUT[s.kind] ?? s.kind,
        state: s.status,
        text: smsLine(s, quietHours),
      })),
      ...mails.map((m) => ({
        channel: 'mail' as const,
        audience: 'reporter',
        about: ABOUT[m.kind] ?? m.kind,
        state: m.status,
        text:
          m.status === 'sent'
            ? `已邮件告知反映人，${smsDateTime(m.sentAt ?? m.createdAt)}`
            : m.status === 'failed'
              ? `邮件发送失败：${m.lastError ?? '原因不明'}`
              : '邮件待发送',
      })),
    ];
    const toldReporter = lines.some((l) => l.audience === 'reporter' && l.state !== 'skipped' && l.state !== 'failed');
    let reporterNotTold: string | null = null;
    if (!toldReporter) {
      if (contact.channel === 'patrol' || contact.channel === 'inspection') reporterNotTold = '没有告知群众：本件不是群众反映的';
      else if (!contact.phone && !contact.email) reporterNotTold = '没有告知群众：反映人没有留手机号或邮箱';
      else if (lines.some((l) => l.audience === 'reporter')) reporterNotTold = '没有告知群众：短信或邮件未能发出（见上）';
      else if (contact.phone && !contact.email) reporterNotTold = '没有告知群众：反映人留的不是手机号，无法发短信';
      else reporterNotTold = '尚未告知群众';
    }
    return { lines, reporterNotTold };
  }

  /** Failed and skipped messages, newest first (the office). */
  async function failed(user: StaffUser): Promise<FailedSms[]> {
    if (!isOffice(user)) throw new ForbiddenError('只有创城办可以查看短信发送失败记录');
    const rows = await listSms(db, { statuses: ['failed', 'skipped'], limit: 100 });
    return rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      about: ABOUT[r.kind] ?? r.kind,
      trackingCode: r.trackingCode,
      to: maskPhone(r.to),
      status: r.status as 'failed' | 'skipped',
      reason: r.lastError ?? '',
      createdAt: r.createdAt,
    }));
  }

  /** Tries a failed or skipped message again from now (the office, once the cause is fixed). */
  async function requeue(user: StaffUser, id: number): Promise<boolean> {
    if (!isOffice(user)) throw new ForbiddenError('只有创城办可以重新发送短信');
    return requeueSms(db, id, clock.now());
  }

  return { ticketNotices, failed, requeue };
}

export type SmsConsole = ReturnType<typeof createSmsConsole>;
