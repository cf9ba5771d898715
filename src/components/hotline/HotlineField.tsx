// One field of the call screen: a label row (the label, its error beside it so the box does not
// move down) and the control, which is handed its id, aria-invalid and aria-describedby (the error
// first, then any hints). The report form's field parts put the error under the label and hints
// first; the operators know this screen as it is, so it keeps its own.
import type { ComponentChildren } from 'preact';

interface ControlProps {
  id: string;
  'aria-invalid': true | undefined;
  'aria-describedby': string | undefined;
}

interface LabelledProps {
  /** The control's id; the error's is `${id}-error`. */
  id: string;
  label: string;
  /** Marks the label （选填）. */
  optional?: boolean;
  error: string | undefined;
  /** Ids of hints the control is described by, after its error. */
  hints?: Array<string | false | undefined>;
  children: (control: ControlProps) => ComponentChildren;
}

export function FieldError({ id, error }: { id: string; error: string | undefined }) {
  return error ? (
    <span class="field-error" id={`${id}-error`}>
      {error}
    </span>
  ) : null;
}

/** The label row and the control, without a box of their own (two controls may share one field). */
export function LabelledControl({ id, label, optional, error, hints = [], children }: LabelledProps) {
  const describedBy = [error ? `${id}-error` : null, ...hints].filter(Boolean).join(' ') || undefined;
  return (
    <>
      <div class="hotline-label">
        <label for={id}>
          {label}
          {optional && (
            <>
              {' '}
              <span class="optional">（选填）</span>
            </>
          )}
        </label>
        <FieldError id={id} error={error} />
      </div>
      {children({ id, 'aria-invalid': error ? true : undefined, 'aria-describedby': describedBy })}
    </>
  );
}

export function fieldClass(error: string | undefined, extra = ''): string {
  return ['hotline-field', extra, error ? 'has-error' : ''].filter(Boolean).join(' ');
}

/** A field's box, marked when it has an error. */
export function Field(props: LabelledProps) {
  return (
    <div class={fieldClass(props.error)}>
      <LabelledControl {...props} />
    </div>
  );
}
