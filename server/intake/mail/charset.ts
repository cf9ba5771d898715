// Charset repair before mailparser sees a message (issue 4, TOOLCHAIN "Mail" traps):
// 1. labels mailparser/iconv-lite do not know or decode too narrowly (`eucgb2312_cn`, `x-gbk`,
//    `gb_2312-80`, `cp936`, `euc-cn`, `gb2312` …) are rewritten to `gb18030`, the superset every
//    Chinese client's GB text decodes under; Big5 variants to `big5`;
// 2. raw 8-bit header lines that are not valid UTF-8 (QQ/Foxmail/old clients sending GBK subjects
//    without RFC 2047) are transcoded to UTF-8 from the message's declared charset, else GB18030.
// Pure functions over bytes; the content hash is always taken over the original bytes.
import { isAscii, isUtf8 } from 'node:buffer';

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

export function isValidUtf8(bytes: Uint8Array): boolean {
  return isUtf8(bytes);
}

function has8bit(bytes: Uint8Array): boolean {
  return !isAscii(bytes);
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

interface Edit {
  start: number;
  end: number;
  bytes: Buffer;
}

function applyEdits(raw: Buffer, edits: Edit[]): Buffer {
  if (edits.length === 0) return raw;
  edits.sort((a, b) => a.start - b.start);
  const parts: Buffer[] = [];
  let at = 0;
  for (const e of edits) {
    if (e.start < at) continue;
    parts.push(raw.subarray(at, e.start), e.bytes);
    at = e.end;
  }
  parts.push(raw.subarray(at));
  return Buffer.concat(parts);
}

/** End of the header block starting at `from` (offset just after the blank line's first newline). */
function blockEnd(raw: Buffer, from: number, limit: number): number {
  for (let i = from; i < limit; i++) {
    if (raw[i] !== 0x0a) continue;
    if (raw[i + 1] === 0x0a) return i + 1;
    if (raw[i + 1] === 0x0d && raw[i + 2] === 0x0a) return i + 1;
  }
  return limit;
}

function decodeBodyBytes(body: Buffer, cte: string): Buffer {
  if (cte === 'base64') return Buffer.from(body.toString('latin1').replace(/[^A-Za-z0-9+/]/g, ''), 'base64');
  if (cte === 'quoted-printable') {
    const text = body.toString('latin1').replace(/=\r?\n/g, '');
    return Buffer.from(
      text.replace(/=([0-9A-Fa-f]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))),
      'latin1',
    );
  }
  return body;
}

