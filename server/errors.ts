// Domain errors. Domain code throws these and nothing else on purpose; one tRPC middleware
// (server/trpc/errors.ts) and the plain HTTP handlers map them to status codes. Every
// `message` is Chinese and tells a resident how to fix the input.

/** Input a person can correct. `fields` maps a field path (e.g. "description") to its message. */
export class InvalidInputError extends Error {
  readonly fields: Record<string, string>;
  constructor(message: string, fields: Record<string, string> = {}) {
    super(message);
    this.name = 'InvalidInputError';
    this.fields = fields;
  }
}

export class NotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotFoundError';
  }
}

/** The request was well-formed but conflicts with the current state (e.g. a disallowed transition). */
export class ConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConflictError';
  }
}

export class TooManyRequestsError extends Error {
  readonly retryAfterSeconds: number;
  constructor(message: string, retryAfterSeconds: number) {
    super(message);
    this.name = 'TooManyRequestsError';
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** Content too large or of a kind we do not accept (photos). */
export class UnsupportedContentError extends InvalidInputError {
  constructor(message: string, fields: Record<string, string> = {}) {
    super(message, fields);
    this.name = 'UnsupportedContentError';
  }
}

/** Not signed in, or signed in without the right to do this. */
export class ForbiddenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ForbiddenError';
  }
}
