// content/site.json ships with placeholders where each county puts its own: the office's phone
// and hotline (0319-XXXXXXX), the ICP filing number, the site's domain and the mailbox on a
// reserved example domain. A county that goes live with them prints a hotline nobody answers on
// every page, so `npm start` names each one still there (server/main.ts), in English and Chinese.
import fs from 'node:fs';
import path from 'node:path';

export interface SitePlaceholder {
  /** The field of site.json. */
  field: string;
  /** What the office calls it. */
  label: string;
  value: string;
}

/** The fields a county must fill in, and how each reads in the office's words. */
const FIELDS: Record<string, string> = {
  phone: '联系电话',
  hotline: '创城专用热线',
  mailbox: '创城专用邮箱',
  siteIdCode: '网站标识码',
  icp: 'ICP备案号',
  psb: '公安机关备案号',
  domain: '网站域名',
};

/** Digits written as X ("0319-XXXXXXX", "冀ICP备XXXXXXXX号-1"). */
const X_FOR_DIGITS = /X{3,}/i;
/** Names reserved for examples and tests (RFC 2606, RFC 6761), never a county's. */
const RESERVED_DOMAIN = /(^|\.)(example|test|invalid|localhost)$|(^|\.)example\.(com|net|org)$/i;

function isPlaceholder(field: string, value: string): boolean {
  if (X_FOR_DIGITS.test(value)) return true;
  if (field === 'domain') return RESERVED_DOMAIN.test(value.replace(/:\d+$/, ''));
  if (field === 'mailbox') return RESERVED_DOMAIN.test(value.split('@').pop() ?? '');
  return false;
}

/** The fields of a site.json that still hold a placeholder. */
export function sitePlaceholders(site: Record<string, unknown>): SitePlaceholder[] {
  return Object.entries(FIELDS).flatMap(([field, label]) => {
    const value = site[field];
    return typeof value === 'string' && isPlaceholder(field, value) ? [{ field, label, value }] : [];
  });
}

/**
 * The warning for CONTENT_DIR/site.json, two lines (English, then Chinese) naming each field and
 * what it holds; null when none is left, or when the file cannot be read (the site's build says
 * what is wrong with it).
 */
export function sitePlaceholderWarning(contentDir: string): string | null {
  const file = path.join(contentDir, 'site.json');
  let site: unknown;
  try {
    site = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
  if (!site || typeof site !== 'object') return null;
  const found = sitePlaceholders(site as Record<string, unknown>);
  if (found.length === 0) return null;
  const relative = path.relative(process.cwd(), file);
  const shown = relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
  const english = found.map((p) => `${p.field} "${p.value}"`).join(', ');
  const chinese = found.map((p) => `${p.label}（${p.field}）“${p.value}”`).join('、');
  return [
    `warning: ${shown} still holds placeholder values — ${english}. Put in the county's own before going live, then rebuild (npm run build) and restart.`,
    `注意：${shown} 中的${chinese}仍是示例值。上线前请改为本县的真实信息，然后重新构建（npm run build）并重启。`,
  ].join('\n');
}