/** Rewrites charset aliases, transcodes raw 8-bit header lines (top level and MIME parts) to UTF-8, and labels unlabelled or mislabelled 8-bit text parts. */
export function repairRaw(input: Buffer): RepairResult {
  const defects: string[] = [];
  let raw = input;

  // 1. Aliases, anywhere a charset is named (part headers and encoded words).
  let latin = raw.toString('latin1');
  const renamed = new Set<string>();
  const rename = (label: string): string => {
    const canonical = canonicalCharset(label);
    if (canonical && canonical !== label.toLowerCase()) {
      renamed.add(`${label.toLowerCase()}→${canonical}`);
      return canonical;
    }
    return label;
  };
  let changed = latin.replace(CHARSET_PARAM, (_m, pre: string, label: string) => pre + rename(label));
  changed = changed.replace(ENCODED_WORD_CHARSET, (_m, pre: string, label: string, post: string) => pre + rename(label) + post);
  if (renamed.size > 0) {
    raw = Buffer.from(changed, 'latin1');
    latin = changed;
    defects.push(`charset label rewritten: ${[...renamed].sort().join(', ')}`);
  }

  // 2. Header blocks: the top level and every MIME part (found after its boundary line).
  const { end: topEnd } = headerEnd(raw);
  const topHeaderText = raw.subarray(0, topEnd).toString('latin1');
  const declared = guessHeaderCharset(raw, topHeaderText);
  const fallback = (bytes: Uint8Array): string => declared ?? (looksLikeLatin1(bytes) ? 'windows-1252' : 'gb18030');
  const edits: Edit[] = [];
  const fixedHeaders = new Set<string>();
  const labelled: string[] = [];

  const fixHeaderBlock = (start: number, end: number): void => {
    const block = raw.subarray(start, end);
    if (!has8bit(block) || isValidUtf8(block)) return;
    const charset = fallback(block);
    const decoder = decoderFor(charset) ?? new TextDecoder('gb18030');
    let at = start;
    while (at < end) {
      let nl = raw.indexOf(0x0a, at);
      nl = nl === -1 || nl >= end ? end : nl + 1;
      const line = raw.subarray(at, nl);
      if (has8bit(line) && !isValidUtf8(line)) {
        edits.push({ start: at, end: nl, bytes: Buffer.from(decoder.decode(line), 'utf8') });
        const name = /^([!-9;-~]+):/.exec(line.toString('latin1'))?.[1];
        fixedHeaders.add(`${name ?? 'continuation'} as ${charset.toUpperCase()}`);
      }
      at = nl;
    }
  };

  fixHeaderBlock(0, topEnd);

  const boundaries = new Set<string>();
  for (const m of latin.matchAll(/boundary\s*=\s*(?:"([^"\r\n]{1,200})"|([^\s;"]{1,200}))/gi)) {
    const b = m[1] ?? m[2];
    if (b) boundaries.add(b);
  }
  if (boundaries.size > 0 && boundaries.size <= 200) {
    // Each boundary costs one scan of the message: bounded work (~400 MB of scanning) on huge mails.
    let budget = 400_000_000;
    for (const boundary of boundaries) {
      budget -= latin.length;
      if (budget < 0) break;
      const marker = `--${boundary}`;
      let at = latin.indexOf(marker);
      let parts = 0;
      while (at !== -1 && parts < 2000) {
        const lineStart = at === 0 || latin[at - 1] === '\n';
        const after = at + marker.length;
        const next = latin.indexOf(marker, after);
        if (lineStart && !latin.startsWith('--', after)) {
          const eol = latin.indexOf('\n', after);
          if (eol !== -1 && /^[ \t\r]*$/.test(latin.slice(after, eol))) {
            parts++;
            const hStart = eol + 1;
            const hEnd = blockEnd(raw, hStart, next === -1 ? raw.length : next);
            fixHeaderBlock(hStart, hEnd);
            labelTextPart(hStart, hEnd, next === -1 ? raw.length : next);
          }
        }
        at = next;
      }
    }
  } else if (topEnd < raw.length) {
    labelTextPart(0, topEnd, raw.length);
  }

  function labelTextPart(hStart: number, hEnd: number, bodyEnd: number): void {
    const headerText = latin.slice(hStart, hEnd);
    const ctMatch = /^content-type[ \t]*:([^\n]*(?:\n[ \t][^\n]*)*)/im.exec(headerText);
    const ct = ctMatch?.[1] ?? '';
    const type = /^\s*([^;\s]+)/.exec(ct)?.[1]?.toLowerCase() ?? 'text/plain';
    if (!type.startsWith('text/')) return;
    const charsetMatch = /charset\s*=\s*"?([A-Za-z0-9_.:-]+)/i.exec(ct);
    const cte = /^content-transfer-encoding[ \t]*:[ \t]*([^\s;]+)/im.exec(headerText)?.[1]?.toLowerCase() ?? '7bit';
    const bodyStart = Math.min(bodyEnd, hEnd + (raw[hEnd] === 0x0d ? 2 : 1));
    const slice = raw.subarray(bodyStart, Math.min(bodyEnd, bodyStart + 2 * 1024 * 1024));
    const body = decodeBodyBytes(slice, cte);
    if (!has8bit(body)) return;
    const label = charsetMatch?.[1]?.toLowerCase() ?? null;
    const valid = isValidUtf8(body);
    let newLabel: string | null = null;
    if (label === null || /^(us-?ascii|ascii|x-unknown|unknown|default)$/.test(label)) {
      newLabel = valid ? 'utf-8' : fallback(body);
    } else if (label === 'gb18030' && valid) {
      // Chinese text in GB encoding is practically never valid UTF-8: the part is mislabelled.
      newLabel = 'utf-8';
    } else if (/^utf-?8$/.test(label) && !valid && !looksLikeLatin1(body)) {
      newLabel = declared && !/^utf-?8$/.test(declared) ? declared : 'gb18030';
    }
    if (!newLabel || newLabel === label) return;
    labelled.push(`${type} ${label ?? 'unlabelled'}→${newLabel}`);
    if (ctMatch && charsetMatch) {
      const rel = ctMatch[0].search(/charset\s*=\s*"?[A-Za-z0-9_.:-]+"?/i) + ctMatch.index;
      const orig = /charset\s*=\s*"?[A-Za-z0-9_.:-]+"?/i.exec(ctMatch[0])?.[0] ?? '';
      edits.push({ start: hStart + rel, end: hStart + rel + orig.length, bytes: Buffer.from(`charset="${newLabel}"`) });
    } else if (ctMatch) {
      const lineEnd = hStart + ctMatch.index + ctMatch[0].replace(/\r$/, '').length;
      edits.push({ start: lineEnd, end: lineEnd, bytes: Buffer.from(`; charset="${newLabel}"`) });
    } else {
      edits.push({ start: hStart, end: hStart, bytes: Buffer.from(`Content-Type: text/plain; charset="${newLabel}"\r\n`) });
    }
  }

  if (fixedHeaders.size > 0) defects.push(`raw 8-bit header (${[...fixedHeaders].join(', ')}) decoded`);
  if (labelled.length > 0) defects.push(`text part charset guessed: ${labelled.slice(0, 5).join(', ')}`);
  const guarded = guardTrailingNbsp(applyEdits(raw, edits));
  if (guarded.names.length > 0) defects.push(`raw UTF-8 header ending in byte A0 (${guarded.names.join(', ')}) encoded`);
  return { raw: guarded.raw, defects };
}

