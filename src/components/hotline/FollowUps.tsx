// Follow-up calls (回访, issue 5 item 4): the closed tickets whose callers wait for a call, each
// with what they reported and what the unit reported, and a small form for the result — reached
// or not, fixed or not, 满意/基本满意/不满意, a comment. "Not fixed" or "unsatisfied" reopens the
// ticket for the office, and the card says so. A caller not reached stays on the list until the
// third attempt.
import { useState } from 'preact/hooks';
import { followUpInputSchema, FOLLOW_UP_SATISFACTION, SATISFACTION_LABELS } from '../../../server/follow-ups/follow-up-schema.ts';
import { STATUS_LABELS } from '../../../server/tickets/lifecycle.ts';
import { shortDateTime } from '../console/time.ts';
import { recordFollowUp, type FollowUpResult, type FollowUpTask } from './hotline-api.ts';

export interface FollowUpsProps {
  items: FollowUpTask[];
  total: number;
  maxAttempts: number;
}

export default function FollowUps({ items, total, maxAttempts }: FollowUpsProps) {
  if (items.length === 0) return <p class="empty">没有待回访的工单。工单办结后，留了电话并愿意接受回访的来电人会出现在这里。</p>;
  return (
    <>
      {total > items.length && (
        <p class="sub">
          共 {total} 件待回访，先列出最早办结的 {items.length} 件。
        </p>
      )}
      <ol class="followup-list" data-testid="follow-ups">
        {items.map((task) => (
          <li key={task.id}>
            <FollowUpCard task={task} maxAttempts={maxAttempts} />
          </li>
        ))}
      </ol>
    </>
  );
}

type Choice = '' | 'yes' | 'no';
type Errors = Record<string, string>;

