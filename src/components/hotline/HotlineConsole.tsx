// The hotline operator's call-taking screen (issue 5, items 1–3): one form for one call, keyboard
// first. The caller's number brings up their history; the description brings the router's
// suggestion of category and unit (Alt+A accepts it); a point or an address brings the likely
// duplicates, each with "+1". Alt+1…4 choose the outcome, Ctrl+Enter records the call, and after
// it the tracking code is shown large to read back; Esc clears the form for the next call. The call
// is checked with the one schema of a call before it is sent, and sent with a key of its own, so a
// double submit records it once. The form takes typing from the first paint, and what was typed
// before the script was ready is kept (typed-before-hydration.ts).
import { useEffect, useRef, useState } from 'preact/hooks';
import { percent } from '../console/labels.ts';
import { CallerHistoryPanel, DuplicatesPanel, RecentCallsPanel } from './HotlinePanels.tsx';
import { CallResult, type Recorded } from './CallResult.tsx';
import { Field } from './HotlineField.tsx';
import { OutcomeFields } from './OutcomeFields.tsx';
import { PointSearch } from './PointSearch.tsx';
import { REFERRALS } from '../../../server/hotline/call-schema.ts';
import { likelyDuplicates, logCall, suggestRoute, type DuplicateCandidate, type RoutingSuggestion } from './hotline-api.ts';
import {
  checkCall,
  emptyForm,
  firstInvalidId,
  newIdempotencyKey,
  OUTCOME_OPTIONS,
  toCallInput,
  unplacedMessages,
  type CallForm,
  type FieldErrors,
  type OutcomeChoice,
} from './hotline-model.ts';
import { typedBeforeHydration } from './typed-before-hydration.ts';
import { useCallShortcuts } from './use-call-shortcuts.ts';
import { useLookup } from './use-lookup.ts';

export interface HotlineConsoleProps {
  categories: Array<{ code: string; label: string }>;
}

const SUGGEST_MIN_CHARS = 6;

/** Where focus goes when an outcome is chosen with its shortcut. */
const OUTCOME_FOCUS: Record<OutcomeChoice, string> = {
  ticket: 'hl-outcome-ticket',
  attach: 'hl-attach',
  answer: 'hl-answer',
  refer: 'hl-referral',
};

