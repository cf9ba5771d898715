// The routing part of 派单 and 改派: the system's suggestion (taken in one click), the returning
// unit's hint, then lead unit, category, cooperating units and 交办意见.
import type { Errors, TicketActionsProps, Values } from './action-forms.ts';
import { FieldError, TextArea, UnitSelect } from './form-fields.tsx';

interface Props {
  p: TicketActionsProps;
  /** 派单 shows the system's suggestion; 改派 does not. */
  withSuggestion: boolean;
  values: Values;
  errors: Errors;
  set: (field: string, value: string) => void;
  cooperating: string[];
  setCooperating: (update: (list: string[]) => string[]) => void;
  id: (field: string) => string;
  busy: boolean;
  /** Sends the suggestion as it stands. */
  takeSuggestion: () => void;
}

export function RoutingFields({ p, withSuggestion, values, errors, set, cooperating, setCooperating, id, busy, takeSuggestion }: Props) {
  const unitName = (code: string | null | undefined) => (code ? (p.units.find((u) => u.code === code)?.name ?? code) : '');
  return (
    <>
      {withSuggestion && p.suggestion ? (
        <div class="suggestion" data-testid="dispatch-suggestion">
          <p>
            <strong>系统建议：</strong>
            {unitName(p.suggestion.unitCode)}
            {p.suggestion.categoryCode
              ? `，类别“${p.categories.find((c) => c.code === p.suggestion?.categoryCode)?.label.trim() ?? p.suggestion.categoryCode}”`
              : ''}
            {p.suggestion.cooperatingUnitCodes.length > 0
              ? `，配合单位：${p.suggestion.cooperatingUnitCodes.map(unitName).join('、')}`
              : ''}
          </p>
          <p class="hint">{p.suggestion.source}</p>
          <button type="button" class="button-small button-primary" disabled={busy} onClick={takeSuggestion}>
            采纳系统建议并派单
          </button>
        </div>
      ) : null}
      {p.returnHint ? (
        <div class="suggestion">
          <p>
            <strong>退单单位认为应由{unitName(p.returnHint.unitCode)}办理。</strong>
          </p>
          <button type="button" class="button-small" onClick={() => set('unitCode', p.returnHint!.unitCode)}>
            选择{unitName(p.returnHint.unitCode)}
          </button>
        </div>
      ) : null}
      <UnitSelect
        id={id('unitCode')}
        label="责任单位（牵头）"
        units={p.units}
        value={values['unitCode'] ?? ''}
        onChange={(v) => set('unitCode', v)}
        error={errors['unitCode']}
      />
      <div class={errors['categoryCode'] ? 'field has-error' : 'field'}>
        <label for={id('categoryCode')}>问题类别</label>
        <FieldError id={id('categoryCode')} message={errors['categoryCode']} />
        <select id={id('categoryCode')} value={values['categoryCode'] ?? ''} onChange={(e) => set('categoryCode', e.currentTarget.value)}>
          <option value="">（不指定类别）</option>
          {p.categories.map((c) => (
            <option key={c.code} value={c.code}>
              {c.label}
            </option>
          ))}
        </select>
        <p class="hint">整改期限按类别自动计算（未另行规定的为7天）。</p>
      </div>
      <fieldset class="field cooperating" id={id('cooperatingUnitCodes')} tabIndex={-1}>
        <legend>
          配合单位 <span class="optional">（可多选）</span>
        </legend>
        <FieldError id={id('cooperatingUnitCodes')} message={errors['cooperatingUnitCodes']} />
        <div class="check-grid">
          {p.units
            .filter((u) => u.code !== values['unitCode'])
            .map((u) => (
              <label class="checkbox checkbox-small" key={u.code}>
                <input
                  type="checkbox"
                  value={u.code}
                  checked={cooperating.includes(u.code)}
                  onChange={(e) => {
                    const on = e.currentTarget.checked;
                    setCooperating((list) => (on ? [...list, u.code] : list.filter((c) => c !== u.code)));
                  }}
                />
                <span>{u.shortName}</span>
              </label>
            ))}
        </div>
      </fieldset>
      <TextArea
        id={id('remarks')}
        label="交办意见"
        optional
        hint="写给责任单位的话，比如整改要求、注意事项。单位在待办、工单页面和通知邮件里都能看到。"
        value={values['remarks'] ?? ''}
        onInput={(v) => set('remarks', v)}
        error={errors['remarks']}
        rows={3}
      />
    </>
  );
}