/**
 * mailparser reads a header as a binary string and trims it before decoding it as UTF-8, so a raw
 * UTF-8 value whose last byte is 0xA0 (one CJK character in 64 ends so: 映 is E6 98 A0) loses that
 * byte, as if it were a no-break space, and its last character turns into U+FFFD. Such a
 * top-level header (a raw UTF-8 subject, or a GBK one transcoded above) is rewritten as RFC 2047
 * encoded words, which mailparser decodes whole.
 */
function guardTrailingNbsp(raw: Buffer): { raw: Buffer; names: string[] } {
  const { end } = headerEnd(raw);
  const edits: Edit[] = [];
  const names: string[] = [];
  let at = 0;
  while (at < end) {
    // One header: its first line and its continuation lines.
    let stop = at;
    do {
      const nl = raw.indexOf(0x0a, stop);
      stop = nl === -1 || nl >= end ? end : nl + 1;
    } while (stop < end && (raw[stop] === 0x20 || raw[stop] === 0x09));
    const header = raw.subarray(at, stop);
    let last = header.length;
    while (last > 0 && (header[last - 1] === 0x0a || header[last - 1] === 0x0d)) last--;
    const colon = header.indexOf(0x3a);
    if (colon > 0 && last > colon && header[last - 1] === 0xa0 && isValidUtf8(header)) {
      const name = header.subarray(0, colon).toString('latin1');
      const value = header
        .subarray(colon + 1, last)
        .toString('utf8')
        .replace(/\r?\n(?=[ \t])/g, '')
        .replace(/^[ \t]+/, '');
      if (/^[!-9;-~]+$/.test(name) && !value.includes('=?')) {
        const eol = header.subarray(last).toString('latin1') || '\r\n';
        edits.push({ start: at, end: stop, bytes: Buffer.from(`${name}: ${encodedWords(value)}${eol}`, 'latin1') });
        names.push(name);
      }
    }
    at = stop;
  }
  return { raw: applyEdits(raw, edits), names };
}

/** RFC 2047 B-encoded words of at most 45 bytes of text each, split between characters, folded. */
function encodedWords(text: string): string {
  const words: string[] = [];
  let chunk = '';
  for (const ch of text) {
    if (Buffer.byteLength(chunk + ch) > 45) {
      words.push(chunk);
      chunk = '';
    }
    chunk += ch;
  }
  if (chunk) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w, 'utf8').toString('base64')}?=`).join('\r\n ');
}
