// The new text of a reply: quoted history and signatures stripped, in the styles the residents'
// clients use (QQ Mail, 163/126, Foxmail, Outlook, Apple Mail, Gmail, phones).

const SEPARATOR_LINES: RegExp[] = [
  // QQ Mail / Foxmail: "------------------ 原始邮件 ------------------", English UI "Original".
  /^-{2,}\s*(原始邮件|原始郵件|邮件原件|原始信件|原邮件|回复的原邮件|Original|Original Message|Ursprüngliche Nachricht|Message d'origine)\s*-{2,}$/i,
  /^-{3,}\s*(Reply message|Reply Message|回复邮件)\s*-{3,}$/i,
  // Outlook Web / mobile: a line of underscores (the From: block follows).
  /^_{20,}$/,
];

const ATTRIBUTION_END = /(写道|寫道|wrote|schrieb|a écrit)\s*[:：]\s*$/i;
const HEADER_BLOCK_START = /^\*?\s*(发件人|寄件者|寄件人|From)\s*\*?\s*[:：]/i;
const HEADER_BLOCK_NEXT = /^\*?\s*(发送时间|寄件日期|时间|時間|日期|Sent|Date|收件人|收件者|To|抄送|Cc|主题|主旨|Subject)\s*\*?\s*[:：]/i;
const SIGNATURE_LINES: RegExp[] = [
  /^--\s?$/,
  /^(发自|来自|發自|寄自)(我的)?\s*(iPhone|iPad|手机|手機|华为|HUAWEI|荣耀|小米|OPPO|vivo|Android|安卓|网易邮箱大师|网易邮箱|QQ邮箱|QQ邮箱手机版|Mail for Windows|移动设备)/i,
  /^Sent from (my )?\S/i,
  /^从我的\s*\S+\s*发送/,
  /^Get Outlook for (iOS|Android)/i,
  /^(Sent|Envoyé) (with|via|using) /i,
];

function isAttribution(lines: string[], i: number): number {
  // An attribution ("On … wrote:", "在 … 写道：", "2026年11月30日 … 写道：") may be wrapped over up to 3 lines.
  const first = lines[i]?.trim() ?? '';
  if (!/^(On\b|在|于|於|\d{4}[-年/.]|Am\b|Le\b|El\b|Il\b|Op\b)/i.test(first) && !ATTRIBUTION_END.test(first)) return 0;
  let joined = '';
  for (let k = 0; k < 3 && i + k < lines.length; k++) {
    joined += (k ? ' ' : '') + (lines[i + k] ?? '').trim();
    if (joined.length > 300) return 0;
    if (ATTRIBUTION_END.test(joined)) {
      if (/^(On|Am|Le|El|Il|Op)\b/i.test(first) || /^(在|于|於|\d{4})/.test(first) || k === 0) return k + 1;
      return 0;
    }
  }
  return 0;
}

function isHeaderBlock(lines: string[], i: number): boolean {
  if (!HEADER_BLOCK_START.test(lines[i]?.trim() ?? '')) return false;
  for (let k = 1; k <= 4 && i + k < lines.length; k++) {
    if (HEADER_BLOCK_NEXT.test((lines[i + k] ?? '').trim())) return true;
  }
  return false;
}

/** The index of the first line of quoted history, or lines.length when there is none. */
export function quoteStart(lines: string[]): number {
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').trim();
    if (SEPARATOR_LINES.some((re) => re.test(line))) {
      // "____" alone (a signature rule) only counts when a From: block follows.
      if (/^_+$/.test(line) && !isHeaderBlock(lines, i + 1) && !isHeaderBlock(lines, i + 2)) continue;
      return i;
    }
    if (isHeaderBlock(lines, i)) return i;
    if (isAttribution(lines, i) > 0) {
      // "On … wrote:" followed by '>' lines or the end of the text, or any "… 写道：".
      return i;
    }
  }
  return lines.length;
}

/** Strips quoted history and signatures; returns the trimmed new text. */
export function stripQuotedText(text: string): string {
  let lines = text.replace(/\r\n?/g, '\n').split('\n');
  lines = lines.slice(0, quoteStart(lines));
  // '>' blocks (interleaved replies keep their own lines).
  lines = lines.filter((line) => !/^\s*>/.test(line));
  // Signatures: cut at the first signature line.
  const sig = lines.findIndex((line) => SIGNATURE_LINES.some((re) => re.test(line.trim())));
  if (sig >= 0) lines = lines.slice(0, sig);
  return lines
    .map((line) => line.replace(/\s+$/, ''))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
