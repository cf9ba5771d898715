// One point of the round on the inspector's phone: where it is and whose it is, its progress
// ("已查 5/7 项"), the problems already open there (shown first, so a known problem is not
// reported twice), the re-checks (复查) of earlier problems, then the checklist.
import type { SheetPoint } from '../../../server/inspection/inspection-types.ts';
import { ItemRow, RecheckRow } from './AnswerRows.tsx';
import { itemEntryId, pointProgress, recheckEntryId, type ItemEntry, type OutboxEntry, type RecheckEntry } from './outbox.ts';

interface Props {
  roundId: number;
  point: SheetPoint;
  entries: ReadonlyMap<string, OutboxEntry>;
  /** Answers are taken (the round is open). */
  open: boolean;
  onItem: (point: SheetPoint, itemCode: string, verdict: 'pass' | 'fail') => void;
  onRecheck: (point: SheetPoint, ticketId: number, verdict: 'fixed' | 'not_fixed') => void;
  onSave: (entry: OutboxEntry) => void;
}

export function PointCard({ roundId, point, entries, open, onItem, onRecheck, onSave }: Props) {
  const progress = pointProgress(point, entries, roundId);
  const headingId = `point-${point.position}`;
  const complete = progress.done === progress.total;
  return (
    <section class="point" aria-labelledby={headingId} data-point={point.pointId}>
      <h2 id={headingId} class="point-name">
        <span class="point-position">{point.position}</span>
        {point.name}
      </h2>
      <p class="point-meta">
        {point.typeName} · {point.address}
        <br />
        责任单位：{point.unitName}
      </p>
      <p class={`point-progress${complete ? ' is-complete' : ''}`} data-testid="point-progress">
        已查 {progress.done}/{progress.total} 项{complete ? ' ✓' : ''}
      </p>
      {point.openProblems.length > 0 ? (
        <div class="known-problems">
          <h3>已有问题，请勿重复上报</h3>
          <ul>
            {point.openProblems.map((p) => (
              <li key={p.trackingCode}>
                <span class="known-code">{p.trackingCode}</span> {p.categoryName ?? '类别待定'} · {p.statusLabel}
                <br />
                {p.summary}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      <fieldset class="answers-set" disabled={!open}>
        {point.rechecks.length > 0 ? (
          <>
            <h3>复查（{point.rechecks.length} 件）</h3>
            <ul class="answers">
              {point.rechecks.map((r) => (
                <RecheckRow
                  key={r.ticketId}
                  id={`recheck-${r.ticketId}`}
                  recheck={r}
                  entry={entries.get(recheckEntryId(roundId, r.ticketId)) as RecheckEntry | undefined}
                  onChoose={(v) => onRecheck(point, r.ticketId, v)}
                  onSave={onSave}
                />
              ))}
            </ul>
          </>
        ) : null}
        <h3>检查项目（{point.items.length} 项）</h3>
        <ul class="answers">
          {point.items.map((item, i) => (
            <ItemRow
              key={item.code}
              id={`item-${point.position}-${i + 1}`}
              item={item}
              entry={entries.get(itemEntryId(roundId, point.pointId, item.code)) as ItemEntry | undefined}
              onChoose={(v) => onItem(point, item.code, v)}
              onSave={onSave}
            />
          ))}
        </ul>
      </fieldset>
    </section>
  );
}
