// What the portal writes to units and reporters: pure functions from plain facts to a subject,
// a plain-text part and an HTML part (mail-layout.ts renders and escapes both).
//
// Unit mails carry what the unit needs to act — the problem, where, by when — and a link into
// the staff console. They never carry the reporter's name, phone or address: the inputs below
// have no field for them, on purpose; the office is the one that contacts reporters
// (DESIGN rule 5). Reporter mails carry the tracking code and a link to the public tracking page.
import { formatDateTime, renderMail, type Block, type MailContent } from './mail-layout.ts';

export type { MailContent } from './mail-layout.ts';

/** What a unit mail says about one ticket. */
export interface TicketFacts {
  trackingCode: string;
  categoryName: string | null;
  description: string;
  /** The address, or the point's name, as the office knows it. */
  location: string | null;
  /** ISO timestamp; null when none is set. */
  deadlineAt: string | null;
  /** 交办意见: the office's remarks to the unit with the dispatch; none when absent. */
  remarks?: string | null;
}

interface UnitMailInput {
  /** Base URL of the portal, e.g. "https://cc.lincheng.gov.cn" (PUBLIC_URL). */
  publicUrl: string;
  /** The unit's official name, used as the salutation. */
  unitName: string;
  ticket: TicketFacts;
}

/** The escalation ladder (DOMAIN.md): notice, then interview, then accountability. */
export type EscalationLevel = 'notice' | 'interview' | 'accountability';

export const ESCALATION_LABELS: Record<EscalationLevel, string> = { notice: '通报', interview: '约谈', accountability: '问责' };

const OFFICE = '临城县创城办';
const UNIT_FOOTER = `本邮件由${OFFICE}问题受理平台自动发送。请登录工作台办理。`;
const REPORTER_FOOTER = `本邮件由${OFFICE}问题受理平台自动发送。您可随时凭查询码在平台查询办理进度。感谢您参与创建文明县城！`;

// ——— to units ———

/** 新问题交办: a ticket has been dispatched to the unit. */
export function unitDispatchMail(input: UnitMailInput & { role?: 'lead' | 'cooperating' }): MailContent {
  const { ticket } = input;
  const cooperating = input.role === 'cooperating';
  return unitMail(input, `【新问题交办】${categoryOf(ticket)}（查询码 ${ticket.trackingCode}）`, [
    paragraph(
      cooperating
        ? `${OFFICE}向你单位交办一个问题，你单位为配合单位，请配合牵头单位按期整改。`
        : `${OFFICE}向你单位交办一个问题，你单位为牵头单位。请及时签收，在整改期限内整改到位，并在工作台反馈整改情况（附整改后照片）。如问题不属于你单位职责，请在工作台退单并说明理由。`,
    ),
    ...(ticket.remarks ? [{ kind: 'quote', label: '交办意见', text: ticket.remarks } as const] : []),
    ticketFacts(ticket),
    { kind: 'quote', label: '问题描述', text: ticket.description },
  ]);
}

/** Reminder before the deadline. */
export function unitReminderMail(input: UnitMailInput): MailContent {
  const { ticket } = input;
  const due = ticket.deadlineAt ? formatDateTime(ticket.deadlineAt) : '整改期限';
  return unitMail(input, `【整改提醒】查询码 ${ticket.trackingCode} 将于 ${due} 到期`, [
    paragraph(`你单位承办的问题将于 ${due} 到期，目前尚未反馈整改结果。请抓紧整改，并在到期前在工作台反馈整改情况。`),
    ticketFacts(ticket),
    { kind: 'quote', label: '问题描述', text: ticket.description },
  ]);
}

/** The unit has not acknowledged (签收) a dispatched ticket in time. */
export function unitAcknowledgeOverdueMail(input: UnitMailInput): MailContent {
  const { ticket } = input;
  return unitMail(input, `【签收提醒】查询码 ${ticket.trackingCode} 尚未签收`, [
    paragraph(`${OFFICE}交办你单位的问题已超过签收时限，仍未签收。请立即登录工作台签收并组织整改；如不属于你单位职责，请退单并说明理由。`),
    ticketFacts(ticket),
    { kind: 'quote', label: '问题描述', text: ticket.description },
  ]);
}

/** The deadline has passed without a rectification report. */
export function unitOverdueMail(input: UnitMailInput): MailContent {
  const { ticket } = input;
  return unitMail(input, `【超期督办】查询码 ${ticket.trackingCode} 已超过整改期限`, [
    paragraph(
      `你单位承办的问题已超过整改期限，仍未反馈整改结果。请立即整改并反馈。按照创城工作机制，未按期整改的问题将依次予以通报、约谈、问责。`,
    ),
    ticketFacts(ticket),
    { kind: 'quote', label: '问题描述', text: ticket.description },
  ]);
}

