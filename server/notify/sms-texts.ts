// The text messages: for each kind, the template parameters (named plainly) and the text the
// recipient reads — 【签名】 first, short, Chinese. The provider's approved template for a kind must
// say the same with the same parameter names (README "短信 / SMS settings"). Built from the tracking
// code, unit, category, dates and links alone: never a name, a number or the description.
import type { SmsKind } from './sms-outbox-repository.ts';

export interface SmsContent {
  kind: SmsKind;
  params: Record<string, string>;
  text: string;
}

const dateTime = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai',
  month: 'numeric',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
});

/** "12月9日 18:00" in China time. */
export function smsDateTime(iso: string): string {
  const parts = Object.fromEntries(dateTime.formatToParts(new Date(iso)).map((p) => [p.type, p.value]));
  return `${parts['month']}月${parts['day']}日 ${parts['hour']}:${parts['minute']}`;
}

export function trackLink(publicUrl: string, code: string): string {
  return `${publicUrl}/track?code=${encodeURIComponent(code)}`;
}

type Fill = (params: Record<string, string>) => string;

const TEXTS: Record<Exclude<SmsKind, 'lookup-code'>, Fill> = {
  'reporter-accepted': (p) => `您反映的问题已受理，查询码${p['code']}，可在${p['link']}查询办理进度。`,
  'reporter-dispatched': (p) => `您反映的问题（查询码${p['code']}）已转交${p['unit']}办理，办理期限${p['deadline']}。`,
  'reporter-closed': (p) => `您反映的问题（查询码${p['code']}）已办结。问题解决了吗？请在${p['link']}告诉我们。`,
  'unit-dispatch': (p) => `${p['unit']}：新交办问题${p['code']}（${p['category']}），请于${p['deadline']}前办结，详见创城工作平台。`,
  'unit-reminder': (p) => `${p['unit']}：交办问题${p['code']}将于${p['deadline']}到期，请抓紧办理。`,
  'unit-overdue': (p) => `${p['unit']}：交办问题${p['code']}已超过办理期限${p['deadline']}，请尽快办理并说明情况。`,
};

export function smsContent(kind: Exclude<SmsKind, 'lookup-code'>, params: Record<string, string>, signName: string): SmsContent {
  return { kind, params, text: `【${signName}】${TEXTS[kind](params)}` };
}
