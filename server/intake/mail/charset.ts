// Charset repair before mailparser sees a message (issue 4, TOOLCHAIN "Mail" traps):
// 1. labels mailparser/iconv-lite do not know or decode too narrowly (`eucgb2312_cn`, `x-gbk`,
//    `gb_2312-80`, `cp936`, `euc-cn`, `gb2312` …) are rewritten to `gb18030`, the superset every
//    Chinese client's GB text decodes under; Big5 variants to `big5`;
// 2. raw 8-bit header lines that are not valid UTF-8 (QQ/Foxmail/old clients sending GBK subjects
//    without RFC 2047) are transcoded to UTF-8 from the message's declared charset, else GB18030.
// Pure functions over bytes; the content hash is always taken over the original bytes.

const GB_ALIASES = new Set([
  'gb2312',
  'gb_2312',
  'gb_2312-80',
  'gb2312-80',
  'gb231280',
  'csgb2312',
  'csiso58gb231280',
  'iso-ir-58',
  'chinese',
  'euc-cn',
  'euc_cn',
  'euccn',
  'x-euc-cn',
  'eucgb2312_cn',
  'eucgb2312-cn',
  'euc-gb2312-cn',
  'gbk',
  'x-gbk',
  'cp936',
  'ms936',
  'windows-936',
  'cp-936',
  'gb18030-2000',
  'gb18030-2005',
  'gb18030-2022',
]);

const BIG5_ALIASES = new Set(['x-x-big5', 'cn-big5', 'csbig5', 'big-5', 'big-five', 'bigfive', 'x-big5', 'cp950', 'ms950']);

/** The label to use instead of `label`, or null when it needs no rewriting. */
export function canonicalCharset(label: string): string | null {
  const key = label.trim().toLowerCase();
  if (GB_ALIASES.has(key)) return 'gb18030';
  if (BIG5_ALIASES.has(key)) return 'big5';
  return null;
}

const decoders = new Map<string, TextDecoder | null>();

/** A TextDecoder for `label` (aliases mapped), or null when the label is unknown. */
export function decoderFor(label: string): TextDecoder | null {
  const name = canonicalCharset(label) ?? label.trim().toLowerCase();
  if (!decoders.has(name)) {
    let decoder: TextDecoder | null = null;
    try {
      decoder = new TextDecoder(name);
    } catch {
      decoder = null;
    }
    decoders.set(name, decoder);
  }
  return decoders.get(name) ?? null;
}

const utf8Strict = new TextDecoder('utf-8', { fatal: true });

