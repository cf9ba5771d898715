// Sanitised HTML → plain text, for HTML-only mail. No DOM, no scripts: tags are dropped, block
// elements become line breaks, entities are decoded. `dropQuotes` removes <blockquote> content
// (the quoted history in HTML replies) for the "new text".

const NAMED: Record<string, string> = {
  nbsp: ' ',
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  ensp: ' ',
  emsp: ' ',
  thinsp: ' ',
  middot: '·',
  mdash: '—',
  ndash: '–',
  hellip: '…',
  ldquo: '“',
  rdquo: '”',
  lsquo: '‘',
  rsquo: '’',
  copy: '©',
  reg: '®',
  times: '×',
  yen: '¥',
  laquo: '«',
  raquo: '»',
  bull: '•',
};

export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z][a-z0-9]{1,10});/gi, (whole, ent: string) => {
    if (ent[0] === '#') {
      const code = ent[1] === 'x' || ent[1] === 'X' ? parseInt(ent.slice(2), 16) : parseInt(ent.slice(1), 10);
      if (!Number.isFinite(code) || code <= 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return '';
      return String.fromCodePoint(code);
    }
    return NAMED[ent.toLowerCase()] ?? whole;
  });
}

export function htmlToText(html: string, options: { dropQuotes?: boolean } = {}): string {
  let s = html.length > 4_000_000 ? html.slice(0, 4_000_000) : html;
  s = s.replace(/<!--[\s\S]*?-->/g, '');
  s = s.replace(/<(script|style|head|title|noscript|template|svg|object|iframe)\b[\s\S]*?<\/\1\s*>/gi, '');
  if (options.dropQuotes) {
    // Innermost first, a bounded number of rounds.
    for (let round = 0; round < 20 && /<blockquote\b/i.test(s); round++) {
      const next = s.replace(/<blockquote\b(?:(?!<blockquote\b)[\s\S])*?<\/blockquote\s*>/gi, '\n');
      if (next === s) break;
      s = next;
    }
    // QQ Mail / Foxmail put the history after a div with this marker but without a blockquote.
    s = s.replace(/<div[^>]*(?:id|class)\s*=\s*["']?(?:appendonsend|divRplyFwdMsg|gmail_quote|yahoo_quoted|moz-cite-prefix)[\s\S]*$/i, '');
  }
  s = s.replace(/<br\b[^>]*>/gi, '\n');
  s = s.replace(/<\/?(p|div|tr|li|ul|ol|table|h[1-6]|blockquote|pre|section|article|header|footer|hr)\b[^>]*>/gi, '\n');
  s = s.replace(/<\/t[dh]\s*>/gi, '\t');
  s = s.replace(/<[^>]*>/g, '');
  s = s.replace(/<[^>]*$/, '');
  s = decodeEntities(s);
  return s
    .replace(/\r\n?/g, '\n')
    .replace(/[ \t\u00a0]+/g, (m) => (m.includes('\t') ? '\t' : ' '))
    .split('\n')
    .map((line) => line.trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
