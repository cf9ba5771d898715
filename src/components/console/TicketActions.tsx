// The action panel of the ticket page: only the actions the lifecycle allows in the ticket's
// status for the user's role (ticket-actions.ts), each a small form checked with the one schema of
// staff actions (server/staff/action-schema.ts) and sent to staff.tickets.act with the version the
// person saw. On success the page reloads and says what was done.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Role } from '../../../server/auth/roles.ts';
import { ticketActionSchema, type TicketActionInput } from '../../../server/staff/action-schema.ts';
import { ACTION_LABELS, type Action, type Status } from '../../../server/tickets/lifecycle.ts';
import type { PhotoItem } from '../report/PhotoUploads.tsx';
import { UNIT_KIND_GROUPS } from './labels.ts';
import { RectificationPhotos } from './RectificationPhotos.tsx';
import { api, outcomeOf, remedyOf } from '../../lib/api-client.ts';
import { allowedActions, nothingToDo, usualNext, waitingNote } from './ticket-actions.ts';
import { chinaDateInput, endOfChinaDay, shortDate } from './time.ts';

export interface UnitOption {
  code: string;
  name: string;
  shortName: string;
  kind: string;
}

export interface DispatchSuggestion {
  unitCode: string;
  categoryCode: string | null;
  cooperatingUnitCodes: string[];
  /** Chinese sentence saying where the suggestion comes from. */
  source: string;
}

export interface TicketActionsProps {
  trackingCode: string;
  version: number;
  status: Status;
  role: Role;
  units: UnitOption[];
  categories: Array<{ code: string; label: string }>;
  current: { unitCode: string | null; categoryCode: string | null; cooperatingUnitCodes: string[]; deadlineAt: string | null };
  suggestion: DispatchSuggestion | null;
  /** The unit that returned the ticket named the unit it believes responsible. */
  returnHint: { unitCode: string; reason: string } | null;
  extensionRequest: { requestedDeadlineAt: string | null; reason: string } | null;
  maxPhotos: number;
}

/** What the buttons that choose an action say (the timeline uses ACTION_LABELS). */
const CHOICE_LABELS: Partial<Record<Action, string>> = {
  accept: '签收',
  return: '退单',
  reportRectification: '反馈整改结果',
  verify: '核验销号',
};

const SUBMIT_LABELS: Record<Action, string> = {
  dispatch: '确认派单',
  reassign: '确认改派',
  accept: '确认签收',
  acceptOnBehalf: '确认代为签收',
  return: '确认退单',
  startRectification: '确认开始整改',
  requestExtension: '提交延期申请',
  approveExtension: '批准延期申请',
  refuseExtension: '驳回延期申请',
  reportRectification: '提交整改结果',
  verify: '核验通过，销号',
  sendBack: '退回重新整改',
  reject: '确认不予受理',
  merge: '确认合并',
  reopen: '确认重新办理',
};

type Values = Record<string, string>;
type Remedy = ReturnType<typeof remedyOf>;
type Errors = Record<string, string>;

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
            {CHOICE_LABELS[a] ?? ACTION_LABELS[a]}
          </button>
        ))}
      </div>
      {selected ? <ActionForm key={selected} action={selected} {...props} /> : null}
    </section>
  );
}

function initialValues(action: Action, p: TicketActionsProps): Values {
  switch (action) {
    case 'dispatch':
      return {
        unitCode: p.suggestion?.unitCode ?? p.returnHint?.unitCode ?? '',
        categoryCode: p.suggestion?.categoryCode ?? p.current.categoryCode ?? '',
      };
    case 'reassign':
      return { unitCode: '', categoryCode: p.current.categoryCode ?? '', reason: '' };
    case 'approveExtension':
      return { deadline: p.extensionRequest?.requestedDeadlineAt ? chinaDateInput(p.extensionRequest.requestedDeadlineAt) : '' };
    default:
      return {};
  }
}