function FollowUpCard({ task, maxAttempts }: { task: FollowUpTask; maxAttempts: number }) {
  const [reached, setReached] = useState<Choice>('');
  const [fixed, setFixed] = useState<Choice>('');
  const [satisfaction, setSatisfaction] = useState('');
  const [comment, setComment] = useState('');
  const [errors, setErrors] = useState<Errors>({});
  const [message, setMessage] = useState('');
  const [attempts, setAttempts] = useState(task.attempts);
  const [status, setStatus] = useState({ status: task.status, label: task.statusLabel });
  const [result, setResult] = useState<(FollowUpResult & { summary: string }) | null>(null);
  const [busy, setBusy] = useState(false);
  const id = (field: string) => `fu-${task.id}-${field}`;
  const now = new Date();

  const clear = (field: string) =>
    setErrors((e) => {
      if (!(field in e)) return e;
      const { [field]: _gone, ...rest } = e;
      return rest;
    });

  const focusLater = (elementId: string) => setTimeout(() => document.getElementById(elementId)?.focus(), 0);

  async function onSubmit(event: Event) {
    event.preventDefault();
    if (busy) return;
    const input = {
      id: task.id,
      reached: reached === '' ? undefined : reached === 'yes',
      ...(reached === 'yes' && fixed !== '' && { fixed: fixed === 'yes' }),
      ...(reached === 'yes' && satisfaction && { satisfaction }),
      ...(comment.trim() && { comment }),
    };
    const parsed = followUpInputSchema.safeParse(input);
    if (!parsed.success) {
      const next: Errors = {};
      for (const issue of parsed.error.issues) next[String(issue.path[0] ?? 'form')] ??= issue.message;
      if ('reached' in next) next['reached'] = '请选择是否联系上来电人';
      setErrors(next);
      const first = ['reached', 'fixed', 'satisfaction', 'comment'].find((f) => f in next);
      focusLater(first === 'comment' ? id('comment') : id(`${first ?? 'reached'}-yes`));
      return;
    }
    setBusy(true);
    setErrors({});
    setMessage('');
    const outcome = await recordFollowUp(parsed.data);
    setBusy(false);
    if (outcome.kind !== 'ok') {
      const fields = outcome.kind === 'invalid' ? outcome.fields : {};
      setErrors(fields);
      setMessage(Object.keys(fields).length > 0 ? '' : outcome.message);
      focusLater(Object.keys(fields).length > 0 ? id(`${Object.keys(fields)[0]}-yes`) : id('message'));
      return;
    }
    const r = outcome.data;
    if (!r.done) {
      // Not reached, attempts left: the task stays; the form is ready for the next try.
      setAttempts((n) => n + 1);
      setReached('');
      setComment('');
      setMessage('');
      setResult({ ...r, summary: `已记录：第 ${attempts + 1} 次没有联系上来电人，稍后再拨（最多 ${maxAttempts} 次）。` });
    } else {
      const summary =
        parsed.data.reached === false
          ? `已记录：连续 ${maxAttempts} 次没有联系上来电人，回访结束。`
          : `已登记回访：${parsed.data.fixed ? '问题已解决' : '问题未解决'}，${SATISFACTION_LABELS[parsed.data.satisfaction!]}。`;
      setResult({ ...r, summary: parsed.data.comment ? `${summary}回访意见：${parsed.data.comment}` : summary });
      if (r.reopened) setStatus({ status: 'reopened', label: STATUS_LABELS.reopened });
    }
    focusLater(id('result'));
  }

  const done = result?.done === true;
  const errorText = (field: string) =>
    errors[field] ? (
      <p class="field-error" id={id(`${field}-error`)}>
        {errors[field]}
      </p>
    ) : null;
  const radios = (field: string, name: string, options: Array<[string, string]>, value: string, onPick: (v: string) => void) => (
    <fieldset
      class={errors[field] ? 'followup-choice has-error' : 'followup-choice'}
      aria-describedby={errors[field] ? id(`${field}-error`) : undefined}
    >
      <legend>{name}</legend>
      {errorText(field)}
      <div class="followup-options">
        {options.map(([v, label]) => (
          <label class="checkbox checkbox-small" key={v}>
            <input
              type="radio"
              name={id(field)}
              id={id(`${field}-${v}`)}
              value={v}
              checked={value === v}
              onChange={() => {
                onPick(v);
                clear(field);
              }}
            />
            {label}
          </label>
        ))}
      </div>
    </fieldset>
  );

  return (
    <article class="followup" aria-labelledby={id('title')} data-code={task.trackingCode} data-followup={task.id}>
      <div class="followup-facts">
        <h2 id={id('title')}>
          工单{' '}
          <a class="code" href={`/console/tickets/${encodeURIComponent(task.trackingCode)}`}>
            {task.trackingCode}
          </a>
          <span class="state" data-status={status.status} data-testid="follow-up-status">
            {status.label}
          </span>
        </h2>
        <dl class="console-facts">
          <div>
            <dt>来电人</dt>
            <dd>
              {task.callerPhone ? (
                <a class="followup-phone" href={`tel:${task.callerPhone}`} data-testid="follow-up-phone">
                  {task.callerPhone}
                </a>
              ) : (
                '未留电话'
              )}
              {task.callerName && <span class="sub"> {task.callerName}</span>}
            </dd>
          </div>
          <div>
            <dt>反映的问题</dt>
            <dd>{task.description}</dd>
          </div>
          <div>
            <dt>单位反馈</dt>
            <dd>{task.rectification ?? <span class="sub">（没有整改说明）</span>}</dd>
          </div>
          <div>
            <dt>办结</dt>
            <dd>
              <time datetime={task.closedAt}>{shortDateTime(task.closedAt, now)}</time>
            </dd>
          </div>
          <div>
            <dt>责任单位</dt>
            <dd>{task.unit ?? '—'}</dd>
          </div>
          {attempts > 0 && (
            <div>
              <dt>已拨打</dt>
              <dd>
                {attempts} 次未联系上
                {task.lastAttemptAt && attempts === task.attempts && (
                  <span class="sub">（最近 {shortDateTime(task.lastAttemptAt, now)}）</span>
                )}
              </dd>
            </div>
          )}
        </dl>
      </div>
      <div class="followup-record">
        {result && (
          <div
            class={result.reopened || result.reopenError ? 'notice notice-error' : 'notice notice-ok'}
            role="status"
            tabIndex={-1}
            id={id('result')}
            data-testid="follow-up-result"
          >
            <p>{result.summary}</p>
            {result.reopened && <p>工单已重新打开，退回创城办重新办理（重新办理中）。</p>}
            {result.reopenError && <p>应重新打开工单，但没有成功：{result.reopenError}请通知创城办处理。</p>}
          </div>
        )}
        {!done && (
          <form class="followup-form" noValidate onSubmit={(e) => void onSubmit(e)} aria-label={`登记工单 ${task.trackingCode} 的回访结果`}>
            <div class="notice notice-error" role="alert" tabIndex={-1} id={id('message')} hidden={!message}>
              {message}
            </div>
            {radios(
              'reached',
              '是否联系上来电人',
              [
                ['yes', '已联系上'],
                ['no', '未联系上'],
              ],
              reached,
              (v) => setReached(v as Choice),
            )}
            {reached === 'yes' && (
              <>
                {radios(
                  'fixed',
                  '问题是否已解决',
                  [
                    ['yes', '已解决'],
                    ['no', '未解决'],
                  ],
                  fixed,
                  (v) => setFixed(v as Choice),
                )}
                {radios(
                  'satisfaction',
                  '满意度',
                  FOLLOW_UP_SATISFACTION.map((s) => [s, SATISFACTION_LABELS[s]]),
                  satisfaction,
                  setSatisfaction,
                )}
              </>
            )}
            <div class={errors['comment'] ? 'field has-error' : 'field'}>
              <label for={id('comment')}>
                回访意见 <span class="optional">（选填）</span>
              </label>
              {errorText('comment')}
              <textarea
                id={id('comment')}
                rows={2}
                value={comment}
                aria-describedby={errors['comment'] ? id('comment-error') : undefined}
                onInput={(e) => {
                  setComment(e.currentTarget.value);
                  clear('comment');
                }}
              />
            </div>
            <p class="hint">“未解决”或“不满意”会把工单退回创城办重新办理，回访意见作为理由。</p>
            <button type="submit" class="button-primary button-small" aria-disabled={busy ? true : undefined}>
              {busy ? '正在登记…' : '登记回访结果'}
            </button>
          </form>
        )}
      </div>
    </article>
  );
}
