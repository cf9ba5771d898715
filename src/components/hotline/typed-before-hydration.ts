// What the operator typed into the call form before its script was ready. The form is usable from
// the first paint (the number box has focus), because an operator starts typing the caller's
// number the moment the screen appears; the island then starts from what the boxes already hold
// instead of from an empty form — hydration would otherwise keep a stale empty state under a
// filled box, or (for a textarea) blank it. Read during the island's first render, before
// hydration touches the boxes.
import type { CallForm, OutcomeChoice } from './hotline-model.ts';
import { OUTCOME_OPTIONS } from './hotline-model.ts';

type TextField = 'phone' | 'name' | 'description' | 'address' | 'pointQuery' | 'categoryCode';
type CheckField = 'anonymous' | 'wantsCallback';

/** The boxes on screen before hydration, by id; the outcome's own fields appear only after it. */
const TEXT_FIELDS: ReadonlyArray<[id: string, field: TextField]> = [
  ['hl-phone', 'phone'],
  ['hl-name', 'name'],
  ['hl-description', 'description'],
  ['hl-category', 'categoryCode'],
  ['hl-point', 'pointQuery'],
  ['hl-address', 'address'],
];
const CHECK_FIELDS: ReadonlyArray<[id: string, field: CheckField]> = [
  ['hl-anonymous', 'anonymous'],
  ['hl-callback', 'wantsCallback'],
];

/** `form` with what the server-rendered boxes hold now; `form` itself on the server. */
export function typedBeforeHydration(form: CallForm): CallForm {
  if (typeof document === 'undefined') return form;
  const typed: CallForm = { ...form };
  for (const [id, field] of TEXT_FIELDS) {
    const box = document.getElementById(id);
    if (box instanceof HTMLInputElement || box instanceof HTMLTextAreaElement || box instanceof HTMLSelectElement) {
      typed[field] = box.value;
    }
  }
  for (const [id, field] of CHECK_FIELDS) {
    const box = document.getElementById(id);
    if (box instanceof HTMLInputElement) typed[field] = box.checked;
  }
  const outcome = document.querySelector<HTMLInputElement>('input[name="hl-outcome"]:checked')?.value;
  const chosen = OUTCOME_OPTIONS.find((o) => o.value === outcome);
  if (chosen) typed.outcome = chosen.value satisfies OutcomeChoice;
  return typed;
}
