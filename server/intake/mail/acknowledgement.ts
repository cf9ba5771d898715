// The acknowledgement of a mailed report (issue 4 item 3, hardened by issue 11 item 6): the
// resident learns the tracking code. It goes to the From address, which anyone can forge, so it is
// sent only when the receiving server authenticated the sender (authentication-results.ts) — or
// MAIL_ACK_UNAUTHENTICATED says to anyway — and at most MAIL_ACKS_PER_SENDER_PER_DAY times a day
// to one sender (+tags folded: sender-address.ts) and MAIL_ACKS_PER_DOMAIN_PER_DAY times to one
// domain. It quotes only the first 20 characters of the subject, links and addresses removed, so
// that a forged mail cannot use the portal to carry an advertisement. When none goes out, the
// reason is written on the mail's row for the office.
import type { Transaction } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { renderMail } from '../../notify/mail-layout.ts';
import { enqueueMail, recipientsAtDomain } from '../../notify/mail-outbox-repository.ts';
import { trackUrl } from '../../notify/templates.ts';
import type { SenderAuthentication } from './authentication-results.ts';
import { senderDomain, senderKey } from './sender-address.ts';

/** The outbox kind of the acknowledgement of a mailed report (sent with Auto-Submitted: auto-replied). */
export const ACKNOWLEDGEMENT_KIND = 'mail-acknowledgement';

/** Characters of the subject an acknowledgement quotes at most. */
export const QUOTED_SUBJECT_CHARS = 20;

export interface AcknowledgementPolicy {
  acknowledgeUnauthenticated: boolean;
  acknowledgementsPerSenderPerDay: number;
  acknowledgementsPerDomainPerDay: number;
}

export interface AcknowledgementRequest {
  /** The sender's address, lower-cased. */
  to: string;
  ticketId: number;
  trackingCode: string;
  subject: string;
  authentication: SenderAuthentication;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Queues the acknowledgement in the mail row's transaction, or says why not (null when queued).
 * The caps count acknowledgements queued in the last 24 hours; mail handled at the same moment
 * on PostgreSQL (one transaction each) may pass a domain's cap by the few in flight.
 */
export async function acknowledge(
  trx: Transaction<Database>,
  request: AcknowledgementRequest,
  context: { policy: AcknowledgementPolicy; now: Date; publicUrl: string; messageIdDomain?: string | undefined },
): Promise<string | null> {
  const { policy, now } = context;
  // Reasons name domains, never the address: the row outlives the address (privacy purge).
  if (!request.authentication.authenticated && !policy.acknowledgeUnauthenticated) {
    return `no acknowledgement: sender not authenticated (${request.authentication.detail})`;
  }
  const key = senderKey(request.to);
  const domain = senderDomain(key);
  if (!domain) return 'no acknowledgement: no sender domain';
  const recent = await acknowledgedLately(trx, domain, now);
  const toSender = recent.filter((address) => senderKey(address) === key).length;
  if (toSender >= policy.acknowledgementsPerSenderPerDay) {
    return `no acknowledgement: ${toSender} already sent to this sender in 24 hours (MAIL_ACKS_PER_SENDER_PER_DAY)`;
  }
  if (recent.length >= policy.acknowledgementsPerDomainPerDay) {
    return `no acknowledgement: ${recent.length} already sent to ${domain} in 24 hours (MAIL_ACKS_PER_DOMAIN_PER_DAY)`;
  }
  await enqueueMail(
    trx,
    {
      kind: ACKNOWLEDGEMENT_KIND,
      ticketId: request.ticketId,
      to: [request.to],
      ...acknowledgementMail(context.publicUrl, request.trackingCode, request.subject),
    },
    now,
    context.messageIdDomain ? { messageIdDomain: context.messageIdDomain } : {},
  );
  return null;
}

/** The recipients of the acknowledgements queued to `domain` in the 24 hours before `now`. */
function acknowledgedLately(trx: Transaction<Database>, domain: string, now: Date): Promise<string[]> {
  const since = new Date(now.getTime() - DAY_MS).toISOString();
  return recipientsAtDomain(trx, ACKNOWLEDGEMENT_KIND, domain, since);
}

export function acknowledgementMail(publicUrl: string, trackingCode: string, subject: string) {
  const quoted = quoteSubject(subject);
  const {
    subject: s,
    text,
    html,
  } = renderMail({
    subject: `【已受理】您反映的问题已收到（查询码 ${trackingCode}）`,
    greeting: '您好：',
    blocks: [
      {
        kind: 'paragraph',
        text: `您发送到创城专用邮箱的来信${quoted ? `“${quoted}”` : ''}已登记，查询码为 ${trackingCode}。请妥善保存查询码，凭它可随时查询办理进度；补充情况可直接回复本邮件（请保留标题中的查询码）。`,
      },
      { kind: 'link', label: '查询办理进度', url: trackUrl(publicUrl, trackingCode) },
      {
        kind: 'paragraph',
        text: '隐私说明：您的姓名和邮箱地址仅供创城办核实和回复使用，不会公开，也不会提供给责任单位；公开查询页面只显示问题本身和办理进度。',
      },
    ],
    footer: '本邮件由临城县创城办问题受理平台自动回复，请勿修改标题中的查询码。',
  });
  return { subject: s, text, html };
}

// Matched on a copy in which full-width ASCII (ｈｔｔｐ：／／) and ideographic full stops (spam。example)
// read as their ASCII forms: the same length, so what matches there is cut from the original.
const LINK_PATTERNS: readonly RegExp[] = [
  // With a scheme: http://…, https://…, ftp://… (a space around ':' does not help).
  /\b(?:https?|ftp)\s*:\s*\/\/[\x21-\x7e]*/gi,
  // E-mail addresses.
  /[a-z0-9._%+-]+\s*@\s*[a-z0-9-]+(?:\.[a-z0-9-]+)+/gi,
  // www.… whatever follows.
  /\bwww\.[\x21-\x7e]*/gi,
  // Bare domains (spam.example, a.b.cn/path): labels and a letter top-level domain (or xn--).
  /(?<![a-z0-9.-])(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]+)(?![a-z0-9-])(?:[/:?#][\x21-\x7e]*)?/gi,
];

function matchingCopy(text: string): string {
  return text.replace(/[\uff01-\uff5e\u3002\uff61\u3000]/g, (c) => {
    if (c === '\u3002' || c === '\uff61') return '.';
    if (c === '\u3000') return ' ';
    return String.fromCharCode(c.charCodeAt(0) - 0xfee0);
  });
}

/**
 * What an acknowledgement quotes of a subject: at most its first QUOTED_SUBJECT_CHARS characters,
 * after links (with or without a scheme, bare domains) and e-mail addresses are taken out, and
 * invisible characters that could hide one; '…' when cut. '' when nothing is left.
 */
export function quoteSubject(subject: string, max = QUOTED_SUBJECT_CHARS): string {
  let text = subject.replace(/[\p{Cc}\p{Cf}]/gu, '');
  for (const pattern of LINK_PATTERNS) {
    const copy = matchingCopy(text);
    let out = '';
    let last = 0;
    for (const m of copy.matchAll(pattern)) {
      out += `${text.slice(last, m.index)} `;
      last = m.index + m[0].length;
    }
    text = out + text.slice(last);
  }
  const chars = Array.from(text.replace(/\s+/g, ' ').trim());
  return chars.length > max ? `${chars.slice(0, max).join('').trim()}…` : chars.join('');
}
