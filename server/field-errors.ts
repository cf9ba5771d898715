// The one shape of "what is wrong with this input" every use case answers with: {fieldPath:
// message}. Here, below every domain, because channels, staff actions, notices and the tRPC edge
// all turn zod errors into it; and free of runtime imports, because the report form island loads
// it too (classic zod, which server/validation.ts brings, would triple that island's JavaScript).
import type * as z from 'zod/mini';

/** Turns a zod error (of a zod/mini schema or of any classic one) into {fieldPath: message}, first message per field. */
export function fieldErrors(error: z.core.$ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.join('.') || '_';
    if (!(key in out)) out[key] = issue.message;
  }
  return out;
}
