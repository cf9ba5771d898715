// The fields of the ticket page's action forms: each with its label, hint and Chinese error
// message tied to the control (aria-describedby), the same way as on the resident's form.
import type { UnitOption } from './action-forms.ts';
import { UNIT_KIND_GROUPS } from './labels.ts';

function describe(id: string, error: string | undefined, hint?: string): string | undefined {
  const ids = [hint, error ? `${id}-error` : undefined].filter(Boolean);
  return ids.length > 0 ? ids.join(' ') : undefined;
}

export function FieldError({ id, message }: { id: string; message: string | undefined }) {
  return message ? (
    <p class="field-error" id={`${id}-error`}>
      {message}
    </p>
  ) : null;
}

export function UnitSelect(props: {
  id: string;
  label: string;
  units: UnitOption[];
  value: string;
  onChange: (v: string) => void;
  error: string | undefined;
  optional?: boolean;
}) {
  return (
    <div class={props.error ? 'field has-error' : 'field'}>
      <label for={props.id}>
        {props.label} {props.optional ? <span class="optional">（选填）</span> : null}
      </label>
      <FieldError id={props.id} message={props.error} />
      <select
        id={props.id}
        value={props.value}
        onChange={(e) => props.onChange(e.currentTarget.value)}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={describe(props.id, props.error)}
      >
        <option value="">{props.optional ? '（不建议）' : '请选择单位'}</option>
        {UNIT_KIND_GROUPS.map(([kind, label]) => (
          <optgroup label={label} key={kind}>
            {props.units
              .filter((u) => u.kind === kind)
              .map((u) => (
                <option value={u.code} key={u.code}>
                  {u.name}
                </option>
              ))}
          </optgroup>
        ))}
      </select>
    </div>
  );
}

export function TextArea(props: {
  id: string;
  label: string;
  hint?: string;
  value: string;
  onInput: (v: string) => void;
  error: string | undefined;
  rows: number;
  optional?: boolean;
}) {
  const hintId = props.hint ? `${props.id}-hint` : undefined;
  return (
    <div class={props.error ? 'field has-error' : 'field'}>
      <label for={props.id}>
        {props.label} {props.optional ? <span class="optional">（选填）</span> : null}
      </label>
      {props.hint ? (
        <p class="hint" id={hintId}>
          {props.hint}
        </p>
      ) : null}
      <FieldError id={props.id} message={props.error} />
      <textarea
        id={props.id}
        rows={props.rows}
        value={props.value}
        onInput={(e) => props.onInput(e.currentTarget.value)}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={describe(props.id, props.error, hintId)}
      />
    </div>
  );
}

export function TextInput(props: {
  id: string;
  label: string;
  hint?: string;
  value: string;
  onInput: (v: string) => void;
  error: string | undefined;
}) {
  const hintId = props.hint ? `${props.id}-hint` : undefined;
  return (
    <div class={props.error ? 'field has-error' : 'field'}>
      <label for={props.id}>{props.label}</label>
      {props.hint ? (
        <p class="hint" id={hintId}>
          {props.hint}
        </p>
      ) : null}
      <FieldError id={props.id} message={props.error} />
      <input
        type="text"
        id={props.id}
        value={props.value}
        autocomplete="off"
        spellcheck={false}
        onInput={(e) => props.onInput(e.currentTarget.value)}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={describe(props.id, props.error, hintId)}
      />
    </div>
  );
}

/** A date picker (the new deadline, the extension asked for). */
export function DateField(props: {
  id: string;
  label: string;
  hint: string;
  min: string;
  value: string;
  onInput: (v: string) => void;
  error: string | undefined;
}) {
  const hintId = `${props.id}-hint`;
  return (
    <div class={props.error ? 'field has-error' : 'field'}>
      <label for={props.id}>{props.label}</label>
      <p class="hint" id={hintId}>
        {props.hint}
      </p>
      <FieldError id={props.id} message={props.error} />
      <input
        type="date"
        id={props.id}
        min={props.min}
        value={props.value}
        onInput={(e) => props.onInput(e.currentTarget.value)}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={describe(props.id, props.error, hintId)}
      />
    </div>
  );
}
