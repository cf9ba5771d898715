// The round page's state (ADR 012): the sheet (the newer of the server's and the device's copy),
// the outbox entries, and the sending — on entry (a confirmed answer), on page load, on the
// browser's `online` event, by the 立即发送 button, and on a timer that backs off (5 s doubling to
// 5 min) while no answer comes. One run at a time; every change is written to IndexedDB first.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { RoundSheet } from '../../../server/inspection/inspection-types.ts';
import { recordOutboxEntry, uploadOutboxPhoto } from './inspect-api.ts';
import { deleteEntry, entriesOf, keepSheet, keptSheet, putEntry } from './inspect-store.ts';
import { retryDelaySeconds, withRecorded, type OutboxEntry, type SentResult } from './outbox.ts';
import { sendOutbox, type SenderDeps } from './outbox-sender.ts';

export type SendState =
  | { kind: 'idle' }
  | { kind: 'sending' }
  /** The last run got no answer: why, and whether the inspector must sign in again. */
  | { kind: 'waiting'; message: string; signedOut: boolean }
  /** The device's storage failed: nothing can be kept (private mode, storage full). */
  | { kind: 'storage'; message: string };

const newKey = () => crypto.randomUUID();

export function useOutbox(initial: RoundSheet, fetchedAt: string) {
  const roundId = initial.round.id;
  const [sheet, setSheet] = useState(initial);
  const [entries, setEntries] = useState<ReadonlyMap<string, OutboxEntry>>(new Map());
  const [send, setSend] = useState<SendState>({ kind: 'idle' });
  /** The device's entries have been read (until then the page cannot say what is waiting). */
  const [loaded, setLoaded] = useState(false);
  const entriesRef = useRef(entries);
  const sheetRef = useRef({ sheet: initial, fetchedAt });
  const running = useRef(false);
  const again = useRef(false);
  const failures = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const setEntry = (id: string, entry: OutboxEntry | null) => {
    const next = new Map(entriesRef.current);
    if (entry) next.set(id, entry);
    else next.delete(id);
    entriesRef.current = next;
    setEntries(next);
  };

  const storageFailed = (error: unknown) => {
    console.warn('[inspect] IndexedDB', error);
    setSend({ kind: 'storage', message: '手机无法保存录入的内容（可能是无痕模式或存储空间已满），请换用普通模式或清理空间后再录入。' });
  };

  const recordSent = async (entry: OutboxEntry, result: SentResult) => {
    const kept = { roundId, sheet: withRecorded(sheetRef.current.sheet, entry, result), fetchedAt: sheetRef.current.fetchedAt };
    sheetRef.current = kept;
    setSheet(kept.sheet);
    await keepSheet(kept);
    const current = entriesRef.current.get(entry.id);
    // Changed on the device while it was being sent (or taken back to change it): a new answer.
    const changed =
      current &&
      (current.verdict !== entry.verdict ||
        current.note !== entry.note ||
        current.photos.length !== entry.photos.length ||
        current.state === 'draft');
    if (current && changed) {
      const answer = { ...current, idempotencyKey: newKey() };
      await putEntry(answer);
      setEntry(entry.id, answer);
      return;
    }
    await deleteEntry(entry.id);
    setEntry(entry.id, null);
  };

  const deps: SenderDeps = {
    upload: uploadOutboxPhoto,
    record: recordOutboxEntry,
    newKey,
    save: async (entry) => {
      // Keep what the inspector changed meanwhile; take the photo ids, key and state of the run.
      const current = entriesRef.current.get(entry.id) ?? entry;
      const merged: OutboxEntry = {
        ...current,
        idempotencyKey: entry.idempotencyKey,
        state: current.state === 'waiting' ? entry.state : current.state,
        message: entry.message,
        photos: current.photos.map((p) => entry.photos.find((q) => q.key === p.key && q.id) ?? p),
      };
      await putEntry(merged);
      setEntry(entry.id, merged);
    },
    sent: recordSent,
  };

  const schedule = () => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
    const waiting = [...entriesRef.current.values()].some((e) => e.state === 'waiting');
    if (waiting) timer.current = setTimeout(() => void sendNow(), retryDelaySeconds(failures.current) * 1000);
  };

  const sendNow = async (): Promise<void> => {
    if (running.current) {
      // Answered while a run was under way: one more run right after it.
      again.current = true;
      return;
    }
    running.current = true;
    again.current = false;
    setSend({ kind: 'sending' });
    try {
      const run = await sendOutbox([...entriesRef.current.values()], deps);
      failures.current = run.stopped ? failures.current + 1 : 0;
      setSend(run.stopped ? { kind: 'waiting', ...run.stopped } : { kind: 'idle' });
    } catch (error) {
      storageFailed(error);
    } finally {
      running.current = false;
      if (again.current && failures.current === 0) void sendNow();
      else schedule();
    }
  };

  /** Saves an entry on the device, then sends it when it is ready to go. */
  const save = async (entry: OutboxEntry) => {
    setEntry(entry.id, entry);
    try {
      await putEntry(entry);
    } catch (error) {
      storageFailed(error);
      return;
    }
    if (entry.state === 'waiting') {
      failures.current = 0;
      void sendNow();
    }
  };

  useEffect(() => {
    let live = true;
    void (async () => {
      try {
        const [stored, kept] = await Promise.all([entriesOf(roundId), keptSheet(roundId)]);
        if (!live) return;
        // A page served from the service worker's cache may be older than the device's copy.
        if (kept && kept.fetchedAt > fetchedAt) {
          sheetRef.current = kept;
          setSheet(kept.sheet);
        } else {
          await keepSheet({ roundId, sheet: initial, fetchedAt });
        }
        entriesRef.current = new Map(stored.map((e) => [e.id, e]));
        setEntries(entriesRef.current);
        setLoaded(true);
        void sendNow();
      } catch (error) {
        setLoaded(true);
        storageFailed(error);
      }
    })();
    const online = () => {
      failures.current = 0;
      void sendNow();
    };
    window.addEventListener('online', online);
    return () => {
      live = false;
      window.removeEventListener('online', online);
      if (timer.current) clearTimeout(timer.current);
    };
  }, []);

  return { sheet, entries, send, loaded, save, sendNow: () => ((failures.current = 0), void sendNow()) };
}
