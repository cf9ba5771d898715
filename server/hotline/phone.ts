// Callers' phone numbers: kept as digits, shown masked (138****1234) to everyone but the hotline
// operators and the campaign office (issue 5, item 5), searchable by operators by any part.

/** Digits only, without a +86/0086 country prefix: "+86 138-1234-5678" → "13812345678". */
export function normalizePhone(raw: string): string {
  const digits = raw.replace(/\D/g, '');
  return digits.replace(/^(0086|86)(?=1\d{10}$)/, '');
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
