// Domain errors. Domain code throws these and nothing else on purpose; every `message` is Chinese
// and tells a person how to fix the input or what to do next.
//
// Each error carries its `kind`, and `statusOf()` maps a kind to its HTTP status and tRPC code in
// one table, for every edge: the tRPC middleware, the upload and download handlers, the console's
// form actions and the on-demand pages. The pages are bundled by Vite with their own copy of this
// module, while `locals.app` throws the server's classes: `instanceof` fails across that line, so
// the kind is read structurally (a known string in `kind`), never by class or by `name`.

/** Each kind of domain error with its HTTP status and tRPC code (kept as literals: no tRPC import in the domain). */
const KINDS = {
  'invalid-input': { status: 400, trpcCode: 'BAD_REQUEST' },
  unauthorized: { status: 401, trpcCode: 'UNAUTHORIZED' },
  forbidden: { status: 403, trpcCode: 'FORBIDDEN' },
  'not-found': { status: 404, trpcCode: 'NOT_FOUND' },
  conflict: { status: 409, trpcCode: 'CONFLICT' },
  'unsupported-content': { status: 415, trpcCode: 'UNSUPPORTED_MEDIA_TYPE' },
  'too-many-requests': { status: 429, trpcCode: 'TOO_MANY_REQUESTS' },
} as const;

export type ErrorKind = keyof typeof KINDS;

const INTERNAL = { kind: 'internal', status: 500, trpcCode: 'INTERNAL_SERVER_ERROR' } as const;

export type ErrorStatus = { [K in ErrorKind]: { kind: K } & (typeof KINDS)[K] }[ErrorKind] | typeof INTERNAL;

/** What any domain error offers an edge, read structurally (see the top of this file). */
export interface DomainErrorShape {
  kind: ErrorKind;
  message: string;
  /** Field path → Chinese message, for input a person can correct. */
  fields?: Record<string, string>;
  retryAfterSeconds?: number;
}

function isKind(value: unknown): value is ErrorKind {
  return typeof value === 'string' && Object.hasOwn(KINDS, value);
}

/** The error as a domain error, from whichever copy of this module threw it; null for anything else. */
export function asDomainError(error: unknown): DomainErrorShape | null {
  if (!(error instanceof Error) || !isKind((error as { kind?: unknown }).kind)) return null;
  return error as Error & DomainErrorShape;
}

/** The error's kind, HTTP status and tRPC code; anything not a domain error is internal (500). */
export function statusOf(error: unknown): ErrorStatus {
  const domain = asDomainError(error);
  if (!domain) return INTERNAL;
  return { kind: domain.kind, ...KINDS[domain.kind] } as ErrorStatus;
}

/** Chinese field messages of a domain error (only string values), or an empty record. */
export function fieldsOf(error: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  const fields = asDomainError(error)?.fields;
  if (fields && typeof fields === 'object') {
    for (const [k, v] of Object.entries(fields)) if (typeof v === 'string') out[k] = v;
  }
  return out;
}

abstract class DomainError extends Error {
  readonly kind: ErrorKind;
  constructor(kind: ErrorKind, name: string, message: string) {
    super(message);
    this.kind = kind;
    // For logs and stack traces only: nothing branches on it.
    this.name = name;
  }
}

/** Input a person can correct. `fields` maps a field path (e.g. "description") to its message. */
export class InvalidInputError extends DomainError {
  readonly fields: Record<string, string>;
  constructor(message: string, fields: Record<string, string> = {}, kind: 'invalid-input' | 'unsupported-content' = 'invalid-input') {
    super(kind, kind === 'invalid-input' ? 'InvalidInputError' : 'UnsupportedContentError', message);
    this.fields = fields;
  }
}

/** Content too large or of a kind we do not accept (photos). */
export class UnsupportedContentError extends InvalidInputError {
  constructor(message: string, fields: Record<string, string> = {}) {
    super(message, fields, 'unsupported-content');
  }
}

export class NotFoundError extends DomainError {
  constructor(message: string) {
    super('not-found', 'NotFoundError', message);
  }
}

/**
 * The request was well-formed but conflicts with the current state: a disallowed transition, or
 * a change someone else made meanwhile (the message then asks the person to refresh).
 */
export class ConflictError extends DomainError {
  constructor(message: string) {
    super('conflict', 'ConflictError', message);
  }
}

export class TooManyRequestsError extends DomainError {
  readonly retryAfterSeconds: number;
  constructor(message: string, retryAfterSeconds: number) {
    super('too-many-requests', 'TooManyRequestsError', message);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** Not signed in (the session ended): the person signs in again. */
export class UnauthorizedError extends DomainError {
  constructor(message = '请先登录') {
    super('unauthorized', 'UnauthorizedError', message);
  }
}

/** Signed in without the right to do this (or a request from another site). */
export class ForbiddenError extends DomainError {
  constructor(message: string) {
    super('forbidden', 'ForbiddenError', message);
  }
}
