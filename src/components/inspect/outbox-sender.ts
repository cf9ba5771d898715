// Sends the outbox (ADR 012), one entry after another in the order they were answered: first the
// entry's photos not yet uploaded (each photo's id is saved in the entry at once, so a photo is
// uploaded once however often the entry is tried), then the record with the entry's idempotency
// key. No answer (offline, a timeout, a server error) stops the run: everything stays waiting
// and is tried again later. A refusal (the round is closed, a fail cannot become a pass) marks
// that entry refused with the server's message and the run goes on with the next.
import { photosToSend, toSend, type OutboxEntry, type OutboxPhoto, type SentResult } from './outbox.ts';

/** What one call came back with: done, try again later (no answer), or refused for good. */
export type CallOutcome<T> =
  { kind: 'ok'; value: T } | { kind: 'later'; message: string; signedOut: boolean } | { kind: 'refused'; message: string };

export interface SenderDeps {
  upload(photo: OutboxPhoto): Promise<CallOutcome<{ id: string; thumbUrl: string }>>;
  record(entry: OutboxEntry): Promise<CallOutcome<SentResult>>;
  /** Saves the changed entry on the device. */
  save(entry: OutboxEntry): Promise<void>;
  /** The server has it: drop the entry from the outbox and record the result in the sheet. */
  sent(entry: OutboxEntry, result: SentResult): Promise<void>;
  newKey(): string;
}

export interface SendRun {
  sent: number;
  refused: number;
  /** Set when the run stopped because no answer came: why, and whether the session has ended. */
  stopped: { message: string; signedOut: boolean } | null;
}

async function uploadPhotos(entry: OutboxEntry, deps: SenderDeps): Promise<CallOutcome<OutboxEntry>> {
  let current = entry;
  for (const photo of photosToSend(entry)) {
    if (photo.id) continue;
    const outcome = await deps.upload(photo);
    if (outcome.kind !== 'ok')
      return outcome.kind === 'refused' ? { kind: 'refused', message: `照片没有被接受：${outcome.message}` } : outcome;
    current = {
      ...current,
      photos: current.photos.map((p) =>
        p.key === photo.key ? { ...p, id: outcome.value.id, thumbUrl: outcome.value.thumbUrl, blob: null } : p,
      ),
    };
    await deps.save(current);
  }
  return { kind: 'ok', value: current };
}

/**
 * Records one entry. When the server answers with another verdict than the entry's, it had the
 * key from an earlier answer (sent, then changed on the device before the answer came back): the
 * entry is sent once more under a new key, and the server decides about the change.
 */
async function recordEntry(entry: OutboxEntry, deps: SenderDeps): Promise<CallOutcome<SentResult>> {
  const first = await deps.record(entry);
  if (first.kind !== 'ok' || first.value.verdict === entry.verdict) return first;
  const rekeyed = { ...entry, idempotencyKey: deps.newKey() };
  await deps.save(rekeyed);
  const second = await deps.record(rekeyed);
  return second;
}

export async function sendOutbox(entries: readonly OutboxEntry[], deps: SenderDeps): Promise<SendRun> {
  const run: SendRun = { sent: 0, refused: 0, stopped: null };
  for (const waiting of toSend(entries)) {
    const uploaded = await uploadPhotos(waiting, deps);
    const outcome = uploaded.kind === 'ok' ? await recordEntry(uploaded.value, deps) : uploaded;
    const entry = uploaded.kind === 'ok' ? uploaded.value : waiting;
    if (outcome.kind === 'later') {
      run.stopped = { message: outcome.message, signedOut: outcome.signedOut };
      return run;
    }
    if (outcome.kind === 'refused') {
      await deps.save({ ...entry, state: 'refused', message: outcome.message });
      run.refused++;
      continue;
    }
    await deps.sent(entry, outcome.value);
    run.sent++;
  }
  return run;
}
