// How the call is handled (Alt+1…4): a new ticket, "+1" on a ticket, a question answered, or a
// referral elsewhere — the choice and the fields each one asks for.
import type { RoutingSuggestion } from './hotline-api.ts';
import { Field, FieldError, fieldClass, LabelledControl } from './HotlineField.tsx';
import { OUTCOME_OPTIONS, REFERRAL_OPTIONS, type CallForm, type FieldErrors, type OutcomeChoice } from './hotline-model.ts';

export type SetField = <K extends keyof CallForm>(field: K, value: CallForm[K], ...clears: string[]) => void;

interface OutcomeFieldsProps {
  form: CallForm;
  errors: FieldErrors;
  /** The router's suggestion for the call, once it came. */
  routed: RoutingSuggestion | null;
  locked: boolean;
  onChoose: (outcome: OutcomeChoice) => void;
  set: SetField;
}

export function OutcomeFields({ form, errors, routed, locked, onChoose, set }: OutcomeFieldsProps) {
  const err = (field: string) => errors[field];
  const outcomeOption = OUTCOME_OPTIONS.find((o) => o.value === form.outcome)!;
  return (
    <>
      <fieldset class="hotline-outcomes" disabled={locked}>
        <legend>
          处理方式 <FieldError id="hl-outcome" error={err('outcome')} />
        </legend>
        <div class="hotline-outcome-options">
          {OUTCOME_OPTIONS.map((o) => (
            <label class={form.outcome === o.value ? 'hotline-outcome is-checked' : 'hotline-outcome'} key={o.value}>
              <input
                type="radio"
                name="hl-outcome"
                id={`hl-outcome-${o.value}`}
                value={o.value}
                checked={form.outcome === o.value}
                aria-keyshortcuts={`Alt+${o.key}`}
                onChange={() => onChoose(o.value)}
              />
              <span>{o.label}</span>
              <kbd>Alt+{o.key}</kbd>
            </label>
          ))}
        </div>
      </fieldset>
      <fieldset class="hotline-outcome-fields" disabled={locked}>
        <legend class="visually-hidden">{outcomeOption.label}</legend>
        {form.outcome === 'ticket' && (
          <p class="hotline-note">
            按左侧记录生成工单
            {routed && (routed.unit && !routed.needsTriage ? `，转交${routed.unit.name}` : '，由创城办分派')}。
          </p>
        )}
        {form.outcome === 'attach' && (
          <Field id="hl-attach" label="追加到工单（查询码）" error={err('attachTo')}>
            {(control) => (
              <input
                {...control}
                type="text"
                autocomplete="off"
                value={form.attachTo}
                placeholder="在“可能重复的工单”中按 +1，或输入查询码"
                onInput={(e) => set('attachTo', e.currentTarget.value)}
              />
            )}
          </Field>
        )}
        {form.outcome === 'answer' && (
          <Field id="hl-answer" label="给来电人的答复" error={err('answer')}>
            {(control) => <textarea {...control} rows={3} value={form.answer} onInput={(e) => set('answer', e.currentTarget.value)} />}
          </Field>
        )}
        {form.outcome === 'refer' && (
          // One field, two controls: its error stands by the list, or by 转至 once “other” is chosen.
          <div class={fieldClass(err('referredTo'), 'hotline-row')}>
            <div>
              <LabelledControl id="hl-referral" label="转办去向" error={form.referral !== 'other' ? err('referredTo') : undefined}>
                {(control) => (
                  <select {...control} value={form.referral} onChange={(e) => set('referral', e.currentTarget.value, 'referredTo')}>
                    <option value="">请选择</option>
                    {REFERRAL_OPTIONS.map((r) => (
                      <option key={r.value} value={r.value}>
                        {r.label}
                      </option>
                    ))}
                  </select>
                )}
              </LabelledControl>
            </div>
            {form.referral === 'other' && (
              <div>
                <LabelledControl id="hl-referral-other" label="转至" error={err('referredTo')}>
                  {(control) => (
                    <input
                      {...control}
                      type="text"
                      autocomplete="off"
                      value={form.referralOther}
                      onInput={(e) => set('referralOther', e.currentTarget.value, 'referredTo')}
                    />
                  )}
                </LabelledControl>
              </div>
            )}
          </div>
        )}
      </fieldset>
    </>
  );
}
