// Notification templates: Chinese, both parts, the right link, and user text never becomes markup.
import { describe, expect, it } from 'vitest';
import {
  officeResponseSubmittedMail,
  reporterAcceptedMail,
  reporterClosedMail,
  reporterRectifiedMail,
  unitAcceptedOnBehalfMail,
  unitDispatchMail,
  unitEscalationMail,
  unitExposedMail,
  unitOverdueMail,
  unitReminderMail,
  unitResponseReturnedMail,
  unitSendBackMail,
  type NoticeFacts,
  type TicketFacts,
} from '../../server/notify/templates.ts';
import { escapeHtml } from '../../server/notify/mail-layout.ts';

const publicUrl = 'https://cc.lincheng.example/';
const ticket: TicketFacts = {
  trackingCode: 'AC3-K7M-9XP',
  categoryName: '集贸市场秩序',
  description: '西关市场门口占道经营，<script>alert("x")</script> & 垃圾堆放\n第二行',
  location: '临城镇西关市场',
  deadlineAt: '2026-12-07T02:00:00.000Z',
};
const unit = { publicUrl, unitName: '临城县发展和改革局', ticket };

const unitMails = {
  dispatch: unitDispatchMail(unit),
  reminder: unitReminderMail(unit),
  overdue: unitOverdueMail(unit),
  sendBack: unitSendBackMail({ ...unit, reason: '照片看不出整改，<b>请补拍</b>' }),
  acceptedOnBehalf: unitAcceptedOnBehalfMail({ ...unit, reason: '视频点评会上当场认领' }),
  escalation: unitEscalationMail({ publicUrl, unitName: unit.unitName, level: 'notice', tickets: [ticket] }),
};
const reporterMails = {
  accepted: reporterAcceptedMail({ publicUrl, trackingCode: ticket.trackingCode, unitName: '县发改局', deadlineAt: ticket.deadlineAt }),
  rectified: reporterRectifiedMail({
    publicUrl,
    trackingCode: ticket.trackingCode,
    rectificationText: '已清理 <img src=x onerror=alert(1)>',
  }),
  closed: reporterClosedMail({ publicUrl, trackingCode: ticket.trackingCode }),
};
const allMails = { ...unitMails, ...reporterMails };

const consoleLink = 'https://cc.lincheng.example/console/tickets/AC3-K7M-9XP';
const trackLink = 'https://cc.lincheng.example/track?code=AC3-K7M-9XP';

