// What the operator reads back once the call is recorded: the tracking code large, where the
// ticket went, or what was recorded instead; Esc (or the button) starts the next call.
import type { LoggedCall } from './hotline-api.ts';

export interface Recorded {
  call: LoggedCall;
  referredTo: string;
}

export function CallResult({ recorded, onNext }: { recorded: Recorded; onNext: () => void }) {
  const { call } = recorded;
  const title =
    call.outcome === 'ticket'
      ? '已生成工单'
      : call.outcome === 'attached'
        ? '已追加到工单'
        : call.outcome === 'answered'
          ? '咨询已登记'
          : '转办已登记';
  return (
    <section class="hotline-result" aria-labelledby="hl-result-title" data-testid="call-result" data-outcome={call.outcome}>
      <h2 id="hl-result-title">{title}</h2>
      {call.trackingCode ? (
        <>
          <p class="hotline-readback">请向来电人读出查询码：</p>
          <p class="hotline-code" data-testid="tracking-code">
            {call.trackingCode}
          </p>
          <p>
            {call.outcome === 'ticket'
              ? call.unit
                ? `已转交${call.unit.name}办理。`
                : '已受理，由创城办分派责任单位。'
              : `这次来电已记在该工单上。工单状态：${call.statusLabel ?? '—'}。`}
            <span class="sub">来电人可凭查询码在网站或电话查询进度。</span>
          </p>
        </>
      ) : (
        <p class="hotline-result-text">
          {call.outcome === 'answered' ? '已记录这次咨询和答复，不生成工单。' : `已记录转办：${recorded.referredTo}。不生成工单。`}
        </p>
      )}
      <button type="button" id="hl-next" class="button-primary" aria-keyshortcuts="Escape" onClick={onNext}>
        下一个来电 <kbd>Esc</kbd>
      </button>
    </section>
  );
}
