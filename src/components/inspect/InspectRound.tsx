// The inspector's round page (issue 14, item 2; ADR 012): the round's points in walking order,
// each with its checklist, and a bar that always says what is still on the phone waiting to be
// sent. Every answer is saved on the device first (IndexedDB) and sent when there is a
// connection; the page works after a reload with no network (the service worker keeps it).
import { useEffect } from 'preact/hooks';
import type { RoundSheet, SheetPoint } from '../../../server/inspection/inspection-types.ts';
import { answerItem, answerRecheck, itemEntryId, pointProgress, recheckEntryId, type ItemEntry, type RecheckEntry } from './outbox.ts';
import { OutboxBar } from './OutboxBar.tsx';
import { PointCard } from './PointCard.tsx';
import { keepForOffline } from './offline-shell.ts';
import { useOutbox } from './use-outbox.ts';

interface Props {
  sheet: RoundSheet;
  /** When the server rendered the sheet (ISO): the newer of this and the device's copy is shown. */
  fetchedAt: string;
}

const newKey = () => crypto.randomUUID();

export default function InspectRound({ sheet: initial, fetchedAt }: Props) {
  const { sheet, entries, send, loaded, save, sendNow } = useOutbox(initial, fetchedAt);
  const roundId = sheet.round.id;
  const open = sheet.round.status === 'open';

  useEffect(() => keepForOffline(), []);

  const onItem = (point: SheetPoint, itemCode: string, verdict: 'pass' | 'fail') => {
    const existing = entries.get(itemEntryId(roundId, point.pointId, itemCode)) as ItemEntry | undefined;
    void save(answerItem(existing, { roundId, pointId: point.pointId, itemCode }, verdict, new Date().toISOString(), newKey));
  };
  const onRecheck = (point: SheetPoint, ticketId: number, verdict: 'fixed' | 'not_fixed') => {
    const existing = entries.get(recheckEntryId(roundId, ticketId)) as RecheckEntry | undefined;
    void save(answerRecheck(existing, { roundId, pointId: point.pointId, ticketId }, verdict, new Date().toISOString(), newKey));
  };

  const done = sheet.points.filter((p) => {
    const { done: d, total } = pointProgress(p, entries, roundId);
    return d === total;
  }).length;

  return (
    <div class="inspect-round">
      <p class="round-progress" data-testid="round-progress">
        已查 {done}/{sheet.points.length} 个点位 · {sheet.round.startsOn} 至 {sheet.round.endsOn}
      </p>
      {open ? null : (
        <p class="notice notice-error" role="alert">
          这一轮督导已结束，不能再录入。
        </p>
      )}
      {sheet.points.map((point) => (
        <PointCard
          key={point.pointId}
          roundId={roundId}
          point={point}
          entries={entries}
          open={open}
          onItem={onItem}
          onRecheck={onRecheck}
          onSave={(e) => void save(e)}
        />
      ))}
      <OutboxBar entries={entries} send={send} loaded={loaded} onSend={sendNow} />
    </div>
  );
}