export default function HotlineConsole({ categories }: HotlineConsoleProps) {
  // Whatever was typed before the script was ready is kept (typed-before-hydration.ts).
  const [form, setForm] = useState<CallForm>(() => typedBeforeHydration(emptyForm()));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [message, setMessage] = useState('');
  const [busy, setBusy] = useState(false);
  const [recorded, setRecorded] = useState<Recorded | null>(null);
  const [key, setKey] = useState('');
  const [accepted, setAccepted] = useState('');
  const [focusRequest, setFocusRequest] = useState<{ id: string; n: number } | null>(null);
  const [recentRefresh, setRecentRefresh] = useState(0);
  const [hydrated, setHydrated] = useState(false);
  const messageRef = useRef<HTMLDivElement>(null);
  // Set at once (state would lag a render): Ctrl+Enter on the focused button must not send twice.
  const sending = useRef(false);

  useEffect(() => {
    setKey(newIdempotencyKey());
    setHydrated(true);
    // The number box has focus from the first paint (autofocus); should the browser not have
    // given it, it gets it now.
    if (!document.activeElement || document.activeElement === document.body) focus('hl-phone');
  }, []);

  useEffect(() => {
    if (!focusRequest) return;
    const target = focusRequest.id === 'message' ? messageRef.current : document.getElementById(focusRequest.id);
    target?.focus();
  }, [focusRequest]);

  const focus = (id: string) => setFocusRequest((r) => ({ id, n: (r?.n ?? 0) + 1 }));

  function set<K extends keyof CallForm>(field: K, value: CallForm[K], ...clears: string[]) {
    setForm((f) => ({ ...f, [field]: value }));
    // A corrected field loses its message; the others keep theirs until the next submit.
    setErrors((e) => {
      const names = clears.length > 0 ? clears : [field];
      if (!names.some((n) => n in e)) return e;
      const next = { ...e };
      for (const n of names) delete next[n];
      return next;
    });
  }

  // The router's live suggestion, from what the caller said (and the point and category, when given).
  const text = form.description.trim();
  const suggestInput =
    text.length >= SUGGEST_MIN_CHARS
      ? { text, ...(form.categoryCode && { category: form.categoryCode }), ...(form.point && { pointId: form.point.id }) }
      : null;
  const suggestKey = suggestInput ? JSON.stringify(suggestInput) : null;
  const suggestion = useLookup<RoutingSuggestion>(suggestKey, (signal) => suggestRoute(suggestInput!, signal), 400);
  const routed = suggestion.key !== null && suggestKey !== null ? suggestion.data : null;
  const suggestedCategory = !form.categoryCode && routed?.category ? routed.category : null;

  // Likely duplicates: by point or address, in the chosen (or else the suggested) category.
  const address = form.address.trim();
  const dupInput =
    form.point || address.length >= 4
      ? {
          ...(form.point && { pointId: form.point.id }),
          ...((form.categoryCode || routed?.category?.code) && { categoryCode: form.categoryCode || routed!.category!.code }),
          ...(address.length >= 4 && { address }),
        }
      : null;
  const dupKey = dupInput ? JSON.stringify(dupInput) : null;
  const duplicates = useLookup<DuplicateCandidate[]>(dupKey, (signal) => likelyDuplicates(dupInput!, signal), 300, recentRefresh);

  function acceptSuggestion() {
    if (!suggestedCategory || recorded) return;
    set('categoryCode', suggestedCategory.code);
    setAccepted(`已采纳系统建议的类别：${suggestedCategory.name}`);
  }

  function chooseOutcome(outcome: OutcomeChoice, moveFocus: boolean) {
    if (recorded) return;
    set('outcome', outcome, 'outcome', 'attachTo', 'answer', 'referredTo');
    if (moveFocus) focus(OUTCOME_FOCUS[outcome]);
  }

  function attach(code: string) {
    if (recorded) return;
    setForm((f) => ({ ...f, outcome: 'attach', attachTo: code }));
    setErrors((e) => {
      const { attachTo: _a, outcome: _o, ...rest } = e;
      return rest;
    });
    focus('hl-submit');
  }

  function nextCall() {
    setForm(emptyForm());
    setErrors({});
    setMessage('');
    setRecorded(null);
    setAccepted('');
    setKey(newIdempotencyKey());
    focus('hl-phone');
  }

  async function submit() {
    if (sending.current || recorded || !key) return;
    const input = toCallInput(form, key);
    const found = checkCall(input);
    if (Object.keys(found).length > 0) {
      fail(found, '');
      return;
    }
    sending.current = true;
    setBusy(true);
    setErrors({});
    setMessage('');
    const outcome = await logCall(input);
    sending.current = false;
    setBusy(false);
    if (outcome.kind === 'ok') {
      const referredTo = (form.referral === 'other' ? form.referralOther : form.referral).trim();
      setRecorded({ call: outcome.data, referredTo: REFERRALS[referredTo] ?? referredTo });
      setRecentRefresh((n) => n + 1);
      focus('hl-next');
      return;
    }
    if (outcome.kind === 'invalid') fail(outcome.fields, Object.keys(outcome.fields).length > 0 ? '' : outcome.message);
    else fail({}, outcome.message);
  }

  function fail(found: FieldErrors, text: string) {
    const loose = unplacedMessages(found);
    setErrors(found);
    setMessage([text, ...loose].filter(Boolean).join(' '));
    const first = firstInvalidId(found, form);
    focus(first ?? 'message');
  }

  // Shortcuts work wherever the focus is (use-call-shortcuts.ts): the latest handlers, every render.
  useCallShortcuts({ submit, chooseOutcome, acceptSuggestion, nextCall, recorded: recorded !== null });

  const onFormKeyDown = (event: KeyboardEvent) => {
    // Enter in a one-line box does not send the call half-typed; Ctrl+Enter does (the document's
    // shortcut handler, which runs after this one).
    if (event.key === 'Enter' && (event.target as HTMLElement).tagName === 'INPUT') event.preventDefault();
  };

  const err = (field: string) => errors[field];
  const outcomeOption = OUTCOME_OPTIONS.find((o) => o.value === form.outcome)!;
  const locked = recorded !== null;

  return (
    <div class="hotline">
      <form
        class="hotline-form"
        id="hotline-form"
        noValidate
        aria-label="登记来电"
        onSubmit={(e) => (e.preventDefault(), void submit())}
        onKeyDown={onFormKeyDown}
      >
        <div class="notice notice-error hotline-message" role="alert" tabIndex={-1} ref={messageRef} hidden={!message}>
          {message}
        </div>
        <fieldset class="hotline-col hotline-call" disabled={locked}>
          <legend class="visually-hidden">来电人与反映的问题</legend>
          <div class="hotline-row">
            <Field id="hl-phone" label="来电号码" error={err('caller.phone')}>
              {(control) => (
                <input
                  {...control}
                  type="tel"
                  inputMode="tel"
                  autocomplete="off"
                  // The operator types the number the moment the screen appears, before the script is
                  // ready: the box takes it from the first paint, and the island keeps it.
                  autoFocus
                  value={form.phone}
                  onInput={(e) => set('phone', e.currentTarget.value, 'caller.phone')}
                />
              )}
            </Field>
            <Field id="hl-name" label="姓名" optional error={err('caller.name')}>
              {(control) => (
                <input
                  {...control}
                  type="text"
                  autocomplete="off"
                  value={form.anonymous ? '' : form.name}
                  disabled={form.anonymous}
                  onInput={(e) => set('name', e.currentTarget.value, 'caller.name')}
                />
              )}
            </Field>
          </div>
          <div class="hotline-checks">
            <label class="checkbox checkbox-small">
              <input
                type="checkbox"
                id="hl-anonymous"
                checked={form.anonymous}
                onChange={(e) => set('anonymous', e.currentTarget.checked)}
              />
              匿名（不记录姓名）
            </label>
            <label class="checkbox checkbox-small">
              <input
                type="checkbox"
                id="hl-callback"
                checked={form.wantsCallback}
                onChange={(e) => set('wantsCallback', e.currentTarget.checked)}
              />
              办结后回访
            </label>
          </div>
          <Field id="hl-description" label="来电内容" error={err('description')}>
            {(control) => (
              <textarea
                {...control}
                rows={6}
                value={form.description}
                placeholder="按来电人所说记录：在哪里、什么问题"
                onInput={(e) => set('description', e.currentTarget.value)}
              />
            )}
          </Field>
          <Field id="hl-category" label="问题类别" error={err('categoryCode')} hints={['hl-suggestion']}>
            {(control) => (
              <>
                <select
                  {...control}
                  value={form.categoryCode}
                  onChange={(e) => {
                    setAccepted('');
                    set('categoryCode', e.currentTarget.value);
                  }}
                >
                  <option value="">未选择（由系统判断）</option>
                  {categories.map((c) => (
                    <option key={c.code} value={c.code}>
                      {c.label}
                    </option>
                  ))}
                </select>
                <div class="hotline-suggestion" id="hl-suggestion" aria-live="polite" data-testid="suggestion">
                  {suggestedCategory && routed ? (
                    <>
                      <span>
                        建议：<strong>{suggestedCategory.name}</strong>
                        {routed.unit ? ` → ${routed.unit.name}` : '，由创城办分派'}
                        <span class="hotline-confidence" title="系统判断的匹配度">
                          {' '}
                          匹配度 {percent(routed.confidence)}
                        </span>
                      </span>
                      <button type="button" class="button-small" aria-keyshortcuts="Alt+A" onClick={acceptSuggestion} disabled={locked}>
                        采纳 <kbd>Alt+A</kbd>
                      </button>
                    </>
                  ) : form.categoryCode && routed ? (
                    <span>
                      {accepted && <span class="visually-hidden">{accepted}。</span>}
                      将转交：{routed.unit && !routed.needsTriage ? routed.unit.name : '创城办分派'}
                    </span>
                  ) : (
                    <span class="sub">{text.length >= SUGGEST_MIN_CHARS ? '正在分析…' : '记录来电内容后，系统会建议类别和责任单位。'}</span>
                  )}
                </div>
              </>
            )}
          </Field>
        </fieldset>

        <div class="hotline-col hotline-handle">
          <fieldset class="hotline-location" disabled={locked}>
            <legend class="visually-hidden">地点</legend>
            <PointSearch
              query={form.pointQuery}
              point={form.point}
              error={err('pointId')}
              disabled={locked}
              onQuery={(q) => {
                setForm((f) => ({ ...f, pointQuery: q, point: f.point && f.point.name === q ? f.point : null }));
              }}
              onChoose={(p) => {
                setForm((f) => ({ ...f, pointQuery: p.name, point: p }));
                setErrors((e) => {
                  const { pointId: _p, ...rest } = e;
                  return rest;
                });
              }}
            />
            <Field id="hl-address" label="地址" optional error={err('address')}>
              {(control) => (
                <input
                  {...control}
                  type="text"
                  autocomplete="off"
                  value={form.address}
                  onInput={(e) => set('address', e.currentTarget.value)}
                />
              )}
            </Field>
          </fieldset>
          {recorded ? (
            <CallResult recorded={recorded} onNext={nextCall} />
          ) : (
            <>
              <DuplicatesPanel
                lookup={duplicates}
                active={dupKey !== null}
                attachTo={form.outcome === 'attach' ? form.attachTo : ''}
                onAttach={attach}
                disabled={locked}
                listed={form.outcome === 'ticket' || form.outcome === 'attach'}
              />
              <OutcomeFields
                form={form}
                errors={errors}
                routed={routed}
                locked={locked}
                onChoose={(o) => chooseOutcome(o, false)}
                set={set}
              />
              <button
                type="submit"
                id="hl-submit"
                class="button-primary hotline-submit"
                aria-keyshortcuts="Control+Enter"
                // Until the script is ready the form cannot check or send the call: disabled, so that
                // neither a click nor Enter in a box submits it as a plain page form (and reloads).
                disabled={!hydrated}
                aria-disabled={busy || locked ? true : undefined}
              >
                {busy
                  ? '正在登记…'
                  : form.outcome === 'attach' && form.attachTo
                    ? `追加到工单 ${form.attachTo.trim()}`
                    : outcomeOption.submit}
                <kbd>Ctrl+Enter</kbd>
              </button>
            </>
          )}
        </div>
      </form>

      <aside class="hotline-col hotline-side" aria-label="来电参考">
        <CallerHistoryPanel phone={form.phone} onAttach={attach} disabled={locked} />
        <RecentCallsPanel refresh={recentRefresh} />
      </aside>
    </div>
  );
}