export function isValidUtf8(bytes: Uint8Array): boolean {
  try {
    utf8Strict.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

function has8bit(bytes: Uint8Array): boolean {
  for (const b of bytes) if (b >= 0x80) return true;
  return false;
}

/** Offset of the blank line that ends the top-level header block, and the length of that separator. */
export function headerEnd(raw: Buffer): { end: number; sep: number } {
  const limit = Math.min(raw.length, 1024 * 1024);
  for (let i = 0; i < limit; i++) {
    if (raw[i] !== 0x0a) continue;
    if (raw[i + 1] === 0x0a) return { end: i + 1, sep: 1 };
    if (raw[i + 1] === 0x0d && raw[i + 2] === 0x0a) return { end: i + 1, sep: 2 };
  }
  if (raw.length <= limit) return { end: raw.length, sep: 0 };
  return { end: limit, sep: 0 };
}

const CHARSET_PARAM = /(charset\s*=\s*"?)([A-Za-z0-9_.:-]+)/gi;
const ENCODED_WORD_CHARSET = /(=\?)([A-Za-z0-9_.:-]+)((?:\*[A-Za-z-]*)?\?[BbQq]\?)/g;

/** The charset named by the top-level Content-Type, if any (lower-cased). */
function declaredCharset(headerText: string): string | null {
  const ct = /^content-type:[^\n]*(?:\n[ \t][^\n]*)*/im.exec(headerText);
  if (!ct) return null;
  const cs = /charset\s*=\s*"?([A-Za-z0-9_.:-]+)/i.exec(ct[0]);
  return cs?.[1]?.toLowerCase() ?? null;
}

/** A charset to read raw 8-bit header bytes with: the first non-ASCII, non-UTF-8 charset the message declares, else null. */
function guessHeaderCharset(raw: Buffer, headerText: string): string | null {
  const top = declaredCharset(headerText);
  const usable = (cs: string | null | undefined): cs is string =>
    !!cs && !/^(us-?ascii|utf-?8|ascii|x-unknown|unknown|default)$/i.test(cs) && decoderFor(cs) !== null;
  if (usable(top)) return canonicalCharset(top) ?? top;
  const head = raw.subarray(0, Math.min(raw.length, 256 * 1024)).toString('latin1');
  for (const m of head.matchAll(/charset\s*=\s*"?([A-Za-z0-9_.:-]+)/gi)) {
    const cs = m[1]?.toLowerCase();
    if (usable(cs)) return canonicalCharset(cs) ?? cs;
  }
  return null;
}

/**
 * Chinese GB text pairs two high bytes almost always (GB2312's range is A1–FE for both); Latin-1
 * text has isolated high bytes between ASCII letters. With no declared charset to go by, a header
 * whose every high byte is followed by ASCII is read as windows-1252, anything else as GB18030.
 */
export function looksLikeLatin1(bytes: Uint8Array): boolean {
  let sawHigh = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] ?? 0;
    if (b < 0x80) continue;
    sawHigh = true;
    const next = bytes[i + 1] ?? 0;
    if (next >= 0x80) return false;
    i++;
  }
  return sawHigh;
}

export interface RepairResult {
  raw: Buffer;
  defects: string[];
}

/** Rewrites charset aliases and transcodes raw 8-bit top-level header lines to UTF-8. */
export function repairRaw(input: Buffer): RepairResult {
  const defects: string[] = [];
  let raw = input;

  // 1. Aliases, anywhere a charset is named (part headers and encoded words).
  const latin = raw.toString('latin1');
  const renamed = new Set<string>();
  const rename = (label: string): string => {
    const canonical = canonicalCharset(label);
    if (canonical && canonical !== label.toLowerCase()) {
      renamed.add(`${label}→${canonical}`);
      return canonical;
    }
    return label;
  };
  let changed = latin.replace(CHARSET_PARAM, (_m, pre: string, label: string) => pre + rename(label));
  changed = changed.replace(ENCODED_WORD_CHARSET, (_m, pre: string, label: string, post: string) => pre + rename(label) + post);
  if (renamed.size > 0) {
    raw = Buffer.from(changed, 'latin1');
    defects.push(`charset label rewritten: ${[...renamed].sort().join(', ')}`);
  }

  // 2. Raw 8-bit bytes in the top-level header block.
  const { end } = headerEnd(raw);
  const header = raw.subarray(0, end);
  if (!has8bit(header) || isValidUtf8(header)) return { raw, defects };
  const headerText = header.toString('latin1');
  const charset = guessHeaderCharset(raw, headerText) ?? (looksLikeLatin1(header) ? 'windows-1252' : 'gb18030');
  const decoder = decoderFor(charset) ?? new TextDecoder('gb18030');
  const parts: Buffer[] = [];
  const fixedNames = new Set<string>();
  let start = 0;
  while (start < header.length) {
    let nl = header.indexOf(0x0a, start);
    nl = nl === -1 ? header.length : nl + 1;
    const line = header.subarray(start, nl);
    if (has8bit(line) && !isValidUtf8(line)) {
      parts.push(Buffer.from(decoder.decode(line), 'utf8'));
      const name = /^([!-9;-~]+):/.exec(line.toString('latin1'))?.[1];
      fixedNames.add(name ?? 'continuation');
    } else {
      parts.push(line);
    }
    start = nl;
  }
  parts.push(raw.subarray(end));
  defects.push(`raw 8-bit header (${[...fixedNames].join(', ')}) decoded as ${charset.toUpperCase()}`);
  return { raw: Buffer.concat(parts), defects };
}