/** The office recorded the unit's acknowledgement for it (代为签收): the unit learns it was signed in its name, and why. */
export function unitAcceptedOnBehalfMail(input: UnitMailInput & { reason: string }): MailContent {
  const { ticket } = input;
  return unitMail(input, `【代为签收】查询码 ${ticket.trackingCode} 已由创城办代你单位签收`, [
    paragraph(
      `${OFFICE}已代你单位签收以下问题，整改期限照常计算。请在期限内整改到位，并在工作台反馈整改情况（附整改后照片）。如问题不属于你单位职责，请在工作台退单并说明理由。`,
    ),
    { kind: 'quote', label: '代为签收的理由', text: input.reason },
    ticketFacts(ticket),
    { kind: 'quote', label: '问题描述', text: ticket.description },
  ]);
}

/** The office did not accept the rectification and sends the ticket back. */
export function unitSendBackMail(input: UnitMailInput & { reason: string }): MailContent {
  const { ticket } = input;
  return unitMail(input, `【整改退回】查询码 ${ticket.trackingCode} 未通过核验，请重新整改`, [
    paragraph(`你单位反馈的整改情况经${OFFICE}核验未通过，现退回重新整改。请按以下意见整改到位后再次反馈。`),
    { kind: 'quote', label: '退回理由', text: input.reason },
    ticketFacts(ticket),
    { kind: 'quote', label: '问题描述', text: input.ticket.description },
  ]);
}

/** A county leader marked the unit's ticket 督办 with an instruction (批示): it comes first, and the leader watches it. */
export function unitSupervisedMail(input: UnitMailInput & { reason: string }): MailContent {
  const { ticket } = input;
  return unitMail(input, `【领导督办】查询码 ${ticket.trackingCode} 已列为领导督办件`, [
    paragraph(
      `县级领导已将你单位承办的以下问题列为督办件，并作出批示。请按批示要求优先办理，在整改期限内整改到位，并在工作台反馈整改情况（附整改后照片）。`,
    ),
    { kind: 'quote', label: '领导批示', text: input.reason },
    ticketFacts(ticket),
    { kind: 'quote', label: '问题描述', text: ticket.description },
  ]);
}

/** 通报 / 约谈 / 问责 of a unit, with the tickets behind it. */
export function unitEscalationMail(input: {
  publicUrl: string;
  unitName: string;
  level: EscalationLevel;
  tickets: readonly TicketFacts[];
  reason?: string | null;
}): MailContent {
  const label = ESCALATION_LABELS[input.level];
  const blocks: Block[] = [
    paragraph(`因你单位有 ${input.tickets.length} 个问题未按期整改，${OFFICE}决定对你单位予以${label}。${ESCALATION_NEXT[input.level]}`),
  ];
  if (input.reason) blocks.push({ kind: 'quote', label: `${label}说明`, text: input.reason });
  blocks.push(paragraph('涉及的问题：'), {
    kind: 'list',
    items: input.tickets.map((t) => ({
      text: `${t.trackingCode} ${categoryOf(t)}${t.location ? `，${t.location}` : ''}${t.deadlineAt ? `（期限 ${formatDateTime(t.deadlineAt)}）` : ''}`,
      url: consoleUrl(input.publicUrl, t.trackingCode),
    })),
  });
  return renderMail({
    subject: `【${label}】${input.unitName}：${input.tickets.length} 个问题未按期整改`,
    greeting: `${input.unitName}：`,
    blocks,
    footer: UNIT_FOOTER,
  });
}

const ESCALATION_NEXT: Record<EscalationLevel, string> = {
  notice: '请立即整改所列问题并在工作台反馈；仍不整改的，将予以约谈。',
  interview: '请单位负责人按通知接受约谈，并立即整改所列问题；仍不整改的，将移交纪委监委问责。',
  accountability: '此事项已按程序移交纪委监委追究责任。请立即整改所列问题并在工作台反馈。',
};

// ——— exposure notices (曝光) and public responses (公开回应) ———

/** What a mail says about an exposure notice: all of it is public once published. */
export interface NoticeFacts {
  id: number;
  /** The public number, e.g. "2026-12-001". */
  slug: string;
  title: string;
  body: string;
  publishedAt: string;
  responseDueAt: string;
}