describe('notification templates', () => {
  it.each(Object.entries(allMails))('%s: a Chinese one-line subject, a plain-text part and an HTML document', (_, mail) => {
    expect(mail.subject).toMatch(/[\u4e00-\u9fff]/);
    expect(mail.subject).not.toMatch(/[\r\n]/);
    expect(mail.text).toContain('AC3-K7M-9XP');
    // Our own markup stays out of the plain-text part (user text is shown as typed).
    expect(mail.text).not.toMatch(/<(p|div|table|tr|th|td|a|ul|li|html)[\s>]/);
    expect(mail.html).toMatch(/^<!DOCTYPE html>/);
    expect(mail.html).toContain('<html lang="zh-CN">');
    expect(mail.html).toContain('AC3-K7M-9XP');
  });

  it.each(Object.entries(allMails))('%s: no external resources (clients block them)', (_, mail) => {
    expect(mail.html).not.toMatch(/<(img|link|script|style|iframe)\b/i);
    expect(mail.html).not.toMatch(/<[^<>]*\s(src|background)=/i);
  });

  it.each(Object.entries(unitMails))('%s (to a unit) links to the ticket in the console, in both parts', (_, mail) => {
    expect(mail.text).toContain(consoleLink);
    expect(mail.html).toContain(`href="${consoleLink}"`);
    expect(mail.text).not.toContain('/track');
  });

  it.each(Object.entries(reporterMails))('%s (to the reporter) links to the public tracking page, in both parts', (_, mail) => {
    expect(mail.text).toContain(trackLink);
    expect(mail.html).toContain(`href="${trackLink}"`);
    expect(mail.text + mail.html).not.toContain('/console');
  });

  it('escapes what residents and staff typed: a description cannot inject markup', () => {
    const { html, text } = unitMails.dispatch;
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; 垃圾堆放');
    // The plain-text part shows the text as written.
    expect(text).toContain('<script>alert("x")</script> & 垃圾堆放');
    expect(unitMails.sendBack.html).toContain('照片看不出整改，&lt;b&gt;请补拍&lt;/b&gt;');
    expect(reporterMails.rectified.html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it('a dispatch names the category, the place, the deadline (county time) and quotes the description', () => {
    const { subject, text } = unitMails.dispatch;
    expect(subject).toBe('【新问题交办】集贸市场秩序（查询码 AC3-K7M-9XP）');
    expect(text).toMatch(/^临城县发展和改革局：/);
    expect(text).toContain('问题类别：集贸市场秩序');
    expect(text).toContain('问题地点：临城镇西关市场');
    expect(text).toContain('整改期限：2026年12月7日 10:00');
    expect(text).toContain('> 西关市场门口占道经营');
    expect(text).toContain('> 第二行');
  });

  it('a cooperating unit is told it cooperates', () => {
    expect(unitDispatchMail({ ...unit, role: 'cooperating' }).text).toContain('配合单位');
    expect(unitMails.dispatch.text).toContain('牵头单位');
  });

  it('reminder, overdue and send-back say what happened in the subject', () => {
    expect(unitMails.reminder.subject).toBe('【整改提醒】查询码 AC3-K7M-9XP 将于 2026年12月7日 10:00 到期');
    expect(unitMails.overdue.subject).toContain('超过整改期限');
    expect(unitMails.sendBack.subject).toContain('未通过核验');
    expect(unitMails.sendBack.text).toContain('退回理由：\n> 照片看不出整改，<b>请补拍</b>');
  });

  it('an escalation names its level and lists every ticket behind it with a link', () => {
    const second = { ...ticket, trackingCode: 'HKM-N7R-W2X', categoryName: null, location: null };
    const mail = unitEscalationMail({
      publicUrl,
      unitName: '临城县住房和城乡建设局',
      level: 'interview',
      tickets: [ticket, second],
      reason: '连续两周未整改',
    });
    expect(mail.subject).toBe('【约谈】临城县住房和城乡建设局：2 个问题未按期整改');
    expect(mail.text).toContain('予以约谈');
    expect(mail.text).toContain('约谈说明：\n> 连续两周未整改');
    expect(mail.text).toContain('· AC3-K7M-9XP 集贸市场秩序，临城镇西关市场');
    expect(mail.text).toContain('· HKM-N7R-W2X 其他问题');
    expect(mail.html).toContain('href="https://cc.lincheng.example/console/tickets/HKM-N7R-W2X"');
    expect(unitEscalationMail({ publicUrl, unitName: 'x', level: 'accountability', tickets: [ticket] }).subject).toMatch(/^【问责】/);
    expect(unitMails.escalation.subject).toMatch(/^【通报】/);
  });

  it('reporter mails carry the tracking code and the unit, nothing about other people', () => {
    expect(reporterMails.accepted.subject).toBe('您反映的问题已受理（查询码 AC3-K7M-9XP）');
    expect(reporterMails.accepted.text).toContain('责任单位：县发改局');
    expect(reporterMails.accepted.text).toMatch(/^您好：/);
    expect(reporterMails.closed.subject).toContain('已办结');
    expect(reporterMails.rectified.subject).toContain('已整改');
  });

  it('escapeHtml covers the five characters that matter in text and attributes', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });

  // Issue 12: the dispatch form's 交办意见 reach the unit in the dispatch mail.
  it('a dispatch mail carries the office’s 交办意见 when there are any, as typed, and says nothing of them otherwise', () => {
    const withRemarks = unitDispatchMail({ ...unit, ticket: { ...ticket, remarks: '请三日内到场，<i>联系社区</i>' } });
    expect(withRemarks.text).toContain('交办意见');
    expect(withRemarks.text).toContain('请三日内到场，<i>联系社区</i>');
    expect(withRemarks.html).toContain(escapeHtml('请三日内到场，<i>联系社区</i>'));
    expect(withRemarks.text.indexOf('交办意见')).toBeLessThan(withRemarks.text.indexOf('问题描述'));
    expect(unitMails.dispatch.text).not.toContain('交办意见');
  });
});

const notice: NoticeFacts = {
  id: 42,
  slug: '2026-12-003',
  title: '西关市场<b>垃圾</b>长期无人清运',
  body: '经查，西关市场垃圾堆放多日。\n\n现予曝光，限期整改。<script>x</script>',
  publishedAt: '2026-12-01T02:00:00.000Z',
  responseDueAt: '2026-12-08T15:59:59.000Z',
};
const noticeMails = {
  exposed: unitExposedMail({ publicUrl, unitName: '临城县发展和改革局', notice, republished: false }),
  submitted: officeResponseSubmittedMail({
    publicUrl,
    officeName: '临城县创城工作指挥部办公室',
    unitName: '临城县发展和改革局',
    notice,
    response: { body: '已清运完毕 <img src=x>', photoCount: 2, resubmitted: false, submittedAt: '2026-12-03T03:00:00.000Z' },
  }),
  returned: unitResponseReturnedMail({ publicUrl, unitName: '临城县发展和改革局', notice, note: '请补充<i>长效</i>措施' }),
};
const noticeLink = 'https://cc.lincheng.example/console/notices/42';

describe('exposure notice mails', () => {
  it.each(Object.entries(noticeMails))('%s: Chinese, links to the notice in the console, escapes what staff typed', (_, mail) => {
    expect(mail.subject).toMatch(/^【[\u4e00-\u9fff]+】/);
    expect(mail.text).toContain(noticeLink);
    expect(mail.html).toContain(`href="${noticeLink}"`);
    expect(mail.text).toContain('曝光编号：2026-12-003');
    expect(mail.text).toContain('回应期限：2026年12月8日 23:59');
    expect(mail.html).not.toMatch(/<(b|i|img|script)\b/i);
    expect(mail.html).toContain('&lt;b&gt;垃圾&lt;/b&gt;');
  });

  it('the exposed unit is told what to do by when, with the text and the public page', () => {
    const { subject, text } = noticeMails.exposed;
    expect(subject).toBe('【曝光通报】西关市场<b>垃圾</b>长期无人清运（编号 2026-12-003）');
    expect(text).toMatch(/^临城县发展和改革局：/);
    expect(text).toContain('在 2026年12月8日 23:59 前登录工作台填写公开回应');
    expect(text).toContain('> 现予曝光，限期整改。<script>x</script>');
    expect(text).toContain('https://cc.lincheng.example/notices/2026-12-003/');
    expect(unitExposedMail({ publicUrl, unitName: 'x', notice, republished: true }).subject).toMatch(/^【曝光重新发布】/);
  });

  it('the office is told who submitted, when, with how many photos, and what they wrote', () => {
    const { subject, text } = noticeMails.submitted;
    expect(subject).toBe('【回应待审核】临城县发展和改革局：西关市场<b>垃圾</b>长期无人清运');
    expect(text).toMatch(/^临城县创城工作指挥部办公室：/);
    expect(text).toContain('提交时间：2026年12月3日 11:00');
    expect(text).toContain('整改后照片：2张');
    expect(text).toContain('回应内容：\n> 已清运完毕 <img src=x>');
  });

  it('a returned response quotes the office note', () => {
    expect(noticeMails.returned.subject).toBe('【回应退回】西关市场<b>垃圾</b>长期无人清运：请修改后重新提交');
    expect(noticeMails.returned.text).toContain('退回意见：\n> 请补充<i>长效</i>措施');
  });
});