function ActionForm({ action, ...p }: TicketActionsProps & { action: Action }) {
  const [values, setValues] = useState<Values>(() => initialValues(action, p));
  const [cooperating, setCooperating] = useState<string[]>(() =>
    action === 'dispatch' ? (p.suggestion?.cooperatingUnitCodes ?? []) : action === 'reassign' ? p.current.cooperatingUnitCodes : [],
  );
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
      for (const issue of checked.error.issues) {
        const key = String(issue.path[0] ?? 'form');
        next[key] ??= issue.message;
      }
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
    void send(rawInput());
  };

  function rawInput(): Record<string, unknown> {
    const v = values;
    switch (action) {
      case 'dispatch':
        return {
          unitCode: v['unitCode'] ?? '',
          categoryCode: v['categoryCode'] || null,
          cooperatingUnitCodes: cooperating.filter((c) => c !== v['unitCode']),
          remarks: v['remarks'] ?? '',
        };
      case 'reassign':
        return {
          unitCode: v['unitCode'] ?? '',
          categoryCode: v['categoryCode'] || null,
          cooperatingUnitCodes: cooperating.filter((c) => c !== v['unitCode']),
          remarks: v['remarks'] ?? '',
          reason: v['reason'] ?? '',
        };
      case 'return':
        return { reason: v['reason'] ?? '', suggestedUnitCode: v['suggestedUnitCode'] || null };
      case 'requestExtension':
        return { reason: v['reason'] ?? '', requestedDeadline: v['requestedDeadline'] ? endOfChinaDay(v['requestedDeadline']) : '' };
      case 'approveExtension':
        return v['deadline'] ? { deadline: endOfChinaDay(v['deadline']) } : {};
      case 'reportRectification': {
        const photoIds = photos.flatMap((ph) => (ph.photo ? [ph.photo.id] : []));
        const noPhoto = photoIds.length === 0 && v['noPhoto'] === 'yes';
        return { text: v['text'] ?? '', photoIds, ...(noPhoto && { noPhotoReason: v['noPhotoReason'] ?? '' }) };
      }
      case 'verify':
        return v['note']?.trim() ? { note: v['note'] } : {};
      case 'merge':
        return { intoTrackingCode: v['intoTrackingCode'] ?? '' };
      case 'reject':
      case 'refuseExtension':
      case 'sendBack':
      case 'reopen':
      case 'acceptOnBehalf':
        return { reason: v['reason'] ?? '' };
      case 'accept':
      case 'startRectification':
        return {};
    }
  }

  const beforeSend = (event: Event) => {
    event.preventDefault();
    if (action === 'requestExtension' && !values['requestedDeadline']) {
      fail({ requestedDeadline: '请选择申请延至的日期' });
      return;
    }
    if (action === 'reportRectification') {
      if (photos.some((ph) => ph.state === 'queued' || ph.state === 'uploading')) {
        fail({ photoIds: '照片还在上传，请等上传完成后再提交。' });
        return;
      }
      if (photos.some((ph) => ph.state === 'error')) {
        fail({ photoIds: '有照片没有上传成功，请点“重试”或“删除”后再提交。' });
        return;
      }
    }
    onSubmit(event);
  };

  const unitName = (code: string | null | undefined) => (code ? (p.units.find((u) => u.code === code)?.name ?? code) : '');
  const today = chinaDateInput(new Date().toISOString());

  return (
    <form class="action-form" noValidate onSubmit={beforeSend} aria-labelledby={id('title')} data-action={action}>
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

      {action === 'dispatch' && p.suggestion ? (
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
          <button
            type="button"
            class="button-small button-primary"
            disabled={busy}
            onClick={() =>
              void send({
                unitCode: p.suggestion!.unitCode,
                categoryCode: p.suggestion!.categoryCode,
                cooperatingUnitCodes: p.suggestion!.cooperatingUnitCodes,
                remarks: values['remarks'] ?? '',
              })
            }
          >
            采纳系统建议并派单
          </button>
        </div>
      ) : null}
      {(action === 'dispatch' || action === 'reassign') && p.returnHint ? (
        <div class="suggestion">
          <p>
            <strong>退单单位认为应由{unitName(p.returnHint.unitCode)}办理。</strong>
          </p>
          <button type="button" class="button-small" onClick={() => set('unitCode', p.returnHint!.unitCode)}>
            选择{unitName(p.returnHint.unitCode)}
          </button>
        </div>
      ) : null}

      {action === 'dispatch' || action === 'reassign' ? (
        <>
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
            <select
              id={id('categoryCode')}
              value={values['categoryCode'] ?? ''}
              onChange={(e) => set('categoryCode', e.currentTarget.value)}
            >
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
      ) : null}

      {action === 'merge' ? (
        <TextInput
          id={id('intoTrackingCode')}
          label="合并到的工单查询码"
          hint="把这件重复反映并入已有的工单，例如 AC3-K7M-9XP。"
          value={values['intoTrackingCode'] ?? ''}
          onInput={(v) => set('intoTrackingCode', v)}
          error={errors['intoTrackingCode']}
        />
      ) : null}

      {action === 'accept' ? <p>签收表示本单位确认负责办理这件问题。</p> : null}
      {action === 'acceptOnBehalf' ? (
        <p>
          签收应由责任单位在工作台办理。只有单位已用别的方式确认承办（比如在视频点评会上当场认领、在督办交办卡上签字），又没法在工作台签收时，才由创城办代为签收。代为签收以创城办的名义记入办理经过，并邮件告知该单位；群众查询时看到的是“创城办已代责任单位签收”。
        </p>
      ) : null}
      {action === 'startRectification' ? <p>告诉创城办和群众：本单位已开始整改。</p> : null}

      {action === 'return' ? (
        <UnitSelect
          id={id('suggestedUnitCode')}
          label="建议改由哪个单位办理"
          optional
          units={p.units}
          value={values['suggestedUnitCode'] ?? ''}
          onChange={(v) => set('suggestedUnitCode', v)}
          error={errors['suggestedUnitCode']}
        />
      ) : null}

      {action === 'requestExtension' ? (
        <div class={errors['requestedDeadline'] ? 'field has-error' : 'field'}>
          <label for={id('requestedDeadline')}>申请延至</label>
          <p class="hint" id={id('requestedDeadline-hint')}>
            {p.current.deadlineAt ? `当前整改期限：${shortDate(p.current.deadlineAt)}。` : ''}新期限算到所选日期当天24时。
          </p>
          <FieldError id={id('requestedDeadline')} message={errors['requestedDeadline']} />
          <input
            type="date"
            id={id('requestedDeadline')}
            min={p.current.deadlineAt ? chinaDateInput(p.current.deadlineAt) : today}
            value={values['requestedDeadline'] ?? ''}
            onInput={(e) => set('requestedDeadline', e.currentTarget.value)}
            aria-invalid={errors['requestedDeadline'] ? true : undefined}
            aria-describedby={describe(id('requestedDeadline'), errors['requestedDeadline'], id('requestedDeadline-hint'))}
          />
        </div>
      ) : null}

      {action === 'approveExtension' || action === 'refuseExtension' ? (
        p.extensionRequest ? (
          <div class="extension-request">
            <p>
              <strong>责任单位申请延期</strong>
              {p.extensionRequest.requestedDeadlineAt ? `至 ${shortDate(p.extensionRequest.requestedDeadlineAt)}` : ''}
              {p.current.deadlineAt ? `（原期限 ${shortDate(p.current.deadlineAt)}）` : ''}
            </p>
            <p>理由：{p.extensionRequest.reason}</p>
          </div>
        ) : null
      ) : null}
      {action === 'approveExtension' ? (
        <div class={errors['deadline'] ? 'field has-error' : 'field'}>
          <label for={id('deadline')}>新的整改期限</label>
          <p class="hint" id={id('deadline-hint')}>
            默认是单位申请的日期，可以改早或改晚。
          </p>
          <FieldError id={id('deadline')} message={errors['deadline']} />
          <input
            type="date"
            id={id('deadline')}
            min={today}
            value={values['deadline'] ?? ''}
            onInput={(e) => set('deadline', e.currentTarget.value)}
            aria-invalid={errors['deadline'] ? true : undefined}
            aria-describedby={describe(id('deadline'), errors['deadline'], id('deadline-hint'))}
          />
        </div>
      ) : null}

      {action === 'reportRectification' ? (
        <>
          <TextArea
            id={id('text')}
            label="整改情况"
            hint="写明做了什么、何时完成、现场现在的情况，至少5个字。"
            value={values['text'] ?? ''}
            onInput={(v) => set('text', v)}
            error={errors['text']}
            rows={5}
          />
          <RectificationPhotos id={id('photoIds')} items={photos} setItems={setPhotos} maxPhotos={p.maxPhotos} error={errors['photoIds']} />
          {photos.length === 0 ? (
            <div class="field no-photo">
              <label class="checkbox" for={id('noPhoto')}>
                <input
                  type="checkbox"
                  id={id('noPhoto')}
                  checked={values['noPhoto'] === 'yes'}
                  onChange={(e) => {
                    set('noPhoto', e.currentTarget.checked ? 'yes' : '');
                    // Saying why there is no photo answers "add a photo".
                    clearError('photoIds');
                  }}
                />
                <span>确实拍不了整改后照片</span>
              </label>
              {values['noPhoto'] === 'yes' ? (
                <TextArea
                  id={id('noPhotoReason')}
                  label="拍不了照片的原因"
                  hint="创城办核验时会看到这个原因。例如：问题只在夜间出现，白天拍不到；现场是不允许拍照的场所。"
                  value={values['noPhotoReason'] ?? ''}
                  onInput={(v) => set('noPhotoReason', v)}
                  error={errors['noPhotoReason']}
                  rows={3}
                />
              ) : null}
            </div>
          ) : null}
        </>
      ) : null}

      {action === 'verify' ? (
        <TextArea
          id={id('note')}
          label="核验意见"
          optional
          value={values['note'] ?? ''}
          onInput={(v) => set('note', v)}
          error={errors['note']}
          rows={2}
        />
      ) : null}

      {['reassign', 'acceptOnBehalf', 'return', 'requestExtension', 'refuseExtension', 'sendBack', 'reject', 'reopen'].includes(action) ? (
        <TextArea
          id={id('reason')}
          label={REASON_LABELS[action] ?? '理由'}
          hint={REASON_HINTS[action] ?? '理由会记入办理经过，下一位办理人能看到。'}
          value={values['reason'] ?? ''}
          onInput={(v) => set('reason', v)}
          error={errors['reason']}
          rows={3}
        />
      ) : null}

      <p role="status" class="hint" aria-live="polite">
        {busy ? '正在提交…' : ''}
      </p>
      <button type="submit" class="button button-primary" disabled={busy}>
        {busy ? '正在提交…' : SUBMIT_LABELS[action]}
      </button>
    </form>
  );
}

const REASON_LABELS: Partial<Record<Action, string>> = {
  reassign: '改派理由',
  acceptOnBehalf: '代为签收的理由',
  return: '退单理由',
  requestExtension: '延期理由',
  refuseExtension: '驳回理由',
  sendBack: '退回理由',
  reject: '不予受理的理由',
  reopen: '重新办理的理由',
};

const REASON_HINTS: Partial<Record<Action, string>> = {
  acceptOnBehalf: '写明单位在什么时候、用什么方式确认承办，例如“12月3日视频点评会上当场认领”。',
};

function describe(id: string, error: string | undefined, hint?: string): string | undefined {
  const ids = [hint, error ? `${id}-error` : undefined].filter(Boolean);
  return ids.length > 0 ? ids.join(' ') : undefined;
}

function FieldError({ id, message }: { id: string; message: string | undefined }) {
  return message ? (
    <p class="field-error" id={`${id}-error`}>
      {message}
    </p>
  ) : null;
}

function UnitSelect(props: {
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

function TextArea(props: {
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

function TextInput(props: {
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
