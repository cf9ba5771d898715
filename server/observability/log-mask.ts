// What a log line may not carry (issue 18 item 4): personal data. Every string that reaches the
// log — the message, every field, an error's message and stack — passes through maskText, and
// every field whose key names personal data or a secret is replaced whole. Pure functions, so the
// rules are tested on their own (tests/unit/log-mask.test.ts).

const REDACTED = '[redacted]';

/**
 * Words of a key that mark its value as personal data or a secret: `password`, `sessionToken`,
 * `set-cookie`, `reporterName`, `trackingCode`, `callerPhone` … A key is split into its words
 * (camelCase, kebab-case, snake_case) and redacted when one of them is here.
 */
const SECRET_WORDS = new Set([
  'password',
  'passwd',
  'token',
  'cookie',
  'authorization',
  'description',
  'name',
  'phone',
  'mobile',
  'email',
  'address',
  'ip',
  'code',
  'secret',
  'otp',
  'credentials',
]);

/** Keys that carry the log's own ids (validated, never personal): kept as they are, digit runs included. */
const ID_KEYS = new Set(['reqId', 'runId', 'pass']);

function keyWords(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/** Whether a field's value is left out of the log entirely. */
export function isSecretKey(key: string): boolean {
  return keyWords(key).some((word) => SECRET_WORDS.has(word));
}

// A mobile number as people write it: 13812345678, 138 1234 5678, 138-1234-5678, +86 138….
const MOBILE = /(?<!\d)(?:\+?86[\s-]?)?(1[3-9]\d)((?:[\s-]?\d){4})((?:[\s-]?\d){4})(?!\d)/g;
// Any other run of seven or more digits: landlines (0319-5551234 keeps its area code), ID card
// numbers, bank accounts — whatever they are, the log does not need them whole.
// A time stamp of ours is not one: build and backup ids begin with the date and time,
// "20261208-054624-…" (and "20261208T054624Z"), which the operator needs whole to find the build.
const DIGIT_RUN = /(?<!\d)(?!20\d{6}[-T]\d{6}(?!\d))\d{7,}/g;
const EMAIL = /([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@((?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,})/g;

/** 13812345678 → 138****5678, other digit runs of 7+ → ****5678, zhang.san@example.com → z***@example.com. */
export function maskText(text: string): string {
  return text
    .replace(MOBILE, (_all, head: string, _middle: string, tail: string) => `${head}****${tail.replace(/\D/g, '')}`)
    .replace(DIGIT_RUN, (run) => (run.length >= 11 ? `${run.slice(0, 3)}****${run.slice(-4)}` : `****${run.slice(-4)}`))
    .replace(EMAIL, (_all, first: string, domain: string) => `${first}***@${domain}`);
}

/** An error as the log shows it: its kind, masked message and stack, code and cause. */
function maskError(error: Error, depth: number): Record<string, unknown> {
  const shown: Record<string, unknown> = { type: error.name, message: maskText(error.message) };
  if (error.stack) shown['stack'] = maskText(error.stack);
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' || typeof code === 'number') shown['code'] = maskText(String(code));
  if (error.cause !== undefined && depth < 4) shown['cause'] = maskValue(error.cause, depth + 1);
  return shown;
}

function maskValue(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return maskText(value);
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return maskError(value, depth);
  if (value instanceof Date) return value.toISOString();
  if (depth >= 6) return '[…]';
  if (Array.isArray(value)) return value.map((item) => maskValue(item, depth + 1));
  if (Buffer.isBuffer(value) || ArrayBuffer.isView(value)) return `[${value.byteLength} bytes]`;
  return maskFields(value as Record<string, unknown>, depth + 1);
}

function maskFields(fields: Record<string, unknown>, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    if (ID_KEYS.has(key) && typeof value === 'string') out[key] = value;
    else out[key] = isSecretKey(key) ? REDACTED : maskValue(value, depth);
  }
  return out;
}

/**
 * A log line's fields with personal data taken out, at any depth: secret keys redacted, strings
 * masked, errors reduced to their kind, message, stack (masked) and cause.
 */
export function maskLogFields(fields: Record<string, unknown>): Record<string, unknown> {
  return maskFields(fields, 0);
}
