// The action panel of the ticket page: only the actions the lifecycle allows in the ticket's
// status for the user's role (ticket-actions.ts), each a small form drawn from its entry in
// action-forms.ts, checked with the one schema of staff actions (server/staff/action-schema.ts)
// and sent to staff.tickets.act with the version the person saw. On success the page reloads and
// says what was done.
import { Fragment } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ticketActionSchema, type TicketActionInput } from '../../../server/staff/action-schema.ts';
import { ACTION_LABELS, type Action } from '../../../server/tickets/lifecycle.ts';
import { api, outcomeOf, remedyOf } from '../../lib/api-client.ts';
import type { PhotoItem } from '../report/PhotoUploads.tsx';
import { ACTION_FORMS, reasonHint, type Errors, type FormPart, type TicketActionsProps, type Values } from './action-forms.ts';
import { DateField, TextArea, TextInput, UnitSelect } from './form-fields.tsx';
import { RectificationFields } from './RectificationFields.tsx';
import { RoutingFields } from './RoutingFields.tsx';
import { allowedActions, nothingToDo, usualNext, waitingNote } from './ticket-actions.ts';
import { chinaDateInput, shortDate } from './time.ts';

export type { DispatchSuggestion, TicketActionsProps } from './action-forms.ts';

type Remedy = ReturnType<typeof remedyOf>;

export default function TicketActions(props: TicketActionsProps) {
  const actions = allowedActions(props.role, props.status);
  const [selected, setSelected] = useState<Action | null>(usualNext(actions));
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);

  if (actions.length === 0) {
    return (
      <section class="action-panel" aria-labelledby="actions-title">
        <h2 id="actions-title">办理</h2>
        <p class="hint" data-testid="no-actions">
          {nothingToDo(props.role, props.status)}
        </p>
      </section>
    );
  }

  return (
    <section class="action-panel" aria-labelledby="actions-title">
      <h2 id="actions-title">办理</h2>
      {selected ? null : (
        <p class="hint" data-testid="waiting-note">
          {waitingNote(props.status)}
        </p>
      )}
      <div class="action-choices" role="group" aria-label="选择要办理的事项">
        {actions.map((a) => (
          <button
            type="button"
            key={a}
            class={a === selected ? 'button-small button-primary' : 'button-small'}
            aria-pressed={a === selected}
            disabled={!hydrated}
            onClick={() => setSelected(a)}
          >
            {ACTION_FORMS[a].choice ?? ACTION_LABELS[a]}
          </button>
        ))}
      </div>
      {selected ? <ActionForm key={selected} action={selected} {...props} /> : null}
    </section>
  );
}

