// One checklist item (合格 / 不合格) and one re-check of an earlier problem (已整改 / 未整改) on the
// inspector's phone: two big buttons a thumb can hit, the answer's note and photos when it needs
// them, and where the answer stands. The answer shown is the device's when it has one, else the
// server's.
import type { SheetItem, SheetRecheck } from '../../../server/inspection/inspection-types.ts';
import { EntryDetails, EntryStatus } from './EntryDetails.tsx';
import type { ItemEntry, OutboxEntry, RecheckEntry } from './outbox.ts';

interface ChoiceProps {
  labelledBy: string;
  options: ReadonlyArray<{ value: string; text: string; tone: 'good' | 'bad' }>;
  chosen: string | null;
  onChoose: (value: string) => void;
}

function Choice({ labelledBy, options, chosen, onChoose }: ChoiceProps) {
  return (
    <div class="verdict" role="group" aria-labelledby={labelledBy}>
      {options.map((o) => (
        <button
          type="button"
          key={o.value}
          class={`verdict-${o.tone}`}
          aria-pressed={chosen === o.value}
          onClick={() => chosen !== o.value && onChoose(o.value)}
        >
          {o.text}
        </button>
      ))}
    </div>
  );
}

const ITEM_OPTIONS = [
  { value: 'pass', text: '合格', tone: 'good' },
  { value: 'fail', text: '不合格', tone: 'bad' },
] as const;
const RECHECK_OPTIONS = [
  { value: 'fixed', text: '已整改', tone: 'good' },
  { value: 'not_fixed', text: '未整改', tone: 'bad' },
] as const;

interface ItemProps {
  id: string;
  item: SheetItem;
  entry: ItemEntry | undefined;
  onChoose: (verdict: 'pass' | 'fail') => void;
  onSave: (entry: OutboxEntry) => void;
}

export function ItemRow({ id, item, entry, onChoose, onSave }: ItemProps) {
  const chosen = entry?.verdict ?? item.recorded?.verdict ?? null;
  const recorded = item.recorded;
  const sentText = recorded
    ? recorded.verdict === 'fail'
      ? `不合格已上报${recorded.trackingCode ? `，工单 ${recorded.trackingCode}` : ''}`
      : '合格已记录'
    : null;
  return (
    <li class={`answer${chosen === 'fail' ? ' is-fail' : ''}`} data-item={item.code}>
      <p class="answer-title" id={id}>
        {item.standard}
        <span class="answer-sub">{item.categoryName}</span>
      </p>
      <Choice labelledBy={id} options={ITEM_OPTIONS} chosen={chosen} onChoose={(v) => onChoose(v as 'pass' | 'fail')} />
      {entry?.verdict === 'fail' ? (
        <EntryDetails entry={entry} subject={item.standard} noteLabel="问题说明（选填）" confirmText="确认不合格" onSave={onSave} />
      ) : null}
      <EntryStatus entry={entry} sentText={sentText} />
    </li>
  );
}

interface RecheckProps {
  id: string;
  recheck: SheetRecheck;
  entry: RecheckEntry | undefined;
  onChoose: (verdict: 'fixed' | 'not_fixed') => void;
  onSave: (entry: OutboxEntry) => void;
}

export function RecheckRow({ id, recheck, entry, onChoose, onSave }: RecheckProps) {
  const chosen = entry?.verdict ?? recheck.recorded?.verdict ?? null;
  const sentText = recheck.recorded ? (recheck.recorded.verdict === 'fixed' ? '已整改已记录' : '未整改已记录') : null;
  return (
    <li class="answer" data-recheck={recheck.trackingCode}>
      <p class="answer-title" id={id}>
        {recheck.standard ?? recheck.summary}
        <span class="answer-sub">
          工单 {recheck.trackingCode} · {recheck.statusLabel}
          {recheck.unitName ? ` · ${recheck.unitName}` : ''}
        </span>
      </p>
      {recheck.standard ? <p class="answer-summary">{recheck.summary}</p> : null}
      <Choice labelledBy={id} options={RECHECK_OPTIONS} chosen={chosen} onChoose={(v) => onChoose(v as 'fixed' | 'not_fixed')} />
      {entry ? (
        <EntryDetails
          entry={entry}
          subject={`复查 ${recheck.trackingCode}`}
          noteLabel={entry.verdict === 'not_fixed' ? '未整改的情况（必填）' : '说明（选填）'}
          confirmText={entry.verdict === 'fixed' ? '确认已整改' : '确认未整改'}
          onSave={onSave}
        />
      ) : null}
      <EntryStatus entry={entry} sentText={sentText} />
    </li>
  );
}