/** 曝光: a notice about the unit went public (again, after a withdrawal); it must respond publicly by the deadline. */
export function unitExposedMail(input: { publicUrl: string; unitName: string; notice: NoticeFacts; republished: boolean }): MailContent {
  const { notice } = input;
  const due = formatDateTime(notice.responseDueAt);
  return renderMail({
    subject: `【曝光${input.republished ? '重新发布' : '通报'}】${notice.title}（编号 ${notice.slug}）`,
    greeting: `${input.unitName}：`,
    blocks: [
      paragraph(
        `${OFFICE}已在公开网站${input.republished ? '重新' : ''}发布对你单位的曝光。请立即组织整改，并在 ${due} 前登录工作台填写公开回应（整改情况、长效措施，附整改后照片），经${OFFICE}审核后在公开网站发布。逾期未回应的，公开网站将注明“逾期未回应”。`,
      ),
      noticeFacts(notice, [['发布时间', formatDateTime(notice.publishedAt)]]),
      { kind: 'quote', label: '曝光内容', text: notice.body },
      { kind: 'link', label: '在工作台填写公开回应', url: noticeConsoleUrl(input.publicUrl, notice.id) },
      { kind: 'link', label: '公开网站上的这条曝光（网站更新后可见）', url: publicNoticeUrl(input.publicUrl, notice.slug) },
    ],
    footer: UNIT_FOOTER,
  });
}

/** A unit submitted its public response: the office reviews it (publish, or return with a note). */
export function officeResponseSubmittedMail(input: {
  publicUrl: string;
  officeName: string;
  unitName: string;
  notice: NoticeFacts;
  response: { body: string; photoCount: number; resubmitted: boolean; submittedAt: string };
}): MailContent {
  const { notice, response } = input;
  return renderMail({
    subject: `【回应待审核】${input.unitName}：${notice.title}${response.resubmitted ? '（修改后重新提交）' : ''}`,
    greeting: `${input.officeName}：`,
    blocks: [
      paragraph(
        `${input.unitName}已${response.resubmitted ? '修改并重新' : ''}提交对曝光“${notice.title}”的公开回应，请审核：审核通过后在公开网站发布；不符合要求的，请填写退回意见退回修改。`,
      ),
      noticeFacts(notice, [
        ['被曝光单位', input.unitName],
        ['提交时间', formatDateTime(response.submittedAt)],
        ['整改后照片', response.photoCount > 0 ? `${response.photoCount}张` : '无'],
      ]),
      { kind: 'quote', label: '回应内容', text: response.body },
      { kind: 'link', label: '在工作台审核', url: noticeConsoleUrl(input.publicUrl, notice.id) },
    ],
    footer: UNIT_FOOTER,
  });
}

/** The office returned the unit's response with a note: revise and submit again. */
export function unitResponseReturnedMail(input: { publicUrl: string; unitName: string; notice: NoticeFacts; note: string }): MailContent {
  const { notice } = input;
  return renderMail({
    subject: `【回应退回】${notice.title}：请修改后重新提交`,
    greeting: `${input.unitName}：`,
    blocks: [
      paragraph(
        `你单位对曝光“${notice.title}”的公开回应经${OFFICE}审核未通过，已退回修改。请按以下意见修改后尽快重新提交审核（回应期限 ${formatDateTime(notice.responseDueAt)}）。`,
      ),
      { kind: 'quote', label: '退回意见', text: input.note },
      noticeFacts(notice),
      { kind: 'link', label: '在工作台修改公开回应', url: noticeConsoleUrl(input.publicUrl, notice.id) },
    ],
    footer: UNIT_FOOTER,
  });
}

// ——— to reporters ———

interface ReporterMailInput {
  publicUrl: string;
  trackingCode: string;
}

/** The office accepted the report (受理) and, when known, passed it to a unit. */
export function reporterAcceptedMail(input: ReporterMailInput & { unitName?: string | null; deadlineAt?: string | null }): MailContent {
  const facts: Array<readonly [string, string]> = [['查询码', input.trackingCode]];
  if (input.unitName) facts.push(['责任单位', input.unitName]);
  if (input.deadlineAt) facts.push(['整改期限', formatDateTime(input.deadlineAt)]);
  return reporterMail(input, `您反映的问题已受理（查询码 ${input.trackingCode}）`, [
    paragraph(
      input.unitName
        ? `您反映的问题已受理，并已转交责任单位办理。整改完成后，我们会再通知您。`
        : `您反映的问题已受理，我们将尽快转交责任单位办理。`,
    ),
    { kind: 'facts', rows: facts },
  ]);
}