function ActionForm({ action, ...p }: TicketActionsProps & { action: Action }) {
  const spec = ACTION_FORMS[action];
  const [start] = useState(() => spec.initial?.(p));
  const [values, setValues] = useState<Values>(start?.values ?? {});
  const [cooperating, setCooperating] = useState<string[]>(start?.cooperating ?? []);
  const [photos, setPhotos] = useState<PhotoItem[]>([]);
  const [errors, setErrors] = useState<Errors>({});
  const [message, setMessage] = useState('');
  const [remedy, setRemedy] = useState<Remedy>(null);
  const [busy, setBusy] = useState(false);
  const [focusRequest, setFocusRequest] = useState(0);
  const messageRef = useRef<HTMLDivElement>(null);
  const id = (field: string) => `${action}-${field}`;
  const clearError = (field: string) =>
    setErrors((e) => {
      if (!(field in e)) return e;
      const { [field]: _fixed, ...rest } = e;
      return rest;
    });
  const set = (field: string, value: string) => {
    setValues((v) => ({ ...v, [field]: value }));
    // A corrected field loses its message; the others keep theirs until the next submit.
    clearError(field);
  };

  useEffect(() => {
    if (focusRequest === 0) return;
    const first = Object.keys(errors)[0];
    const target = (first && document.getElementById(id(first))) || messageRef.current;
    target?.focus();
  }, [focusRequest]);

  const fail = (next: Errors, text = '', nextRemedy: Remedy = null) => {
    setErrors(next);
    setMessage(text);
    setRemedy(nextRemedy);
    setBusy(false);
    setFocusRequest((n) => n + 1);
  };

  const send = async (raw: Record<string, unknown>) => {
    if (busy) return;
    const checked = ticketActionSchema.safeParse({ action, ...raw });
    if (!checked.success) {
      const next: Errors = {};
      for (const issue of checked.error.issues) next[String(issue.path[0] ?? 'form')] ??= issue.message;
      fail(next);
      return;
    }
    setBusy(true);
    setErrors({});
    setMessage('');
    const act = checked.data as TicketActionInput;
    const outcome = await outcomeOf(api.staff.tickets.act.mutate({ trackingCode: p.trackingCode, expectedVersion: p.version, act }));
    if (outcome.kind === 'ok') {
      // A unit that returns a ticket no longer sees it: back to its inbox.
      const next =
        action === 'return' && p.role === 'unit'
          ? `/console/inbox?done=return&code=${encodeURIComponent(p.trackingCode)}`
          : `${window.location.pathname}?done=${action}`;
      window.location.assign(next);
      return;
    }
    if (outcome.kind === 'invalid') {
      const known = Object.fromEntries(Object.entries(outcome.fields).filter(([k]) => document.getElementById(id(k))));
      fail(known, Object.keys(known).length > 0 ? '' : outcome.message);
    } else {
      fail({}, outcome.message, remedyOf(outcome.status));
    }
  };

  const onSubmit = (event: Event) => {
    event.preventDefault();
    const form = { values, cooperating, photos };
    const refused = spec.precheck?.(form);
    if (refused) return fail(refused);
    void send(spec.input(form));
  };

  const today = chinaDateInput(new Date().toISOString());
  const part = (name: FormPart) => {
    switch (name) {
      case 'routing':
        return (
          <RoutingFields
            {...{ p, values, errors, set, cooperating, setCooperating, id, busy }}
            withSuggestion={action === 'dispatch'}
            takeSuggestion={() =>
              void send({
                unitCode: p.suggestion!.unitCode,
                categoryCode: p.suggestion!.categoryCode,
                cooperatingUnitCodes: p.suggestion!.cooperatingUnitCodes,
                remarks: values['remarks'] ?? '',
              })
            }
          />
        );
      case 'intoTrackingCode':
        return (
          <TextInput
            id={id('intoTrackingCode')}
            label="合并到的工单查询码"
            hint="把这件重复反映并入已有的工单，例如 AC3-K7M-9XP。"
            value={values['intoTrackingCode'] ?? ''}
            onInput={(v) => set('intoTrackingCode', v)}
            error={errors['intoTrackingCode']}
          />
        );
      case 'suggestedUnitCode':
        return (
          <UnitSelect
            id={id('suggestedUnitCode')}
            label="建议改由哪个单位办理"
            optional
            units={p.units}
            value={values['suggestedUnitCode'] ?? ''}
            onChange={(v) => set('suggestedUnitCode', v)}
            error={errors['suggestedUnitCode']}
          />
        );
      case 'requestedDeadline':
        return (
          <DateField
            id={id('requestedDeadline')}
            label="申请延至"
            hint={`${p.current.deadlineAt ? `当前整改期限：${shortDate(p.current.deadlineAt)}。` : ''}新期限算到所选日期当天24时。`}
            min={p.current.deadlineAt ? chinaDateInput(p.current.deadlineAt) : today}
            value={values['requestedDeadline'] ?? ''}
            onInput={(v) => set('requestedDeadline', v)}
            error={errors['requestedDeadline']}
          />
        );
      case 'extensionRequest':
        return p.extensionRequest ? (
          <div class="extension-request">
            <p>
              <strong>责任单位申请延期</strong>
              {p.extensionRequest.requestedDeadlineAt ? `至 ${shortDate(p.extensionRequest.requestedDeadlineAt)}` : ''}
              {p.current.deadlineAt ? `（原期限 ${shortDate(p.current.deadlineAt)}）` : ''}
            </p>
            <p>理由：{p.extensionRequest.reason}</p>
          </div>
        ) : null;
      case 'deadline':
        return (
          <DateField
            id={id('deadline')}
            label="新的整改期限"
            hint="默认是单位申请的日期，可以改早或改晚。"
            min={today}
            value={values['deadline'] ?? ''}
            onInput={(v) => set('deadline', v)}
            error={errors['deadline']}
          />
        );
      case 'rectification':
        return <RectificationFields {...{ values, errors, set, clearError, photos, setPhotos, id }} maxPhotos={p.maxPhotos} />;
      case 'note':
        return (
          <TextArea
            id={id('note')}
            label="核验意见"
            optional
            value={values['note'] ?? ''}
            onInput={(v) => set('note', v)}
            error={errors['note']}
            rows={2}
          />
        );
      case 'reason':
        return (
          <TextArea
            id={id('reason')}
            label={spec.reason?.label ?? '理由'}
            hint={reasonHint(spec)}
            value={values['reason'] ?? ''}
            onInput={(v) => set('reason', v)}
            error={errors['reason']}
            rows={3}
          />
        );
    }
  };

  return (
    <form class="action-form" noValidate onSubmit={onSubmit} aria-labelledby={id('title')} data-action={action}>
      <h3 id={id('title')}>{ACTION_LABELS[action]}</h3>
      {message ? (
        <div class="notice notice-error" role="alert" tabIndex={-1} ref={messageRef}>
          <p>{message}</p>
          {remedy ? (
            <p>
              <a
                href={
                  remedy === 'signIn' ? `/console/login?next=${encodeURIComponent(window.location.pathname)}` : window.location.pathname
                }
              >
                {remedy === 'signIn' ? '重新登录' : '刷新页面'}
              </a>
            </p>
          ) : null}
        </div>
      ) : null}
      {spec.intro ? <p>{spec.intro}</p> : null}
      {spec.parts.map((name) => (
        <Fragment key={name}>{part(name)}</Fragment>
      ))}
      <p role="status" class="hint" aria-live="polite">
        {busy ? '正在提交…' : ''}
      </p>
      <button type="submit" class="button button-primary" disabled={busy}>
        {busy ? '正在提交…' : spec.submit}
      </button>
    </form>
  );
}
