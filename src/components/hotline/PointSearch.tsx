// The point (测评点位) search of the call form: an ARIA combobox. The operator types part of a
// name or address; the matches come best first (server/hotline/point-search.ts) with none
// highlighted; ↓/↑ move through them, Enter chooses the highlighted one, Esc closes the list. Editing
// the text after choosing un-chooses the point. Enter while an input method is composing Chinese
// belongs to the input method, not to the list.
import { useEffect, useRef, useState } from 'preact/hooks';
import { searchPoints } from './hotline-api.ts';
import { Field } from './HotlineField.tsx';
import type { ChosenPoint } from './hotline-model.ts';
import { useLookup } from './use-lookup.ts';

interface Props {
  query: string;
  point: ChosenPoint | null;
  onQuery: (query: string) => void;
  onChoose: (point: ChosenPoint) => void;
  error: string | undefined;
  disabled: boolean;
}

const LIST_ID = 'hl-point-list';
/** Room the list needs below the box; with less the list opens upwards (the box sits low on the screen). */
const LIST_ROOM_PX = 240;

export function PointSearch({ query, point, onQuery, onChoose, error, disabled }: Props) {
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const [upwards, setUpwards] = useState(false);
  const inputRef = useRef<HTMLInputElement>(null);
  const q = query.trim();
  const searching = q !== '' && !(point && point.name === query);
  const lookup = useLookup(searching ? q : null, (signal) => searchPoints(q, signal), 200);
  const options = searching && lookup.key === q ? (lookup.data ?? []) : [];
  const expanded = open && options.length > 0;

  useEffect(() => {
    // New matches: open the list with nothing highlighted. The point decides routing, so it is
    // chosen on purpose (↓ to the first match, then Enter), never by an Enter that meets a
    // highlight the operator did not put there.
    if (!searching || lookup.key !== q) return;
    setActive(-1);
    if (document.activeElement === inputRef.current) openList();
  }, [lookup.key, lookup.data]);

  function openList() {
    const rect = inputRef.current?.getBoundingClientRect();
    if (rect) setUpwards(window.innerHeight - rect.bottom < LIST_ROOM_PX && rect.top > LIST_ROOM_PX);
    setOpen(true);
  }

  function choose(index: number) {
    const chosen = options[index];
    if (!chosen) return;
    onChoose(chosen);
    setOpen(false);
    setActive(-1);
  }

  function onKeyDown(event: KeyboardEvent) {
    if (event.isComposing || event.keyCode === 229) return;
    switch (event.key) {
      case 'ArrowDown':
        event.preventDefault();
        if (!expanded) {
          // ↓ on a closed list opens it on the first match: ↓ Enter always takes the best one.
          if (options.length > 0) {
            openList();
            setActive(0);
          }
          return;
        }
        setActive((i) => (i + 1) % options.length);
        return;
      case 'ArrowUp':
        if (!expanded) return;
        event.preventDefault();
        setActive((i) => (i <= 0 ? options.length - 1 : i - 1));
        return;
      case 'Enter':
        if (event.ctrlKey || event.metaKey) return; // Ctrl+Enter submits the call.
        event.preventDefault();
        if (expanded && active >= 0) choose(active);
        return;
      case 'Escape':
        if (!expanded) return;
        event.preventDefault();
        event.stopPropagation();
        setOpen(false);
        return;
      default:
    }
  }

  return (
    <Field id="hl-point" label="测评点位" error={error} hints={[point ? 'hl-point-chosen' : 'hl-point-hint']}>
      {(control) => (
        <>
          <div class="hotline-combo">
            <input
              ref={inputRef}
              {...control}
              type="text"
              role="combobox"
              autocomplete="off"
              aria-autocomplete="list"
              aria-expanded={expanded}
              aria-controls={LIST_ID}
              aria-activedescendant={expanded && active >= 0 ? `hl-point-option-${active}` : undefined}
              value={query}
              placeholder="输入名称或地址查找"
              disabled={disabled}
              onInput={(e) => {
                onQuery(e.currentTarget.value);
                setOpen(true);
              }}
              onKeyDown={onKeyDown}
              onBlur={() => setOpen(false)}
            />
            <ul
              id={LIST_ID}
              role="listbox"
              aria-label="匹配的点位"
              class={upwards ? 'hotline-options is-up' : 'hotline-options'}
              hidden={!expanded}
            >
              {options.map((p, i) => (
                <li
                  key={p.id}
                  id={`hl-point-option-${i}`}
                  role="option"
                  aria-selected={i === active}
                  class={i === active ? 'is-active' : undefined}
                  // mousedown, not click: the input must not lose focus (and close the list) first.
                  onMouseDown={(e) => {
                    e.preventDefault();
                    choose(i);
                  }}
                >
                  <span class="option-name">{p.name}</span>
                  <span class="sub">
                    {p.address}
                    {p.unit && ` · ${p.unit}`}
                  </span>
                </li>
              ))}
            </ul>
          </div>
          {point ? (
            <p
              class="hotline-note hotline-chosen"
              id="hl-point-chosen"
              data-testid="point-chosen"
              title={`${point.name} · ${point.address}`}
            >
              已选：{point.name} · {point.address}
              {point.unit && ` · ${point.unit}`}
            </p>
          ) : (
            <p class="hotline-note" id="hl-point-hint">
              {searching && lookup.key === q && !lookup.loading && options.length === 0
                ? '没有匹配的点位，可只填地址'
                : '↓↑ 选择，Enter 确定'}
            </p>
          )}
        </>
      )}
    </Field>
  );
}
