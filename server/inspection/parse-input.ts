// Input checked against its schema in the inspection service, or an InvalidInputError with a
// Chinese message per field (the console's forms show each beside its field).
import { InvalidInputError } from '../errors.ts';
import { fieldErrors } from '../field-errors.ts';
import type { z } from '../validation.ts';

export function parsed<S extends z.ZodType>(schema: S, raw: unknown, fallback: string): z.output<S> {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const fields = fieldErrors(result.error);
  throw new InvalidInputError(Object.values(fields)[0] ?? fallback, fields);
}
