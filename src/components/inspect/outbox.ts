// The inspector's outbox (ADR 012): every answer entered on the phone is an entry here, saved on
// the device before anything is sent. An entry is one checklist item at a point, or one re-check
// (复查) of an earlier problem; it carries the idempotency key made when the item was first
// answered on this device, so however often it is sent the server records it once. Photos are
// kept as blobs until uploaded, then only their ids. Pure logic: the IndexedDB store
// (inspect-store.ts) keeps the entries, the sender (outbox-sender.ts) sends them.
import type { ItemVerdict, RecheckVerdict, RoundSheet } from '../../../server/inspection/inspection-types.ts';

/** A photo of an entry: the picture itself until it is uploaded, then the id the server gave it. */
export interface OutboxPhoto {
  /** Local id, stable across edits. */
  key: string;
  name: string;
  /** The picture, kept on the device until uploaded (then null). */
  blob: Blob | null;
  /** Set once POST /api/uploads accepted it: the photo is never uploaded twice. */
  id: string | null;
  thumbUrl: string | null;
}

/**
 * draft: a fail or a re-check still being described (not sent until confirmed);
 * waiting: to be sent; refused: the server said no, with its message (kept, never retried by itself).
 */
export type EntryState = 'draft' | 'waiting' | 'refused';

interface EntryBase {
  /** Where it is kept: item:<round>:<point>:<code> or recheck:<round>:<ticket>. */
  id: string;
  roundId: number;
  pointId: string;
  idempotencyKey: string;
  /** When the inspector answered on the device (ISO). */
  observedAt: string;
  note: string;
  photos: OutboxPhoto[];
  state: EntryState;
  /** Why the server refused it (state refused). */
  message: string;
}

export interface ItemEntry extends EntryBase {
  kind: 'item';
  itemCode: string;
  verdict: ItemVerdict;
}

export interface RecheckEntry extends EntryBase {
  kind: 'recheck';
  ticketId: number;
  verdict: RecheckVerdict;
}

export type OutboxEntry = ItemEntry | RecheckEntry;

export const itemEntryId = (roundId: number, pointId: string, itemCode: string): string => `item:${roundId}:${pointId}:${itemCode}`;
export const recheckEntryId = (roundId: number, ticketId: number): string => `recheck:${roundId}:${ticketId}`;

/** Longest note the page accepts (the server's own limit decides in the end). */
export const MAX_NOTE_CHARS = 300;
/** Photos per entry. */
export const MAX_ENTRY_PHOTOS = 3;

/**
 * The entry after the inspector chose `verdict`: a new entry with a fresh key, or the same entry
 * changed. An entry not yet sent keeps its key (the answer changed before it left the device); a
 * refused one gets a new key, since the server has already decided about the old one.
 */
export function answerItem(
  existing: ItemEntry | undefined,
  at: { roundId: number; pointId: string; itemCode: string },
  verdict: ItemVerdict,
  now: string,
  newKey: () => string,
): ItemEntry {
  const state: EntryState = verdict === 'fail' ? 'draft' : 'waiting';
  if (existing) {
    const rekey = existing.state === 'refused';
    return {
      ...existing,
      verdict,
      state,
      message: '',
      observedAt: now,
      ...(rekey && { idempotencyKey: newKey() }),
    };
  }
  return {
    kind: 'item',
    id: itemEntryId(at.roundId, at.pointId, at.itemCode),
    ...at,
    verdict,
    idempotencyKey: newKey(),
    observedAt: now,
    note: '',
    photos: [],
    state,
    message: '',
  };
}

export function answerRecheck(
  existing: RecheckEntry | undefined,
  at: { roundId: number; pointId: string; ticketId: number },
  verdict: RecheckVerdict,
  now: string,
  newKey: () => string,
): RecheckEntry {
  if (existing) {
    const rekey = existing.state === 'refused';
    return { ...existing, verdict, state: 'draft', message: '', observedAt: now, ...(rekey && { idempotencyKey: newKey() }) };
  }
  return {
    kind: 'recheck',
    id: recheckEntryId(at.roundId, at.ticketId),
    ...at,
    verdict,
    idempotencyKey: newKey(),
    observedAt: now,
    note: '',
    photos: [],
    state: 'draft',
    message: '',
  };
}

/** The photos that go with the entry: none for a passed item (kept on the device in case it is failed again). */
export function photosToSend(entry: OutboxEntry): OutboxPhoto[] {
  return entry.kind === 'item' && entry.verdict === 'pass' ? [] : entry.photos;
}

/** What is missing before a draft may be sent, in Chinese; null when it may be sent. */
export function missingBeforeSend(entry: OutboxEntry): string | null {
  if (entry.note.length > MAX_NOTE_CHARS) return `说明最多${MAX_NOTE_CHARS}字，请删减一些。`;
  if (entry.kind === 'recheck') {
    if (entry.verdict === 'fixed' && entry.photos.length === 0) return '确认已整改需要拍一张整改后的照片。';
    if (entry.verdict === 'not_fixed' && entry.note.trim().length === 0) return '请写明未整改的情况（原因），再确认。';
  }
  return null;
}

/** Entries the page still has to send: waiting ones, in the order they were answered. */
export function toSend(entries: readonly OutboxEntry[]): OutboxEntry[] {
  return entries.filter((e) => e.state === 'waiting').sort((a, b) => a.observedAt.localeCompare(b.observedAt));
}

/** What the server answered for a sent entry, as the sheet records it. */
export type SentResult = { kind: 'item'; verdict: ItemVerdict; trackingCode: string | null } | { kind: 'recheck'; verdict: RecheckVerdict };

/** The sheet with a sent entry's result recorded (the device's copy, kept for offline use). */
export function withRecorded(sheet: RoundSheet, entry: OutboxEntry, result: SentResult): RoundSheet {
  const note = entry.note.trim() || null;
  return {
    ...sheet,
    points: sheet.points.map((point) => {
      if (point.pointId !== entry.pointId) return point;
      if (entry.kind === 'item' && result.kind === 'item') {
        return {
          ...point,
          items: point.items.map((item) =>
            item.code === entry.itemCode
              ? { ...item, recorded: { verdict: result.verdict, note, trackingCode: result.trackingCode } }
              : item,
          ),
        };
      }
      if (entry.kind === 'recheck' && result.kind === 'recheck') {
        return {
          ...point,
          rechecks: point.rechecks.map((r) => (r.ticketId === entry.ticketId ? { ...r, recorded: { verdict: result.verdict, note } } : r)),
        };
      }
      return point;
    }),
  };
}

/** How a point stands: items (and re-checks) answered, on the server or on the device. */
export function pointProgress(
  point: RoundSheet['points'][number],
  entries: ReadonlyMap<string, OutboxEntry>,
  roundId: number,
): { done: number; total: number } {
  const items = point.items.filter((i) => i.recorded || entries.has(itemEntryId(roundId, point.pointId, i.code))).length;
  const rechecks = point.rechecks.filter((r) => r.recorded || entries.has(recheckEntryId(roundId, r.ticketId))).length;
  return { done: items + rechecks, total: point.items.length + point.rechecks.length };
}

/** Seconds to wait before the next automatic try after `failures` failed ones in a row: 5 s doubling to 5 min. */
export function retryDelaySeconds(failures: number): number {
  return Math.min(300, 5 * 2 ** Math.max(0, failures - 1));
}