/** The unit reported its rectification; the office still has to verify it. */
export function reporterRectifiedMail(input: ReporterMailInput & { rectificationText?: string | null }): MailContent {
  const blocks: Block[] = [
    paragraph('责任单位已反馈整改情况，正在等待创城办核验。核验通过后，我们会通知您办结结果。'),
    { kind: 'facts', rows: [['查询码', input.trackingCode]] },
  ];
  if (input.rectificationText) blocks.push({ kind: 'quote', label: '整改情况', text: input.rectificationText });
  return reporterMail(input, `您反映的问题已整改，待核验（查询码 ${input.trackingCode}）`, blocks);
}

/** Verified and struck off (销号). */
export function reporterClosedMail(input: ReporterMailInput & { note?: string | null; answerKey?: string | null }): MailContent {
  const blocks: Block[] = [
    paragraph('您反映的问题已整改到位，经创城办核验已办结。如发现问题仍未解决，请再次反映。'),
    { kind: 'facts', rows: [['查询码', input.trackingCode]] },
  ];
  if (input.note) blocks.push({ kind: 'quote', label: '办结说明', text: input.note });
  // 网上回访: the one-time link proves the reporter without a phone number (server/follow-ups/online-follow-ups.ts).
  if (input.answerKey) {
    blocks.push(paragraph('问题解决了吗？您满意吗？请点击下面的链接告诉我们，回答后7天内可以修改。'));
    blocks.push({ kind: 'link', label: '回答：问题解决了吗', url: answerUrl(input.publicUrl, input.trackingCode, input.answerKey) });
  }
  return reporterMail(input, `您反映的问题已办结（查询码 ${input.trackingCode}）`, blocks);
}

// ——— links and shared pieces ———

/** The ticket in the staff console (units and the office sign in there). */
export function consoleUrl(publicUrl: string, trackingCode: string): string {
  return `${base(publicUrl)}/console/tickets/${encodeURIComponent(trackingCode)}`;
}

/** A notice in the staff console (the unit responds there, the office reviews). */
export function noticeConsoleUrl(publicUrl: string, id: number): string {
  return `${base(publicUrl)}/console/notices/${id}`;
}

/** A notice's page on the public site. */
export function publicNoticeUrl(publicUrl: string, slug: string): string {
  return `${base(publicUrl)}/notices/${encodeURIComponent(slug)}/`;
}

/** The public tracking page for a code. */
export function trackUrl(publicUrl: string, trackingCode: string): string {
  return `${base(publicUrl)}/track?code=${encodeURIComponent(trackingCode)}`;
}

/** The tracking page's "fixed?" form, with the one-time link's key. */
export function answerUrl(publicUrl: string, trackingCode: string, key: string): string {
  return `${trackUrl(publicUrl, trackingCode)}&key=${encodeURIComponent(key)}#fixed`;
}

function base(publicUrl: string): string {
  return publicUrl.replace(/\/+$/, '');
}

function unitMail(input: UnitMailInput, subject: string, blocks: Block[]): MailContent {
  return renderMail({
    subject,
    greeting: `${input.unitName}：`,
    blocks: [...blocks, { kind: 'link', label: '在工作台查看并办理', url: consoleUrl(input.publicUrl, input.ticket.trackingCode) }],
    footer: UNIT_FOOTER,
  });
}

function reporterMail(input: ReporterMailInput, subject: string, blocks: Block[]): MailContent {
  return renderMail({
    subject,
    greeting: '您好：',
    blocks: [...blocks, { kind: 'link', label: '查询办理进度', url: trackUrl(input.publicUrl, input.trackingCode) }],
    footer: REPORTER_FOOTER,
  });
}

function ticketFacts(ticket: TicketFacts): Block {
  return {
    kind: 'facts',
    rows: [
      ['查询码', ticket.trackingCode],
      ['问题类别', categoryOf(ticket)],
      ['问题地点', ticket.location ?? '（未注明）'],
      ['整改期限', ticket.deadlineAt ? formatDateTime(ticket.deadlineAt) : '（未设定）'],
    ],
  };
}

function noticeFacts(notice: NoticeFacts, more: ReadonlyArray<readonly [string, string]> = []): Block {
  return {
    kind: 'facts',
    rows: [['曝光编号', notice.slug], ['标题', notice.title], ...more, ['回应期限', formatDateTime(notice.responseDueAt)]],
  };
}

function categoryOf(ticket: TicketFacts): string {
  return ticket.categoryName ?? '其他问题';
}

function paragraph(text: string): Block {
  return { kind: 'paragraph', text };
}
