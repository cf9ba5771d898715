// Callers' phone numbers: kept as digits, shown masked (138****1234) to everyone but the hotline
// operators and the campaign office (issue 5, item 5), searchable by operators by any part.
// Here in tickets/ rather than in a channel's folder: the number is part of a ticket's private
// reporter record, which every channel fills (web form, mail, hotline) and the staff views and
// ledgers mask (DESIGN rule 11).

/**
 * Digits only, as dialled within China, so that a number can be called back as stored: a +86/0086
 * country prefix goes ("+86 138-1234-5678" → "13812345678"), and a landline written with it gets
 * its trunk 0 back ("+86 319 555 1234" → "03195551234"). A 0 that was typed is never dropped; a
 * local number that merely begins with 86 is left as it is.
 */
export function normalizePhone(raw: string): string {
  const digits = raw.replace(/\D/g, '');
  const national = /^(?:0086|86)(\d+)$/.exec(digits)?.[1];
  if (national === undefined) return digits;
  if (/^1\d{10}$/.test(national)) return national;
  // Area code (10, 2x or three digits) and a 7- or 8-digit number, with or without its trunk 0.
  if (/^0?(?:10|[2-9]\d)\d{7,9}$/.test(national)) return national.startsWith('0') ? national : `0${national}`;
  return digits;
}

/** "13812341234" → "138****1234"; landlines keep the area code and the last four digits. */
export function maskPhone(phone: string | null): string | null {
  if (!phone) return null;
  const digits = normalizePhone(phone);
  if (digits.length >= 11) return `${digits.slice(0, 3)}****${digits.slice(-4)}`;
  // A landline: its area code (when dialled with one) and the last four digits.
  if (digits.length >= 7) return `${digits.startsWith('0') ? digits.slice(0, digits.length - 7) : ''}****${digits.slice(-4)}`;
  return '****';
}

/**
 * A text for the public with every phone number in it blanked: mobile numbers (also written with
 * spaces or dashes, or +86) and landlines with an area code. The public rectification summary is
 * the office's approved text, but a unit's "联系人 … 139…" left in by mistake must not go out.
 */
export function withoutPhoneNumbers(text: string): string {
  return text
    .replace(/(?<!\d)(?:\+?86[\s-]?)?1[3-9]\d(?:[\s-]?\d){8}(?!\d)/g, '（电话已隐去）')
    .replace(/(?<!\d)0\d{2,3}[\s-]?\d{7,8}(?!\d)/g, '（电话已隐去）');
}
