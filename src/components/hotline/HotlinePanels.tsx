// What the operator sees beside the call form while the caller is on the line: likely duplicates
// (open tickets at the same point, nearby or at the same address) with "+1", the caller's history
// by number, and the calls of the day, searchable by any part of a number. Ticket links open in a
// new tab so the call being taken is never lost.
import { chinaDate, chinaDayStart } from '../../../server/china-time.ts';
import { useState } from 'preact/hooks';
import { shortDateTime } from '../console/time.ts';
import { callerHistory, recentCalls, type CallerHistory, type DuplicateCandidate, type RecentCall } from './hotline-api.ts';
import {
  CALL_OUTCOME_LABELS,
  clockTime,
  duplicateReason,
  HISTORY_MIN_DIGITS,
  isOpenStatus,
  isToday,
  phoneDigits,
} from './hotline-model.ts';
import { useLookup, type Lookup } from './use-lookup.ts';

function TicketLink({ code }: { code: string }) {
  return (
    <a
      class="code"
      href={`/console/tickets/${encodeURIComponent(code)}`}
      target="_blank"
      rel="noopener"
      aria-label={`工单 ${code}（新窗口打开）`}
    >
      {code}
    </a>
  );
}

export function DuplicatesPanel(props: {
  lookup: Lookup<DuplicateCandidate[]>;
  active: boolean;
  attachTo: string;
  onAttach: (code: string) => void;
  disabled: boolean;
  /** False for a consultation or a referral: the count only, the room goes to the answer. */
  listed: boolean;
}) {
  const { lookup, active } = props;
  const items = active ? (lookup.data ?? []) : [];
  return (
    <section class="hotline-panel hotline-duplicates" aria-labelledby="hl-dup-title" aria-busy={lookup.loading}>
      <h2 id="hl-dup-title">可能重复的工单 {items.length > 0 && <span class="count">{items.length}</span>}</h2>
      {!active ? (
        <p class="hotline-empty">选择点位或填写地址后，列出同一点位、附近或同一地址还在办理的工单。</p>
      ) : items.length === 0 ? (
        <p class="hotline-empty">{lookup.loading ? '正在查找…' : lookup.failed || '没有找到还在办理的同类工单。'}</p>
      ) : !props.listed ? (
        <p class="hotline-empty">咨询或转办不涉及已有工单；要追加时按 Alt+2 或选“新建工单”查看列表。</p>
      ) : (
        <ul class="hotline-list" data-testid="duplicates">
          {items.map((d) => {
            const chosen = props.attachTo === d.trackingCode;
            return (
              <li key={d.trackingCode} data-code={d.trackingCode} class={chosen ? 'is-chosen' : undefined}>
                <div class="hotline-item-text">
                  <p class="hotline-item-head">
                    <TicketLink code={d.trackingCode} />
                    <span class="badge">{duplicateReason(d)}</span>
                    <span class="state" data-status={d.status}>
                      {d.statusLabel}
                    </span>
                    {d.calls > 0 && <span class="hotline-muted">已有{d.calls}次来电</span>}
                  </p>
                  <p class="hotline-item-desc" title={d.description}>
                    {d.description}
                  </p>
                </div>
                <button
                  type="button"
                  class={chosen ? 'button-small button-primary' : 'button-small'}
                  data-attach={d.trackingCode}
                  aria-pressed={chosen}
                  aria-label={`把这次来电追加到工单 ${d.trackingCode}（+1）`}
                  disabled={props.disabled}
                  onClick={() => props.onAttach(d.trackingCode)}
                >
                  +1
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

export function CallerHistoryPanel(props: { phone: string; onAttach: (code: string) => void; disabled: boolean }) {
  const digits = phoneDigits(props.phone);
  const key = digits.length >= HISTORY_MIN_DIGITS ? digits : null;
  const lookup = useLookup<CallerHistory>(key, (signal) => callerHistory(digits, signal), 350);
  const history = key !== null && lookup.key === key ? lookup.data : null;
  const now = new Date();
  return (
    <section
      class="hotline-panel hotline-history"
      aria-labelledby="hl-history-title"
      aria-busy={lookup.loading}
      data-testid="caller-history"
    >
      <h2 id="hl-history-title">
        来电人历史
        {history && (
          <span class="sub">
            {' '}
            {history.phone}：工单 {history.tickets.length} 件，来电 {history.calls.length} 次
          </span>
        )}
      </h2>
      {key === null ? (
        <p class="hotline-empty">输入来电号码后，显示这个号码以往反映的问题和来电。</p>
      ) : !history ? (
        <p class="hotline-empty">{lookup.failed || '正在查找…'}</p>
      ) : history.tickets.length === 0 && history.calls.length === 0 ? (
        <p class="hotline-empty">这个号码以前没有来电，也没有反映过问题。</p>
      ) : (
        <ul class="hotline-list">
          {history.tickets.map((t) => (
            <li key={t.trackingCode}>
              <div class="hotline-item-text">
                <p class="hotline-item-head">
                  <TicketLink code={t.trackingCode} />
                  <span class="state" data-status={t.status}>
                    {t.statusLabel}
                  </span>
                  <time class="sub" datetime={t.createdAt}>
                    {shortDateTime(t.createdAt, now)}
                  </time>
                </p>
                <p class="hotline-item-desc" title={t.description}>
                  {t.description}
                </p>
              </div>
              {isOpenStatus(t.status) && (
                <button
                  type="button"
                  class="button-small"
                  aria-label={`把这次来电追加到工单 ${t.trackingCode}（+1）`}
                  disabled={props.disabled}
                  onClick={() => props.onAttach(t.trackingCode)}
                >
                  +1
                </button>
              )}
            </li>
          ))}
          {history.calls
            .filter((c) => c.outcome === 'answered' || c.outcome === 'referred')
            .slice(0, 3)
            .map((c) => (
              <li key={c.at}>
                <div class="hotline-item-text">
                  <p class="hotline-item-head">
                    <span class="badge">{CALL_OUTCOME_LABELS[c.outcome]}</span>
                    <time class="sub" datetime={c.at}>
                      {shortDateTime(c.at, now)}
                    </time>
                    {c.operator && <span class="sub">{c.operator}</span>}
                  </p>
                  <p class="hotline-item-desc" title={c.summary}>
                    {c.summary}
                  </p>
                </div>
              </li>
            ))}
        </ul>
      )}
    </section>
  );
}

export function RecentCallsPanel(props: { refresh: number }) {
  const [search, setSearch] = useState('');
  const digits = phoneDigits(search);
  const lookup = useLookup<RecentCall[]>(
    digits,
    (signal) =>
      recentCalls(
        digits ? { phone: digits, limit: 50 } : { since: chinaDayStart(chinaDate(new Date())).toISOString(), limit: 200 },
        signal,
      ),
    digits ? 300 : 0,
    props.refresh,
  );
  const now = new Date();
  const calls = lookup.key === digits ? (lookup.data ?? []) : [];
  // Without a search: today's calls (the newest 200). A search looks through every recent call of
  // that number, or of numbers ending in those four digits: numbers are stored encrypted and only
  // these two can be looked up (ADR 019).
  const shown = calls;
  return (
    <section class="hotline-panel hotline-recent" aria-labelledby="hl-recent-title">
      <div class="hotline-panel-head">
        <h2 id="hl-recent-title">
          {digits ? (digits.length === 4 ? `尾号“${digits}”的来电` : `号码“${digits}”的来电`) : '今日来电'}{' '}
          <span class="count">{shown.length}</span>
        </h2>
        <input
          type="search"
          id="hl-recent-search"
          inputMode="numeric"
          autocomplete="off"
          aria-label="按号码查找来电（输入完整号码或后四位）"
          placeholder="完整号码或后四位"
          value={search}
          onInput={(e) => setSearch(e.currentTarget.value)}
        />
      </div>
      {shown.length === 0 ? (
        <p class="hotline-empty">
          {lookup.loading ? '正在查找…' : lookup.failed || (digits ? '没有找到这个号码的来电。' : '今天还没有登记来电。')}
        </p>
      ) : (
        <ul class="hotline-list hotline-calls" data-testid="recent-calls">
          {shown.map((c) => (
            <li key={c.id} data-outcome={c.outcome}>
              <div class="hotline-item-text">
                <p class="hotline-item-head">
                  <time datetime={c.at}>{isToday(c.at, now) ? clockTime(c.at) : shortDateTime(c.at, now)}</time>
                  <span class="hotline-phone">{c.callerPhone ?? '未显示号码'}</span>
                  <span class="badge">{CALL_OUTCOME_LABELS[c.outcome]}</span>
                  {c.trackingCode && <TicketLink code={c.trackingCode} />}
                  {c.referredTo && <span class="sub">{c.referredTo}</span>}
                </p>
                <p class="hotline-item-desc" title={c.summary}>
                  {c.summary}
                </p>
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
