// Chinese words the console shows for codes the back end keeps in English.
import { CHANNEL_LABELS } from '../../../server/tickets/channels.ts';

export { CHANNEL_LABELS };

export const UNIT_KIND_LABELS: Record<string, string> = {
  office: '创城办',
  department: '县直部门',
  township: '乡镇',
  organisation: '群团组织',
};

/** Units in a select, grouped by kind in this order. */
export const UNIT_KIND_GROUPS: ReadonlyArray<readonly [string, string]> = [
  ['department', '县直部门'],
  ['township', '乡镇'],
  ['organisation', '群团组织'],
  ['office', '创城办'],
];

export function channelLabel(channel: string): string {
  return (CHANNEL_LABELS as Readonly<Record<string, string>>)[channel] ?? channel;
}

export function percent(confidence: number | null): string {
  return confidence === null ? '' : `${Math.round(confidence * 100)}%`;
}

/** What a mail read from the dedicated mailbox became (mail_messages.outcome). */
export const MAIL_OUTCOME_LABELS: Record<string, string> = {
  created: '新建工单',
  appended: '追加到已有工单',
  ignored: '已忽略（自动回复、退信等）',
  quarantined: '已隔离',
};

/**
 * Why a mail was quarantined, or why its sender got no acknowledgement, in words for the office
 * (the pipeline records short English reasons; the intake's own refusals are already Chinese).
 */
export function mailReasonLabel(reason: string | null): string {
  if (!reason) return '（未记录原因）';
  const noAck = /^no acknowledgement: (.*)$/s.exec(reason)?.[1];
  if (noAck !== undefined) return `未发受理回执：${acknowledgementReasonLabel(noAck)}`;
  if (reason === 'flood') return '同一发件人24小时内来信过多，疑似刷屏，已暂停受理';
  if (reason.startsWith('not an e-mail message')) return '不是邮件：没有发件人、邮件编号、日期和标题';
  const unparseable = /^unparseable: (.*)$/s.exec(reason);
  if (unparseable) {
    const tooLarge = /message too large \((\d+) bytes\)/.exec(unparseable[1]!);
    if (tooLarge) return `邮件过大（${(Number(tooLarge[1]) / 1024 / 1024).toFixed(1)} MB），未处理`;
    return `邮件格式无法解析：${unparseable[1]}`;
  }
  return /[\u4e00-\u9fff]/.test(reason) ? reason : `处理出错：${reason}`;
}

function acknowledgementReasonLabel(reason: string): string {
  const unauthenticated = /^sender not authenticated \((.*)\)$/s.exec(reason)?.[1];
  if (unauthenticated !== undefined) return `发件人未经收信服务器验证，可能是冒用的地址（${unauthenticated}）`;
  const sender = /^(\d+) already sent to this sender in 24 hours \(MAIL_ACKS_PER_SENDER_PER_DAY\)$/.exec(reason);
  if (sender) return `24小时内已向这位发件人发过 ${sender[1]} 封回执`;
  const domain = /^(\d+) already sent to (\S+) in 24 hours \(MAIL_ACKS_PER_DOMAIN_PER_DAY\)$/.exec(reason);
  if (domain) return `24小时内已向 @${domain[2]} 的邮箱发过 ${domain[1]} 封回执`;
  if (reason === 'no valid sender address') return '发件地址无效';
  return reason;
}
