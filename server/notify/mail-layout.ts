// Renders one description of a mail into both of its parts, so the plain-text and HTML parts
// always say the same thing. Every piece of text is escaped here, once: descriptions and
// reasons are typed by residents and staff and must never become markup. Inline styles only
// and no external resources (images, fonts, stylesheets): mail clients strip or block them.

export interface MailContent {
  subject: string;
  text: string;
  html: string;
}

export type Block =
  | { kind: 'paragraph'; text: string }
  /** Label–value rows (查询码, 问题类别 …); values may span lines. */
  | { kind: 'facts'; rows: ReadonlyArray<readonly [label: string, value: string]> }
  /** A quoted text someone wrote (a reason, a description), under a label. */
  | { kind: 'quote'; label: string; text: string }
  | { kind: 'link'; label: string; url: string }
  /** A list of tickets or other items, each with an optional link. */
  | { kind: 'list'; items: ReadonlyArray<{ text: string; url?: string }> };

export interface MailDocument {
  subject: string;
  /** Salutation, e.g. "临城县住房和城乡建设局：". */
  greeting: string;
  blocks: readonly Block[];
  footer: string;
}

export function renderMail(doc: MailDocument): MailContent {
  return { subject: doc.subject.replace(/\s+/g, ' ').trim(), text: renderText(doc), html: renderHtml(doc) };
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => HTML_ENTITIES[c]!);
}

const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

// ——— plain text ———

function renderText(doc: MailDocument): string {
  // "-- " is the signature separator mail clients recognise (and may fold away).
  const parts = [doc.greeting, ...doc.blocks.map(textBlock), `-- \n${doc.footer}`];
  return parts.join('\n\n') + '\n';
}

function textBlock(block: Block): string {
  switch (block.kind) {
    case 'paragraph':
      return block.text;
    case 'facts':
      return block.rows.map(([label, value]) => `${label}：${indentContinuation(value, '  ')}`).join('\n');
    case 'quote':
      return `${block.label}：\n${block.text
        .split('\n')
        .map((line) => `> ${line}`)
        .join('\n')}`;
    case 'link':
      return `${block.label}：\n${block.url}`;
    case 'list':
      return block.items.map((item) => `· ${item.text}${item.url ? `\n  ${item.url}` : ''}`).join('\n');
  }
}

function indentContinuation(value: string, indent: string): string {
  return value.split('\n').join(`\n${indent}`);
}

// ——— HTML ———

const STYLE = {
  body: 'margin:0;padding:16px;background:#f4f4f4;',
  card: 'max-width:640px;margin:0 auto;padding:24px;background:#ffffff;border:1px solid #dddddd;font-family:sans-serif;font-size:15px;line-height:1.6;color:#222222;',
  paragraph: 'margin:0 0 16px;',
  table: 'border-collapse:collapse;margin:0 0 16px;width:100%;',
  th: 'text-align:left;vertical-align:top;padding:4px 12px 4px 0;white-space:nowrap;color:#555555;font-weight:normal;',
  td: 'padding:4px 0;white-space:pre-wrap;word-break:break-word;',
  quoteLabel: 'margin:0 0 4px;color:#555555;',
  quote: 'margin:0 0 16px;padding:8px 12px;border-left:4px solid #c0392b;background:#fafafa;white-space:pre-wrap;word-break:break-word;',
  button: 'display:inline-block;padding:8px 16px;background:#c0392b;color:#ffffff;text-decoration:none;border-radius:4px;',
  url: 'margin:4px 0 16px;font-size:13px;color:#555555;word-break:break-all;',
  list: 'margin:0 0 16px;padding-left:20px;',
  footer: 'margin:24px 0 0;padding-top:12px;border-top:1px solid #eeeeee;font-size:13px;color:#777777;',
};

function renderHtml(doc: MailDocument): string {
  const title = escapeHtml(doc.subject);
  const content = [p(doc.greeting), ...doc.blocks.map(htmlBlock)].join('\n');
  return [
    '<!DOCTYPE html>',
    '<html lang="zh-CN">',
    `<head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${title}</title></head>`,
    `<body style="${STYLE.body}">`,
    `<div style="${STYLE.card}">`,
    content,
    `<p style="${STYLE.footer}">${escapeHtml(doc.footer)}</p>`,
    '</div>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

function p(text: string): string {
  return `<p style="${STYLE.paragraph}">${escapeHtml(text)}</p>`;
}

function htmlBlock(block: Block): string {
  switch (block.kind) {
    case 'paragraph':
      return p(block.text);
    case 'facts':
      return `<table role="presentation" style="${STYLE.table}">${block.rows
        .map(
          ([label, value]) =>
            `<tr><th scope="row" style="${STYLE.th}">${escapeHtml(label)}</th><td style="${STYLE.td}">${escapeHtml(value)}</td></tr>`,
        )
        .join('')}</table>`;
    case 'quote':
      return `<p style="${STYLE.quoteLabel}">${escapeHtml(block.label)}：</p><div style="${STYLE.quote}">${escapeHtml(block.text)}</div>`;
    case 'link':
      return `<p style="margin:0;"><a href="${escapeHtml(block.url)}" style="${STYLE.button}">${escapeHtml(block.label)}</a></p><p style="${STYLE.url}">${escapeHtml(block.url)}</p>`;
    case 'list':
      return `<ul style="${STYLE.list}">${block.items.map(htmlListItem).join('')}</ul>`;
  }
}

function htmlListItem(item: { text: string; url?: string }): string {
  const text = escapeHtml(item.text);
  return item.url ? `<li><a href="${escapeHtml(item.url)}" style="color:#c0392b;">${text}</a></li>` : `<li>${text}</li>`;
}

// ——— dates ———

/** Dates are read in the county's time zone, whatever the server's TZ is. */
const dateTimeFormat = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: 'long',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** "2026年12月7日 10:00" from an ISO timestamp. */
export function formatDateTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateTimeFormat.format(d);
}
