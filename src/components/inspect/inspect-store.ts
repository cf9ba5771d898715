// The inspector's phone keeps two things in IndexedDB (ADR 012): the outbox — every answer not yet
// accepted by the server, photos included — and the last copy of each open round's sheet, so the
// page works after a reload with no network. A few lines over the raw API (no library: the page's
// JavaScript budget). Every write is its own transaction, done before the page says "saved".
import type { RoundSheet } from '../../../server/inspection/inspection-types.ts';
import type { OutboxEntry } from './outbox.ts';

const DB_NAME = 'cc-inspect';
const ENTRIES = 'entries';
const SHEETS = 'sheets';

/** A sheet as kept on the device: the server's answer and when it was fetched. */
export interface KeptSheet {
  roundId: number;
  sheet: RoundSheet;
  /** ISO time the server rendered it. */
  fetchedAt: string;
}

let opening: Promise<IDBDatabase> | null = null;

function done<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB request failed'));
  });
}

function open(): Promise<IDBDatabase> {
  opening ??= new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => {
      request.result.createObjectStore(ENTRIES, { keyPath: 'id' });
      request.result.createObjectStore(SHEETS, { keyPath: 'roundId' });
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => {
      opening = null;
      reject(request.error ?? new Error('IndexedDB could not be opened'));
    };
  });
  return opening;
}

async function withStore<T>(name: string, mode: IDBTransactionMode, work: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await open();
  const tx = db.transaction(name, mode);
  const result = done(work(tx.objectStore(name)));
  await new Promise<void>((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
  });
  return result;
}

export async function entriesOf(roundId: number): Promise<OutboxEntry[]> {
  const all = await withStore(ENTRIES, 'readonly', (s) => s.getAll() as IDBRequest<OutboxEntry[]>);
  return all.filter((e) => e.roundId === roundId);
}

export async function putEntry(entry: OutboxEntry): Promise<void> {
  await withStore(ENTRIES, 'readwrite', (s) => s.put(entry));
}

export async function deleteEntry(id: string): Promise<void> {
  await withStore(ENTRIES, 'readwrite', (s) => s.delete(id));
}

export async function keptSheet(roundId: number): Promise<KeptSheet | undefined> {
  return withStore(SHEETS, 'readonly', (s) => s.get(roundId) as IDBRequest<KeptSheet | undefined>);
}

export async function keepSheet(kept: KeptSheet): Promise<void> {
  await withStore(SHEETS, 'readwrite', (s) => s.put(kept));
}

/**
 * Forgets the rounds no longer open for this inspector (closed, or taken off them): their sheets,
 * and their entries that the server has already refused. Entries still waiting are kept: they are
 * the inspector's work, and the round page says why they cannot be sent.
 */
export async function forgetRoundsExcept(openRoundIds: readonly number[]): Promise<void> {
  const keep = new Set(openRoundIds);
  const sheets = await withStore(SHEETS, 'readonly', (s) => s.getAllKeys());
  for (const key of sheets) if (!keep.has(Number(key))) await withStore(SHEETS, 'readwrite', (s) => s.delete(key));
  const entries = await withStore(ENTRIES, 'readonly', (s) => s.getAll() as IDBRequest<OutboxEntry[]>);
  for (const e of entries) if (!keep.has(e.roundId) && e.state === 'refused') await deleteEntry(e.id);
}
