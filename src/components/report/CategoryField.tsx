// The optional category select, grouped by focus problem, and the router's live suggestion:
// which category the text looks like and which unit will handle it.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { RoutingSuggestion } from '../../../server/routing/suggestion.ts';
import { fetchSuggestion } from './report-api.ts';
import { describedBy, FieldError, fieldClass, invalid } from './form-parts.tsx';
import { groupCategories, type FormErrors, type PublicCategory } from './report-form-model.ts';

const SUGGEST_MIN_CHARS = 6;
const SUGGEST_DELAY_MS = 400;

interface Props {
  categories: PublicCategory[];
  value: string;
  onChange: (code: string) => void;
  description: string;
  pointId: string;
  enhanced: boolean;
  errors: FormErrors;
}

export function CategoryField({ categories, value, onChange, description, pointId, enhanced, errors }: Props) {
  const groups = useMemo(() => groupCategories(categories), [categories]);
  const selected = categories.find((c) => c.code === value);
  const [suggestion, setSuggestion] = useState<RoutingSuggestion | null>(null);
  const [accepted, setAccepted] = useState('');
  const selectRef = useRef<HTMLSelectElement>(null);

  useEffect(() => {
    const text = description.trim();
    if (!enhanced || text.length < SUGGEST_MIN_CHARS) {
      setSuggestion(null);
      return undefined;
    }
    const controller = new AbortController();
    const timer = setTimeout(() => {
      const input: { text: string; category?: string; pointId?: string } = { text };
      if (value) input.category = value;
      if (pointId) input.pointId = pointId;
      fetchSuggestion(input, controller.signal)
        .then((s) => setSuggestion(s))
        // The suggestion is a help, not a step: when it fails the resident simply does not see it.
        .catch(() => undefined);
    }, SUGGEST_DELAY_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [enhanced, description, value, pointId]);

  const accept = (code: string, name: string) => {
    onChange(code);
    setAccepted(`已选择类别：${name}`);
    selectRef.current?.focus();
  };

  return (
    <div class={fieldClass('category', errors)}>
      <label for="category">
        问题类别 <span class="optional">（选填）</span>
      </label>
      <p class="hint" id="category-hint">
        不清楚可以不选，系统会根据您的描述判断，工作人员也会再核实。
      </p>
      <FieldError id="category" errors={errors} />
      <select
        id="category"
        name="category"
        ref={selectRef}
        value={value}
        onChange={(e) => {
          setAccepted('');
          onChange(e.currentTarget.value);
        }}
        aria-describedby={describedBy('category', errors, 'category-hint', selected?.hint ? 'category-selected-hint' : undefined)}
        aria-invalid={invalid('category', errors)}
      >
        <option value="">不清楚，由系统判断</option>
        {groups.map(({ top, children }) =>
          children.length === 0 ? (
            <option key={top.code} value={top.code}>
              {top.name}
            </option>
          ) : (
            <optgroup key={top.code} label={top.name}>
              {children.map((c) => (
                <option key={c.code} value={c.code}>
                  {c.name}
                </option>
              ))}
              <option value={top.code}>{top.name}（其他）</option>
            </optgroup>
          ),
        )}
      </select>
      {selected?.hint ? (
        <p class="hint" id="category-selected-hint">
          {selected.name}：{selected.hint}
        </p>
      ) : null}

      <div aria-live="polite" aria-atomic="true">
        {accepted ? <p class="visually-hidden">{accepted}</p> : null}
        {suggestion ? <SuggestionText suggestion={suggestion} chosen={value} onAccept={accept} /> : null}
      </div>

      <details class="category-guide">
        <summary>不知道选哪一类？查看各类别说明</summary>
        <dl>
          {categories.map((c) => (
            <div key={c.code}>
              <dt>{c.name}</dt>
              {c.hint ? <dd>{c.hint}</dd> : null}
            </div>
          ))}
        </dl>
      </details>
    </div>
  );
}

function SuggestionText({
  suggestion,
  chosen,
  onAccept,
}: {
  suggestion: RoutingSuggestion;
  chosen: string;
  onAccept: (code: string, name: string) => void;
}) {
  const { category, unit, needsTriage } = suggestion;
  const handler = needsTriage || !unit ? '将由创城办人工分派' : `将由${unit.name}办理`;
  if (chosen && category?.code === chosen) {
    return (
      <div class="suggestion">
        <p>
          您选择的“{category.name}”{handler}。
        </p>
      </div>
    );
  }
  return (
    <div class="suggestion">
      <p>
        系统建议：{category ? category.name : '暂时判断不出类别'}，{handler}。
      </p>
      {category ? (
        <p>
          <button type="button" class="button-small" onClick={() => onAccept(category.code, category.name)}>
            采用建议的类别
          </button>
        </p>
      ) : null}
    </div>
  );
}
