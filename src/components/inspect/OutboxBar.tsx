// The bar kept at the bottom of the round page's screen (in reach of the thumb) that always says
// what is still on the phone: "有 3 项尚未发送，联网后自动发送" with 立即发送, the answers the server
// refused (each also shown at its item), the drafts not yet confirmed, and "全部已发送" when none is left.
import type { OutboxEntry } from './outbox.ts';
import type { SendState } from './use-outbox.ts';

interface Props {
  entries: ReadonlyMap<string, OutboxEntry>;
  send: SendState;
  loaded: boolean;
  onSend: () => void;
}

export function OutboxBar({ entries, send, loaded, onSend }: Props) {
  const all = [...entries.values()];
  const waiting = all.filter((e) => e.state === 'waiting').length;
  const refused = all.filter((e) => e.state === 'refused').length;
  const drafts = all.filter((e) => e.state === 'draft').length;
  const tone = send.kind === 'storage' || refused > 0 ? ' is-alert' : waiting > 0 ? ' is-waiting' : ' is-done';
  return (
    <div class={`outbox-bar${tone}`}>
      <p role="status" data-testid="outbox-status">
        {!loaded
          ? '正在读取手机上保存的内容…'
          : waiting > 0
            ? send.kind === 'sending'
              ? `正在发送，还有 ${waiting} 项…`
              : `有 ${waiting} 项尚未发送，联网后自动发送`
            : refused > 0
              ? `有 ${refused} 项未被接受，请看下面标红的项目`
              : '全部已发送'}
      </p>
      {waiting > 0 && send.kind === 'waiting' ? (
        <p class="outbox-why">
          {send.signedOut ? (
            <>
              登录已过期，录入的内容仍保存在手机上。<a href={`/console/login?next=${encodeURIComponent(location.pathname)}`}>重新登录</a>
              后会自动发送。
            </>
          ) : (
            `${send.message}，内容已保存在手机上。`
          )}
        </p>
      ) : null}
      {waiting > 0 && refused > 0 ? <p class="outbox-why">另有 {refused} 项未被接受，请看下面标红的项目。</p> : null}
      {drafts > 0 ? <p class="outbox-why">有 {drafts} 项不合格或复查还没有确认，确认后才会发送。</p> : null}
      {send.kind === 'storage' ? <p class="outbox-why">{send.message}</p> : null}
      {waiting > 0 ? (
        <button type="button" class="button-small" disabled={send.kind === 'sending'} onClick={onSend}>
          立即发送
        </button>
      ) : null}
    </div>
  );
}
