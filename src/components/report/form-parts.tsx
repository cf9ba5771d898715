// Small pieces every field of the report form uses: the error line and aria-describedby.
import type { FieldId, FormErrors } from './report-form-model.ts';

export function FieldError({ id, errors }: { id: FieldId; errors: FormErrors }) {
  const message = errors[id];
  return message ? (
    <p class="field-error" id={`${id}-error`}>
      {message}
    </p>
  ) : null;
}

/** aria-describedby for a control: its hint (if any) and its error (if any). */
export function describedBy(id: FieldId, errors: FormErrors, ...hints: (string | false | undefined)[]): string | undefined {
  const ids = [...hints.filter((h): h is string => Boolean(h)), errors[id] ? `${id}-error` : undefined].filter(Boolean);
  return ids.length > 0 ? ids.join(' ') : undefined;
}

export function fieldClass(id: FieldId, errors: FormErrors): string {
  return errors[id] ? 'field has-error' : 'field';
}

export function invalid(id: FieldId, errors: FormErrors): true | undefined {
  return errors[id] ? true : undefined;
}
